# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Bearer at a forward proxy with a real authorization server
# (t/rs/setup.sh, <VirtualHost rs_proxy> of t/conf/rs.conf.in;
# docs/bearer.md, docs/proxy.md): Proxy-Authorization: Bearer with keys
# by discovery and opaque tokens introspected at the discovered
# endpoint; 407 + Proxy-Authenticate with resource_metadata (RFC 9728)
# for no token, invalid_token and RFC 9470 step-up; 403 + Proxy-
# Authenticate for a missing scope; Proxy-Authorization not forwarded;
# nothing of a token in error_log.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACOidc qw(:all);
use ACRs qw(:all);

plan skip_all => rs_missing() if rs_missing();
plan tests => 30;

my $as = rs_as();
my $proxy = hostport('rs_proxy');
my $origin = hostport('origin');
my $url = "http://$origin/pub/ok.txt";
my $echo = "http://$origin/cgi/echo";
my $step = "http://$origin/pub/step.txt";
my $mark = error_log_mark();
my $RM = rm_param(hostport());
my $API = 'https://rs.example/api';
my $P = 'Proxy-Authenticate';

sub tok {
    my (%o) = @_;
    return token($as, resource => $API, scope => 'read', %o);
}

challenge_is(pget($proxy, $url), 407, "Bearer realm=\"RS Proxy\"$RM",
             'no token: 407', $P);
{
    my $r = pget($proxy, $url, tok());
    is($r->{status}, 200, 'a token by discovered keys: 200');
    is($r->{body}, "ok pub\n", '... the origin\'s body');
    is(header_count($r, $P), 0, '... no Proxy-Authenticate');
}
challenge_is(pget($proxy, $url, tok(resource => 'https://rs.example/other')),
             407, 'Bearer realm="RS Proxy", error="invalid_token", '
             . "error_description=\"wrong audience\"$RM",
             'another audience: 407', $P);
challenge_is(pget($proxy, $url, 'a b'), 400, 'Bearer realm="RS Proxy", '
             . 'error="invalid_request", error_description="malformed '
             . "credentials\"$RM", 'malformed: 400', $P);
{
    my $r = pget($proxy, $echo, tok(scope => 'admin'),
                 Authorization => 'Bearer origin-token-xyz');
    is($r->{status}, 200, 'scope admin at /cgi/: 200');
    unlike($r->{body}, qr/^HTTP_PROXY_AUTHORIZATION=/m,
           'Proxy-Authorization not forwarded to the origin');
    like($r->{body}, qr/^HTTP_AUTHORIZATION=Bearer origin-token-xyz$/m,
         'the client\'s Authorization for the origin passes through');
}
challenge_is(pget($proxy, $echo, tok()), 403, 'Bearer realm="RS Proxy", '
             . "error=\"insufficient_scope\", scope=\"admin\"$RM",
             'without the scope admin: 403', $P);

# ------------------------------------------------ step-up: 407
challenge_is(pget($proxy, $step, tok(claims => { acr => 'bronze',
                                                 auth_time => time })),
             407, 'Bearer realm="RS Proxy", error="insufficient_user_'
             . 'authentication", error_description="A different '
             . "authentication level is required\", acr_values=\"gold\", "
             . "max_age=\"300\"$RM", 'step-up, the acr: 407', $P);
challenge_is(pget($proxy, $step, tok(claims => { acr => 'gold',
                                                 auth_time => time - 900 })),
             407, 'Bearer realm="RS Proxy", error="insufficient_user_'
             . 'authentication", error_description="More recent '
             . "authentication is required\", max_age=\"300\"$RM",
             'step-up, the age: 407', $P);
is(pget($proxy, $step, tok(claims => { acr => 'gold', auth_time => time }))
       ->{status}, 404, 'step-up satisfied: through to the origin (404)');

# ------------------------------------------------ introspected at the proxy
{
    my $t = token($as, resource => 'https://rs.example/opaque',
                  scope => 'read', claims => { sub => 'alice' });
    is(pget($proxy, $url, $t)->{status}, 200,
       'an opaque token, introspected: 200');
    oidc_revoke($as, $t);
    challenge_is(pget($proxy, $url, $t), 407, 'Bearer realm="RS Proxy", '
                 . 'error="invalid_token", error_description="token not '
                 . "active\"$RM", 'revoked: 407', $P);
}

no_secrets_logged($mark);
