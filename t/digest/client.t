# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Digest as an origin, with our own client (t/lib/ACDigest.pm): the
# challenge text (RFC 7616 §3.3; docs/digest.md), every algorithm x qop x
# userhash with rspauth checked, username* (RFC 8187), auth-int bodies
# reaching the handler unchanged and the body limit (413), and stock
# mod_auth_digest next to us (docs/directives.md, "AuthType values").
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACDigest qw(:all);

my @ALGS = qw(SHA-512-256 SHA-512-256-sess SHA-256 SHA-256-sess
              MD5 MD5-sess);

plan tests => 22 + @ALGS * 2 * 2 * 3 + 3 + 12 + 4;

digest_users();
my $hp = hostport();
my $WWW = 'WWW-Authenticate';

sub get { return req($hp, 'GET', @_) }

# The exact challenge text, nonce and opaque taken as a pattern.
sub chal_re {
    my ($alg, %o) = @_;
    my $qop = $o{qop} // 'auth';
    my $s = qq{Digest realm="AC Digest", qop="$qop", algorithm=$alg, }
          . qq{nonce="\0", opaque="\0", charset=UTF-8};
    $s .= ', userhash=true' if $o{userhash};
    $s .= qq{, domain="$o{domain}"} if $o{domain};
    $s .= ', stale=true' if $o{stale};
    my $re = join '[A-Za-z0-9_-]{16,}', map { quotemeta } split /\0/, $s;
    return qr/\A$re\z/;
}

