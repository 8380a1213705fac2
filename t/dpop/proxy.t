# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# DPoP at a forward proxy (docs/proxy.md, docs/bearer.md): 407 with
# Proxy-Authenticate: DPoP algs="..." (and Bearer where DPoP is only
# Allowed), Proxy-Authorization: DPoP <token> with a DPoP proof whose
# htu is the absolute URI the client asked the proxy for; every refusal
# is a 407 with the same error as at an origin; neither
# Proxy-Authorization nor the proxy's DPoP proof reaches the origin.
# Configuration: t/conf/dpop.conf.in (host dpop_proxy; the origin is the
# main server's open /dpopx/).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACOidc qw(:all);
use ACRs qw(:all);

plan skip_all => rs_missing() if rs_missing();
plan tests => 22;

my $as = rs_as();
my $px = hostport('dpop_proxy');
my $hp = hostport();
my $mark = error_log_mark();
my $API = 'https://rs.example/api';
my $ALGS = 'algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 '
         . 'EdDSA"';
my $url = "http://$hp/dpopx/a/ok.txt";
my $key = oidc_keygen(alg => 'ES256');
my $tok = token($as, resource => $API, scope => 'read', dpop_key => $key);

sub proof {
    my (%o) = @_;
    return dpop_proof(key => $key, htm => 'GET', htu => $o{htu} || $url,
                      token => $tok)->{proof};
}

sub pdget {
    my ($u, $p, @h) = @_;
    push @h, 'Proxy-Authorization' => "DPoP $tok", DPoP => $p if $p;
    return req($px, 'GET', $u, Host => $hp, @h);
}

sub challenges_are {
    my ($r, $want, $what) = @_;
    is($r->{status}, 407, "$what: 407");
    is_deeply([headers_named($r, 'Proxy-Authenticate')], $want,
              "$what: Proxy-Authenticate");
    is(header_count($r, 'WWW-Authenticate'), 0, "$what: no WWW-Authenticate");
}

challenges_are(pdget($url), ["DPoP $ALGS"], 'no credentials, Required');
challenges_are(pdget("http://$hp/dpopx/allowed/ok.txt"),
               ["DPoP $ALGS", 'Bearer realm="DPoP Proxy"'],
               'no credentials, Allowed');

my $p = proof();
my $r = pdget($url, $p);
is($r->{status}, 200, 'token and proof for the absolute URI: 200');
is($r->{body}, "ok rs\n", '... the origin\'s file');
challenges_are(pdget($url, $p),
               ["DPoP error=\"invalid_dpop_proof\", error_description=\"DPoP "
                . "proof replayed\", $ALGS"], 'the same proof again');
challenges_are(pdget($url, proof(htu => "http://$px/dpopx/a/ok.txt")),
               ["DPoP error=\"invalid_dpop_proof\", error_description=\"DPoP "
                . "proof htu does not match\", $ALGS"],
               'a proof for the proxy\'s own URI');
$r = req($px, 'GET', $url, Host => $hp,
         'Proxy-Authorization' => "Bearer $tok");
challenges_are($r, ["DPoP error=\"invalid_token\", error_description=\"DPoP "
                    . "is required here: send the token with the DPoP "
                    . "scheme and a proof\", $ALGS"],
               'the DPoP-bound token as Bearer');

# ------------------------------------------------ what reaches the origin
{
    my $u = "http://$hp/dpopx/a/echo";
    $r = pdget($u, proof(htu => $u), Authorization => 'Bearer for-the-origin');
    is($r->{status}, 200, 'through the proxy to the origin\'s echo: 200');
    unlike($r->{body}, qr/^HTTP_PROXY_AUTHORIZATION=/m,
           '... Proxy-Authorization did not reach the origin');
    unlike($r->{body}, qr/^HTTP_DPOP=/m,
           '... nor the proxy\'s DPoP proof');
    like($r->{body}, qr/^HTTP_AUTHORIZATION=Bearer for-the-origin$/m,
         '... the origin\'s own Authorization did');
}
no_secrets_logged($mark);
