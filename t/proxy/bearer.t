# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Bearer at a forward proxy (docs/bearer.md "Status codes",
# docs/proxy.md): <VirtualHost bearer_proxy> with ProxyRequests On in
# front of the harness's origin vhost.  Proxy-Authorization: Bearer; 407 +
# Proxy-Authenticate; 400 and 403 carry Proxy-Authenticate;
# Proxy-Authorization is not forwarded; LWP as a second client (curl never
# sends Bearer to a proxy); no token in error_log.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACJWT qw(:all);
use ACBearer qw(:all);

plan tests => 44;

my $proxy  = hostport('bearer_proxy');
my $origin = hostport('origin');
my $url    = "http://$origin/pub/ok.txt";
my $echo   = "http://$origin/cgi/echo";
my $mark   = error_log_mark();
my $realm  = 'API Proxy';
my @used;

sub tok {
    my $t = jwt(claims => claims(aud => 'api://bearer-test', @_));
    push @used, $t;
    return $t;
}

sub via {
    my ($target, @h) = @_;
    return req($proxy, 'GET', $target, Host => $origin, @h);
}

sub pa { return ('Proxy-Authorization' => "Bearer $_[0]") }

is(req($origin, 'GET', '/pub/ok.txt')->{status}, 200, 'origin is open');

# ------------------------------------------------ 407 without credentials
{
    my $r = via($url);
    is($r->{status}, 407, 'no credentials: 407');
    is_deeply([headers_named($r, 'Proxy-Authenticate')],
              ["Bearer realm=\"$realm\""],
              'no credentials: exactly Proxy-Authenticate: Bearer realm');
    is(header_count($r, 'WWW-Authenticate'), 0,
       'no credentials: no WWW-Authenticate');
}

# ------------------------------------------------ a valid token
{
    my $r = via($url, pa(tok()));
    is($r->{status}, 200, 'valid token: 200 from the origin');
    is($r->{body}, "ok pub\n", 'valid token: the origin body');
    is(header_count($r, 'Proxy-Authenticate'), 0,
       'valid token: no Proxy-Authenticate');
}
{
    my $t = tok(scope => 'admin');
    my $r = via($echo, pa($t), Authorization => 'Bearer origin-token-xyz');
    is($r->{status}, 200, 'echo through the proxy: 200');
    unlike($r->{body}, qr/^HTTP_PROXY_AUTHORIZATION=/m,
           'Proxy-Authorization not forwarded to the origin');
    like($r->{body}, qr/^HTTP_AUTHORIZATION=Bearer origin-token-xyz$/m,
         "client's Authorization for the origin passes through");
}

# ------------------------------------------------ refusals
is_bearer_error(via($url, pa(tok(exp => time - 3600))), 407,
                'invalid_token', 'expired token', 'Proxy-Authenticate',
                $realm);
is_bearer_error(via($url, pa(jwt(claims => claims(), secret => 'y' x 48))),
                407, 'invalid_token', 'bad signature', 'Proxy-Authenticate',
                $realm);
is_bearer_error(via($url, pa(tok(aud => 'api://other'))), 407,
                'invalid_token', 'audience not allowed at the proxy',
                'Proxy-Authenticate', $realm);
is_bearer_error(via($url, 'Proxy-Authorization' => 'Bearer a b'), 400,
                'invalid_request', 'malformed (two tokens)',
                'Proxy-Authenticate', $realm);
is_bearer_error(via($url, 'Proxy-Authorization' => 'Bearer'), 400,
                'invalid_request', 'malformed (no token)',
                'Proxy-Authenticate', $realm);
{
    my $r = via($url, Authorization => 'Bearer ' . tok());
    is($r->{status}, 407, 'Authorization (not Proxy-) ignored: 407');
    is_deeply([headers_named($r, 'Proxy-Authenticate')],
              ["Bearer realm=\"$realm\""],
              'Authorization ignored: plain Proxy-Authenticate');
}

# ------------------------------------------------ scope at the proxy
{
    my $r = via($echo, pa(tok(scope => 'read')));
    is($r->{status}, 403, 'insufficient scope: 403');
    is_deeply([headers_named($r, 'Proxy-Authenticate')],
              ["Bearer realm=\"$realm\", error=\"insufficient_scope\", "
               . 'scope="admin"'],
              'insufficient scope: exact Proxy-Authenticate challenge');
    is(header_count($r, 'WWW-Authenticate'), 0,
       'insufficient scope: no WWW-Authenticate');
    is(via($echo, pa(tok(scp => ['admin'])))->{status}, 200,
       'scp ["admin"] at the proxy: 200');
}

# ------------------------------------------------ another client: LWP
SKIP: {
    eval { require LWP::UserAgent; 1 } or skip 'no LWP', 4;
    my $ua = LWP::UserAgent->new(timeout => 10);
    $ua->proxy('http', "http://$proxy/");
    my $res = $ua->get($url, 'Proxy-Authorization' => 'Bearer ' . tok());
    is($res->code, 200, 'LWP through the proxy with a token: 200');
    is($res->content, "ok pub\n", 'LWP: the origin body');
    $res = $ua->get($url);
    is($res->code, 407, 'LWP without a token: 407');
    is($res->header('Proxy-Authenticate'), "Bearer realm=\"$realm\"",
       'LWP: the Proxy-Authenticate challenge');
}

# ------------------------------------------------ nothing leaked
{
    my @sigs = map { (split /\./)[2] // () } @used;
    is_deeply([secrets_in_log($mark, @used, @sigs)], [],
              'no token or signature in error_log');
}
