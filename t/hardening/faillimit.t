# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# AuthChallengeFailureLimit (docs/operations.md, "Failure limit"; RFC 6585
# for 429): failed credential checks counted per client address in a fixed
# window from the first failure; at `count` failures every further attempt
# WITH credentials gets 429 and Retry-After (seconds left); no credentials
# → the challenge, not counted; other addresses unaffected; places without
# a limit never 429; the window passes → the right password works again.
# Origin (401), forward proxy (407), Digest and Bearer failures; one
# AC01007 info line per 429.
#
# The counters are per address and shared by all limited places, so
# each scenario talks from its own loopback address.  All scenarios are
# blocked first, then one wait for the windows to pass.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use Apache::Test qw(-withtestmore);
use Time::HiRes qw(time sleep);
use ACTest qw(:all);
use ACJWT qw(jwt);
use HardTest;

plan tests => 53;

my $hp = hostport();
my $proxy = hostport('hard_proxy');
my $bob = $USERS{bob};
my @wrong = ('Wrong-Lim-1a', 'Wrong-Lim-2b', 'Wrong-Lim-3c');
my $key = hs256_key();
my $have_users = ensure_users();
my $mark0 = error_log_mark();
my $n429 = 0;           # 429s seen, to count the AC01007 lines
my %until;              # scenario => time its window has surely passed

