# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Origin or proxy (docs/proxy.md): a reverse proxy (ProxyPass) is an
# origin; AuthChallengeProxyMode proxy on a plain location answers 407 and
# reads Proxy-Authorization; AuthChallengeProxyMode origin inside a
# forward proxy reads Authorization and challenges with WWW-Authenticate.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);

plan tests => 31;

my $hp     = hostport();
my $proxy  = hostport('proxy_fwd');
my $origin = hostport('origin');
my $bob    = basic('bob', $USERS{bob});

# --- reverse proxy: origin semantics
{
    my $p = '/rev/ok.txt';
    my $r = req($hp, 'GET', $p);
    is($r->{status}, 401, 'reverse proxy, no credentials: 401');
    is_deeply([headers_named($r, 'WWW-Authenticate')],
              ['Basic realm="AC Reverse", charset="UTF-8"'],
              'reverse proxy: one WWW-Authenticate');
    is(header_count($r, 'Proxy-Authenticate'), 0,
       'reverse proxy: no Proxy-Authenticate');
    $r = req($hp, 'GET', $p, Authorization => $bob);
    is($r->{status}, 200, 'reverse proxy, Authorization: 200');
    is($r->{body}, "ok pub\n", 'reverse proxy: body from the origin');
    $r = req($hp, 'GET', $p, 'Proxy-Authorization' => $bob);
    is($r->{status}, 401, 'reverse proxy ignores Proxy-Authorization: 401');
    is(curl('-u', "bob:$USERS{bob}", "http://$hp$p"), '200',
       'reverse proxy: curl -u 200');
}

# --- auto mode on the forward-proxy vhost for its own content: a plain
# (origin-form) request, and an absolute URI naming the proxy itself,
# are served locally (proxyreq 0): 401 + WWW-Authenticate.
{
    my ($pport) = (split /:/, $proxy)[1];
    for my $t ('/basic/ok.txt', "http://localhost:$pport/basic/ok.txt") {
        my $r = req($proxy, 'GET', $t, Host => "localhost:$pport");
        is($r->{status}, 401, "proxy vhost, local $t: 401");
        is_deeply([headers_named($r, 'WWW-Authenticate')],
                  ['Basic realm="AC Basic", charset="UTF-8"'],
                  "proxy vhost, local $t: WWW-Authenticate");
        is(header_count($r, 'Proxy-Authenticate'), 0,
           "proxy vhost, local $t: no Proxy-Authenticate");
    }
}

# --- AuthChallengeProxyMode proxy on a plain location
{
    my $p = '/forceproxy/ok.txt';
    my $r = req($hp, 'GET', $p);
    is($r->{status}, 407, 'mode proxy, no credentials: 407');
    is_deeply([headers_named($r, 'Proxy-Authenticate')],
              ['Basic realm="AC Forced Proxy", charset="UTF-8"'],
              'mode proxy: one Proxy-Authenticate');
    is(header_count($r, 'WWW-Authenticate'), 0,
       'mode proxy: no WWW-Authenticate');
    $r = req($hp, 'GET', $p, 'Proxy-Authorization' => $bob);
    is($r->{status}, 200, 'mode proxy, Proxy-Authorization: 200');
    is($r->{body}, "ok forceproxy\n", 'mode proxy: body');
    $r = req($hp, 'GET', $p, Authorization => $bob);
    is($r->{status}, 407, 'mode proxy ignores Authorization: 407');
    $r = req($hp, 'GET', $p, 'Proxy-Authorization' => basic('bob', 'bad'));
    is($r->{status}, 407, 'mode proxy, wrong password: 407');
}

# --- AuthChallengeProxyMode origin inside the forward proxy
# httpd's ap_die() turns a 401 of a forward-proxied request into 407
# (r->proxyreq == PROXYREQ_PROXY), so the status is expected to be 407
# even though the module is in origin mode; what the module controls is
# which header it reads and which header carries the challenge.
{
    my $u = "http://$origin/modeorigin/ok.txt";
    my $r = req($proxy, 'GET', $u, Host => $origin);
    ok($r->{status} == 401 || $r->{status} == 407,
       "mode origin in forward proxy, no credentials: 401/407"
       . " (got $r->{status})");
    is_deeply([headers_named($r, 'WWW-Authenticate')],
              ['Basic realm="AC Proxy Origin Mode", charset="UTF-8"'],
              'mode origin: the challenge is in WWW-Authenticate');
    is(header_count($r, 'Proxy-Authenticate'), 0,
       'mode origin: no Proxy-Authenticate');
    diag("mode origin in a forward proxy answered $r->{status}");
    $r = req($proxy, 'GET', $u, Host => $origin, Authorization => $bob);
    is($r->{status}, 200, 'mode origin, Authorization: 200');
    is($r->{body}, "ok modeorigin\n", 'mode origin: body from the origin');
    $r = req($proxy, 'GET', $u, Host => $origin,
             'Proxy-Authorization' => $bob);
    isnt($r->{status}, 200, 'mode origin ignores Proxy-Authorization');
    is(header_count($r, 'WWW-Authenticate'), 1,
       'mode origin, Proxy-Authorization only: challenged again');
    # The more specific <Proxy> does not leak into the rest of the proxy.
    $r = req($proxy, 'GET', "http://$origin/pub/ok.txt", Host => $origin,
             Authorization => $bob);
    is($r->{status}, 407, 'outside the mode-origin <Proxy>: auto, 407');
    is_deeply([headers_named($r, 'Proxy-Authenticate')],
              ['Basic realm="AC Proxy", charset="UTF-8"'],
              'outside the mode-origin <Proxy>: Proxy-Authenticate');
    is(header_count($r, 'WWW-Authenticate'), 0,
       'outside the mode-origin <Proxy>: no WWW-Authenticate');
}

# --- the whole suite's error_log so far holds no password or token
is_deeply([secrets_in_log(0)], [], 'no password or token in error_log');
