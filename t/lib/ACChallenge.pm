# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Fixtures of the AuthType Challenge areas (t/conf/challenge.conf.in,
# t/conf/clients.conf.in), shared by t/challenge/*.t, t/clients/*.t and
# t/proxy/challenge.t and t/proxy/stacked.t.
#
#   use ACChallenge qw(:all);
#
#   make_dbms()          (re)create the three DBM files (idempotent)
#   %CU                  user => password, per file: $CU{chuck}, ...
#   $REALM $PREALM $OREALM  the realms of users.db, proxy.db, origin.db
#   var_dir()            t/var/challenge
#   jwt_hs256(\%claims)  an HS256 JWT (t/lib/ACJWT.pm) signed with
#                        t/var/challenge/hs256.key (t/challenge/setup.sh)
#   bearer_token($sub)   a valid token for $sub (exp in 10 minutes)
#   secrets()            the passwords, their Basic tokens and every
#                        Bearer token minted so far (for secrets_in_log)
#   lwp_codes($resp)     LWP: the status codes of a whole exchange
#   lwp_sent($resp, [$header])  the header of the last request LWP sent
#
# Digest credentials: t/lib/ACDigest.pm; auth-params: t/lib/ACAuthParam.pm.
package ACChallenge;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use MIME::Base64 ();
use ACTest qw(t_dir);
use ACJWT ();

our @EXPORT_OK = qw(make_dbms jwt_hs256 bearer_token var_dir secrets
                    lwp_codes lwp_sent %CU $REALM $PREALM $OREALM);
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

my @MINTED;

sub jwt_hs256 {
    my $claims = shift;
    my $jwt = ACJWT::jwt(alg => 'HS256', claims => $claims,
                         secret => _key());
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
