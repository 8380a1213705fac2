# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# LDAP groups as directories are laid out (docs/ldap.md, "Groups"),
# each scenario asked of this module (/ldap/gc-<name>/, caches Off) and
# of httpd's own mod_authnz_ldap (/ldap/gs-<name>/) in the same test,
# with the same users: the answers must agree, but where docs/ldap.md
# says they differ on purpose (a group that hides its members from the
# search identity while memberOf names it).  Groups live under
# ou=groups and ou=projects, outside the URL's base (ou=people), in
# dc=example,dc=com (no memberOf) and dc=example,dc=org (memberof
# overlay); t/ldap/mkfixture.py draws them.  Then: the cost of a cycle
# and of a request seen before, counted in slapd's cn=Monitor; the
# group cache of a process (one keep-alive connection) answering with
# slapd stopped; a forward proxy (407); a bad filter at start-up; no
# secret in error_log.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACLdap qw(:all);
use LWP::UserAgent ();

# name => [what it shows, { user => status }, { user => stock status
#          where mod_authnz_ldap differs on purpose }]
my @SCENARIOS = (
    [ 'com-staff', 'groupOfNames in ou=groups, no memberOf',
      { alice => 200, bob => 401 } ],
    [ 'com-admins', 'groupOfUniqueNames in ou=groups, no memberOf',
      { alice => 200, bob => 401 } ],
    [ 'com-division', 'nested three deep (depth 10, the default)',
      { bob => 200, frank => 200, carol => 200, erin => 401,
        alice => 401 } ],
    [ 'com-division-1', 'nested, depth 1',
      { bob => 200, frank => 200, carol => 401 } ],
    [ 'com-division-0', 'nested, depth 0',
      { bob => 200, frank => 401, carol => 401 } ],
    [ 'com-crowd', '70 users and a nested group in one group',
      { carol => 200, erin => 401 } ],
    [ 'com-cycle', 'cycle-a > cycle-b > cycle-a',
      { dave => 200, erin => 401 } ],
    [ 'com-posix', 'posixGroup, memberUid (IsDN Off)',
      { alice => 200, carol => 200, bob => 401 } ],
    [ 'com-filter', 'challenge-ldap-filter / ldap-filter',
      { alice => 200, carol => 401, erin => 401 } ],
    [ 'com-two', 'two groups (one line / two Require lines)',
      { alice => 200, bob => 200, erin => 401 } ],
    [ 'org-staff', 'groupOfNames, memberof overlay',
      { alice => 200, "j\xc3\xb6rg" => 200, bob => 401 } ],
    [ 'org-division', 'nested, memberof overlay',
      { bob => 200, frank => 200, carol => 200, erin => 401 } ],
    [ 'org-hidden', 'members hidden by an ACL, memberOf shows them',
      { alice => 200, bob => 401 }, { alice => 401 } ],
);
my $side_by_side = 0;
$side_by_side += 2 * keys %{ $_->[2] } for @SCENARIOS;

plan tests => $side_by_side + 25,
    need { 'slapd started by t/ldap/start-for-tests.sh' => \&have_ldap };

my $hp = hostport();
my $start_mark = error_log_mark();
my %PW = (%LDAP_SCENARIO_USERS, "j\xc3\xb6rg" => $LDAP_USERS{"j\xc3\xb6rg"});

# Whatever happens, hand slapd back running.
END {
    slapd_start() if have_ldap() && !slapd_up();
}

