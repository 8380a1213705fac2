# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Basic over LDAP against a real slapd (docs/ldap.md): passwords by
# bind, refusals, RFC 4515 escaping of user names, an ambiguous user,
# the search identity (anonymous, from a file, wrong), a forward proxy
# (407), groups (groupOfNames, groupOfUniqueNames, memberOf, httpd's
# 401/403 rule), mod_authnz_ldap beside this module, StartTLS and
# ldaps; no secret in error_log.  slapd: t/ldap/start-for-tests.sh.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACLdap qw(:all);

plan tests => 90, need { 'slapd started by t/ldap/start-for-tests.sh'
                         => \&have_ldap };

my $hp = hostport();
my $chal = 'Basic realm="LDAP Realm", charset="UTF-8"';
my $start_mark = error_log_mark();
my %U = %LDAP_USERS;
my $joerg = "j\xc3\xb6rg";

sub get {
    my ($path, $user, $pass, @h) = @_;
    push @h, Authorization => basic($user, $pass) if defined $user;
    return req($hp, 'GET', $path, @h);
}

# 401 with exactly the Basic challenge of the realm.
sub is_401 {
    my ($r, $what) = @_;
    is($r->{status}, 401, "$what: 401");
    is_deeply([headers_named($r, 'WWW-Authenticate')], [$chal],
              "$what: WWW-Authenticate: $chal");
}

ok(slapd_up(), 'slapd answers on ' . ldap_port());

# ------------------------------------------------ Basic (docs/ldap.md)
my $ok = '/ldap/basic/ok.txt';
{
    my $r = get($ok, 'alice', $U{alice});
    is($r->{status}, 200, 'alice, right password: 200');
    is($r->{body}, "ok pub\n", 'alice: the file');
}
is_401(get($ok), 'no credentials');
is_401(get($ok, 'alice', 'wrong-pw'), 'alice, wrong password');
is_401(get($ok, 'alice', $U{bob}), "alice with bob's password");
is_401(get($ok, 'mallory', 'x-pw'), 'unknown user');
is_401(get($ok, 'nopw', 'anything'), 'entry without userPassword');
{
    my $mark = error_log_mark();
    is_401(get($ok, 'alice', ''), 'empty password');
    my $log = wait_log($mark, qr/AC\d{5}.*empty password/);
    like($log, qr/\[authchallenge:info\].*AC01001.*"alice".*empty password/,
         'empty password: refused before any bind (reason logged)')
        or diag($log);
}
is(get($ok, $joerg, $U{$joerg})->{status}, 200, 'UTF-8 user jörg: 200');
is_401(get($ok, $joerg, 'j-pw'), 'jörg, wrong password');

# RFC 4515: filter characters in user names match literally.
is_401(get($ok, '*', $U{alice}), "user '*' with alice's password");
is_401(get($ok, '*', $U{'a*'}), "user '*' with astar-pw");
is_401(get($ok, 'x)(uid=*', $U{alice}), "user 'x)(uid=*'");
is_401(get($ok, 'alice)(uid=*', $U{alice}), "user 'alice)(uid=*'");
is_401(get($ok, 'al*', $U{alice}), "user 'al*' with alice's password");
is(get($ok, 'a*', $U{'a*'})->{status}, 200, "user 'a*' with astar-pw: 200");
is_401(get($ok, 'a*', $U{alice}), "user 'a*' with alice's password");
is(get($ok, 'x(y)*', $U{'x(y)*'})->{status}, 200,
   "user 'x(y)*' with xy-pw: 200");
is_401(get($ok, 'x(y)\\2a', $U{'x(y)*'}), "user 'x(y)\\2a' (escape as text)");
{
    my $mark = error_log_mark();
    is_401(get($ok, 'dup', $U{dup}), "two entries 'dup': ambiguous");
    my $log = wait_log($mark, qr/AC\d{5}.*ambiguous/);
    like($log, qr/AC01001.*"dup".*ambiguous/, 'dup: logged as ambiguous')
        or diag($log);
}

# The search identity: anonymous, password from a file, wrong password.
is(get('/ldap/anon/ok.txt', 'bob', $U{bob})->{status}, 200,
   'anonymous search identity: 200');
is(get('/ldap/anon/ok.txt', 'bob', 'bad-pw')->{status}, 401,
   'anonymous search identity, wrong password: 401');
is(get('/ldap/pwfile/ok.txt', 'alice', $U{alice})->{status}, 200,
   'BindPassword file:...: 200');
{
    my $mark = error_log_mark();
    my $r = get('/ldap/badbind/ok.txt', 'alice', $U{alice});
    is($r->{status}, 500, 'wrong search-identity password: 500, not 401');
    is(header_count($r, 'WWW-Authenticate'), 0, '... and no challenge');
    my $log = wait_log($mark, qr/AC01004/);
    like($log, qr/\[authchallenge:error\].*AC01004/,
         'wrong search-identity password: AC01004 at error') or diag($log);
}

