# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# The directory down (docs/ldap.md, "When the directory is down"): slapd
# stopped, then SIGSTOPped (accepts connections, never answers).  Every
# lookup → 500 within AuthChallengeLDAPTimeout (2 s in /ldap/outage/,
# cache Off), never 401; one error-level AC01004 line per outage per
# process, with the reason; back up → 200 without restarting httpd, and an
# AC01010 notice.  slapd is always left running for the next test file.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACLdap qw(:all);
use POSIX ();

plan tests => 39, need { 'slapd started by t/ldap/start-for-tests.sh'
                         => \&have_ldap };

my $hp = hostport();
my $p = '/ldap/outage/ok.txt';
my $start_mark = error_log_mark();
my %U = %LDAP_USERS;
my $TIMEOUT = 2;

# Whatever happens, hand slapd back running.
END {
    if (have_ldap()) {
        slapd_resume();
        slapd_start() unless slapd_up();
    }
}

sub get {
    my ($path, $user, $pass) = @_;
    return req($hp, 'GET', $path,
               defined $user ? (Authorization => basic($user, $pass)) : ());
}

# AC01004 lines at error level since $mark, by pid.
sub error_lines_by_pid {
    my $mark = shift;
    my %n;
    for (grep { /\[authchallenge:error\].*AC01004.*scheme Basic/ }
         split /\n/, error_log_since($mark)) {
        $n{$1}++ if /\[pid (\d+)/;
    }
    return \%n;
}

# After an outage: requests until one succeeds in a process that logged
# the outage at error (the event MPM spreads requests over processes),
# then whether that process logged AC01010.  (pid, log) or (undef, log).
sub recovered_in_outage_process {
    my ($mark, $by_pid) = @_;
    for (1 .. 40) {
        get($p, 'alice', $U{alice});
        my $log = error_log_since($mark);
        for (split /\n/, $log) {
            next unless /AC01003/ && /\[pid (\d+)/ && $by_pid->{$1};
            my $pid = $1;
            # An outage ends once the directory has answered for a
            # moment (docs/reliability.md): a later request in that
            # process tells it, so keep asking.
            for (1 .. 60) {
                my $log = error_log_since($mark);
                return ($pid, $log)
                    if $log =~ /\[pid $pid\b[^\n]*AC01010/;
                select undef, undef, undef, 0.05;
                get($p, 'alice', $U{alice});
            }
            return ($pid, error_log_since($mark));
        }
        select undef, undef, undef, 0.05;
    }
    return (undef, error_log_since($mark));
}

sub is_notice_in {
    my ($pid, $log, $what) = @_;
    ok(defined $pid, "$what: a success in a process that saw the outage")
        or diag($log);
    my $want = $pid // 0;
    like($log, qr/\[authchallenge:notice\] \[pid $want\b[^\n]*AC01010/,
         "$what: that process logged an AC01010 notice") or diag($log);
}

# Until slapd has been seen to answer again, one request at a time.
sub wait_200 {
    for (1 .. 20) {
        my $r = get($p, 'alice', $U{alice});
        return $r if $r->{status} == 200;
        select undef, undef, undef, 0.2;
    }
    return { status => 'never 200' };
}

is(get($p, 'alice', $U{alice})->{status}, 200, 'directory up: 200');

# ------------------------------------------------ slapd stopped
{
    ok(slapd_stop(), 'slapd stopped');
    ok(!slapd_up(), 'slapd does not answer');
    my $mark = error_log_mark();
    my ($t, $r) = timed(sub { get($p, 'alice', $U{alice}) });
    is($r->{status}, 500, 'stopped: right password → 500');
    is(header_count($r, 'WWW-Authenticate'), 0, 'stopped: no challenge');
    cmp_ok($t, '<', $TIMEOUT + 1, "stopped: answered in < ${\($TIMEOUT+1)} s"
           . sprintf(' (%.2f s)', $t));
    ($t, $r) = timed(sub { get($p, 'alice', 'wrong-pw') });
    is($r->{status}, 500, 'stopped: wrong password → 500, never 401');
    cmp_ok($t, '<', $TIMEOUT + 1, 'stopped: wrong password in time');
    is(get($p, 'mallory', 'x-pw')->{status}, 500,
       'stopped: unknown user → 500, never 401');
    my @more = map { get($p, 'bob', $U{bob})->{status} } 1 .. 6;
    is_deeply(\@more, [(500) x 6], 'stopped: six more requests → 500');
    is(get($p)->{status}, 401,
       'stopped: no credentials → 401 (the challenge needs no directory)');
    is(curl('--digest', '-u', "alice:$U{alice}", "http://$hp/ldap/digest/ok.txt"),
       '500', 'stopped: Digest over LDAP → 500');
    is(curl('--oauth2-bearer', 'alice-token-1', "http://$hp/ldap/bearer/ok.txt"),
       '500', 'stopped: Bearer token over LDAP → 500');
    my $log = wait_log($mark, qr/\[authchallenge:error\].*AC01004/);
    my $by_pid = error_lines_by_pid($mark);
    cmp_ok(scalar keys %$by_pid, '>=', 1,
           'stopped: an error-level AC01004 line') or diag($log);
    my ($first) = grep { /\[authchallenge:error\].*AC01004.*"alice"/ }
                  split /\n/, $log;
    like($first // '', qr/AC01004.*cannot authenticate: .*(?i:unreachable|contact|connect)/,
         'stopped: AC01004 names the reason') or diag($log);
    is_deeply([grep { $by_pid->{$_} > 1 } sort keys %$by_pid], [],
              'stopped: at most one error line per process for '
              . '/ldap/outage/ (' . join(',', map { "$_:$by_pid->{$_}" }
                                         sort keys %$by_pid) . ')');
    like($log, qr/\[authchallenge:info\].*AC01004/,
         'stopped: later failures in a process are logged at info');

    # back up, same port, httpd untouched
    ok(slapd_start(), 'slapd started again (same port)');
    $mark = error_log_mark();
    is(wait_200()->{status}, 200, 'slapd back: 200 without restarting httpd');
    my @after = map { get($p, 'alice', $U{alice})->{status} } 1 .. 8;
    is_deeply(\@after, [(200) x 8], 'slapd back: eight more → 200');
    is(get($p, 'alice', 'wrong-pw')->{status}, 401,
       'slapd back: wrong password → 401 again');
    is(curl('--digest', '-u', "alice:$U{alice}", "http://$hp/ldap/digest/ok.txt"),
       '200', 'slapd back: Digest over LDAP → 200');
    is_notice_in(recovered_in_outage_process($mark, $by_pid), 'slapd back');
}

# ------------------------------------------------ slapd SIGSTOPped
{
    ok(slapd_pause(), 'slapd SIGSTOPped (pid ' . slapd_pid() . ')');
    my $mark = error_log_mark();
    my ($t, $r) = timed(sub { get($p, 'alice', $U{alice}) });
    is($r->{status}, 500, 'silent: right password → 500');
    cmp_ok($t, '>=', 1.5, sprintf('silent: waited for the timeout '
                                  . '(%.2f s >= 1.5 s)', $t));
    cmp_ok($t, '<=', 3, sprintf('silent: within timeout 2 (%.2f s <= 3 s)',
                                $t));
    ($t, $r) = timed(sub { get($p, 'alice', 'wrong-pw') });
    is($r->{status}, 500, 'silent: wrong password → 500, never 401');
    cmp_ok($t, '<=', 3, sprintf('silent: wrong password within the '
                                . 'timeout (%.2f s)', $t));
    # Parallel requests: each one bounded by the timeout too.
    my @kids;
    for (1 .. 3) {
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            my ($tt, $rr) = timed(sub { get($p, 'bob', $U{bob}) });
            POSIX::_exit($rr->{status} == 500 && $tt <= 3 ? 0 : 1);
        }
        push @kids, $pid;
    }
    my $bad = 0;
    for (@kids) { waitpid $_, 0; $bad++ if $? }
    is($bad, 0, 'silent: three parallel requests → 500 within 3 s each');
    my $log = wait_log($mark, qr/\[authchallenge:error\].*AC01004/);
    my $by_pid = error_lines_by_pid($mark);
    cmp_ok(scalar keys %$by_pid, '>=', 1, 'silent: an error-level AC01004')
        or diag($log);
    like($log, qr/AC01004.*cannot authenticate: .*(?i:did not answer|time)/,
         'silent: AC01004 says it timed out') or diag($log);
    is_deeply([grep { $by_pid->{$_} > 1 } sort keys %$by_pid], [],
              'silent: at most one error line per process');

    ok(slapd_resume(), 'slapd SIGCONTinued');
    $mark = error_log_mark();
    is(wait_200()->{status}, 200, 'slapd answers again: 200');
    is_notice_in(recovered_in_outage_process($mark, $by_pid),
                 'slapd answers again');
}

{
    my $log = error_log_since($start_mark);
    my @found = grep { index($log, $_) >= 0 } @LDAP_SECRETS;
    is_deeply(\@found, [], 'no password or token in error_log');
}
