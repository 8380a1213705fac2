# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# A DPoP proof is used once (RFC 9449 §11.1; docs/bearer.md, "Replayed
# proofs"), also when copies of it arrive at the same instant on several
# connections, served by several processes and threads: the jti is
# claimed with one atomic add in the shared state, not read and then
# written (as liboauth2 does: a raced replay passes there).  Each round
# sends one proof on 8 connections released together: exactly one 200,
# seven 401 (the threads of a process, and its processes, share one
# store).  Across the servers of a farm
# (memcached, redis): t/farm/run.sh.  Configuration:
# t/conf/dpop.conf.in (/dpop/required/, /dpop/nocache/).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACOidc qw(:all);
use ACRs qw(:all);

plan skip_all => rs_missing() if rs_missing();

my $ROUNDS = 10;
my $N = 8;
plan tests => 2 * 2 * $ROUNDS;

my $as = rs_as();
my $hp = hostport();
my $API = 'https://rs.example/api';
my $key = oidc_keygen(alg => 'ES256');
my $tok = token($as, resource => $API, scope => 'read', dpop_key => $key);
my %pids;

for my $area (qw(required nocache)) {
    my $path = "/dpop/$area/ok.txt";
    for my $round (1 .. $ROUNDS) {
        my $p = dpop_proof(key => $key, htm => 'GET',
                           htu => "http://$hp$path", token => $tok)->{proof};
        my $mark = error_log_mark();
        my @st = parallel($N, sub {
            req($hp, 'GET', $path, Authorization => "DPoP $tok",
                DPoP => $p)->{status};
        });
        my $ok = grep { $_ eq '200' } @st;
        my $no = grep { $_ eq '401' } @st;
        is($ok, 1, "$area, round $round: one proof on $N connections at "
                   . "once: exactly one 200") or diag("@st");
        is($no, $N - 1, "$area, round $round: ... and " . ($N - 1)
                        . " 401");
        $pids{$_}++ for error_log_since($mark) =~ /\[pid (\d+)/g;
    }
}
# httpd's event MPM here starts one process and adds one when its spare
# threads run low: say how many served the copies.
diag('the copies were served by ' . scalar(keys %pids) . ' process(es)');
