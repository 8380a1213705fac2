# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Helpers shared by t/hardening/*.t (on top of t/lib/ACTest.pm).
#
#   ensure_users()              make t/var/hardening/users.db (realm
#                               "AC Hard", users of %HUSERS) once
#   from($src, $hp, $method, $target, name => value, ...)
#                               ACTest::req, but the client socket is
#                               bound to $src (127.0.0.x: all of 127/8
#                               is loopback on Linux)
#   raw_from($src, $hp, $bytes) raw bytes from $src
#   digest_chal($resp)          the first Digest challenge of a 401/407
#                               (SHA-256 by our config) as a hash
#   digest_value(%o)            an Authorization value answering it;
#                               returns (value, response, ha1)
#   b64url($bytes)              base64url without padding
#   hs256_key()                 the Bearer key bytes, or undef
#   jwt($header_json, $claims_json, $key)
#                               a compact HS256 JWS of exactly these bytes
#   crashes($mark)              "exit signal" / "segmentation" lines
#                               in error_log after $mark
package HardTest;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use IO::Socket::INET ();
use Digest::SHA qw(sha256_hex hmac_sha256);
use Digest::MD5 qw(md5_hex);
use MIME::Base64 qw(encode_base64);
use File::Path qw(make_path);
use ACTest qw(:all);

our @EXPORT = qw(ensure_users from raw_from digest_chal digest_value
                 b64url hs256_key jwt crashes %HUSERS $HREALM $HVAR);

our $HREALM = 'AC Hard';
our %HUSERS = (
    hank => 'Hank-Pw-3Gx!',
    iris => 'Iris-Pw-4Jy?',
);
our $HVAR = t_dir() . '/var/hardening';

sub ensure_users {
    my $db = "$HVAR/users.db";
    return 1 if -e $db || -e "$db.pag" || -e "$db.db";
    my $ht = $ENV{HTCHALLENGE} or return 0;
    make_path($HVAR, { mode => 0755 });
    chmod 0755, $HVAR;
    for my $u (sort keys %HUSERS) {
        open my $p, '|-', $ht, '-c', '-i', '-r', $HREALM, $db, $u
            or return 0;
        print $p "$HUSERS{$u}\n";
        close $p or return 0;
    }
    chmod 0644, glob("$db*");
    return 1;
}

sub raw_from {
    my ($src, $hp, $bytes) = @_;
    return ACTest::raw_request($hp, $bytes, $src);
}

sub from {
    my ($src, $hp, $method, $target, @h) = @_;
    return ACTest::raw_request(
        $hp, ACTest::request_bytes($hp, $method, $target, undef, @h), $src);
}

# Parameters of one challenge value ("Digest k=v, k="v", ...").
sub _params {
    my $v = shift;
    my %p;
    $v =~ s/^\s*\S+\s*//;
    while ($v =~ /\G\s*,?\s*([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/gc) {
        my $val = defined $2 ? $2 : $3;
        $val =~ s/\\(.)/$1/g;
        $p{ lc $1 } = $val;
    }
    return \%p;
}

sub digest_chal {
    my $r = shift;
    for my $name ('WWW-Authenticate', 'Proxy-Authenticate') {
        for my $v (headers_named($r, $name)) {
            return _params($v) if $v =~ /^Digest\s/i;
        }
    }
    return undef;
}

my %H = ('SHA-256' => \&sha256_hex, 'MD5' => \&md5_hex);

# digest_value(chal => {...}, user => , pass => , method => 'GET',
#   uri => , nc => '00000001', cnonce => , response => (override),
#   params => [name => value(already quoted or token), ...] (replaces
#   the computed list entirely when given), extra => 'raw text appended')
sub digest_value {
    my %o = @_;
    my $c = $o{chal} or die 'digest_value: chal';
    my $alg = $o{alg} || $c->{algorithm} || 'MD5';
    my $h = $H{$alg} or die "no hash for $alg";
    my $user = $o{user} // 'hank';
    my $pass = $o{pass} // $HUSERS{$user} // 'x';
    my $method = $o{method} || 'GET';
    my $nc = $o{nc} || '00000001';
    my $cnonce = $o{cnonce} || 'c0ffee' . int(rand(1e9));
    my $realm = $o{realm} // $c->{realm};
    my $ha1 = $h->("$user:$realm:$pass");
    my $ha2 = $h->("$method:$o{uri}");
    my $resp = $o{response}
        // $h->("$ha1:$c->{nonce}:$nc:$cnonce:auth:$ha2");
    my @p = $o{params} ? @{ $o{params} } : (
        username => qq("$user"), realm => qq("$realm"),
        nonce => qq("$c->{nonce}"), uri => qq("$o{uri}"),
        algorithm => $alg, response => qq("$resp"),
        opaque => qq("$c->{opaque}"), qop => 'auth', nc => $nc,
        cnonce => qq("$cnonce"));
    my @parts;
    while (my ($n, $v) = splice @p, 0, 2) {
        push @parts, "$n=$v";
    }
    my $value = 'Digest ' . join(', ', @parts);
    $value .= $o{extra} if defined $o{extra};
    return ($value, $resp, $ha1);
}

sub b64url {
    my $s = encode_base64(shift, '');
    $s =~ tr{+/}{-_};
    $s =~ s/=+\z//;
    return $s;
}

sub hs256_key {
    open my $fh, '<', "$HVAR/hs256.key" or return undef;
    binmode $fh;
    local $/;
    my $k = <$fh>;
    $k =~ s/\r?\n\z//;
    return $k;
}

sub jwt {
    my ($header, $claims, $key) = @_;
    my $in = b64url($header) . '.' . b64url($claims);
    return "$in." . b64url(hmac_sha256($in, $key));
}

sub crashes {
    my $mark = shift;
    my $log = error_log_since($mark);
    return grep { /exit signal|segmentation/i } split /\n/, $log;
}

1;
