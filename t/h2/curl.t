# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Every scheme over HTTP/2 with curl 7.88 (docs/httpd.md, "HTTP/2"):
# TLS with ALPN h2 (mod_ssl, the certificate of t/h2/setup.sh, curl -k),
# h2c with prior knowledge, and h2c by Upgrade.  401 then 200 for Basic
# and Digest (curl --anyauth / --digest answer the challenge; with prior
# knowledge curl 7.88 never sends its answer on the connection it
# reuses, so there the test reads the 401 and sends the answer, made by
# t/lib/ACDigest.pm, in a second curl), Bearer
# (--oauth2-bearer), and AuthType Challenge, whose four challenges
# (Digest SHA-256, Digest MD5, Bearer, Basic) arrive as four
# WWW-Authenticate fields in the HEADERS frame; Authentication-Info
# over h2; the log lines of each exchange.  httpd answers "Upgrade:
# h2c" only for a request that passes authentication, so over h2c by
# Upgrade the 401 comes over HTTP/1.1 and the 200 over h2, where the
# request runs again as stream 1 and reuses its verdict once
# (AC01012; docs/security.md, "Digest uri and sub-requests").
# Configuration: t/conf/h2.conf.in.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use File::Temp ();
use ACTest qw(:all);
use ACJWT ();
use ACDigest qw(authorize pick);
use ACAuthParam qw(parse_challenges);

my $tls_ok = eval { hostport('h2_tls') };
plan tests => 90, need { 'the test certificate of t/h2/setup.sh'
                         => sub { $tls_ok } };

my $REALM = 'AC H2';
my %PW = (hana => 'Hana-Pw-7Hn!');
my $start = error_log_mark();
my $tls = hostport('h2_tls');
my $clear = hostport('h2_clear');
my $key = ACJWT::slurp(t_dir() . '/var/h2/hs256.key');
my @tokens;

sub token {
    my $t = ACJWT::jwt(alg => 'HS256', secret => $key,
                       claims => ACJWT::claims(sub => shift));
    push @tokens, $t;
    return $t;
}

