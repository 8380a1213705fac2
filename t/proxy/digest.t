# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Digest on a forward proxy (docs/digest.md, docs/proxy.md): <VirtualHost
# digest_proxy> with ProxyRequests On and <Proxy "*"> Digest; upstream is
# <VirtualHost digest_origin>.  407 + Proxy-Authenticate, credentials in
# Proxy-Authorization, Proxy-Authentication-Info with rspauth, uri in path
# or absolute form, CONNECT with uri host:port (our client and curl -p),
# and Proxy-Authorization never forwarded upstream.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACDigest qw(:all);

plan tests => 41;

digest_users();
my $proxy  = hostport('digest_proxy');
my $origin = hostport('digest_origin');
my $url    = "http://$origin/ok.txt";
my $echo   = "http://$origin/cgi/echo";
my $PA     = 'Proxy-Authenticate';
my $PAI    = 'Proxy-Authentication-Info';
my %alice  = (user => 'alice', pass => $DUSERS{alice});

sub via { my ($t, @h) = @_; return req($proxy, 'GET', $t, Host => $origin, @h) }

sub chal_re {
    my $alg = shift;
    return qr/\ADigest realm="AC Digest", qop="auth", algorithm=$alg, nonce="[A-Za-z0-9_-]{16,}", opaque="[A-Za-z0-9_-]{16,}", charset=UTF-8\z/;
}

is(req($origin, 'GET', '/ok.txt')->{body}, "ok digest origin\n",
   'the origin vhost is open');

