# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Forward proxy (docs/proxy.md, auto mode): ProxyRequests On, <Proxy "*">
# protected with Basic over DBM.  407 + Proxy-Authenticate, credentials
# from Proxy-Authorization, never forwarded upstream; the client's
# Authorization passes through to the origin; CONNECT tunnels.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);

plan tests => 38;

my $proxy  = hostport('proxy_fwd');
my $origin = hostport('origin');
my $url    = "http://$origin/pub/ok.txt";
my $echo   = "http://$origin/cgi/echo";
my $chal   = 'Basic realm="AC Proxy", charset="UTF-8"';
my $alice  = basic('alice', $USERS{alice});

sub via_proxy {
    my ($target, @h) = @_;
    return req($proxy, 'GET', $target, Host => $origin, @h);
}

sub is_407 {
    my ($r, $what) = @_;
    is($r->{status}, 407, "$what: 407");
    is_deeply([headers_named($r, 'Proxy-Authenticate')], [$chal],
              "$what: one Proxy-Authenticate: $chal");
    is(header_count($r, 'WWW-Authenticate'), 0,
       "$what: no WWW-Authenticate");
}

# Sanity: the origin itself is open.
is(req($origin, 'GET', '/pub/ok.txt')->{status}, 200, 'origin is open');

is_407(via_proxy($url), 'no credentials');
{
    my $r = via_proxy($url, 'Proxy-Authorization' => $alice);
    is($r->{status}, 200, 'right Proxy-Authorization: 200');
    is($r->{body}, "ok pub\n", 'right Proxy-Authorization: origin body');
    is(header_count($r, 'Proxy-Authenticate'), 0,
       'right Proxy-Authorization: no Proxy-Authenticate');
}
is_407(via_proxy($url, 'Proxy-Authorization' => basic('alice', 'bad')),
       'wrong password');
is_407(via_proxy($url, 'Proxy-Authorization' => basic('nobody', 'x')),
       'unknown user');
is_407(via_proxy($url, Authorization => $alice),
       'Authorization (not Proxy-) is ignored by the proxy');
is(via_proxy($url, 'Proxy-Authorization' => 'Basic %%%')->{status}, 400,
   'malformed Proxy-Authorization: 400');

# --- what the origin received
{
    my $r = via_proxy($echo, 'Proxy-Authorization' => $alice,
                      Authorization => 'Basic b3JpZ2luOmNyZWQ=');
    is($r->{status}, 200, 'echo through the proxy: 200');
    unlike($r->{body}, qr/^HTTP_PROXY_AUTHORIZATION=/m,
           'origin did not receive Proxy-Authorization');
    like($r->{body}, qr/^HTTP_AUTHORIZATION=Basic b3JpZ2luOmNyZWQ=$/m,
         "client's Authorization passed through to the origin");
    # The echo CGI does show Proxy-Authorization when it gets one: the
    # check above is not vacuous.
    my $d = req($origin, 'GET', '/cgi/echo',
                'Proxy-Authorization' => 'Basic eDp5');
    like($d->{body}, qr/^HTTP_PROXY_AUTHORIZATION=Basic eDp5$/m,
         'echo CGI shows Proxy-Authorization when sent directly');
}

# --- Proxy-Chain-Auth set for /chain/: Proxy-Authorization goes upstream
{
    my $r = via_proxy("http://$origin/chain/echo",
                      'Proxy-Authorization' => $alice);
    is($r->{status}, 200, 'Proxy-Chain-Auth: 200');
    like($r->{body}, qr/^HTTP_PROXY_AUTHORIZATION=\Q$alice\E$/m,
         'Proxy-Chain-Auth: origin received Proxy-Authorization');
}

# --- proxy and origin authentication together: the proxy takes
# Proxy-Authorization (alice), the origin Authorization (bob).
{
    my $p = "http://$origin/originauth/ok.txt";
    my $r = via_proxy($p, 'Proxy-Authorization' => $alice);
    is($r->{status}, 401, 'proxy ok, origin wants its own: 401');
    is_deeply([headers_named($r, 'WWW-Authenticate')],
              ['Basic realm="AC Origin", charset="UTF-8"'],
              "origin's 401 challenge passes through the proxy");
    is(header_count($r, 'Proxy-Authenticate'), 0,
       "origin's 401: no Proxy-Authenticate");
    $r = via_proxy($p, 'Proxy-Authorization' => $alice,
                   Authorization => basic('bob', $USERS{bob}));
    is($r->{status}, 200, 'proxy alice + origin bob: 200');
    is($r->{body}, "ok originauth\n", 'proxy alice + origin bob: body');
}

# --- curl as a real proxy client
is(curl('-x', "http://$proxy", '--proxy-user', "alice:$USERS{alice}", $url),
   '200', 'curl -x --proxy-user: 200');
is(curl('-x', "http://$proxy", $url), '407', 'curl -x without user: 407');
is(curl('-x', "http://$proxy", '--proxy-user', 'alice:bad', $url), '407',
   'curl -x wrong password: 407');
is(curl('-x', "http://$proxy", '--proxy-user', "bob:$USERS{bob}",
        '-u', "bob:$USERS{bob}", "http://$origin/originauth/ok.txt"),
   '200', 'curl proxy auth and origin auth together: 200');

# --- CONNECT (AllowCONNECT origin port)
{
    my $s = raw_connect($proxy);
    print $s "CONNECT $origin HTTP/1.1\r\nHost: $origin\r\n\r\n";
    my $r = read_response($s, 'CONNECT');
    close $s;
    is($r->{status}, 407, 'CONNECT without credentials: 407');
    is_deeply([headers_named($r, 'Proxy-Authenticate')], [$chal],
              'CONNECT without credentials: Proxy-Authenticate');

    $s = raw_connect($proxy);
    print $s "CONNECT $origin HTTP/1.1\r\nHost: $origin\r\n"
           . "Proxy-Authorization: " . basic('bob', 'bad') . "\r\n\r\n";
    $r = read_response($s, 'CONNECT');
    close $s;
    is($r->{status}, 407, 'CONNECT wrong password: 407');

    $s = raw_connect($proxy);
    print $s "CONNECT $origin HTTP/1.1\r\nHost: $origin\r\n"
           . "Proxy-Authorization: $alice\r\n\r\n";
    $r = read_response($s, 'CONNECT');
    is($r->{status}, 200, 'CONNECT with credentials: 200');
    print $s "GET /pub/ok.txt HTTP/1.1\r\nHost: $origin\r\n"
           . "Connection: close\r\n\r\n";
    my $in = read_response($s, 'GET');
    close $s;
    is($in && $in->{status}, 200, 'request through the tunnel: 200');
    is($in && $in->{body}, "ok pub\n", 'request through the tunnel: body');
}
