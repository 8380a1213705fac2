# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Several servers in one URL, and a firewall in between (docs/ldap.md,
# "Several servers").  /ldap/failover/ names the second slapd first and
# the first slapd second (timeout 3 s, caches Off, a group required):
# one stopped or SIGSTOPped, the other answers and the request succeeds
# within the timeout; both gone, 500 within it, the log naming what
# each did.  /ldap/firewall/ reaches the first slapd through
# t/ldap/tcp-proxy (timeout 4 s): a pooled connection that a firewall
# silently forgot, or reset, is replaced, invisibly to the client.
# Every slapd and the relay are left running for the next test file.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACLdap qw(:all);
use LWP::UserAgent ();
use POSIX ();

plan tests => 39, need { 'slapd started by t/ldap/start-for-tests.sh'
                         => \&have_ldap };

my $hp = hostport();
my $p = '/ldap/failover/ok.txt';
my %U = %LDAP_USERS;
my $TIMEOUT = 3;
my ($first, $second) = (ldap_port(2), ldap_port(1));

END {
    if (have_ldap()) {
        for my $n (1, 2) {
            slapd_resume($n);
            slapd_start($n) unless slapd_up($n);
        }
    }
}

sub get {
    my ($path, $user, $pass) = @_;
    return req($hp, 'GET', $path, Authorization => basic($user, $pass));
}

# n requests for alice, one after the other: (statuses, slowest time).
sub alices {
    my $n = shift;
    my ($slowest, @st) = (0);
    for (1 .. $n) {
        my ($t, $r) = timed(sub { get($p, 'alice', $U{alice}) });
        push @st, $r->{status};
        $slowest = $t if $t > $slowest;
    }
    return (\@st, $slowest);
}

# n requests for alice at once: how many were 200 within the timeout.
sub parallel {
    my $n = shift;
    my @kids;
    for (1 .. $n) {
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            my ($t, $r) = timed(sub { get($p, 'alice', $U{alice}) });
            POSIX::_exit($r->{status} == 200 && $t < $TIMEOUT ? 0 : 1);
        }
        push @kids, $pid;
    }
    my $good = 0;
    for (@kids) { waitpid $_, 0; $good++ unless $? }
    return $good;
}

sub no_outage_since {
    my ($mark, $what) = @_;
    my @lines = grep { /\[authchallenge:error\].*AC0100[14]/ }
                split /\n/, error_log_since($mark);
    is_deeply(\@lines, [], "$what: nothing logged as an error");
}

ok(slapd_up(1) && slapd_up(2), "both slapd answer ($first, $second)");

# ------------------------------------------------ both up
{
    my ($st) = alices(3);
    is_deeply($st, [200, 200, 200], 'both up: alice (staff) 200');
    is(get($p, 'bob', $U{bob})->{status}, 401, 'both up: bob (not staff) 401');
    is(get($p, 'alice', 'wrong-pw')->{status}, 401,
       'both up: wrong password 401');
}

# ------------------------------------------------ the first silent
{
    ok(slapd_pause(2), "first server SIGSTOPped");
    my $mark = error_log_mark();
    my ($st, $slow) = alices(8);
    is_deeply($st, [(200) x 8], 'first silent: eight requests 200');
    cmp_ok($slow, '<', $TIMEOUT, sprintf('first silent: the slowest took '
                                         . '%.3f s (< %d s)', $slow,
                                         $TIMEOUT));
    cmp_ok($slow, '>=', 0.5, 'first silent: (it waited for the first '
                             . 'server, its share of the time)');
    my ($st2, $slow2) = alices(4);
    is_deeply($st2, [(200) x 4], 'first silent: four more 200');
    is(parallel(4), 4, 'first silent: four at once, all 200 in time');
    no_outage_since($mark, 'first silent');

    # ------------------------------------------------ both gone
    ok(slapd_stop(1), "second server ($second) stopped too");
    $mark = error_log_mark();
    my ($t, $r) = timed(sub { get($p, 'alice', $U{alice}) });
    is($r->{status}, 500, 'both gone: 500');
    cmp_ok($t, '<', $TIMEOUT + 1, sprintf('both gone: within the timeout '
                                          . '(%.2f s)', $t));
    is(get($p, 'alice', 'wrong-pw')->{status}, 500,
       'both gone: wrong password 500, never 401');
    my $log = wait_log($mark, qr/AC01004/);
    like($log, qr/AC01004.*no LDAP server answered within 3000 ms/,
         'both gone: AC01004 says no server answered') or diag($log);
    like($log, qr{ldap://127\.0\.0\.1:$first: did not answer},
         'both gone: ... that the first was silent') or diag($log);
    like($log, qr{ldap://127\.0\.0\.1:$second: Can't contact LDAP server},
         'both gone: ... that the second refused') or diag($log);

    ok(slapd_start(1), 'second server started again');
    ok(slapd_resume(2), 'first server SIGCONTinued');
}

# ------------------------------------------------ the first stopped
{
    ok(slapd_stop(2), "first server ($first) stopped");
    my $mark = error_log_mark();
    my ($st, $slow) = alices(8);
    is_deeply($st, [(200) x 8], 'first stopped: eight requests 200');
    cmp_ok($slow, '<', 1, sprintf('first stopped: the slowest took '
                                  . '%.3f s', $slow));
    is(get($p, 'alice', 'wrong-pw')->{status}, 401,
       'first stopped: wrong password still 401, not 500');
    is(parallel(4), 4, 'first stopped: four at once, all 200');
    no_outage_since($mark, 'first stopped');
    ok(slapd_start(2), 'first server started again');
}

# ------------------------------------------------ the second stopped
{
    ok(slapd_stop(1), 'second server stopped');
    my ($st, $slow) = alices(4);
    is_deeply($st, [(200) x 4], 'second stopped: the first answers, 200');
    ok(slapd_start(1), 'second server started again');
}

# ------------------------------------------------ a firewall
# One keep-alive connection: one httpd process, whose pooled LDAP
# connections go through the relay.
{
    my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 10);
    my $url = "http://$hp/ldap/firewall/ok.txt";
    my $get = sub {
        my ($user, $pass) = @_;
        my ($t, $r) = timed(sub {
            $ua->get($url, Authorization => basic($user, $pass)) });
        return ($r->code, $t);
    };
    my ($code) = $get->('alice', $U{alice});
    is($code, 200, 'firewall: alice 200 (its connections in the pool)');

    my $mark = error_log_mark();
    ok(proxy_silence(), 'firewall: forgets the open connections');
    my ($code2, $t2) = $get->('alice', $U{alice});
    is($code2, 200, 'firewall forgot: alice 200 on a new connection');
    cmp_ok($t2, '<', 3.5, sprintf('firewall forgot: in %.2f s (half the '
                                  . 'timeout on the silent one)', $t2));
    ($code2) = $get->('bob', 'wrong-pw');
    is($code2, 401, 'firewall forgot: a wrong password still 401');

    ok(proxy_reset(), 'firewall: resets the open connections');
    my ($code3, $t3) = $get->('alice', $U{alice});
    is($code3, 200, 'firewall reset: alice 200 on a new connection');
    cmp_ok($t3, '<', 0.5, sprintf('firewall reset: at once (%.3f s)',
                                  $t3));
    no_outage_since($mark, 'firewall');
}