sub retry_ok {
    my ($r, $what) = @_;
    my ($ra) = headers_named($r, 'Retry-After');
    ok(defined $ra && $ra =~ /^\d+$/ && $ra >= 1 && $ra <= 5,
       "$what: Retry-After in 1..5") or diag('Retry-After: ', $ra // '-');
    $n429++;
    return $ra // 5;
}

# ------------------------------------------------ origin, Basic, 3 in 5 s
my $A = '127.0.0.11';
{
    my $path = '/hardening/limit/ok.txt';
    my $t0 = time;
    for my $i (0 .. 2) {
        my $r = from($A, $hp, 'GET', $path,
                     Authorization => basic('bob', $wrong[$i]));
        is($r->{status}, 401, "origin: wrong password no. " . ($i + 1)
           . " → 401");
    }
    my $r = from($A, $hp, 'GET', $path, Authorization => basic('bob', $bob));
    is($r->{status}, 429, 'origin: 4th attempt, right password → 429');
    my $ra = retry_ok($r, 'origin 429');
    $until{origin} = $t0 + 5.5;
    ok(!header_count($r, 'WWW-Authenticate'),
       'origin 429: no challenge') or diag($r->{raw});

    $r = from($A, $hp, 'GET', $path,
              Authorization => basic('bob', 'Wrong-Lim-4d'));
    is($r->{status}, 429, 'origin: wrong password while blocked → 429');
    retry_ok($r, 'origin 429 (wrong)');

    $r = from($A, $hp, 'GET', $path);
    is($r->{status}, 401, 'origin: no credentials while blocked → 401');
    like(join("\n", headers_named($r, 'WWW-Authenticate')),
         qr/^Basic realm="AC Hard Limit"/, '... with the challenge');

    $r = from('127.0.0.12', $hp, 'GET', $path,
              Authorization => basic('bob', $bob));
    is($r->{status}, 200, 'origin: another client address → 200');

    $r = from($A, $hp, 'GET', '/hardening/nolimit/ok.txt',
              Authorization => basic('bob', $bob));
    is($r->{status}, 200,
       'origin: blocked address, place without a limit → 200');
}

# ------------------------------------------------ forward proxy, 3 in 5 s
my $P = '127.0.0.13';
my $upstream = 'http://' . hostport() . '/hardening/pub/ok.txt';
{
    my $t0 = time;
    for my $i (0 .. 2) {
        my $r = from($P, $proxy, 'GET', $upstream,
                     'Proxy-Authorization' => basic('bob', $wrong[$i]));
        is($r->{status}, 407, "proxy: wrong password no. " . ($i + 1)
           . " → 407");
    }
    my $r = from($P, $proxy, 'GET', $upstream,
                 'Proxy-Authorization' => basic('bob', $bob));
    is($r->{status}, 429, 'proxy: 4th attempt, right password → 429');
    retry_ok($r, 'proxy 429');
    $until{proxy} = $t0 + 5.5;
    $r = from($P, $proxy, 'GET', $upstream);
    is($r->{status}, 407, 'proxy: no credentials while blocked → 407');
    like(join("\n", headers_named($r, 'Proxy-Authenticate')),
         qr/^Basic realm="AC Hard Proxy"/, '... with Proxy-Authenticate');
    $r = from('127.0.0.12', $proxy, 'GET', $upstream,
              'Proxy-Authorization' => basic('bob', $bob));
    is($r->{status}, 200, 'proxy: another client address → 200');
}

# ------------------------------------------------ Digest, 1 in 5 s
my $D = '127.0.0.14';
my $dpath = '/hardening/digest-limit/ok.txt';
SKIP: {
    skip 'no htchallenge (HTCHALLENGE) for the Digest users', 6
        unless $have_users;
    my $r = from($D, $hp, 'GET', $dpath);
    is($r->{status}, 401, 'digest: no credentials → 401 (not counted)');
    my $c = digest_chal($r);
    my $t0 = time;
    my ($v) = digest_value(chal => $c, uri => $dpath,
                           pass => 'Wrong-Dig-Lim-9');
    $r = from($D, $hp, 'GET', $dpath, Authorization => $v);
    is($r->{status}, 401, 'digest: one wrong response → 401');
    ($v) = digest_value(chal => $c, uri => $dpath, nc => '00000002');
    $r = from($D, $hp, 'GET', $dpath, Authorization => $v);
    is($r->{status}, 429, 'digest: then the right response → 429');
    retry_ok($r, 'digest 429');
    $until{digest} = $t0 + 5.5;
    $r = from($D, $hp, 'GET', '/hardening/digest/ok.txt',
              Authorization => (digest_value(chal => $c,
                  uri => '/hardening/digest/ok.txt', nc => '00000003'))[0]);
    is($r->{status}, 200, 'digest: same address, place without limit → 200');
    $r = from($D, $hp, 'GET', $dpath);
    is($r->{status}, 401, 'digest: no credentials while blocked → 401');
}

# ------------------------------------------------ Bearer, 1 in 5 s
my $B = '127.0.0.15';
my $bpath = '/hardening/bearer-limit/ok.txt';
my $good_tok = $key && jwt(raw_header => '{"alg":"HS256","typ":"JWT"}',
                           claims => '{"sub":"tess","exp":'
                                     . (time() + 600) . '}',
                           secret => $key);
my $bad_tok = jwt(raw_header => '{"alg":"HS256","typ":"JWT"}',
                  claims => '{"sub":"tess","exp":' . (time() + 600) . '}',
                  secret => 'not-the-key-but-32-bytes-long-xx');
SKIP: {
    skip 'no HS256 key: t/hardening/setup.sh did not run', 5
        unless $key;
    my $t0 = time;
    my $r = from($B, $hp, 'GET', $bpath, Authorization => "Bearer $bad_tok");
    is($r->{status}, 401, 'bearer: bad signature → 401');
    like(join("\n", headers_named($r, 'WWW-Authenticate')),
         qr/error="invalid_token"/, '... invalid_token');
    $r = from($B, $hp, 'GET', $bpath, Authorization => "Bearer $good_tok");
    is($r->{status}, 429, 'bearer: then a valid token → 429');
    retry_ok($r, 'bearer 429');
    $until{bearer} = $t0 + 5.5;
    $r = from($B, $hp, 'GET', $bpath);
    is($r->{status}, 401, 'bearer: no credentials while blocked → 401');
}

# ------------------------------------------------ no limit: never 429
{
    my $N = '127.0.0.16';
    my @st;
    for my $i (1 .. 8) {
        my $r = from($N, $hp, 'GET', '/hardening/nolimit/ok.txt',
                     Authorization => basic('bob', "Wrong-NoLim-$i"));
        push @st, $r->{status};
    }
    is("@st", join(' ', (401) x 8), 'no limit: 8 wrong passwords → 401 each');
    my $r = from($N, $hp, 'GET', '/hardening/nolimit/ok.txt',
                 Authorization => basic('bob', $bob));
    is($r->{status}, 200, 'no limit: then the right password → 200');
}

# ------------------------------------------------ the log of the 429s
{
    my ($log, @l);
    for (1 .. 30) {     # the lines may trail the responses a little
        $log = error_log_since($mark0);
        @l = grep { /AC01007/ } split /\n/, $log;
        last if @l >= $n429;
        sleep 0.1;
    }
    is(scalar @l, $n429, "one AC01007 line per 429 ($n429)")
        or diag(join "\n", @l);
    ok(!(grep { !/\[authchallenge:info\]/ } @l), 'AC01007 lines at info');
    for my $addr ($A, $P) {
        ok((grep { /client \Q$addr\E\b/ } @l), "AC01007 names $addr");
    }
    SKIP: {
        skip 'no Digest users', 1 unless $have_users;
        ok((grep { /client \Q$D\E\b/ } @l), "AC01007 names $D");
    }
    SKIP: {
        skip 'no HS256 key', 1 unless $key;
        ok((grep { /client \Q$B\E\b/ } @l), "AC01007 names $B");
    }
    like($l[0] // '', qr/rate-limited|too many/i, 'AC01007 gives a reason');
    ok(!(grep { /127\.0\.0\.1[26]\b/ } @l),
       'no AC01007 for the unaffected addresses');
}

# ------------------------------------------------ after the windows
{
    my $last = 0;
    $last = $_ > $last ? $_ : $last for values %until;
    my $wait = $last - time;
    sleep $wait if $wait > 0;

    my $r = from($A, $hp, 'GET', '/hardening/limit/ok.txt',
                 Authorization => basic('bob', $bob));
    is($r->{status}, 200, 'origin: window passed → right password 200');
    $r = from($P, $proxy, 'GET', $upstream,
              'Proxy-Authorization' => basic('bob', $bob));
    is($r->{status}, 200, 'proxy: window passed → 200 (proxied)');
    like($r->{body}, qr/hardening pub ok/, '... with the upstream body');
    SKIP: {
        skip 'no Digest users', 1 unless $have_users;
        my $c = digest_chal(from($D, $hp, 'GET', $dpath));
        my ($v) = digest_value(chal => $c, uri => $dpath);
        $r = from($D, $hp, 'GET', $dpath, Authorization => $v);
        is($r->{status}, 200, 'digest: window passed → 200');
    }
    SKIP: {
        skip 'no HS256 key', 1 unless $key;
        $r = from($B, $hp, 'GET', $bpath,
                  Authorization => "Bearer $good_tok");
        is($r->{status}, 200, 'bearer: window passed → 200');
    }
    # A fresh window: failures again count from 1.
    for my $i (0 .. 2) {
        $r = from($A, $hp, 'GET', '/hardening/limit/ok.txt',
                  Authorization => basic('bob', $wrong[$i]));
        is($r->{status}, 401, 'origin: new window, wrong no. ' . ($i + 1)
           . ' → 401');
    }
    $r = from($A, $hp, 'GET', '/hardening/limit/ok.txt',
              Authorization => basic('bob', $bob));
    is($r->{status}, 429, 'origin: new window, 4th → 429 again');
    retry_ok($r, 'origin 429 (new window)');
}

# ------------------------------------------------ no crash, no secret
{
    is(join("\n", crashes($mark0)), '', 'no child crashed');
    my @s = secrets_in_log(0, @wrong, grep({ defined } $good_tok, $bad_tok),
                           map { "Wrong-NoLim-$_" } 1 .. 8,
                           'Wrong-Lim-4d', 'Wrong-Dig-Lim-9',
                           values %HUSERS, ($key ? $key : ()));
    is("@s", '', 'no password or token of this file in error_log');
}