sub status {
    my ($path, $user, $pass) = @_;
    return req($hp, 'GET', $path,
               Authorization => basic($user, $pass // $PW{$user}))->{status};
}

ok(slapd_up(), 'slapd answers on ' . ldap_port());

# ------------------------------------------------ side by side
for my $s (@SCENARIOS) {
    my ($name, $what, $want, $stock_differs) = @$s;
    for my $user (sort keys %$want) {
        my $stock = $stock_differs && exists $stock_differs->{$user}
                  ? $stock_differs->{$user} : $want->{$user};
        is(status("/ldap/gc-$name/ok.txt", $user), $want->{$user},
           "$name ($what): $user → $want->{$user}");
        is(status("/ldap/gs-$name/ok.txt", $user), $stock,
           "$name: mod_authnz_ldap, $user → $stock"
           . ($stock == $want->{$user} ? ', the same' : ', on purpose not'));
    }
}

# A wrong password is still a 401, a member or not.
is(status('/ldap/gc-com-division/ok.txt', 'carol', 'wrong-pw'), 401,
   'com-division: carol, wrong password 401');

# Denials are logged with the reason, at debug for each group.
{
    my $mark = error_log_mark();
    status('/ldap/gc-com-division-1/ok.txt', 'carol');
    my $log = wait_log($mark, qr/AC01041.*none of the groups/);
    like($log, qr/AC01041: user "carol" not in cn=division,ou=groups,dc=example,dc=com: not a member of cn=division,ou=groups,dc=example,dc=com \(\d+ groups, nested 1 deep at most, looked at\)/,
         'depth 1: AC01041 says how deep it looked') or diag($log);
    $mark = error_log_mark();
    status('/ldap/gc-com-filter/ok.txt', 'carol');
    $log = wait_log($mark, qr/AC01047/);
    like($log, qr/\[authchallenge:info\].*AC01047: user "carol" does not match \(&\(departmentNumber=42\)\(!\(employeeType=contractor\)\)\)/,
         'filter: AC01047 names the filter') or diag($log);
}

# ------------------------------------------------ forward proxy
# (docs/proxy.md): the nested group or the filter, or a 407.
{
    my $proxy = hostport('ldap_gproxy');
    my $url = "http://$hp/pub/ok.txt";
    my $via = sub {
        my $user = shift;
        return req($proxy, 'GET', $url, Host => $hp,
                   'Proxy-Authorization' => basic($user, $PW{$user}));
    };
    is($via->('carol')->{status}, 200, 'proxy: carol (division, nested) 200');
    is($via->('alice')->{status}, 200, 'proxy: alice (employeeType=staff) 200');
    my $r = $via->('erin');
    is($r->{status}, 407, 'proxy: erin (neither) 407');
    is_deeply([headers_named($r, 'Proxy-Authenticate')],
              ['Basic realm="LDAP Groups", charset="UTF-8"'],
              'proxy: erin: Proxy-Authenticate, the challenge again');
    is(header_count($r, 'WWW-Authenticate'), 0,
       'proxy: erin: no WWW-Authenticate');
}

# ------------------------------------------------ the cost
# A cycle: each group once, a handful of operations, not a hang.
{
    my $before = slapd_ops();
    my ($t, $st) = timed(sub { status('/ldap/gc-com-cycle/ok.txt', 'erin') });
    my $ops = slapd_ops() - $before;
    is($st, 401, 'cycle, non-member: 401');
    cmp_ok($t, '<', 1, sprintf('cycle: answered in %.3f s', $t));
    # bind and search to authenticate, then: the user, cycle-a (member?
    # members, which are groups), cycle-b (member? members, groups)
    cmp_ok($ops, '<=', 12, "cycle: $ops LDAP operations (<= 12)");
}

# Both caches on: over one keep-alive connection (one process, whose
# group cache it is), a request seen before costs slapd no operation,
# and is answered with slapd stopped.
{
    my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 10);
    my $url = "http://$hp/ldap/gc-cached/ok.txt";
    my $get = sub {
        my $user = shift;
        return $ua->get($url, Authorization => basic($user, $PW{$user}))
                  ->code;
    };
    is($get->('carol'), 200, 'cached: carol (nested) 200, first time');
    is($get->('erin'), 401, 'cached: erin 401, first time');
    my $before = slapd_ops();
    my @codes = map { ($get->('carol'), $get->('erin')) } 1 .. 10;
    my $ops = slapd_ops() - $before;
    is_deeply(\@codes, [(200, 401) x 10], 'cached: ten more of each');
    is($ops, 0, 'cached: no LDAP operation for them');
    ok(slapd_stop(), 'slapd stopped');
    my ($t, $code) = timed(sub { $get->('carol') });
    is($code, 200, 'cached, slapd stopped: carol still 200 (no LDAP)');
    cmp_ok($t, '<', 0.5, sprintf('... at once (%.3f s)', $t));
    ok(slapd_start(), 'slapd started again');
}

# ------------------------------------------------ configuration
{
    my $mark = error_log_mark();
    is(status('/ldap/gc-nodir/ok.txt', 'gina', $USERS{gina}), 500,
       'challenge-ldap-filter without a directory: 500');
    like(wait_log($mark, qr/AC01045/), qr/\[authchallenge:error\].*AC01045: Require challenge-ldap-filter: no LDAP directory here/,
         '... AC01045 says so');
}
{
    # a bad filter stops httpd at start-up, saying where
    my $h = start_httpd(name => 'badfilter', conf => <<'EOC');
<Location /x/>
    AuthType Basic
    AuthName x
    AuthChallengeProvider dbm
    AuthChallengeDBMUserFile /dev/null
    Require challenge-ldap-filter (uid=a*(b)
</Location>
EOC
    ok(!$h->{ok}, 'a bad filter: httpd does not start');
    stop_httpd($h) if $h->{ok};
    like($h->{output}, qr/Require challenge-ldap-filter: bad LDAP filter at offset 7: unescaped '\(' or '\*'/,
         '... and says where the filter is wrong') or diag($h->{output});
}

# ------------------------------------------------ secrets
{
    my $log = error_log_since($start_mark);
    my @found = grep { index($log, $_) >= 0 } @LDAP_SECRETS;
    is_deeply(\@found, [], 'no password in error_log');
}
