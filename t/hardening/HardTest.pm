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
#   digest_chal($resp)          the params of the first Digest
#                               challenge of a 401/407 (SHA-256 by our
#                               config) as a flat hash (parsed by
#                               t/lib/ACAuthParam.pm)
#   digest_value(%o)            an Authorization value answering it,
#                               made by t/lib/ACDigest.pm's authorize();
#                               returns (value, response, ha1)
#   hs256_key()                 the Bearer key bytes, or undef
#                               (tokens: t/lib/ACJWT.pm's jwt() with
#                               raw_header, claims as a string, secret)
#   crashes($mark)              "exit signal" / "segmentation" lines
#                               in error_log after $mark
package HardTest;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use File::Path qw(make_path);
use ACTest qw(:all);
use ACAuthParam qw(parse_challenges);
use ACDigest ();

our @EXPORT = qw(ensure_users from raw_from digest_chal digest_value
                 hs256_key crashes %HUSERS $HREALM $HVAR);

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

sub digest_chal {
    my $r = shift;
    for my $name ('WWW-Authenticate', 'Proxy-Authenticate') {
        for my $c (@{ parse_challenges(headers_named($r, $name)) }) {
            return $c->{params} if lc $c->{scheme} eq 'digest';
        }
    }
    return undef;
}

# digest_value(chal => {...} (digest_chal's hash), user => (hank),
#   pass => (the user's), method => 'GET', uri => , nc => '00000001'
#   (8 hex digits), cnonce => , alg => , realm => , response =>
#   (override: sent instead of the computed one), extra => 'raw text
#   appended').  The fields, in order: username realm nonce uri
#   algorithm response opaque qop nc cnonce.
sub digest_value {
    my %o = @_;
    my $c = $o{chal} or die 'digest_value: chal';
    my $user = $o{user} // 'hank';
    my ($value, $st) = ACDigest::authorize(
        chal   => { scheme => 'Digest', params => $c },
        user   => $user,
        pass   => $o{pass} // $HUSERS{$user} // 'x',
        method => $o{method} || 'GET',
        uri    => $o{uri},
        nc     => hex($o{nc} || '00000001'),
        cnonce => $o{cnonce} || 'c0ffee' . int(rand(1e9)),
        ($o{alg} ? (alg => $o{alg}) : ()),
        (defined $o{realm} ? (realm => $o{realm}) : ()),
        (defined $o{response}
             ? (set => { response => qq("$o{response}") }) : ()));
    $value .= $o{extra} if defined $o{extra};
    return ($value, $o{response} // $st->{response}, $st->{ha1});
}

sub hs256_key {
    open my $fh, '<', "$HVAR/hs256.key" or return undef;
    binmode $fh;
    local $/;
    my $k = <$fh>;
    $k =~ s/\r?\n\z//;
    return $k;
}

sub crashes {
    my $mark = shift;
    my $log = error_log_since($mark);
    return grep { /exit signal|segmentation/i } split /\n/, $log;
}

1;