# ------------------------------------------------ 407
my $r = via($url);
is($r->{status}, 407, 'no credentials: 407');
my @v = headers_named($r, $PA);
is(scalar @v, 2, 'two Proxy-Authenticate');
like($v[0] // '', chal_re('SHA-256'), 'Proxy-Authenticate 1: SHA-256');
like($v[1] // '', chal_re('MD5'), 'Proxy-Authenticate 2: MD5');
is(header_count($r, 'WWW-Authenticate'), 0, '407: no WWW-Authenticate');
my $c = pick(digest_challenges($r, $PA), 'SHA-256');

# ------------------------------------------------ our client
{
    my ($h, $st) = authorize(chal => $c, uri => '/ok.txt', %alice, nc => 1);
    $r = via($url, 'Proxy-Authorization' => $h);
    is($r->{status}, 200, 'Proxy-Authorization, uri path form: 200');
    is($r->{body}, "ok digest origin\n", 'path form: the origin page');
    ok(rspauth_ok($st, (headers_named($r, $PAI))[0]),
       'path form: Proxy-Authentication-Info with the right rspauth')
        or diag explain $r->{headers};
    is(header_count($r, 'Authentication-Info'), 0,
       'proxy: no Authentication-Info');

    ($h, $st) = authorize(chal => $c, uri => $url, %alice, nc => 2);
    $r = via($url, 'Proxy-Authorization' => $h);
    is($r->{status}, 200, 'uri absolute form: 200');
    ok(rspauth_ok($st, (headers_named($r, $PAI))[0]),
       'absolute form: rspauth over the absolute uri');

    is(via($url, 'Proxy-Authorization' => $h)->{status}, 407,
       'replayed nc through the proxy: 407');
    my $miss = "http://$origin/missing.txt";
    ($h, $st) = authorize(chal => $c, uri => '/missing.txt', %alice,
                          nc => 7);
    $r = via($miss, 'Proxy-Authorization' => $h);
    is($r->{status}, 404, "origin's 404 through the proxy");
    ok(rspauth_ok($st, (headers_named($r, $PAI))[0]),
       '404 through the proxy: Proxy-Authentication-Info kept');
    ($h) = authorize(chal => $c, uri => '/other.txt', %alice, nc => 3);
    is(via($url, 'Proxy-Authorization' => $h)->{status}, 400,
       'uri naming another resource: 400');
    ($h) = authorize(chal => $c, uri => '/ok.txt', %alice, nc => 4,
                     pass => 'wrong');
    $r = via($url, 'Proxy-Authorization' => $h);
    is($r->{status}, 407, 'wrong password: 407');
    is(header_count($r, $PA), 2, 'wrong password: fresh challenges');
    ($h) = authorize(chal => $c, uri => '/ok.txt', %alice, nc => 5);
    is(via($url, Authorization => $h)->{status}, 407,
       'Digest in Authorization (not Proxy-): 407');
}

# ------------------------------------------------ nothing leaks upstream
{
    my ($h) = authorize(chal => $c, uri => '/cgi/echo', %alice, nc => 6);
    $r = via($echo, 'Proxy-Authorization' => $h,
             Authorization => 'Basic b3JpZ2luOmNyZWQ=');
    is($r->{status}, 200, 'echo CGI through the proxy: 200');
    unlike($r->{body}, qr/^HTTP_PROXY_AUTHORIZATION=/m,
           'the origin did not get Proxy-Authorization');
    like($r->{body}, qr/^HTTP_AUTHORIZATION=Basic b3JpZ2luOmNyZWQ=$/m,
         "the client's Authorization reached the origin");
    my $d = req($origin, 'GET', '/cgi/echo',
                'Proxy-Authorization' => 'Digest x=y');
    like($d->{body}, qr/^HTTP_PROXY_AUTHORIZATION=Digest x=y$/m,
         'the echo CGI shows Proxy-Authorization when it gets one');
}

# ------------------------------------------------ curl through the proxy
{
    my ($rc, $out, $err) = run_cmd($CURL, '-s', '-v', '--max-time', 10,
        '-x', "http://$proxy", '--proxy-digest',
        '--proxy-user', "alice:$DUSERS{alice}", $url);
    is($rc, 0, 'curl -x --proxy-digest: exit 0');
    is($out, "ok digest origin\n", 'curl -x --proxy-digest: the page');
    like($err, qr/^< HTTP\/1\.1 200/m, 'curl -x --proxy-digest: 200');
    like($err, qr/^> Proxy-Authorization: Digest .*uri="\/ok\.txt"/m,
         'curl sent the path form in uri');
    ($rc, $out, $err) = run_cmd($CURL, '-s', '-v', '--max-time', 10,
        '-x', "http://$proxy", '--proxy-digest',
        '--proxy-user', 'alice:wrong', $url);
    like($err, qr/^< HTTP\/1\.1 407/m, 'curl, wrong password: 407');
}

# ------------------------------------------------ CONNECT
{
    my $s = raw_connect($proxy);
    print $s "CONNECT $origin HTTP/1.1\r\nHost: $origin\r\n\r\n";
    my $r = read_response($s, 'CONNECT');
    close $s;
    is($r->{status}, 407, 'CONNECT without credentials: 407');
    my $cc = pick(digest_challenges($r, $PA), 'SHA-256');
    ok($cc, 'CONNECT: a Digest challenge');

    my ($h) = authorize(chal => $cc, method => 'CONNECT', uri => '/',
                        %alice, nc => 1);
    $s = raw_connect($proxy);
    print $s "CONNECT $origin HTTP/1.1\r\nHost: $origin\r\n"
           . "Proxy-Authorization: $h\r\n\r\n";
    $r = read_response($s, 'CONNECT');
    close $s;
    is($r->{status}, 400, 'CONNECT with uri="/": 400');

    ($h) = authorize(chal => $cc, method => 'CONNECT', uri => $origin,
                     %alice, nc => 2);
    $s = raw_connect($proxy);
    print $s "CONNECT $origin HTTP/1.1\r\nHost: $origin\r\n"
           . "Proxy-Authorization: $h\r\n\r\n";
    $r = read_response($s, 'CONNECT');
    is($r->{status}, 200, 'CONNECT, uri host:port: 200');
    is(header_count($r, $PAI), 0,
       'CONNECT 200: no Proxy-Authentication-Info (docs/proxy.md)');
    print $s "GET /ok.txt HTTP/1.1\r\nHost: $origin\r\n"
           . "Connection: close\r\n\r\n";
    my $in = read_response($s, 'GET');
    close $s;
    is($in && $in->{status}, 200, 'through the tunnel: 200');
    is($in && $in->{body}, "ok digest origin\n", 'through the tunnel: page');

    my ($rc, $out, $err) = run_cmd($CURL, '-s', '-v', '--max-time', 10,
        '-p', '-x', "http://$proxy", '--proxy-digest',
        '--proxy-user', "alice:$DUSERS{alice}", $url);
    is($rc, 0, 'curl -p (CONNECT) --proxy-digest: exit 0');
    is($out, "ok digest origin\n", 'curl -p: the page through the tunnel');
    like($err, qr/^> Proxy-Authorization: Digest .*uri="\Q$origin\E"/m,
         'curl -p: uri is host:port');
    like($err, qr/^< HTTP\/1\.[01] 200/m, 'curl -p: CONNECT 200');

    ($rc, $out, $err) = run_cmd($CURL, '-s', '-v', '--max-time', 10,
        '-p', '-x', "http://$proxy", '--proxy-digest',
        '--proxy-user', 'alice:wrong', $url);
    isnt($rc, 0, 'curl -p, wrong password: curl fails');
    like($err, qr/^< HTTP\/1\.[01] 407/m, 'curl -p, wrong password: 407');
}
