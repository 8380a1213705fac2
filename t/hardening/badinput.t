# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Bad-input catalog (RFC 7617, RFC 7616, RFC 6750; docs/digest.md "Other
# checks", docs/bearer.md "Status codes"): each entry is a request, the
# exact status it must get, and afterwards no child may have crashed (no
# "exit signal" / "segmentation" in error_log since the request).
# Optional per entry: the challenge header it must (or must not) carry
# and the reason the module logs.  Raw sockets send what curl cannot.
#
# Servers: "main" has httpd's LimitRequestFieldSize 8190, so a larger
# header gets httpd's own 400 before the module runs; "big"
# (<VirtualHost hard_big>, limit 64 KiB) lets it reach the module,
# whose limit for an Authorization value is 8192 bytes.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use Apache::Test qw(-withtestmore);
use Time::HiRes qw(time sleep);
use ACTest qw(:all);
use ACJWT qw(jwt b64url);
use HardTest;

my %HP = (main => hostport(), big => hostport('hard_big'));
my $have_users = ensure_users();
my $key = hs256_key();
my @secrets;

my %PATH = (basic => '/hardening/basic/ok.txt',
            digest => '/hardening/digest/ok.txt',
            bearer => '/hardening/bearer/ok.txt');

# ------------------------------------------------ value builders
my $bob = basic('bob', $USERS{bob});
sub b64v { return 'Basic ' . b64(shift) }

# Digest: one challenge for the whole file; every value gets its own
# nc, so the replay check never interferes.
my $chal;
my $nc = 0x100;
sub dg {
    my (%o) = @_;
    $chal ||= digest_chal(req($HP{main}, 'GET', $PATH{digest}));
    $o{nc} //= sprintf '%08x', $nc++;
    my ($v, $resp, $ha1) = digest_value(chal => $chal,
                                        uri => $PATH{digest}, %o);
    push @secrets, $resp, $ha1;
    return $v;
}
# The fields of a valid response as [name => value] (quoted as sent).
sub dg_params {
    my $v = dg(@_);
    $v =~ s/^Digest //;
    return map { /^([^=]+)=(.*)$/ ? ($1, $2) : () } split /, /, $v;
}
sub dg_with {           # a valid response with params changed/added
    my ($change, @extra) = @_;
    my @p = dg_params();
    for (my $i = 0; $i < @p; $i += 2) {
        $p[$i + 1] = $change->{ $p[$i] } if exists $change->{ $p[$i] };
    }
    my @parts;
    for (my $i = 0; $i < @p; $i += 2) {
        push @parts, "$p[$i]=$p[$i + 1]" if defined $p[$i + 1];
    }
    return 'Digest ' . join(', ', @parts, @extra);
}
sub dg_without {
    my $drop = shift;
    my @p = dg_params();
    my @parts;
    for (my $i = 0; $i < @p; $i += 2) {
        push @parts, "$p[$i]=$p[$i + 1]" unless $p[$i] eq $drop;
    }
    return 'Digest ' . join(', ', @parts);
}
sub extra_params { return map { "x$_=v$_" } 1 .. shift }

