# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# httpd's own modules over this module's LDAP back-end, through the
# authn provider "challenge" (docs/httpd.md), against the suite's slapd
# (t/ldap/start-for-tests.sh): mod_auth_basic, mod_auth_form,
# mod_auth_digest (MD5 HA1 from the directory) and <AuthnProviderAlias
# challenge corpldap>; the credential cache, the back-end's own
# spelling as REMOTE_USER, the LDAP deadline (a silent directory: 500
# within AuthChallengeLDAPTimeout, never 401), the failure limit and the
# log lines; no secret in error_log.  Configuration:
# t/conf/provider.conf.in.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use File::Temp ();
use ACTest qw(:all);
use ACLdap qw(:all);

plan tests => 33, need { 'slapd started by t/ldap/start-for-tests.sh'
                         => \&have_ldap };

my $hp = hostport();
my $start = error_log_mark();
my %U = %LDAP_USERS;
my $joerg = "j\xc3\xb6rg";

# Whatever happens, hand slapd back running.
END {
    slapd_resume() if have_ldap();
}

sub get {
    my ($path, $user, $pass, @h) = @_;
    push @h, Authorization => basic($user, $pass) if defined $user;
    return req($hp, 'GET', $path, @h);
}

sub ok_line {
    my ($type, $user, $how) = @_;
    return qr/AC01003: client \S+ authenticated: scheme \Q$type\E \(authn provider challenge\) user "\Q$user\E": \Q$how\E$/m;
}

ok(slapd_up(), 'slapd answers on ' . ldap_port());

# ------------------------------------------------ mod_auth_basic
{
    my $p = '/native/ldap-basic/ok.txt';
    my $mark = error_log_mark();
    is(get($p, 'alice', $U{alice})->{status}, 200,
       'ldap basic: alice: 200');
    like(wait_log($mark, qr/AC01003/),
         ok_line('Basic', 'alice', 'password verified'),
         'ldap basic: AC01003 password verified');
    $mark = error_log_mark();
    is(get($p, 'alice', $U{alice})->{status}, 200, 'ldap basic: again: 200');
    like(wait_log($mark, qr/AC01003/),
         ok_line('Basic', 'alice', 'password verified (cached)'),
         'ldap basic: the second one from the credential cache');
    my $r = get('/native/ldap-basic/echo', 'ALICE', $U{alice});
    is($r->{status}, 200, 'ldap basic: ALICE (uid matches without case): 200');
    like($r->{body}, qr/^REMOTE_USER=alice$/m,
         "ldap basic: REMOTE_USER is the directory's spelling, alice");
    is(get($p, $joerg, $U{$joerg})->{status}, 200,
       'ldap basic: UTF-8 user jörg: 200');
    $mark = error_log_mark();
    is(get($p, 'bob', 'not-bobs')->{status}, 401,
       'ldap basic: wrong password: 401');
    like(wait_log($mark, qr/AC01001/),
         qr/AC01001: client \S+ scheme Basic \(authn provider challenge\) user "bob": authentication failed: wrong password/,
         'ldap basic: AC01001 wrong password');
    is(get($p, '*', $U{alice})->{status}, 401,
       "ldap basic: user '*' (RFC 4515 escaping): 401");
}

# ------------------------------------------------ mod_auth_digest (MD5)
{
    my $p = "http://$hp/native/ldap-digest/ok.txt";
    my $mark = error_log_mark();
    is(curl('--digest', '-u', "alice:$U{alice}", $p), '200',
       'ldap digest: curl --digest alice: 200');
    like(wait_log($mark, qr/AC01003/), ok_line('Digest', 'alice',
         'MD5 HA1 matched (the calling module checked the response)'),
         'ldap digest: AC01003');
    is(curl('--digest', '-u', 'alice:not-hers', $p), '401',
       'ldap digest: wrong password: 401');
}

# ------------------------------------------------ mod_auth_form
{
    my $jar = File::Temp->new(SUFFIX => '.cookies');
    my $mark = error_log_mark();
    my ($st, $h, $body) = curl_full(
        '-L', '-c', $jar->filename, '-b', $jar->filename,
        '--data-urlencode', 'httpd_username=alice',
        '--data-urlencode', "httpd_password=$U{alice}",
        '--data-urlencode', 'httpd_location=/native/ldap-form/echo',
        "http://$hp/native/ldap-dologin/");
    is($st, '200', 'ldap form: log in, follow the redirect: 200');
    like($body, qr/^REMOTE_USER=alice$/m, 'ldap form: REMOTE_USER alice');
    like(wait_log($mark, qr/AC01003.*AC01003/s),
         ok_line('form', 'alice', 'password verified'),
         'ldap form: AC01003');
    $mark = error_log_mark();
    ($st) = curl_full('-b', $jar->filename,
                      "http://$hp/native/ldap-form/ok.txt");
    is($st, '200', 'ldap form: the page again with the session: 200');
    like(wait_log($mark, qr/AC01003/), ok_line('form', 'alice',
         'password verified (cached)'), 'ldap form: from the cache');
}

# ------------------------------------------------ <AuthnProviderAlias>
{
    is(get('/native/ldap-alias/ok.txt', 'bob', $U{bob})->{status}, 200,
       'ldap alias corpldap, AuthBasicProvider: bob: 200');
    is(get('/native/ldap-alias/ok.txt', 'bob', 'x')->{status}, 401,
       'ldap alias: wrong password: 401');
    is(curl('--digest', '-u', "alice:$U{alice}",
            "http://$hp/native/ldap-alias-digest/ok.txt"), '200',
       'ldap alias, AuthDigestProvider: alice: 200');
}

# ------------------------------------------------ failure limit
{
    my $p = '/native/ldap-basic/ok.txt';
    my $src = '127.0.0.67';
    my $st = sub {
        ACTest::raw_request($hp, request_bytes($hp, 'GET', $p, undef,
                                               Authorization => shift),
                            $src)->{status};
    };
    is($st->(basic('bob', "w$_")), 401, "ldap limit: wrong $_: 401")
        for 1 .. 3;
    is($st->(basic('bob', $U{bob})), 429,
       'ldap limit: then 429, the right password too');
}

# ------------------------------------------------ the LDAP deadline
# A directory that accepts connections and never answers: 500 within
# AuthChallengeLDAPTimeout (2 s), never 401 (docs/ldap.md).  bob's
# right password has not been verified here yet: no cached verdict.
{
    my $p = '/native/ldap-basic/ok.txt';
    ok(slapd_pause(), 'slapd stopped (SIGSTOP)');
    my $mark = error_log_mark();
    my ($secs, $r) = timed(sub { get($p, 'bob', $U{bob}) });
    slapd_resume();
    is($r->{status}, 500, 'silent directory: 500, not 401');
    is(header_count($r, 'WWW-Authenticate'), 0, '... and no challenge');
    ok($secs < 4.5, sprintf('... within the 2 s deadline (%.1f s)', $secs));
    like(wait_log($mark, qr/AC01004/),
         qr/\[authchallenge:error\].*AC01004: client \S+ scheme Basic \(authn provider challenge\) user "bob": cannot authenticate/,
         '... AC01004 at error');
    for (1 .. 20) {
        last if slapd_up();
        select undef, undef, undef, 0.1;
    }
    is(get($p, 'bob', $U{bob})->{status}, 200,
       'directory back: 200 without a restart');
}

is_deeply([grep { index(error_log_since($start), $_) >= 0 } @LDAP_SECRETS],
          [], 'no password, token or HA1 in error_log');