# ------------------------------------------------ forward proxy
# (docs/proxy.md)
{
    my $proxy = hostport('ldap_proxy');
    my $url = "http://$hp/pub/ok.txt";
    my $r = req($proxy, 'GET', $url, Host => $hp);
    is($r->{status}, 407, 'proxy, no credentials: 407');
    is_deeply([headers_named($r, 'Proxy-Authenticate')], [$chal],
              "proxy: Proxy-Authenticate: $chal");
    is(header_count($r, 'WWW-Authenticate'), 0, 'proxy: no WWW-Authenticate');
    $r = req($proxy, 'GET', $url, Host => $hp,
             'Proxy-Authorization' => basic('alice', $U{alice}));
    is($r->{status}, 200, 'proxy, alice: 200');
    is($r->{body}, "ok pub\n", 'proxy, alice: the origin file');
    is(req($proxy, 'GET', $url, Host => $hp,
           'Proxy-Authorization' => basic('alice', 'wrong-pw'))->{status},
       407, 'proxy, wrong password: 407');
    is(req($proxy, 'GET', $url, Host => $hp,
           'Proxy-Authorization' => basic('*', $U{alice}))->{status},
       407, "proxy, user '*': 407");
    is(curl('-x', "http://$proxy", '--proxy-user', "alice:$U{alice}", $url),
       '200', 'curl -x --proxy-user alice:alice-pw: 200');
    is(curl('-x', "http://$proxy", $url), '407', 'curl -x, no user: 407');
}

# ------------------------------------------------ groups (docs/ldap.md)
# httpd turns the denial of an authenticated user into 401 (with the
# challenge) unless AuthzSendForbiddenOnFailure On, then 403.
for my $loc ('/ldap/staff/', '/ldap/staff-memberof/') {
    my $p = "${loc}ok.txt";
    is(get($p, 'alice', $U{alice})->{status}, 200,
       "$loc (groupOfNames staff): member alice: 200");
    is(get($p, $joerg, $U{$joerg})->{status}, 200,
       "$loc: member jörg: 200");
    is_401(get($p, 'bob', $U{bob}), "$loc: non-member bob");
    is_401(get($p, 'alice', 'wrong-pw'), "$loc: alice, wrong password");
}
{
    my $mark = error_log_mark();
    get('/ldap/staff/ok.txt', 'bob', $U{bob});
    my $log = wait_log($mark, qr/AC01041/);
    like($log, qr/AC01041.*"bob".*cn=staff/, 'non-member: AC01041 logged')
        or diag($log);
}
is(get('/ldap/admins/ok.txt', 'alice', $U{alice})->{status}, 200,
   'groupOfUniqueNames admins: member alice: 200');
is_401(get('/ldap/admins/ok.txt', 'bob', $U{bob}),
       'groupOfUniqueNames admins: non-member bob');
is_401(get('/ldap/admins-member/ok.txt', 'alice', $U{alice}),
       'GroupAttribute member only: uniqueMember of admins does not count');
{
    my $r = get('/ldap/staff-forbid/ok.txt', 'bob', $U{bob});
    is($r->{status}, 403, 'AuthzSendForbiddenOnFailure On: non-member 403');
    is(get('/ldap/staff-forbid/ok.txt', 'alice', $U{alice})->{status}, 200,
       'AuthzSendForbiddenOnFailure On: member 200');
    is_401(get('/ldap/staff-forbid/ok.txt', 'alice', 'wrong-pw'),
           'AuthzSendForbiddenOnFailure On: wrong password still 401');
}

# mod_authnz_ldap beside this module: its own provider and Require.
{
    my $p = '/ldap/stock/ok.txt';
    is(get($p, 'alice', $U{alice})->{status}, 200,
       'mod_authnz_ldap Require ldap-user alice: alice 200');
    my $r = get($p, 'bob', $U{bob});
    is($r->{status}, 401, 'mod_authnz_ldap: bob 401');
    my $r2 = get($p);
    is_deeply([headers_named($r2, 'WWW-Authenticate')],
              ['Basic realm="LDAP Stock"'],
              "mod_authnz_ldap: mod_auth_basic's challenge (no charset)");
    is(get($p, 'alice', 'wrong-pw')->{status}, 401,
       'mod_authnz_ldap: wrong password 401');
}

# ------------------------------------------------ TLS (docs/ldap.md)
is(get('/ldap/starttls/ok.txt', 'alice', $U{alice})->{status}, 200,
   'StartTLS with the test CA: 200');
is_401(get('/ldap/starttls/ok.txt', 'alice', 'wrong-pw'),
       'StartTLS: wrong password');
is(get('/ldap/ldaps/ok.txt', 'alice', $U{alice})->{status}, 200,
   'ldaps (port ' . ldap_tls_port() . ') with the test CA: 200');
is_401(get('/ldap/ldaps/ok.txt', 'alice', 'wrong-pw'),
       'ldaps: wrong password');
{
    my $mark = error_log_mark();
    my ($t, $r) = timed(sub { get('/ldap/ldaps-noca/ok.txt', 'alice',
                                  $U{alice}) });
    is($r->{status}, 500, 'ldaps without the CA: 500 (certificate refused)');
    my $log = wait_log($mark, qr/AC01004/);
    like($log, qr/AC01004.*(?i:tls|ssl|certif|connect)/,
         'ldaps without the CA: the reason is logged') or diag($log);
    cmp_ok($t, '<', 4, 'ldaps without the CA: within the timeout');
}

# ------------------------------------------------ secrets
# (docs/security.md, "What is logged")
{
    my @found = grep { index(error_log_since($start_mark), $_) >= 0 }
                @LDAP_SECRETS;
    is_deeply(\@found, [], 'no password, token or HA1 in error_log');
    like(error_log_since($start_mark), qr/\[authchallenge:(?:debug|trace)/,
         'error_log has the module at debug/trace (the check means it)');
}
