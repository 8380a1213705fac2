# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Digest refusals (RFC 7616; docs/digest.md): wrong password, replays
# (also across httpd children: the nc window lives in the shared cache),
# out-of-order nc, forged / expired nonces (stale=true), malformed
# credentials (400), every "not offered" case (401), and nextnonce past
# half the lifetime.  The two nonce-lifetime cases share one wait of ~3.6 s.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACDigest qw(:all);
use ACAuthParam qw(parse_params);
use Time::HiRes ();

plan tests => 59;

digest_users();
my $hp = hostport();
my $WWW = 'WWW-Authenticate';
my $PATH = '/digest/ok.txt';
my %alice = (user => 'alice', pass => $DUSERS{alice});

sub get { return req($hp, 'GET', @_) }

sub chal {
    my ($path, $alg) = @_;
    return pick(digest_challenges(get($path), $WWW), $alg // 'SHA-256');
}

# The response to send $hdr: status and its Digest challenges.
sub try {
    my ($hdr, $path) = @_;
    my $r = get($path // $PATH, Authorization => $hdr);
    return wantarray ? ($r, digest_challenges($r, $WWW)) : $r;
}

# 401 with the full set of fresh challenges, stale as asked.
sub refused {
    my ($hdr, $what, %o) = @_;
    my ($r, $c) = try($hdr, $o{path});
    is($r->{status}, 401, "$what: 401");
    my $n = $o{count} // 2;
    my @stale = grep { ($_->{params}{stale} // '') eq 'true' } @$c;
    ok(@$c == $n && @stale == ($o{stale} ? $n : 0),
       "$what: $n challenges, " . ($o{stale} ? 'all' : 'none')
       . ' with stale=true')
        or diag explain [headers_named($r, $WWW)];
    return $r;
}

# Nonces for the lifetime cases, taken first so their wait overlaps
# with everything else.
my $t0 = Time::HiRes::time();
my $short = chal('/digest/short/ok.txt');
my $half = chal('/digest/half/ok.txt');
my $t_half = Time::HiRes::time();

# ------------------------------------------------ wrong password etc.
my $c = chal($PATH);
{
    my ($h) = authorize(chal => $c, uri => $PATH, user => 'alice',
                        pass => 'wrong');
    my $r = refused($h, 'wrong password');
    my $fresh = digest_challenges($r, $WWW)->[0];
    isnt($fresh->{params}{nonce}, $c->{params}{nonce},
         'wrong password: a fresh nonce');
    ($h) = authorize(chal => $c, uri => $PATH, user => 'nobody',
                     pass => 'x', nc => 2);
    refused($h, 'unknown user');
    ($h) = authorize(chal => $c, uri => $PATH, %alice, nc => 3,
                     realm => 'Another Realm');
    refused($h, 'another realm');
    ($h) = authorize(chal => $c, uri => $PATH, %alice, nc => 4,
                     opaque => 'AAAAAAAAAAAAAAAAAAAAAA');
    refused($h, 'wrong opaque');
    ($h) = authorize(chal => $c, uri => $PATH, %alice, nc => 5,
                     alg => 'SHA-512-256');
    refused($h, 'algorithm not offered (SHA-512-256)');
    ($h) = authorize(chal => $c, uri => $PATH, %alice, nc => 6,
                     qop => 'auth-int');
    refused($h, 'qop not offered (auth-int)');
    ($h) = authorize(chal => $c, uri => $PATH, %alice, qop => undef);
    refused($h, 'no qop (RFC 2069 style)');
    my $forged = $c->{params}{nonce};
    substr($forged, 20, 1) = substr($forged, 20, 1) eq 'A' ? 'B' : 'A';
    ($h) = authorize(chal => $c, uri => $PATH, %alice, nonce => $forged);
    refused($h, 'forged nonce (one character flipped)');
    # userhash where it is not offered
    ($h) = authorize(chal => $c, uri => $PATH, %alice, nc => 7,
                     userhash => 1);
    refused($h, 'userhash not offered');
}

# ------------------------------------------------ malformed: 400
{
    my %base = (chal => $c, uri => $PATH, %alice, nc => 8);
    my ($h) = authorize(%base, uri => '/digest/other.txt');
    is(try($h)->{status}, 400, 'uri naming another resource: 400');
    ($h) = authorize(%base, set => { 'username*' => "UTF-8''alice" });
    is(try($h)->{status}, 400, 'username and username*: 400');
    ($h) = authorize(%base, set => { nc => '0000009' });
    is(try($h)->{status}, 400, 'nc with 7 digits: 400');
    ($h) = authorize(%base, set => { nc => '00000000a' });
    is(try($h)->{status}, 400, 'nc with 9 digits: 400');
    ($h) = authorize(%base, set => { nc => '0000000g' });
    is(try($h)->{status}, 400, 'nc not hex: 400');
    ($h) = authorize(%base);
    (my $unterm = $h) =~ s/cnonce="([^"]*)"/cnonce="$1/;
    is(try($unterm)->{status}, 400, 'unterminated quote: 400');
    is(try("$h, realm=\"AC Digest\"")->{status}, 400,
       'duplicate parameter (realm twice): 400');
    ($h) = authorize(%base, drop => ['response']);
    is(try($h)->{status}, 400, 'missing response: 400');
    ($h) = authorize(%base, drop => ['nonce']);
    is(try($h)->{status}, 400, 'missing nonce: 400');
    ($h) = authorize(%base, drop => ['username'],
                     set => { 'username*' => "UTF-8''al%01ice" });
    is(try($h)->{status}, 400, 'control character in username*: 400');
    ($h) = authorize(%base, drop => ['username'],
                     set => { 'username*' => "UTF-8''j%C3rg" });
    is(try($h)->{status}, 400, 'username* not UTF-8: 400');
    ($h) = authorize(%base, drop => ['username'],
                     set => { 'username*' => "UTF-8''al%ice" });
    is(try($h)->{status}, 400, 'username* with a bad %-escape: 400');
    ($h) = authorize(%base, drop => ['username'], userhash => 1,
                     set => { 'username*' => "UTF-8''alice" });
    is(try($h)->{status}, 400, 'username* with userhash=true: 400');
    # RFC 8187: charset and hex digits are case-insensitive.
    ($h) = authorize(%base, user => "j\xc3\xb6rg", nc => 9,
                     pass => $DUSERS{"j\xc3\xb6rg"}, drop => ['username'],
                     set => { 'username*' => "utf-8''j%c3%b6rg" });
    is(try($h)->{status}, 200, "username*=utf-8''j%c3%b6rg: 200");
    ($h) = authorize(%base, user => "j\xc3rg");
    is(try($h)->{status}, 400, 'username not UTF-8: 400');
    is(try('Digest ' . join(', ', map { "p$_=x" } 1 .. 40))->{status},
       400, 'over 32 parameters: 400');
}

# ------------------------------------------------ replay window
{
    my $c2 = chal($PATH, 'MD5');
    my %b = (chal => $c2, uri => $PATH, %alice, cnonce => 'cn1');
    my ($h1) = authorize(%b, nc => 1);
    is(try($h1)->{status}, 200, 'nc=1: 200');
    my $mark = error_log_mark();
    my ($r) = try($h1);
    is($r->{status}, 401, 'nc=1 again (same nonce, same request): 401');
    ok(!grep({ ($_->{params}{stale} // '') eq 'true' }
             @{ digest_challenges($r, $WWW) }), 'replay: no stale');
    like(wait_log($mark, qr/nc replayed/),
         qr/AC01001: client \S+ scheme Digest user "alice": authentication failed: nc replayed/,
         'replay: error_log AC01001 ... nc replayed');
    my ($h5) = authorize(%b, nc => 5);
    is(try($h5)->{status}, 200, 'higher nc=5: 200');
    my ($h3) = authorize(%b, nc => 3);
    is(try($h3)->{status}, 200, 'out of order nc=3 (within 64): 200');
    my ($h70) = authorize(%b, nc => 70);
    is(try($h70)->{status}, 200, 'nc=70: 200');
    my ($h2) = authorize(%b, nc => 2);
    is(try($h2)->{status}, 401, 'nc=2 after 70 (below the window): 401');
    my ($h7) = authorize(%b, nc => 7);
    is(try($h7)->{status}, 200, 'nc=7 after 70 (inside the window): 200');
    is(try($h3)->{status}, 401, 'nc=3 again: 401');
    # A refused replay leaves the nonce usable for its user.
    my ($h71) = authorize(%b, nc => 71);
    is(try($h71)->{status}, 200, 'nc=71 after the refusals: 200');

    # Across children: every try is a new connection; httpd's event MPM
    # runs several children, and every one must refuse.
    # Keep going (up to 120: a loaded machine, or ASan, may leave one
    # child to accept most connections) until two children refused one.
    $mark = error_log_mark();
    my (@st, %pids);
    while (@st < 120) {
        push @st, map { try($h5)->{status} } 1 .. 12;
        my $log = wait_log($mark, qr/(?:nc replayed.*?){${\ scalar @st}}/s);
        %pids = map { $_ => 1 }
            $log =~ /\[pid (\d+)[^\]]*\][^\n]*nc replayed/g;
        last if keys %pids >= 2;
    }
    is_deeply(\@st, [(401) x @st], 'nc=5 replayed on ' . @st
              . ' new connections: 401 every time');
    cmp_ok(scalar(keys %pids), '>=', 2,
           'the replay was refused by ' . keys(%pids) . ' children');

    # Replay check is per nonce: another nonce with nc=1 is fine.
    my $c3 = chal($PATH, 'MD5');
    my ($h) = authorize(chal => $c3, uri => $PATH, %alice, nc => 1);
    is(try($h)->{status}, 200, 'nc=1 with another nonce: 200');
}

# ------------------------------------------------ lifetimes
# Wait until the short nonce (lifetime 2) is expired and the half one
# (lifetime 6) past half its life but still valid.  A nonce tells its
# issue time in whole seconds, so the server sees it up to 1 s older
# than it is: used at 3.6 s, it is 3.6 to 4.6 s old there.  On a
# machine so loaded that the checks above took longer than that, the
# half nonce is taken anew.
{
    my $left = 3.0 - (Time::HiRes::time() - $t0);
    Time::HiRes::sleep($left) if $left > 0;
    if (Time::HiRes::time() - $t_half > 4.2) {
        $half = chal('/digest/half/ok.txt');
        $t_half = Time::HiRes::time();
    }

    my ($h) = authorize(chal => $short, uri => '/digest/short/ok.txt',
                        %alice);
    refused($h, 'expired nonce, right response', stale => 1,
            path => '/digest/short/ok.txt');
    ($h) = authorize(chal => $short, uri => '/digest/short/ok.txt',
                     user => 'alice', pass => 'wrong', nc => 2);
    refused($h, 'expired nonce, wrong password (no stale)',
            path => '/digest/short/ok.txt');

    my $st;
    $left = 3.6 - (Time::HiRes::time() - $t_half);
    Time::HiRes::sleep($left) if $left > 0;
    ($h, $st) = authorize(chal => $half, uri => '/digest/half/ok.txt',
                          %alice);
    my ($r) = try($h, '/digest/half/ok.txt');
    is($r->{status}, 200, 'nonce past half its lifetime: 200');
    my ($info) = headers_named($r, 'Authentication-Info');
    ok(rspauth_ok($st, $info), 'past half: rspauth');
    my $next = parse_params($info // '')->{nextnonce};
    ok(defined $next && $next ne $half->{params}{nonce},
       'past half: a new nextnonce in Authentication-Info')
        or diag $info;
    my %n = (%$half, params => { %{ $half->{params} },
                                 nonce => $next // '' });
    ($h, $st) = authorize(chal => \%n, uri => '/digest/half/ok.txt',
                          %alice, nc => 1);
    ($r) = try($h, '/digest/half/ok.txt');
    is($r->{status}, 200, 'the nextnonce works (nc=1): 200');
    ($info) = headers_named($r, 'Authentication-Info');
    ok(rspauth_ok($st, $info), 'nextnonce: rspauth');
    unlike($info // '', qr/nextnonce/, 'a fresh nextnonce: no nextnonce');
}
