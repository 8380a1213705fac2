# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Bearer with keys of a real authorization server (node-oidc-provider,
# t/rs/setup.sh; docs/bearer.md): RFC 8414 and OpenID discovery, a JWKS
# URI, RFC 9068 (audience, issuer, typ), the resource as audience
# (RFC 8707), a rotated key accepted at once (a reload and a restart of
# the server), a key dropped by the server refused at once, and the
# RFC 9728 document with an MCP-style client walk (401 →
# resource_metadata → authorization server metadata → token → 200).
# Exact challenges, origin mode (t/proxy/rs.t: the forward proxy).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use JSON::PP ();
use ACTest qw(:all);
use ACOidc qw(:all);
use ACRs qw(:all);

plan skip_all => rs_missing() if rs_missing();
plan tests => 86;

my $as = rs_as();
my $hp = hostport();
my $mark = error_log_mark();
my $RM = rm_param($hp);
my $API = 'https://rs.example/api';
my $now = time;

sub ok200 {
    my ($path, $tok, $what) = @_;
    my $r = bget($hp, $path, $tok);
    is($r->{status}, 200, "$what: 200") or diag($r->{raw});
    return $r;
}

sub invalid {
    my ($path, $tok, $desc, $what, $realm) = @_;
    challenge_is(bget($hp, $path, $tok), 401, 'Bearer realm="'
                 . ($realm // 'RS') . '", error="invalid_token", '
                 . "error_description=\"$desc\"$RM", $what);
}

# ------------------------------------------------ discovery (RFC 8414)
my $read = token($as, resource => $API, scope => 'read');
challenge_is(bget($hp, '/rs/disc/ok.txt'), 401, "Bearer realm=\"RS\"$RM",
             'no token');
{
    my $r = ok200('/rs/disc/env', $read, 'RFC 8414 discovery');
    like($r->{body}, qr/^REMOTE_USER=app$/m, 'REMOTE_USER is sub');
    like($r->{body}, qr/^AUTHCHALLENGE_CLAIM_aud=\Q$API\E$/m,
         'claims exported');
}
challenge_is(bget($hp, '/rs/disc/ok.txt',
                  token($as, resource => $API, scope => 'write')),
             403, 'Bearer realm="RS", error="insufficient_scope", '
             . "scope=\"read\"$RM", 'without the scope read');
ok200('/rs/oidc/ok.txt', $read, 'OpenID discovery');
ok200('/rs/jwksuri/ok.txt', $read, 'a JWKS URI and the issuer');

# ------------------------------------------------ RFC 9068
invalid('/rs/disc/ok.txt', token($as, resource => 'https://rs.example/other',
                                 scope => 'read'),
        'wrong audience', 'a token for another resource');
ok200('/rs/anyaud/ok.txt', token($as, resource => 'https://rs.example/other'),
      'AuthChallengeBearerAudience *: any audience');
ok200('/rsres/ok.txt', token($as, resource => 'https://rs.example/other'),
      'AuthChallengeBearerResource is the audience (RFC 8707)');
challenge_is(bget($hp, '/rsres/ok.txt', $read), 401, 'Bearer realm="RS", '
             . 'error="invalid_token", error_description="wrong audience"',
             'AuthChallengeBearerResource: another audience');
for my $where (['/rs/disc/ok.txt', 'discovered'],
               ['/rs/jwksuri/ok.txt', 'configured']) {
    invalid($where->[0], minted($as, aud => $API, scope => 'read',
                                claims => { iss => 'http://evil.example' }),
            'wrong issuer', "iss not the $where->[1] issuer");
}
for my $typ (['JWT', 1], ['at+jwt', 1], ['application/at+jwt', 1],
             ['AT+JWT', 1], [undef, 1], ['dpop+jwt', 0], ['id_token+jwt', 0],
             ['secevent+jwt', 0]) {
    my $tok = minted($as, aud => $API, scope => 'read',
                     header => { typ => $typ->[0] });
    my $what = 'typ ' . ($typ->[0] // 'absent');
    if ($typ->[1]) {
        ok200('/rs/disc/ok.txt', $tok, $what);
    }
    else {
        invalid('/rs/disc/ok.txt', $tok, 'not an access token (typ)', $what);
    }
}
invalid('/rs/disc/ok.txt', minted($as, aud => $API, alg => 'none'),
        'signature algorithm not allowed', 'alg none');
invalid('/rs/disc/ok.txt', minted($as, aud => $API, scope => 'read',
                                  claims => { exp => $now - 3600 }),
        'token expired', 'expired');
invalid('/rs/disc/ok.txt', minted($as, aud => $API, scope => 'read',
                                  claims => { exp => undef }),
        'token has no expiry', 'no exp');
{
    my $t = minted($as, aud => $API, scope => 'read');
    # a character in the middle of the signature (the last one may hold
    # only unused bits)
    substr($t, -20, 1) = substr($t, -20, 1) eq 'A' ? 'B' : 'A';
    invalid('/rs/disc/ok.txt', $t, 'invalid signature', 'bad signature');
}

# ------------------------------------------------ rotation
# The server publishes a new key first and keeps the old one; a token
# of the new key works at once (one fetch: the area's min-interval of
# 2 s has passed), tokens of the old key too.
sleep 3;
my $before = jwks_fetches($as);
my $k2 = rotate_keys($as);
my $new = token($as, resource => $API, scope => 'read');
is(decode_jwt($new)->{header}{kid}, $k2, 'the server signs with the new key');
ok200('/rs/disc/ok.txt', $new, 'rotated key: accepted at once');
is(jwks_fetches($as) - $before, 1, 'rotated key: one fetch');
ok200('/rs/disc/ok.txt', $read, 'the old key still works');
ok200('/rs/disc/ok.txt', $new, 'again, without a fetch');
is(jwks_fetches($as) - $before, 1, 'no more fetches');

# The server drops the old key: once the module has the new set, a
# token of the old key is refused, cached verdict or not.
sleep 3;
my $k3 = rotate_keys($as, keep_old => 0);
my $newer = token($as, resource => $API, scope => 'read');
ok200('/rs/disc/ok.txt', $newer, 'second rotation: the newest key');
# every process looks for a newer set in the shared state once a second
select undef, undef, undef, 1.2;
invalid('/rs/disc/ok.txt', $read, 'unknown key id',
        'a dropped key: its token refused though its verdict was cached');
invalid('/rs/disc/ok.txt', $new, 'unknown key id', 'the other dropped key');

# A restart of the server with a new key (a new process, same port).
sleep 3;
my $k4 = rotate_keys($as, restart => 1, keep_old => 0);
my $after = token($as, resource => $API, scope => 'read');
is(decode_jwt($after)->{header}{kid}, $k4, 'restarted with another key');
ok200('/rs/disc/ok.txt', $after, 'key of the restarted server: at once');

# ------------------------------------------------ RFC 9728, MCP-style walk
{
    my $r = req($hp, 'GET', '/mcp/ok.txt');
    my $rm = "http://$hp/.well-known/oauth-protected-resource/mcp/";
    challenge_is($r, 401, "Bearer realm=\"MCP\", resource_metadata=\"$rm\"",
                 'MCP: 401 names the resource metadata');
    my ($url) = (headers_named($r, 'WWW-Authenticate'))[0]
        =~ /resource_metadata="([^"]+)"/;
    my $m = req($hp, 'GET', $url =~ s{^http://[^/]+}{}r);
    is($m->{status}, 200, 'MCP: the resource metadata');
    is_deeply([headers_named($m, 'Content-Type')], ['application/json'],
              'MCP: Content-Type: application/json');
    my $doc = eval { JSON::PP::decode_json($m->{body}) } || {};
    is_deeply($doc, { resource => "http://$hp/mcp/",
                      authorization_servers => [$as->{issuer}],
                      bearer_methods_supported => ['header'],
                      scopes_supported => ['read', 'write'] },
              'MCP: resource, authorization_servers, bearer methods, '
              . 'scopes_supported (no jwks_uri)')
        or diag($m->{body});
    my $meta = oidc_client('discover', '--issuer',
                           $doc->{authorization_servers}[0]);
    is($meta->{issuer}, $as->{issuer},
       'MCP: the client validates the authorization server metadata');
    ok($meta->{token_endpoint}, 'MCP: it names a token endpoint');
    my $tok = token($as, resource => $doc->{resource}, scope => 'read');
    is(decode_jwt($tok)->{payload}{aud}, "http://$hp/mcp/",
       'MCP: the token is for the resource (RFC 8707)');
    my $ok = bget($hp, '/mcp/ok.txt', $tok);
    is($ok->{status}, 200, 'MCP: 200 with the token');
    is($ok->{body}, "ok rs\n", 'MCP: the resource');
    my $h = req($hp, 'HEAD', $url =~ s{^http://[^/]+}{}r);
    is($h->{status}, 200, 'HEAD on the metadata: 200');
    is(req($hp, 'POST', $url =~ s{^http://[^/]+}{}r)->{status}, 405,
       'POST on the metadata: 405');
    challenge_is(bget($hp, '/mcp/ok.txt', $after), 401,
                 'Bearer realm="MCP", error="invalid_token", '
                 . "error_description=\"wrong audience\", "
                 . "resource_metadata=\"$rm\"",
                 'MCP: a token for another resource');
}

# resource_metadata on every Bearer challenge of the area: 400 too.
challenge_is(bget($hp, '/rs/disc/ok.txt', 'a b'), 400, 'Bearer realm="RS", '
             . 'error="invalid_request", error_description="malformed '
             . "credentials\"$RM", '400 carries resource_metadata')
    or diag(error_log_since($mark));

no_secrets_logged($mark);
