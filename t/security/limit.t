# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# The failure limit under concurrency (docs/security.md, "Audit
# findings" 2): an attempt is reserved before its credential is checked
# and given back on success, so 40 wrong passwords sent at the same
# instant against "AuthChallengeFailureLimit 5 60" get at most 5 answers
# other than 429.  alice's record is bcrypt: each check takes long
# enough for the requests to overlap in the server's threads.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use IO::Select ();
use ACTest qw(:all);

plan tests => 5;

my $hp = hostport();
my $src = '127.0.0.41';
my $path = '/security/limit/ok.txt';
my $n = 40;

# Send all requests first, then read every answer.
my @socks;
for my $i (1 .. $n) {
    my $s = raw_connect($hp, $src);
    push @socks, $s;
}
for my $i (0 .. $#socks) {
    my $s = $socks[$i];
    print $s request_bytes($hp, 'GET', $path, undef,
                           Authorization => basic('alice', "wrong-$i"));
}
my %count;
for my $s (@socks) {
    my $r = read_response($s, 'GET');
    $count{ $r ? $r->{status} : 'none' }++;
    close $s;
}
my $other = $n - ($count{429} // 0);
diag(join ', ', map { "$_: $count{$_}" } sort keys %count);
ok($other <= 5, "40 parallel wrong passwords: at most 5 answers other "
   . "than 429 (got $other)");
is($count{401} // 0, 5, 'exactly 5 were checked and refused (401)');
is(($count{401} // 0) + ($count{429} // 0), $n, 'every other one 429');

# A success gives its reservation back: another address, 4 wrong and
# then the right password, then 1 wrong: still under the limit of 5.
my $src2 = '127.0.0.42';
my $st = sub {
    my $r = ACTest::raw_request($hp, request_bytes($hp, 'GET', $path, undef,
                                                   Authorization => shift),
                                $src2);
    return $r->{status};
};
$st->(basic('alice', "w$_")) for 1 .. 4;
is($st->(basic('alice', $USERS{alice})), 200,
   'after 4 failures the right password: 200');
is($st->(basic('alice', 'w5')), 401,
   '... and its reservation was given back: the 5th failure is a 401');
