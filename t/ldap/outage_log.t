# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# What the error log says about outages, per process
# (docs/reliability.md, "Outages in the log"): one error line when an
# outage starts and one notice when it ends, in each process that saw it
# — also in a process that got no request while the outage ended: it
# says so at its next request (a late notice), and a failure then is a
# new outage (an error again, not an info line as more of the old one).
#
# Requests go to two httpd processes A and B (a connection is opened
# until one lands in the process wanted: its pid is in the log line of a
# request without credentials); /ldap/outage/ has the credential cache
# Off, so every request with credentials asks slapd.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACLdap qw(:all);

plan tests => 14, need { 'slapd started by t/ldap/start-for-tests.sh'
                         => \&have_ldap };

my $hp = hostport();
my $p = '/ldap/outage/ok.txt';
my $cred = basic('alice', $LDAP_USERS{alice});

END {
    if (have_ldap()) {
        slapd_resume();
        slapd_start() unless slapd_up();
    }
}

# One request on a keep-alive connection; its status.
sub on {
    my ($s, @h) = @_;
    print $s request_bytes($hp, 'GET', $p, undef, Connection => 'keep-alive',
                           @h);
    my $r = read_response($s, 'GET');
    return $r ? $r->{status} : 'none';
}

# The pid that served the last request from $s's local port.
sub pid_of {
    my ($s, $mark) = @_;
    my $port = $s->sockport;
    my $log = wait_log($mark, qr/\[client 127\.0\.0\.1:$port\]/);
    return $log =~ /\[pid (\d+)[^\n]*\[client 127\.0\.0\.1:$port\]/ ? $1
                                                                    : 0;
}

# A connection served by process $want (any process when undef): a
# request without credentials (401, slapd not asked) tells which.
sub conn_to {
    my $want = shift;
    for (1 .. 60) {
        my $s = raw_connect($hp);
        my $mark = error_log_mark();
        on($s) == 401 or next;
        my $pid = pid_of($s, $mark) or next;
        return ($s, $pid) if !defined $want || $pid == $want;
        close $s;
    }
    return;
}

# Two processes: A and B.
my ($s1, $pa) = conn_to();
my ($pb, $s2);
for (1 .. 30) {
    ($s2, $pb) = conn_to();
    last if $pb && $pb != $pa;
}
SKIP: {
    skip 'the server served every connection in one process', 14
        unless $pa && $pb && $pa != $pb;
    my $ask = sub {         # one request with credentials in process $pid
        my ($pid) = @_;
        my ($s) = conn_to($pid) or return 'no connection to ' . $pid;
        return on($s, Authorization => $cred);
    };

    # An outage an earlier test file left unended in A or B is told at
    # their next request: let that be now, before this test's mark.
    $ask->($_) for $pa, $pb;
    my $m0 = error_log_mark();
    ok(slapd_stop(), 'slapd stopped');
    is($ask->($pa), 500, 'outage 1: A 500');
    is($ask->($pb), 500, 'outage 1: B 500');
    ok(slapd_start(), 'slapd started');
    select undef, undef, undef, 0.1;
    is($ask->($pb), 200, 'back: B 200 (A not asked)');
    ok(slapd_stop(), 'slapd stopped again');
    is($ask->($pa), 500, 'outage 2: A 500');
    ok(slapd_start(), 'slapd started again');
    select undef, undef, undef, 0.1;
    is($ask->($pa), 200, 'back again: A 200');
    my $log = wait_log($m0, qr/\[pid $pa\b[^\n]*AC01010[^\n]*\n.*\[pid $pa\b[^\n]*AC01010/s);

    my @a = grep { /\[pid $pa\b/ && /AC01004|AC01010/ } split /\n/, $log;
    my @b = grep { /\[pid $pb\b/ && /AC01004|AC01010/ } split /\n/, $log;
    my @kinds = map { /\[authchallenge:(\w+)\].*(AC0\d+)/ ? "$1 $2" : '?' }
                @a;
    is_deeply(\@kinds, ['error AC01004', 'notice AC01010', 'error AC01004',
                        'notice AC01010'],
              'A: error, late notice, error (a new outage), notice')
        or diag(join "\n", @a);
    like($a[1] // '', qr/AC01010: the back-ends answer again since .*another process/,
         'A: the late notice says another process saw the end');
    unlike($a[3] // '', qr/another process/, 'A: its own end, as it saw it');
    my @bk = map { /\[authchallenge:(\w+)\].*(AC0\d+)/ ? "$1 $2" : '?' } @b;
    is_deeply(\@bk, ['error AC01004', 'notice AC01010'],
              'B: one error, one notice') or diag(join "\n", @b);
    my @info = grep { /\[authchallenge:info\].*AC01004/ } @a, @b;
    is(scalar @info, 0, 'no outage start logged at info');
}
