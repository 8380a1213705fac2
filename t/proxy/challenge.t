# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# The forward proxy (docs/proxy.md, auto mode) with curl as the client:
# <Proxy "*"> protected with AuthType Challenge (Digest Basic).  Plain GET
# with Basic, Digest (Proxy-Authentication-Info) and --proxy-anyauth, POST
# bodies through the proxy, CONNECT tunnels with Basic and Digest (uri
# host:port), 407 + Proxy-Authenticate without credentials.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACChallenge qw(:all);
use ACDigest qw(authorize);
use ACAuthParam qw(parse_challenges);

plan tests => 54;

make_dbms();
my $mark = error_log_mark();
my $proxy  = hostport('chal_proxy');
my $origin = hostport('chal_origin');
my $px     = "http://$proxy";
my $pu     = "pat:$CU{pat}";
my $ok     = "http://$origin/challenge/pub/ok.txt";
my $echo   = "http://$origin/challenge/pub/echo";
my $BASIC  = qq{Basic realm="$PREALM", charset="UTF-8"};
sub digest_re {
    my $alg = shift;
    return qr/^Digest realm="\Q$PREALM\E", qop="auth", algorithm=\Q$alg\E, nonce="[^"]+", opaque="[^"]+", charset=UTF-8$/;
}

