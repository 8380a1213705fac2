# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Fixtures and small clients for t/challenge/*.t and t/fwdproxy/*.t.
#
#   use lib "$FindBin::Bin/../challenge";  use ChalFix qw(:all);
#
#   make_dbms()          (re)create the three DBM files (idempotent)
#   %CU                  user => password, per file: $CU{chuck}, ...
#   jwt_hs256(\%claims)  an HS256 JWT signed with t/var/challenge/hs256.key
#   bearer_token($sub)   a valid token for $sub (exp in 10 minutes)
#   digest_auth(%o)      a Digest credential answering challenge $o{chal}
#                        (method, uri, user, pass, nc, cnonce; the
#                        algorithm is the challenge's: MD5 or SHA-256)
#   parse_params($s)     auth-params of one challenge as a hash
#   secrets()            the passwords, their Basic tokens and every
#                        Bearer token minted so far (for secrets_in_log)
package ChalFix;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use Digest::SHA qw(hmac_sha256 sha256_hex);
use Digest::MD5 qw(md5_hex);
use MIME::Base64 qw(encode_base64url);
use ACTest qw(t_dir);

our @EXPORT_OK = qw(make_dbms jwt_hs256 bearer_token digest_auth
                    parse_params var_dir secrets lwp_codes lwp_sent %CU
                    $REALM $PREALM $OREALM);
our %EXPORT_TAGS = (all => \@EXPORT_OK);

our $REALM  = 'AC Challenge';
our $PREALM = 'AC Chal Proxy';
our $OREALM = 'AC Chal Origin';

# Distinctive passwords (a grep of error_log for them means something).
our %CU = (
    chuck => 'Chuck-Pw-3Ch!',     # users.db,  realm AC Challenge
    pat   => 'Pat-Pw-4Px#',       # proxy.db,  realm AC Chal Proxy
    olga  => 'Olga-Pw-5Or%',      # origin.db, realm AC Chal Origin
);
my %FILES = (
    chuck => ['users.db',  $REALM],
    pat   => ['proxy.db',  $PREALM],
    olga  => ['origin.db', $OREALM],
);

sub var_dir {
    return t_dir() . '/var/challenge';
}

sub _htchallenge {
    my $h = $ENV{HTCHALLENGE} || t_dir() . '/../build/htchallenge';
    die "htchallenge not built ($h): make htchallenge" unless -x $h;
    return $h;
}

sub make_dbms {
    my $dir = var_dir();
    -s "$dir/hs256.key" or die "$dir/hs256.key missing: "
        . "t/challenge/setup.sh must run before the server starts "
        . "(t/run-apache-test.sh runs every t/*/setup.sh)\n";
    mkdir $dir unless -d $dir;
    chmod 0755, $dir;
    my $h = _htchallenge();
    open my $saved, '>&', \*STDERR or die "dup STDERR: $!";
    open STDERR, '>', '/dev/null' or die "/dev/null: $!";
    for my $u (sort keys %FILES) {
        my ($f, $realm) = @{ $FILES{$u} };
        my $path = "$dir/$f";
        open my $p, '|-', $h, '-c', '-i', '-C', '4', '-r', $realm,
            $path, $u or die "htchallenge: $!";
        print $p "$CU{$u}\n";
        close $p or die "htchallenge $path $u failed: $?";
        chmod 0644, glob("$path*");
    }
    open STDERR, '>&', $saved or die "restore STDERR: $!";
}

sub _key {
    my $f = var_dir() . '/hs256.key';
    open my $fh, '<', $f or die "$f: $! (run t/challenge/setup.sh)";
    local $/;
    my $k = <$fh>;
    $k =~ s/\r?\n\z//;
    return $k;
}

# Minimal JSON for flat claims: strings and integers.
sub _json {
    my $h = shift;
    return '{' . join(',', map {
        my $v = $h->{$_};
        "\"$_\":" . ($v =~ /^-?\d+\z/ ? $v : "\"$v\"");
    } sort keys %$h) . '}';
}

my @MINTED;

sub jwt_hs256 {
    my $claims = shift;
    my $in = encode_base64url(_json({ alg => 'HS256', typ => 'JWT' }))
        . '.' . encode_base64url(_json($claims));
    my $jwt = $in . '.' . encode_base64url(hmac_sha256($in, _key()));
    push @MINTED, $jwt;
    return $jwt;
}

sub secrets {
    return (values %CU, (map { MIME::Base64::encode_base64("$_:$CU{$_}", '') }
                         keys %CU), @MINTED);
}

sub bearer_token {
    my $sub = shift;
    my $now = time;
    return jwt_hs256({ sub => $sub, iat => $now, exp => $now + 600 });
}

sub parse_params {
    my $s = shift;
    $s =~ s/^\s*\S+\s+//;          # the scheme
    my %p;
    while ($s =~ /\G\s*([!#\$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*
                  (?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/gcx) {
        my $v = defined $2 ? $2 : $3;
        $v =~ s/\\(.)/$1/g;
        $p{ lc $1 } = $v;
    }
    return \%p;
}

sub digest_auth {
    my %o = @_;
    my $c = parse_params($o{chal});
    my $alg = $c->{algorithm} || 'MD5';
    my $H = $alg eq 'SHA-256' ? \&sha256_hex
          : $alg eq 'MD5'     ? \&md5_hex
          : die "digest_auth: algorithm $alg not done here";
    my $nc = $o{nc} || '00000001';
    my $cnonce = $o{cnonce} || 'c0ffee' . int(rand(1e9));
    my $ha1 = $H->("$o{user}:$c->{realm}:$o{pass}");
    my $ha2 = $H->("$o{method}:$o{uri}");
    my $resp = $H->("$ha1:$c->{nonce}:$nc:$cnonce:auth:$ha2");
    return sprintf('Digest username="%s", realm="%s", uri="%s", '
        . 'algorithm=%s, nonce="%s", nc=%s, cnonce="%s", qop=auth, '
        . 'response="%s", opaque="%s"', $o{user}, $c->{realm}, $o{uri},
        $alg, $c->{nonce}, $nc, $cnonce, $resp, $c->{opaque});
}

# LWP: the status codes of a whole exchange ("401 200"), and the
# header (Authorization by default) of the last request it sent.
sub lwp_codes {
    my $r = shift;
    my @c;
    for (my $x = $r; $x; $x = $x->previous) {
        unshift @c, $x->code;
    }
    return join ' ', @c;
}

sub lwp_sent {
    my ($r, $h) = @_;
    return $r->request->header($h || 'Authorization') // '';
}

1;