# Bearer
my $H256 = '{"alg":"HS256","typ":"JWT"}';
my $exp = int(time) + 600;
sub tok {
    my $t = jwt(raw_header => $_[0] // $H256,
                claims => $_[1] // qq({"sub":"tess","exp":$exp}),
                secret => $key // 'k' x 32);
    push @secrets, $t;
    return $t;
}
sub unsigned { return b64url($_[0]) . '.' . b64url($_[1]) . '.c2ln' }

# A form POST with access_token (transport "body").
sub form_post {
    my ($hp, $body) = @_;
    return "POST $PATH{bearer} HTTP/1.1\r\nHost: $hp\r\n"
         . "Content-Type: application/x-www-form-urlencoded\r\n"
         . 'Content-Length: ' . length($body) . "\r\n"
         . "Connection: close\r\n\r\n$body";
}
# A GET of the area with these raw header lines.
sub raw_get {
    my ($hp, $path, @lines) = @_;
    return "GET $path HTTP/1.1\r\nHost: $hp\r\n"
         . join('', map { "$_\r\n" } @lines) . "Connection: close\r\n\r\n";
}

my $basic_chal = qr/^Basic realm="AC Hard Basic"/m;
my $fresh_digest = qr/^Digest realm="AC Hard", (?!.*stale)/m;
my $inv_tok = qr/^Bearer realm="AC Hard Bearer", error="invalid_token"/m;
my $inv_req = qr/^Bearer realm="AC Hard Bearer", error="invalid_request"/m;

# ------------------------------------------------ the catalog
# name, area, [server (main)], one of auth (Authorization value) / raw
# (code: hostport → bytes), status, [chal: regex on the joined
# WWW-Authenticate values | 'none'], [log: regex the module's line after
# the request must match], [needs: users|key]
my @CATALOG = (
    # --- size limits
    { name => 'Basic + 9000 chars: over httpd field limit',
      area => 'basic', auth => 'Basic ' . ('A' x 9000), status => 400 },
    { name => 'Basic + 8300 chars (8.1 KiB) reaches the module',
      area => 'basic', server => 'big', auth => 'Basic ' . ('A' x 8300),
      status => 400, log => qr/AC01002: .*credentials too long/ },
    { name => 'Authorization of exactly 8192 bytes is parsed',
      area => 'basic', server => 'big',
      auth => 'Basic   ' . b64('bob:' . ('x' x 6134)), status => 401,
      chal => $basic_chal, log => qr/AC01001: .*wrong password/ },
    { name => 'Authorization of 8193 bytes is too long',
      area => 'basic', server => 'big',
      auth => 'Basic    ' . b64('bob:' . ('x' x 6134)), status => 400,
      log => qr/credentials too long/ },
    # --- empty and scheme-only
    { name => 'empty value', area => 'basic',
      raw => sub { raw_get($_[0], $PATH{basic}, 'Authorization:') },
      status => 400, log => qr/AC01002: .*malformed credentials/ },
    { name => 'empty value after a space', area => 'basic',
      raw => sub { raw_get($_[0], $PATH{basic}, 'Authorization: ') },
      status => 400 },
    { name => 'whitespace only', area => 'basic',
      raw => sub { raw_get($_[0], $PATH{basic}, "Authorization: \t  \t") },
      status => 400 },
    { name => 'Basic alone', area => 'basic', auth => 'Basic',
      status => 400, log => qr/not base64/ },
    { name => 'Basic and trailing spaces', area => 'basic',
      raw => sub { raw_get($_[0], $PATH{basic}, 'Authorization: Basic   ') },
      status => 400 },
    # --- Basic token68
    { name => 'bad base64: "_" (base64url char)', area => 'basic',
      auth => 'Basic Zm9v_YmFy', status => 400, log => qr/not base64/ },
    { name => 'bad base64: one char', area => 'basic', auth => 'Basic a',
      status => 400 },
    { name => 'bad base64: not token68 chars', area => 'basic',
      auth => 'Basic !!!!', status => 400 },
    { name => 'bad base64: padding in the middle', area => 'basic',
      auth => 'Basic Ym9=Yjpw', status => 400 },
    { name => 'two tokens', area => 'basic',
      auth => 'Basic ' . b64('bob:x') . ' ' . b64('bob:y'), status => 400 },
    { name => 'no colon', area => 'basic', auth => b64v('bobpassword'),
      status => 400, log => qr/no colon/ },
    { name => 'control char (0x01) in user', area => 'basic',
      auth => b64v("bo\x01b:pw"), status => 400,
      log => qr/control character in user name/ },
    { name => 'NUL in user', area => 'basic', auth => b64v("bo\0b:pw"),
      status => 400, log => qr/control character/ },
    { name => 'DEL in user', area => 'basic', auth => b64v("bo\x7fb:pw"),
      status => 400 },
    { name => 'LF in user', area => 'basic', auth => b64v("bo\nb:pw"),
      status => 400 },
    { name => 'NUL in password', area => 'basic',
      auth => b64v("bob:Bob-Pw\0-8Rz#"), status => 400, log => qr/NUL/ },
    { name => 'invalid UTF-8 in user (0xff)', area => 'basic',
      auth => b64v("b\xffob:pw"), status => 400, log => qr/not UTF-8/ },
    { name => 'invalid UTF-8 in user (overlong 0xc0 0xaf)', area => 'basic',
      auth => b64v("bo\xc0\xafb:pw"), status => 400 },
    { name => 'invalid UTF-8 in user (lone continuation)', area => 'basic',
      auth => b64v("bo\x80b:pw"), status => 400 },
    { name => 'invalid UTF-8 in user (surrogate ED A0 80)', area => 'basic',
      auth => b64v("bo\xed\xa0\x80b:pw"), status => 400 },
    { name => 'valid UTF-8 user, unknown → 401', area => 'basic',
      auth => b64v("b\xc3\xb6b:pw"), status => 401, chal => $basic_chal },
    # --- schemes
    { name => 'unknown scheme "Foo bar"', area => 'basic',
      auth => 'Foo bar', status => 401, chal => $basic_chal,
      log => qr/scheme not offered/ },
    { name => 'unknown scheme alone "Foo"', area => 'basic',
      auth => 'Foo', status => 401, chal => $basic_chal },
    { name => 'Negotiate on a Basic place', area => 'basic',
      auth => 'Negotiate YIIBhgYGKwYBBQUCoIIBejCCAXY=', status => 401,
      chal => $basic_chal },
    { name => 'Digest on a Basic place', area => 'basic',
      auth => 'Digest username="bob"', status => 401, chal => $basic_chal },
    { name => 'scheme not a token "B@sic"', area => 'basic',
      auth => 'B@sic ' . b64('bob:x'), status => 400 },
    { name => 'scheme in lower case works', area => 'basic',
      auth => 'basic ' . b64("bob:$USERS{bob}"), status => 200 },
    # --- raw bytes httpd sees first
    { name => 'NUL byte in the Authorization line', area => 'basic',
      raw => sub { raw_get($_[0], $PATH{basic},
                           "Authorization: Basic Ym9i\0OnB3") },
      status => 400 },
    { name => 'control char 0x01 in the Authorization line', area => 'basic',
      raw => sub { raw_get($_[0], $PATH{basic},
                           "Authorization: Basic Ym9i\x01OnB3") },
      status => 400 },
    # httpd 2.4 unfolds obs-fold into one SP (RFC 9112 5.2 allows it):
    # the module sees a normal value.
    { name => 'obs-fold inside Authorization (httpd unfolds it)',
      area => 'basic',
      raw => sub { raw_get($_[0], $PATH{basic}, 'Authorization: Basic',
                           ' ' . b64("bob:$USERS{bob}")) },
      status => 200 },
    { name => 'bare LF line ends', area => 'basic',
      raw => sub { my $r = raw_get($_[0], $PATH{basic},
                                   "Authorization: $bob");
                   $r =~ s/\r\n/\n/g; $r },
      status => 400 },

    # --- Digest
    { name => 'Digest: valid response (control)', area => 'digest',
      needs => 'users', auth => sub { dg() }, status => 200 },
    { name => 'Digest: unterminated quote', area => 'digest',
      needs => 'users', auth => sub { dg(extra => ', cnonce2="abc') },
      status => 400, log => qr/unterminated quoted string/ },
    { name => 'Digest: unterminated quote ending in a backslash',
      area => 'digest', needs => 'users',
      auth => sub { dg(extra => ', x="abc\\') }, status => 400 },
    { name => 'Digest: duplicate parameter (nc)', area => 'digest',
      needs => 'users', auth => sub { dg(extra => ', nc=00000001') },
      status => 400, log => qr/duplicate parameter/ },
    { name => 'Digest: duplicate parameter, other case (USERNAME)',
      area => 'digest', needs => 'users',
      auth => sub { dg(extra => ', USERNAME="iris"') }, status => 400 },
    { name => 'Digest: unknown parameter foo=bar is ignored',
      area => 'digest', needs => 'users',
      auth => sub { dg(extra => ', foo=bar') }, status => 200 },
    { name => 'Digest: unknown parameters first and quoted',
      area => 'digest', needs => 'users',
      auth => sub { my $v = dg(); $v =~ s/^Digest /Digest a="1", b=2, /;
                    $v }, status => 200 },
    { name => 'Digest: ~8000 bytes (a long unknown param) is processed',
      area => 'digest', needs => 'users',
      auth => sub { my $v = dg(); $v . ', pad="' . ('p' x (7990 - length $v))
                    . '"' }, status => 200 },
    { name => 'Digest: 8.1 KiB of params (big server) → too long',
      area => 'digest', server => 'big', needs => 'users',
      auth => sub { my $v = dg(); $v . ', pad="' . ('p' x (8300 - length $v))
                    . '"' }, status => 400, log => qr/credentials too long/ },
    { name => 'Digest: 32 parameters are processed', area => 'digest',
      needs => 'users',
      auth => sub { my $v = dg(); my $n = () = $v =~ /(?:^Digest |, )[\w-]+=/g;
                    my @e = extra_params(32 - $n);
                    join ', ', $v, @e }, status => 200 },
    { name => 'Digest: 33 parameters', area => 'digest', needs => 'users',
      auth => sub { my $v = dg(); my $n = () = $v =~ /(?:^Digest |, )[\w-]+=/g;
                    join ', ', $v, extra_params(33 - $n) },
      status => 400, log => qr/too many parameters/ },
    { name => 'Digest: 1000 parameters', area => 'digest', needs => 'users',
      auth => sub { 'Digest ' . join(',', map { "p$_=1" } 1 .. 1000) },
      status => 400, log => qr/too many parameters/ },
    { name => 'Digest: 5000 parameters (big server)', area => 'digest',
      server => 'big', needs => 'users',
      auth => sub { 'Digest ' . join(',', map { "p$_=1" } 1 .. 5000) },
      status => 400, log => qr/credentials too long/ },
    { name => 'Digest: 2000 empty list elements', area => 'digest',
      needs => 'users', auth => sub { dg(extra => ',' x 2000) },
      status => 200 },
    { name => 'Digest: nc of 100 hex digits', area => 'digest',
      needs => 'users', auth => sub { dg_with({ nc => '0' x 99 . '1' }) },
      status => 400, log => qr/nc is not 8 hex digits/ },
    { name => 'Digest: nc of 7 hex digits', area => 'digest',
      needs => 'users', auth => sub { dg_with({ nc => '0000001' }) },
      status => 400 },
    { name => 'Digest: nc not hex', area => 'digest', needs => 'users',
      auth => sub { dg_with({ nc => 'zzzzzzzz' }) }, status => 400 },
    { name => 'Digest: nonce of the wrong length', area => 'digest',
      needs => 'users',
      auth => sub { dg(chal => { %{ $chal ||= digest_chal(req($HP{main},
                        'GET', $PATH{digest})) },
                        nonce => substr($chal->{nonce}, 0, 20) }) },
      status => 401, chal => $fresh_digest, log => qr/invalid nonce/ },
    { name => 'Digest: nonce not base64url', area => 'digest',
      needs => 'users',
      auth => sub { dg(chal => { %$chal, nonce => '!!' . ('*' x 40) }) },
      status => 401, chal => $fresh_digest, log => qr/invalid nonce/ },
    { name => 'Digest: empty nonce', area => 'digest', needs => 'users',
      auth => sub { dg(chal => { %$chal, nonce => '' }) },
      status => 401, chal => $fresh_digest },
    { name => 'Digest: huge nonce (6000 chars)', area => 'digest',
      needs => 'users',
      auth => sub { dg(chal => { %$chal, nonce => 'A' x 6000 }) },
      status => 401, chal => $fresh_digest },
    { name => 'Digest: missing username', area => 'digest',
      needs => 'users', auth => sub { dg_without('username') },
      status => 400, log => qr/missing username/ },
    { name => 'Digest: missing response', area => 'digest',
      needs => 'users', auth => sub { dg_without('response') },
      status => 400 },
    { name => 'Digest: missing uri', area => 'digest',
      needs => 'users', auth => sub { dg_without('uri') }, status => 400 },
    { name => 'Digest alone', area => 'digest', needs => 'users',
      auth => 'Digest', status => 400 },
    { name => 'Digest with a token68', area => 'digest', needs => 'users',
      auth => 'Digest YWJjZGVm==', status => 400 },
    { name => 'Digest: username and username*', area => 'digest',
      needs => 'users',
      auth => sub { dg(extra => ", username*=UTF-8''hank") },
      status => 400 },
    { name => 'Digest: invalid UTF-8 in username', area => 'digest',
      needs => 'users', auth => sub { dg(user => "ha\xffnk") },
      status => 400, log => qr/not UTF-8/ },
    { name => 'Digest: bad username* encoding', area => 'digest',
      needs => 'users',
      auth => sub { dg_with({ username => undef },
                            "username*=UTF-8''ha%ZZnk") },
      status => 400 },
    { name => 'Digest: uri of another resource', area => 'digest',
      needs => 'users', auth => sub { dg_with({ uri => '"/elsewhere"' }) },
      status => 400 },
    { name => 'Digest: userhash neither true nor false', area => 'digest',
      needs => 'users', auth => sub { dg(extra => ', userhash=maybe') },
      status => 400 },
    { name => 'Digest: param without value', area => 'digest',
      needs => 'users', auth => sub { dg(extra => ', x=') }, status => 400 },
    { name => 'Digest: param without "="', area => 'digest',
      needs => 'users', auth => sub { dg(extra => ', lonely') },
      status => 400 },
    { name => 'Digest: control char inside a quoted value (raw)',
      area => 'digest', needs => 'users',
      raw => sub { raw_get($_[0], $PATH{digest},
                           'Authorization: ' . dg(extra => ", x=\"a\x01b\"")) },
      status => 400 },
    { name => 'Digest: NUL byte inside the header (raw)', area => 'digest',
      needs => 'users',
      raw => sub { raw_get($_[0], $PATH{digest},
                           'Authorization: ' . dg(extra => ", x=\"a\0b\"")) },
      status => 400 },
    { name => 'Digest: response of 6000 hex digits', area => 'digest',
      needs => 'users', auth => sub { dg(response => 'a' x 6000) },
      status => 401, chal => $fresh_digest },

    # --- Bearer (HS256)
    { name => 'Bearer: valid token (control)', area => 'bearer',
      needs => 'key', auth => sub { 'Bearer ' . tok() }, status => 200 },
    { name => 'Bearer: bad base64url (1-char segment)', area => 'bearer',
      needs => 'key', auth => 'Bearer a.e30.c2ln', status => 401,
      chal => $inv_tok },
    { name => 'Bearer: bad base64url ("+" and "/")', area => 'bearer',
      needs => 'key', auth => 'Bearer eyJ+/w.e30.c2ln', status => 401,
      chal => $inv_tok },
    { name => 'Bearer: header segment not JSON', area => 'bearer',
      needs => 'key', auth => sub { 'Bearer ' . unsigned('not json', '{}') },
      status => 401, chal => $inv_tok },
    { name => 'Bearer: header a JSON array', area => 'bearer',
      needs => 'key', auth => sub { 'Bearer ' . unsigned('[1]', '{}') },
      status => 401, chal => $inv_tok },
    { name => 'Bearer: header 6000 nested "["', area => 'bearer',
      needs => 'key',
      auth => sub { 'Bearer ' . unsigned('[' x 6000, '{}') },
      status => 401, chal => $inv_tok },
    { name => 'Bearer: header 10000 nested "[" in a form body',
      area => 'bearer', needs => 'key',
      raw => sub { form_post($_[0], 'access_token='
                             . unsigned('[' x 10000, '{}')) },
      status => 401, chal => $inv_tok },
    { name => 'Bearer: claims {"a": + 10000 nested "[" (signed), form body',
      area => 'bearer', needs => 'key',
      raw => sub { form_post($_[0], 'access_token='
                             . tok(undef, '{"a":' . ('[' x 10000))) },
      status => 401, chal => $inv_tok },
    { name => 'Bearer: header 10000 nested "[" (big server: too long)',
      area => 'bearer', server => 'big', needs => 'key',
      auth => sub { 'Bearer ' . unsigned('[' x 10000, '{}') },
      status => 400, chal => $inv_req },
    { name => 'Bearer: exp as a string (signed)', area => 'bearer',
      needs => 'key',
      auth => sub { 'Bearer ' . tok(undef, qq({"sub":"tess","exp":"$exp"})) },
      status => 401, chal => $inv_tok, log => qr/not a number/ },
    { name => 'Bearer: sub as a number (signed)', area => 'bearer',
      needs => 'key',
      auth => sub { 'Bearer ' . tok(undef, qq({"sub":42,"exp":$exp})) },
      status => 401, chal => $inv_tok },
    { name => 'Bearer: claims not JSON (signed)', area => 'bearer',
      needs => 'key', auth => sub { 'Bearer ' . tok(undef, '{"sub":') },
      status => 401, chal => $inv_tok },
    { name => 'Bearer: alg none', area => 'bearer', needs => 'key',
      auth => sub { 'Bearer ' . b64url('{"alg":"none"}') . '.'
                    . b64url(qq({"sub":"tess","exp":$exp})) . '.' },
      status => 401, chal => $inv_tok },
    { name => 'Bearer: 4 segments', area => 'bearer', needs => 'key',
      auth => sub { 'Bearer ' . tok() . '.e30' }, status => 401,
      chal => $inv_tok },
    { name => 'Bearer: token of 20 KB (main: httpd limit)',
      area => 'bearer', needs => 'key', auth => 'Bearer ' . ('A' x 20000),
      status => 400 },
    { name => 'Bearer: token of 20 KB (big server: too long)',
      area => 'bearer', server => 'big', needs => 'key',
      auth => 'Bearer ' . ('A' x 20000), status => 400, chal => $inv_req,
      log => qr/credentials too long/ },
    { name => 'Bearer: token of 20 KB in a form body', area => 'bearer',
      needs => 'key',
      raw => sub { form_post($_[0], 'access_token=' . ('A' x 20000)) },
      status => 400, chal => $inv_req, log => qr/malformed token/ },
    { name => 'Bearer a b', area => 'bearer', needs => 'key',
      auth => 'Bearer a b', status => 400, chal => $inv_req },
    { name => 'Bearer alone', area => 'bearer', needs => 'key',
      auth => 'Bearer', status => 400, chal => $inv_req },
    { name => 'Bearer with auth-params', area => 'bearer', needs => 'key',
      auth => 'Bearer token="abc"', status => 400, chal => $inv_req },
    { name => 'Bearer: token in header and form body', area => 'bearer',
      needs => 'key',
      raw => sub { my $t = tok(); my $r = form_post($_[0],
                                                    "access_token=$t");
                   $r =~ s/\r\n\r\n/\r\nAuthorization: Bearer $t\r\n\r\n/;
                   $r }, status => 400, chal => $inv_req,
      log => qr/more than one token/ },
    { name => 'Bearer: two tokens in a form body', area => 'bearer',
      needs => 'key',
      raw => sub { form_post($_[0], 'access_token=' . tok()
                             . '&access_token=' . tok()) },
      status => 400, chal => $inv_req },
    { name => 'Bearer: bad %-escape in a form body', area => 'bearer',
      needs => 'key', raw => sub { form_post($_[0], 'access_token=%zz') },
      status => 400, chal => $inv_req },

    # --- httpd's own limits: just no crash
    { name => 'a 20 KB header line (not Authorization)', area => 'basic',
      raw => sub { raw_get($_[0], $PATH{basic}, 'X-Big: ' . ('b' x 20000)) },
      status => 400 },
    { name => '150 header fields', area => 'basic',
      raw => sub { raw_get($_[0], $PATH{basic},
                           map { "X-H$_: $_" } 1 .. 150) },
      status => 400 },
    { name => 'a 20 KB request line', area => 'basic',
      raw => sub { raw_get($_[0], $PATH{basic} . '?' . ('q' x 20000)) },
      status => 414 },
    { name => '100 Authorization fields', area => 'basic',
      raw => sub { raw_get($_[0], $PATH{basic},
                           ("Authorization: $bob") x 100) },
      status => 400 },
);

my $n = 0;
for my $c (@CATALOG) {
    $n += 2 + (defined $c->{chal} ? 1 : 0) + (defined $c->{log} ? 1 : 0);
}
plan tests => $n + 3;

my $mark0 = error_log_mark();
for my $c (@CATALOG) {
    my $t = 1 + 1 + (defined $c->{chal} ? 1 : 0) + (defined $c->{log} ? 1 : 0);
    SKIP: {
        skip "$c->{name}: no Digest users (HTCHALLENGE)", $t
            if ($c->{needs} // '') eq 'users' && !$have_users;
        skip "$c->{name}: no HS256 key (t/hardening/setup.sh)", $t
            if ($c->{needs} // '') eq 'key' && !$key;
        run_case($c);
    }
}

sub run_case {
    my $c = shift;
    my $hp = $HP{ $c->{server} // 'main' };
    my $mark = error_log_mark();
    my $bytes;
    if ($c->{raw}) {
        $bytes = $c->{raw}->($hp);
    }
    else {
        my $auth = ref $c->{auth} ? $c->{auth}->() : $c->{auth};
        $bytes = raw_get($hp, $PATH{ $c->{area} }, "Authorization: $auth");
    }
    my $r = eval { raw_from('127.0.0.1', $hp, $bytes) };
    my $st = $r ? $r->{status} : 'no response: ' . ($@ =~ s/ at .*//sr);
    is($st, $c->{status}, "$c->{name} → $c->{status}")
        or diag(substr(error_log_since($mark), 0, 2000));
    if (defined $c->{chal}) {
        my $ch = $r ? join("\n", headers_named($r, 'WWW-Authenticate')) : '';
        like($ch, $c->{chal}, "$c->{name}: challenge");
    }
    if (defined $c->{log}) {
        my $log = wait_log($mark, $c->{log}, 2);
        like($log, $c->{log}, "$c->{name}: logged reason");
    }
    my @crash = crashes($mark);
    is("@crash", '', "$c->{name}: no child crashed");
}

# ------------------------------------------------ afterwards
sleep 1;                # the parent logs a dead child asynchronously
is(join("\n", crashes($mark0)), '', 'no child crashed during the catalog');
my $r = req($HP{main}, 'GET', $PATH{basic}, Authorization => $bob);
is($r->{status}, 200, 'the server still serves a valid request');
my @found = secrets_in_log(0, @secrets, ($key ? $key : ()));
is("@found", '', 'no Digest response, HA1 or token of this file logged');
