# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Mint JWTs at test time for the Bearer end-to-end tests.  HMAC with
# Digest::SHA; RSA, RSA-PSS, ECDSA and Ed25519 with the openssl CLI and
# the keys t/bearer/setup.sh generated (t/var/bearer/).
#
#   use ACJWT qw(:all);
#   jwt(alg => 'RS256', claims => {...}, [header => {...}],
#       [key => path], [secret => bytes])
#       a compact JWS.  Default key for each alg: key_path($alg).
#       HS*: secret => bytes, else the bytes of the key file.
#   key_path($alg)      t/var/bearer/<file> for that alg
#   key_dir()           t/var/bearer
#   claims(%over)       standard claims (sub alice, iss, aud, iat now,
#                       exp now+600, a unique jti so that no two tokens
#                       are equal: the module caches verified tokens)
#                       with %over merged; a value undef deletes it
#   b64url($bytes)      base64url without padding
#   slurp($path)        file bytes
package ACJWT;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use Digest::SHA qw(hmac_sha256 hmac_sha384 hmac_sha512);
use MIME::Base64 qw(encode_base64);
use JSON::PP ();
use File::Temp qw(tempfile);
use File::Spec ();
use FindBin ();
use POSIX ();

our @EXPORT_OK = qw(jwt key_path key_dir claims b64url slurp
                    $ISSUER $AUDIENCE);
our %EXPORT_TAGS = (all => \@EXPORT_OK);

our $ISSUER   = 'https://issuer.example';
our $AUDIENCE = 'api://bearer-test';

my %KEYFILE = (
    HS256 => 'hs256.key', HS384 => 'hs384.key', HS512 => 'hs512.key',
    RS256 => 'rsa.pem', RS384 => 'rsa.pem', RS512 => 'rsa.pem',
    PS256 => 'rsa.pem', PS384 => 'rsa.pem', PS512 => 'rsa.pem',
    ES256 => 'ec256.pem', ES384 => 'ec384.pem', EdDSA => 'ed25519.pem',
);

sub key_dir {
    my $t = $ENV{AC_T_DIR} || _t_dir();
    return File::Spec->catdir($t, 'var', 'bearer');
}

sub _t_dir {
    # t/lib/ACJWT.pm -> t/
    my $here = File::Spec->rel2abs(__FILE__);
    $here =~ s{/lib/ACJWT\.pm\z}{};
    return $here;
}

sub key_path {
    my $alg = shift;
    my $f = $KEYFILE{$alg} or die "no default key for $alg";
    return File::Spec->catfile(key_dir(), $f);
}

sub slurp {
    my $f = shift;
    open my $fh, '<:raw', $f or die "$f: $!";
    local $/;
    return scalar <$fh>;
}

sub b64url {
    my $s = encode_base64(shift, '');
    $s =~ tr{+/}{-_};
    $s =~ s/=+\z//;
    return $s;
}

my $JSON = JSON::PP->new->canonical;
my $SEQ = 0;

sub claims {
    my %over = @_;
    my $now = time;
    my %c = (sub => 'alice', iss => $ISSUER, aud => $AUDIENCE,
             iat => $now, exp => $now + 600,
             jti => join('-', $$, $now, ++$SEQ));
    while (my ($k, $v) = each %over) {
        if (defined $v) { $c{$k} = $v } else { delete $c{$k} }
    }
    return \%c;
}

# Run a command with $in on stdin; return stdout (dies on failure).
sub _pipe {
    my ($in, @cmd) = @_;
    my ($fh, $file) = tempfile(UNLINK => 1);
    binmode $fh;
    print $fh $in;
    close $fh;
    my $pid = open(my $out, '-|') // die "fork: $!";
    if (!$pid) {
        open STDIN, '<', $file or POSIX::_exit(126);
        open STDERR, '>', '/dev/null';
        exec @cmd or POSIX::_exit(127);
    }
    binmode $out;
    local $/;
    my $sig = <$out> // '';
    close $out;
    die "@cmd failed ($?)" if $? || !length $sig;
    unlink $file;
    return $sig;
}

# DER ECDSA-Sig-Value (SEQUENCE of two INTEGERs) -> R||S, $n bytes each.
sub _der_to_raw {
    my ($der, $n) = @_;
    my @b = unpack 'C*', $der;
    my $i = 0;
    die 'not a SEQUENCE' unless $b[$i++] == 0x30;
    my $len = $b[$i++];
    $i += ($len & 0x7f) if $len & 0x80;     # long form length
    my $out = '';
    for (1 .. 2) {
        die 'not an INTEGER' unless $b[$i++] == 0x02;
        my $l = $b[$i++];
        my $v = pack 'C*', @b[$i .. $i + $l - 1];
        $i += $l;
        $v =~ s/\A\x00+//;
        $out .= ("\x00" x ($n - length $v)) . $v;
    }
    return $out;
}

sub _sign {
    my ($alg, $input, %o) = @_;
    my ($kind, $bits) = $alg =~ /^(HS|RS|PS|ES)(\d+)$/ ? ($1, $2)
                      : $alg eq 'EdDSA' ? ('Ed', 0) : die "alg $alg";
    if ($kind eq 'HS') {
        my $secret = $o{secret} // slurp($o{key} // key_path($alg));
        my $f = { 256 => \&hmac_sha256, 384 => \&hmac_sha384,
                  512 => \&hmac_sha512 }->{$bits};
        return $f->($input, $secret);
    }
    my $key = $o{key} // key_path($alg);
    if ($kind eq 'Ed') {
        my ($fh, $file) = tempfile(UNLINK => 1);
        binmode $fh;
        print $fh $input;
        close $fh;
        return _pipe('', 'openssl', 'pkeyutl', '-sign', '-inkey', $key,
                     '-rawin', '-in', $file);
    }
    my @cmd = ('openssl', 'dgst', "-sha$bits", '-sign', $key);
    push @cmd, '-sigopt', 'rsa_padding_mode:pss',
               '-sigopt', 'rsa_pss_saltlen:-1' if $kind eq 'PS';
    my $sig = _pipe($input, @cmd);
    return $kind eq 'ES'
        ? _der_to_raw($sig, { 256 => 32, 384 => 48, 512 => 66 }->{$bits})
        : $sig;
}

# jwt(alg => 'HS256', claims => {...}, header => {kid => ...},
#     key => path, secret => bytes, raw_header => 'json')
sub jwt {
    my %o = @_;
    my $alg = $o{alg} // 'HS256';
    my %h = (alg => $alg, typ => 'JWT', %{ $o{header} // {} });
    my $head = b64url($o{raw_header} // $JSON->encode(\%h));
    my $body = b64url(ref $o{claims} ? $JSON->encode($o{claims})
                                     : $o{claims} // $JSON->encode(claims()));
    my $input = "$head.$body";
    return "$input." if $alg eq 'none';
    return "$input." . b64url(_sign($alg, $input, %o));
}

1;