# curl over one transport: every response's status line and header
# fields in order (101 and 401 included), the last body, the HTTP
# version of the last response.
sub h2curl {
    my ($how, $path, @args) = @_;
    my %t = (
        tls     => ['-k', '--http2', "https://$tls$path"],
        prior   => ['--http2-prior-knowledge', "http://$clear$path"],
        upgrade => ['--http2', "http://$clear$path"],
    );
    my $body = File::Temp->new;
    my $out = ACTest::_run($CURL, '-s', '-D', '-', '-o', $body->filename,
                           '--max-time', '10', '-w', '%{http_version}',
                           @args, @{ $t{$how} });
    my (@blocks, $b);
    for my $line (split /\r?\n/, $out) {
        if ($line =~ m{^(HTTP/[\d.]+) (\d{3})}) {
            $b = { proto => $1, status => $2, headers => [] };
            push @blocks, $b;
        }
        elsif ($b && $line =~ /^([^:\s]+):\s*(.*)$/) {
            push @{ $b->{headers} }, [lc $1, $2];
        }
    }
    my ($version) = $out =~ /(\S+)\z/;
    open my $fh, '<', $body->filename or die;
    local $/;
    return { blocks => \@blocks, version => $version // '',
             body => scalar(<$fh>) // '' };
}

sub fields {
    my ($block, $name) = @_;
    return map { $_->[1] } grep { $_->[0] eq lc $name }
        @{ $block->{headers} || [] };
}

# The statuses of an exchange, without the 101 of an h2c upgrade.
sub statuses {
    return join ' ', map { $_->{status} }
        grep { $_->{status} ne '101' } @{ shift->{blocks} };
}

# A challenge answered with hana's user name and $pass: by curl itself
# (--anyauth, --digest), or, with prior knowledge, in two curl runs.
sub answered {
    my ($how, $path, $scheme, $pass) = @_;
    $pass //= $PW{hana};
    if ($how ne 'prior') {
        return h2curl($how, $path, $scheme eq 'Digest' ? '--digest'
                                                       : '--anyauth',
                      '-u', "hana:$pass");
    }
    my $r1 = h2curl($how, $path);
    my $chals = parse_challenges(fields($r1->{blocks}[-1],
                                        'WWW-Authenticate'));
    my $cred = basic('hana', $pass);
    if ($scheme eq 'Digest') {
        my $c = pick([grep { $_->{scheme} eq 'Digest' } @$chals], 'SHA-256')
            or return $r1;
        ($cred) = authorize(chal => $c, user => 'hana', pass => $pass,
                            uri => $path);
    }
    my $r2 = h2curl($how, $path, '-H', "Authorization: $cred");
    return { blocks => [@{ $r1->{blocks} }, @{ $r2->{blocks} }],
             version => $r2->{version}, body => $r2->{body} };
}

my %FIRST = (tls => 'HTTP/2', prior => 'HTTP/2', upgrade => 'HTTP/1.1');

for my $how (qw(tls prior upgrade)) {
    # ---------------- AuthType Challenge: four fields
    my $r = h2curl($how, '/h2/challenge/ok.txt');
    my $b = $r->{blocks}[0] || {};
    is($b->{status}, '401', "$how: AuthType Challenge, no credentials: 401");
    is($b->{proto}, $FIRST{$how}, "$how: ... over $FIRST{$how}");
    my @w = fields($b, 'WWW-Authenticate');
    is(scalar @w, 4, "$how: four WWW-Authenticate fields") or diag("@w");
    like($w[0] // '', qr/^Digest realm="AC H2", qop="auth", algorithm=SHA-256, nonce="[^"]+", opaque="[^"]+", charset=UTF-8$/,
         "$how: 1st: Digest SHA-256");
    like($w[1] // '', qr/^Digest realm="AC H2", qop="auth", algorithm=MD5, nonce="[^"]+", opaque="[^"]+", charset=UTF-8$/,
         "$how: 2nd: Digest MD5");
    is($w[2], "Bearer realm=\"$REALM\"", "$how: 3rd: Bearer");
    is($w[3], "Basic realm=\"$REALM\", charset=\"UTF-8\"", "$how: 4th: Basic");

    # ---------------- Basic: 401, then 200
    my $mark = error_log_mark();
    $r = answered($how, '/h2/basic/echo', 'Basic');
    is(statuses($r), '401 200', "$how: Basic: 401, then 200");
    is($r->{version}, '2', "$how: Basic: the 200 over HTTP/2");
    like($r->{body}, qr{^SERVER_PROTOCOL=HTTP/2\.0$}m,
         "$how: Basic: the server saw HTTP/2.0");
    like($r->{body}, qr/^REMOTE_USER=hana$/m, "$how: Basic: REMOTE_USER hana");
    my $log = wait_log($mark, qr/AC01003/);
    like($log, qr/AC01005: client \S+ scheme -: no credentials/,
         "$how: Basic: the first request had no credentials");
    like($log, qr/AC01003: client \S+ authenticated: scheme Basic user "hana"/,
         "$how: Basic: AC01003");

    # ---------------- Digest: 401, then 200 with Authentication-Info
    $mark = error_log_mark();
    $r = answered($how, '/h2/digest/echo', 'Digest');
    is(statuses($r), '401 200', "$how: Digest: 401, then 200");
    is($r->{version}, '2', "$how: Digest: the 200 over HTTP/2");
    like($r->{body}, qr{^SERVER_PROTOCOL=HTTP/2\.0$}m,
         "$how: Digest: the server saw HTTP/2.0");
    like((fields($r->{blocks}[-1], 'Authentication-Info'))[0] // '',
         qr/rspauth="[0-9a-f]{64}"/,
         "$how: Digest: Authentication-Info with rspauth (SHA-256)");
    like(wait_log($mark, qr/AC01003/),
         qr/AC01003: client \S+ authenticated: scheme Digest user "hana": digest verified \(SHA-256, qop=auth\)/,
         "$how: Digest: AC01003");

    # ---------------- Bearer: 401, then 200
    $r = h2curl($how, '/h2/bearer/ok.txt');
    is_deeply([statuses($r), fields($r->{blocks}[-1], 'WWW-Authenticate')],
              ['401', "Bearer realm=\"$REALM\""],
              "$how: Bearer, no token: 401 with the Bearer challenge");
    $mark = error_log_mark();
    $r = h2curl($how, '/h2/bearer/echo', '--oauth2-bearer', token('hana'));
    is(statuses($r), '200', "$how: Bearer (--oauth2-bearer): 200");
    is($r->{version}, '2', "$how: Bearer: over HTTP/2");
    like($r->{body}, qr/^REMOTE_USER=hana$/m, "$how: Bearer: REMOTE_USER hana");
    like(wait_log($mark, qr/AC01003/),
         qr/AC01003: client \S+ authenticated: scheme Bearer user "hana"/,
         "$how: Bearer: AC01003");
    $r = h2curl($how, '/h2/bearer/ok.txt', '--oauth2-bearer', 'not.a.jwt');
    is(statuses($r), '401', "$how: Bearer, a bad token: 401");
    like((fields($r->{blocks}[-1], 'WWW-Authenticate'))[0] // '',
         qr/^Bearer realm="AC H2", error="invalid_token"/,
         "$how: ... error=\"invalid_token\"");

    # ---------------- AuthType Challenge: 401, then 200
    $r = answered($how, '/h2/challenge/ok.txt', 'Digest');
    is(statuses($r), '401 200',
       "$how: AuthType Challenge, Digest: 401, then 200");
    is($r->{version}, '2', "$how: ... over HTTP/2");
    $r = h2curl($how, '/h2/challenge/ok.txt', '--oauth2-bearer',
                token('hana'));
    is(statuses($r), '200', "$how: AuthType Challenge with a token: 200");

    # wrong password: 401 with the challenges again
    $r = answered($how, '/h2/digest/ok.txt', 'Digest', 'wrong');
    is(statuses($r), '401 401', "$how: Digest, wrong password: 401 401");
}

# h2c by Upgrade: the request with credentials is upgraded (101) and
# runs again as stream 1; its verdict is reused there, once.
{
    my $mark = error_log_mark();
    my $r = h2curl('upgrade', '/h2/digest/ok.txt', '--digest', '-u',
                   "hana:$PW{hana}");
    is(join(' ', map { "$_->{proto} $_->{status}" } @{ $r->{blocks} }),
       'HTTP/1.1 401 HTTP/1.1 101 HTTP/2 200',
       'upgrade: 401 over HTTP/1.1, 101, then 200 over h2');
    like(wait_log($mark, qr/AC01012/),
         qr/AC01012: user "hana": the verdict of the request before the h2c upgrade reused/,
         'upgrade: the re-run as stream 1 reused the verdict (AC01012)');
}

is_deeply([secrets_in_log($start, values %PW, @tokens)], [],
          'no password or token in error_log');