# 407 with the proxy's three challenges, in order, and nothing for the
# origin.
sub is_407 {
    my ($r, $what) = @_;
    is($r->{status}, 407, "$what: 407");
    my @p = headers_named($r, 'Proxy-Authenticate');
    is(scalar @p, 3, "$what: three Proxy-Authenticate fields")
        or diag(join "\n", @p);
    like($p[0] // '', digest_re('SHA-256'), "$what: Digest SHA-256 first");
    like($p[1] // '', digest_re('MD5'), "$what: then Digest MD5");
    is($p[2], $BASIC, "$what: then Basic");
    is(header_count($r, 'WWW-Authenticate'), 0, "$what: no WWW-Authenticate");
}

is(req($origin, 'GET', '/challenge/pub/ok.txt')->{status}, 200,
   'origin is open');

# ------------------------------------------------ no credentials
# The code of the proxy's answer to CONNECT (curl's %{http_code} is 000
# when the tunnel is refused).
sub connect_code {
    open my $fh, '-|', $CURL, '-s', '-o', '/dev/null', '-w',
        '%{http_connect}', '--max-time', '10', @_ or die "curl: $!";
    local $/;
    my $out = <$fh>;
    close $fh;
    return $out // '';
}

is_407(req($proxy, 'GET', $ok, Host => $origin), 'GET, no credentials');
{
    my $s = raw_connect($proxy);
    print $s "CONNECT $origin HTTP/1.1\r\nHost: $origin\r\n\r\n";
    my $r = read_response($s, 'CONNECT');
    close $s;
    is_407($r, 'CONNECT, no credentials');
}
is(curl('-x', $px, $ok), '407', 'curl -x without --proxy-user: 407');
is(connect_code('-p', '-x', $px, $ok), '407',
   'curl -p without --proxy-user: CONNECT answered 407');

# ------------------------------------------------ plain GET
{
    my ($st, $h, $b) = curl_full('-x', $px, '--proxy-user', $pu, $ok);
    is($st, '200', 'curl --proxy-user (Basic): 200');
    is($b, "ok challenge\n", 'curl --proxy-user: body from the origin');
    unlike($h, qr/^HTTP\/1\.1 407/m, 'curl --proxy-user: Basic sent at once');
}
{
    my ($st, $h, $b) = curl_full('-x', $px, '--proxy-digest',
                                 '--proxy-user', $pu, $ok);
    is($st, '200', 'curl --proxy-digest: 200');
    is($b, "ok challenge\n", 'curl --proxy-digest: body from the origin');
    like($h, qr/\AHTTP\/1\.1 407 .*?\r?\n\r?\nHTTP\/1\.1 200 /s,
         'curl --proxy-digest: 407, then 200');
    my ($last) = $h =~ /(HTTP\/1\.1 200 .*)\z/s;
    like($last // '', qr/^Proxy-Authentication-Info: qop=auth, rspauth="[0-9a-f]{64}", cnonce="[^"]+", nc=00000001\r?$/m,
         'curl --proxy-digest: Proxy-Authentication-Info (SHA-256 rspauth)');
    unlike($last // '', qr/^Authentication-Info:/mi,
           'curl --proxy-digest: no Authentication-Info');
}
{
    my ($st, $h, $b) = curl_full('-x', $px, '--proxy-anyauth',
                                 '--proxy-user', $pu, $echo);
    is($st, '200', 'curl --proxy-anyauth: 200');
    like($h, qr/^Proxy-Authentication-Info: /m,
         'curl --proxy-anyauth picked Digest (Proxy-Authentication-Info)');
    unlike($b, qr/^HTTP_PROXY_AUTHORIZATION=/m,
           'curl --proxy-anyauth: Proxy-Authorization not forwarded');
}
# A proxy offering Bearer too: curl never sends Bearer to a proxy and
# does not pick it without a token; it answers Digest.
{
    my $u = "http://$origin/challenge/allschemes/ok.txt";
    my $r = req($proxy, 'GET', $u, Host => $origin);
    is_deeply([map { (split / /)[0] } headers_named($r, 'Proxy-Authenticate')],
              [qw(Digest Digest Bearer Basic)],
              'all schemes on the proxy: Digest, Digest, Bearer, Basic');
    my ($st, $h) = curl_full('-x', $px, '--proxy-anyauth',
                             '--proxy-user', $pu, $u);
    is($st, '200', 'all schemes: curl --proxy-anyauth 200');
    like($h, qr/^Proxy-Authentication-Info: /m,
         'all schemes: curl --proxy-anyauth used Digest');
}
is(curl('-x', $px, '--proxy-user', 'pat:wrong', $ok), '407',
   'curl --proxy-user wrong password: 407');
is(curl('-x', $px, '--proxy-digest', '--proxy-user', 'pat:wrong', $ok),
   '407', 'curl --proxy-digest wrong password: 407');
is(curl('-x', $px, '--proxy-user', "chuck:$CU{chuck}", $ok), '407',
   'a user of another file: 407');

# ------------------------------------------------ POST bodies
my $body = "hello=world&n=" . ('x' x 3000);
for my $how (['Basic'], ['Digest', '--proxy-digest'],
             ['anyauth', '--proxy-anyauth']) {
    my ($name, @opt) = @$how;
    my ($st, $h, $b) = curl_full('-x', $px, @opt, '--proxy-user', $pu,
                                 '--data-binary', $body, $echo);
    is($st, '200', "POST through the proxy ($name): 200");
    like($b, qr/^REQUEST_METHOD=POST$/m, "POST ($name): origin got a POST");
    ok(index($b, "BODY:\n$body") >= 0,
       "POST ($name): origin received the whole body");
}

# ------------------------------------------------ CONNECT tunnels
{
    my ($st, $h, $b) = curl_full('-p', '-x', $px, '--proxy-user', $pu, $ok);
    is($st, '200', 'CONNECT, Basic: 200 from the origin');
    like($h, qr/\AHTTP\/1\.[01] 200 Connection Established/i,
         'CONNECT, Basic: tunnel established at once');
    is($b, "ok challenge\n", 'CONNECT, Basic: body through the tunnel');
}
{
    my ($st, $h, $b) = curl_full('-v', '-p', '-x', $px, '--proxy-digest',
                                 '--proxy-user', $pu, $ok);
    is($st, '200', 'CONNECT, Digest: 200 from the origin');
    like($h, qr/\AHTTP\/1\.1 407 .*?HTTP\/1\.[01] 200 Connection Established/s,
         'CONNECT, Digest: 407, then the tunnel');
    is($b, "ok challenge\n", 'CONNECT, Digest: body through the tunnel');
}
# Digest uri of CONNECT is host:port: answer a challenge by hand.
{
    my $s = raw_connect($proxy);
    print $s "CONNECT $origin HTTP/1.1\r\nHost: $origin\r\n\r\n";
    my $r = read_response($s, 'CONNECT');
    my ($chal) = headers_named($r, 'Proxy-Authenticate');
    close $s;
    my ($cred) = authorize(chal => parse_challenges($chal)->[0],
                           method => 'CONNECT', uri => $origin,
                           user => 'pat', pass => $CU{pat});
    $s = raw_connect($proxy);
    print $s "CONNECT $origin HTTP/1.1\r\nHost: $origin\r\n"
           . "Proxy-Authorization: $cred\r\n\r\n";
    $r = read_response($s, 'CONNECT');
    is($r->{status}, 200, 'CONNECT, Digest uri host:port by hand: 200');
    print $s "GET /challenge/pub/ok.txt HTTP/1.1\r\nHost: $origin\r\n"
           . "Connection: close\r\n\r\n";
    my $in = read_response($s, 'GET');
    close $s;
    is($in && $in->{body}, "ok challenge\n",
       'CONNECT, Digest: GET through the tunnel');

    (my $bad = $cred) =~ s/uri="[^"]+"/uri="\/"/;
    $s = raw_connect($proxy);
    print $s "CONNECT $origin HTTP/1.1\r\nHost: $origin\r\n"
           . "Proxy-Authorization: $bad\r\n\r\n";
    $r = read_response($s, 'CONNECT');
    close $s;
    is($r->{status}, 400, 'CONNECT, Digest uri not host:port: 400');
}
is(curl('-p', '-x', $px, '--proxy-anyauth', '--proxy-user', $pu, $ok),
   '200', 'CONNECT, --proxy-anyauth: 200');
is(connect_code('-p', '-x', $px, '--proxy-user', 'pat:wrong', $ok), '407',
   'CONNECT, wrong password: 407');
is(connect_code('-p', '-x', $px, '--proxy-digest', '--proxy-user',
                'pat:wrong', $ok), '407', 'CONNECT, wrong Digest: 407');

is_deeply([secrets_in_log($mark, secrets())], [],
          'no password, Basic token or Bearer token in error_log');