sub challenges_are {
    my ($r, $what, @res) = @_;
    my @v = headers_named($r, $WWW);
    is(scalar @v, scalar @res, "$what: " . @res . " WWW-Authenticate");
    for my $i (0 .. $#res) {
        like($v[$i] // '', $res[$i], "$what: challenge " . ($i + 1));
    }
}

# ---------------------------------------------------------- 1. shape
{
    my $r = get('/digest/ok.txt');
    is($r->{status}, 401, 'defaults: no credentials: 401');
    challenges_are($r, 'defaults', chal_re('SHA-256'), chal_re('MD5'));
    is(header_count($r, 'Authentication-Info'), 0,
       'defaults: no Authentication-Info on a 401');

    $r = get('/digest/all/ok.txt');
    is($r->{status}, 401, 'all: 401');
    challenges_are($r, 'all (userhash, domain, both qops)',
                   map { chal_re($_, qop => 'auth, auth-int', userhash => 1,
                                 domain => '/digest/all/ /digest/allnu/') }
                   @ALGS);

    $r = get('/digest/curl/userhash/ok.txt');
    challenges_are($r, 'userhash On',
                   map { chal_re($_, userhash => 1) } qw(SHA-256 MD5));

    $r = get('/digest/maxbody/echo');
    challenges_are($r, 'qop auth-int only',
                   map { chal_re($_, qop => 'auth-int') } qw(SHA-256 MD5));
}

# A GET that authenticates with the first challenge for $alg at $path.
sub auth_get {
    my ($path, %o) = @_;
    my $c = pick(digest_challenges(get($path), $WWW), $o{alg})
        or return (undef, undef);
    my ($h, $st) = authorize(chal => $c, uri => $path, method => 'GET',
                             %o);
    return (get($path, Authorization => $h), $st);
}

# ---------------------------------------------------------- 2. matrix
for my $alg (@ALGS) {
    for my $qop (qw(auth auth-int)) {
        for my $uh (0, 1) {
            my $path = $uh ? '/digest/all/ok.txt' : '/digest/allnu/ok.txt';
            my $what = "$alg qop=$qop userhash=" . ($uh ? 'on' : 'off');
            my ($r, $st) = auth_get($path, alg => $alg, qop => $qop,
                                    userhash => $uh, user => 'alice',
                                    pass => $DUSERS{alice});
            is($r && $r->{status}, 200, "$what: 200");
            my ($info) = $r ? headers_named($r, 'Authentication-Info') : ();
            ok(rspauth_ok($st, $info), "$what: rspauth")
                or diag 'Authentication-Info: ' . ($info // '(none)');
            unlike($info // '', qr/nextnonce/,
                   "$what: no nextnonce for a fresh nonce");
        }
    }
}

# username* for a non-ASCII user (RFC 8187), also with userhash.
{
    my ($r, $st) = auth_get('/digest/ok.txt', alg => 'SHA-256', ext => 1,
                            user => "j\xc3\xb6rg",
                            pass => $DUSERS{"j\xc3\xb6rg"});
    is($r->{status}, 200, "username*=UTF-8''j%C3%B6rg: 200");
    ($r) = auth_get('/digest/all/ok.txt', alg => 'SHA-512-256',
                    userhash => 1, user => "j\xc3\xb6rg",
                    pass => $DUSERS{"j\xc3\xb6rg"});
    is($r->{status}, 200, 'non-ASCII user with userhash: 200');
    ($r) = auth_get('/digest/ok.txt', alg => 'MD5', user => "j\xc3\xb6rg",
                    pass => $DUSERS{"j\xc3\xb6rg"});
    is($r->{status}, 200, 'non-ASCII user as plain UTF-8 username: 200');
}

# Authentication-Info survives an error page (err_headers_out).
{
    my ($r, $st) = auth_get('/digest/missing.txt', alg => 'SHA-256',
                            user => 'alice', pass => $DUSERS{alice});
    is($r->{status}, 404, 'authenticated request for a missing file: 404');
    ok(rspauth_ok($st, (headers_named($r, 'Authentication-Info'))[0]),
       '404: Authentication-Info with the right rspauth');
    # No algorithm parameter means MD5 (RFC 7616 3.4).
    ($r, $st) = auth_get('/digest/ok.txt', alg => 'MD5', drop => ['algorithm'],
                         user => 'alice', pass => $DUSERS{alice});
    is($r->{status}, 200, 'MD5 response without algorithm=: 200');
}

# ---------------------------------------------------------- 5. bodies
{
    my $path = '/digest/cgi/echo';
    my $body = "a=1&b=\x00\xff\r\n" . ('x' x 3000) . "\nend";
    my $c = pick(digest_challenges(get($path), $WWW), 'SHA-256');
    my ($h, $st) = authorize(chal => $c, uri => $path, method => 'POST',
                             qop => 'auth-int', body => $body,
                             user => 'bob', pass => $DUSERS{bob});
    my $r = send_req($hp, 'POST', $path, $body, Authorization => $h,
                     'Content-Type' => 'application/octet-stream');
    is($r->{status}, 200, 'auth-int POST to the echo CGI: 200');
    my ($seen) = $r->{body} =~ /\nBODY:\n(.*)\z/s;
    ok(defined $seen && $seen eq $body,
       'auth-int: the handler got the exact body');
    like($r->{body}, qr/^REMOTE_USER=bob$/m, 'auth-int: REMOTE_USER=bob');
    ok(rspauth_ok($st, (headers_named($r, 'Authentication-Info'))[0]),
       'auth-int POST: rspauth over the request body hash');

    # The same body with qop=auth (nothing read by the module).
    ($h, $st) = authorize(chal => $c, uri => $path, method => 'POST',
                          qop => 'auth', nc => 2, cnonce => 'c2',
                          user => 'bob', pass => $DUSERS{bob});
    $r = send_req($hp, 'POST', $path, $body, Authorization => $h);
    is($r->{status}, 200, 'qop=auth POST: 200');
    ($seen) = $r->{body} =~ /\nBODY:\n(.*)\z/s;
    ok(defined $seen && $seen eq $body, 'qop=auth: exact body');

    # auth-int over a body that differs from the hashed one.
    ($h) = authorize(chal => $c, uri => $path, method => 'POST',
                     qop => 'auth-int', body => "$body!", nc => 3,
                     user => 'bob', pass => $DUSERS{bob});
    $r = send_req($hp, 'POST', $path, $body, Authorization => $h);
    is($r->{status}, 401, 'auth-int with a body hash of another body: 401');

    # The body limit: 10 bytes.
    $path = '/digest/maxbody/echo';
    $c = pick(digest_challenges(get($path), $WWW), 'SHA-256');
    my $small = '0123456789';
    ($h, $st) = authorize(chal => $c, uri => $path, method => 'POST',
                          qop => 'auth-int', body => $small,
                          user => 'alice', pass => $DUSERS{alice});
    $r = send_req($hp, 'POST', $path, $small, Authorization => $h);
    is($r->{status}, 200, 'MaxBody 10, 10-byte body: 200');
    ($seen) = $r->{body} =~ /\nBODY:\n(.*)\z/s;
    is($seen, $small, 'MaxBody 10: exact body');
    my $big = '0123456789abcdefghij';
    ($h) = authorize(chal => $c, uri => $path, method => 'POST',
                     qop => 'auth-int', body => $big, nc => 2,
                     user => 'alice', pass => $DUSERS{alice});
    $r = send_req($hp, 'POST', $path, $big, Authorization => $h);
    is($r->{status}, 413, 'MaxBody 10, 20-byte body: 413');
    # An empty body under auth-int (a GET).
    my ($g, $gst) = auth_get($path, alg => 'MD5', qop => 'auth-int',
                             user => 'alice', pass => $DUSERS{alice});
    is($g->{status}, 200, 'auth-int GET, empty body: 200');
    ok(rspauth_ok($gst, (headers_named($g, 'Authentication-Info'))[0]),
       'auth-int GET: rspauth with H("")');
}

# ---------------------------------------------------------- 8. stock
{
    my $r = get('/digest-stock/ok.txt');
    is($r->{status}, 401, 'stock mod_auth_digest: 401');
    my @v = headers_named($r, $WWW);
    is(scalar @v, 1, 'stock: one challenge');
    like($v[0] // '', qr/\ADigest realm="AC Stock Digest 2", nonce="[^"]+", algorithm=MD5, qop="auth"\z/,
         "stock: mod_auth_digest's challenge (MD5, no charset)");
    my $c = digest_challenges($r, $WWW)->[0];
    my ($h) = authorize(chal => $c, uri => '/digest-stock/ok.txt',
                        user => 'alice', pass => $DUSERS{alice});
    is(get('/digest-stock/ok.txt', Authorization => $h)->{status}, 200,
       'stock: mod_auth_digest accepts our MD5 response');
}
