# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# The verified-credential cache (docs/security.md, "Audit findings"
# 1, 11 and 12):
#  - a verdict cached in one place is reused only where the same
#    credential would be checked against the same data by the same
#    rules: never across virtual hosts (even with the same ServerName and
#    <Location>), never across httpd authn provider settings, key sets or
#    token rules;
#  - a changed or deleted DBM record takes effect on the next request,
#    cache on or not;
#  - an unknown user costs the same time as a known one (a dummy hash of
#    the same strength), so a wrong password cannot tell them apart.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use Time::HiRes qw(time);
use POSIX ();
use ACTest qw(:all);
use ACJWT qw(jwt claims slurp);

plan tests => 21;

my ($va, $vb) = (hostport('sec_va'), hostport('sec_vb'));
my $sec = t_dir() . '/var/security';

sub st {
    my ($hp, $path, @h) = @_;
    return req($hp, 'GET', $path, @h)->{status};
}

# ------------------------------------------------ across virtual hosts
my $pa = 'Alice-Sec-A1';
is(st($va, '/v/ok.txt', Authorization => basic('alice', $pa)), 200,
   'vhost A, AuthUserFile A: alice with A\'s password: 200');
is(st($vb, '/v/ok.txt', Authorization => basic('alice', $pa)), 401,
   'vhost B, AuthUserFile B: the same credential after A cached it: 401');
is(st($vb, '/v/ok.txt', Authorization => basic('alice', 'Alice-Sec-B2')),
   200, 'vhost B: alice with B\'s password: 200');

is(st($va, '/vd/ok.txt', Authorization => basic('alice', $USERS{alice})),
   200, 'vhost A, users.db: alice 200');
is(st($vb, '/vd/ok.txt', Authorization => basic('alice', $USERS{alice})),
   401, 'vhost B, dynamic.db (no alice): 401 after A cached her');

my $tok = jwt(alg => 'HS256', secret => slurp("$sec/a.key"),
              claims => claims(iss => undef, aud => undef));
is(st($va, '/vj/ok.txt', Authorization => "Bearer $tok"), 200,
   'vhost A: HS256 token signed with A\'s key: 200');
is(st($vb, '/vj/ok.txt', Authorization => "Bearer $tok"), 401,
   'vhost B: the same token (B has another key): 401');

# ------------------------------------------------ across token rules
my $noexp = jwt(alg => 'HS256', secret => slurp("$sec/a.key"),
                claims => claims(iss => undef, aud => undef, exp => undef));
is(st(hostport(), '/security/noexp/ok.txt',
      Authorization => "Bearer $noexp"), 200,
   'token without exp where exp is not required: 200');
is(st(hostport(), '/security/needexp/ok.txt',
      Authorization => "Bearer $noexp"), 401,
   'the same token where exp is required (same key, realm): 401');

# ------------------------------------------------ DBM edits, cache on
my $db = t_dir() . '/var/dynamic.db';
my ($u, $p1, $p2) = ('quinn', 'Quinn-Sec-1a', 'Quinn-Sec-2b');

sub htdbm {
    my @args = @_;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDOUT, '>', '/dev/null';
        open STDERR, '>', '/dev/null';
        exec 'htdbm', @args or POSIX::_exit(127);
    }
    waitpid $pid, 0;
    $? == 0 or die "htdbm @args failed";
}

umask 022;
htdbm('-bm', $db, $u, $p1);
my $hp = hostport();
is(st($hp, '/dynamic/ok.txt', Authorization => basic($u, $p1)), 200,
   'DBM user, cache on: 200 (now cached)');
is(st($hp, '/dynamic/ok.txt', Authorization => basic($u, $p1)), 200,
   '... again: 200');
htdbm('-bm', $db, $u, $p2);
is(st($hp, '/dynamic/ok.txt', Authorization => basic($u, $p1)), 401,
   'password changed in the DBM file: the old one, cached, gives 401 at once');
is(st($hp, '/dynamic/ok.txt', Authorization => basic($u, $p2)), 200,
   '... the new one 200');
is(st($hp, '/dynamic/ok.txt', Authorization => basic($u, $p2)), 200,
   '... and again (cached)');
htdbm('-x', $db, $u);
is(st($hp, '/dynamic/ok.txt', Authorization => basic($u, $p2)), 401,
   'user deleted from the DBM file: 401 at once although cached');

# ------------------------------------------------ timing of unknown users
SKIP: {
    skip 'no timing.db (htchallenge not built)', 6
        unless -e "$sec/timing.done";
    my $path = '/security/timing/ok.txt';
    is(st($hp, $path, Authorization => basic('tina', 'Tina-Sec-7Pq')), 200,
       'timing area: right password 200');
    sub median {
        my @v = sort { $a <=> $b } @_;
        return $v[int(@v / 2)];
    }
    my (@known, @unknown);
    for my $i (1 .. 7) {
        my $t0 = time;
        my $s1 = st($hp, $path, Authorization => basic('tina', "wrong-$i"));
        push @known, time - $t0;
        $t0 = time;
        my $s2 = st($hp, $path, Authorization => basic("nobody$i", "wrong"));
        push @unknown, time - $t0;
        die "unexpected $s1/$s2" unless $s1 == 401 && $s2 == 401;
    }
    my ($mk, $mu) = (median(@known), median(@unknown));
    diag(sprintf 'wrong password: known user %.1f ms, unknown user %.1f ms '
         . '(medians of 7)', 1000 * $mk, 1000 * $mu);
    ok($mk > 0.01, 'a wrong password for a bcrypt user takes bcrypt time');
    ok($mu >= 0.5 * $mk,
       'an unknown user costs at least half of a known one');
    ok($mu <= 2 * $mk, '... and at most twice');
    my $mark = error_log_mark();
    is(st($hp, $path, Authorization => basic('nobody', 'x')), 401,
       'unknown user: 401');
    like(wait_log($mark, qr/AC01001.*nobody/), qr/AC01001.*"nobody".*not found/,
         '... logged as an unknown user');
}
