# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# The OAuth 2.0 test harness by itself, without httpd:
#   prove t/oidc/harness.t        (make oidc-selftest installs the npm
#                                  packages first)
# t/oidc/server.mjs (oidc-provider) started through t/lib/ACOidc.pm,
# t/oidc/client.mjs (oauth4webapi) as the client and, with its `verify`
# command, as an independent RFC 9068 / RFC 9449 resource server.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/../lib";

use Test::More;
use HTTP::Tiny ();
use JSON::PP ();
use Digest::SHA qw(sha256);
use MIME::Base64 qw(encode_base64url);
use POSIX ();
use Time::HiRes ();
use ACOidc qw(:all);

if (my $why = oidc_missing()) {
    BAIL_OUT("the OAuth 2.0 harness cannot run: $why");
}

my $T0 = Time::HiRes::time();
my $JSON = JSON::PP->new->utf8->canonical;
my $http = HTTP::Tiny->new(timeout => 10);
my $RS = 'https://rs.example/api';

sub get_json {
    my $url = shift;
    my $r = $http->get($url);
    return ($r->{status}, eval { $JSON->decode($r->{content}) });
}

sub jwks_kids {
    my $as = shift;
    my ($st, $jwks) = get_json($as->{jwks_uri});
    return [map { $_->{kid} } @{ $jwks->{keys} || [] }];
}

# base64url(SHA-256(DER)) of a PEM certificate, by openssl
sub cert_x5t {
    my $pem = shift;
    my $der = `openssl x509 -in '$pem' -outform DER`;
    return encode_base64url(sha256($der));
}

my $as = start_oidc(tls => 1);
ok($as->{pid} && kill(0, $as->{pid}), "server.mjs runs (pid $as->{pid})");
like($as->{issuer}, qr{^http://127\.0\.0\.1:\d+\z}, "issuer $as->{issuer}");
ok($as->{tls_port}, "HTTPS listener on $as->{tls_port}");
like(ACOidc::_slurp($as->{log}), qr/^READY $as->{port} $as->{tls_port}$/m,
     'READY line');

# ------------------------------------------------------------ discovery
{
    my ($st, $m) = get_json($as->{metadata_url});
    is($st, 200, 'RFC 8414 metadata served');
    my ($st2, $o) = get_json($as->{openid_configuration});
    is($st2, 200, 'OpenID discovery served');
    is_deeply($m, $o, 'the same document at both well-known URIs');
    is($m->{issuer}, $as->{issuer}, 'issuer');
    is($m->{jwks_uri}, $as->{jwks_uri}, 'jwks_uri');
    is($m->{introspection_endpoint}, $as->{introspection_endpoint},
       'introspection_endpoint');
    is($m->{revocation_endpoint}, $as->{revocation_endpoint},
       'revocation_endpoint');
    ok((grep { $_ eq 'client_credentials' } @{ $m->{grant_types_supported} }),
       'client_credentials grant');
    ok((grep { $_ eq 'ES256' } @{ $m->{dpop_signing_alg_values_supported} }),
       'DPoP with ES256');
    ok($m->{tls_client_certificate_bound_access_tokens},
       'certificate-bound tokens');
    is($m->{mtls_endpoint_aliases}{token_endpoint},
       "https://127.0.0.1:$as->{tls_port}/token", 'mTLS token endpoint alias');
    my $d = oidc_client('discover', '--issuer', $as->{issuer});
    is($d->{issuer}, $as->{issuer}, 'oauth4webapi accepts the metadata');
}

# ------------------------------------------------------------ JWT token
my $jwt_tok;
{
    oidc_reset_stats($as);
    my $r = oidc_token($as, resource => $RS, scope => 'read write bogus');
    ok(!$r->{error}, 'JWT access token for a resource')
        or diag explain $r;
    $jwt_tok = $r->{access_token};
    my $j = decode_jwt($jwt_tok);
    is($j->{header}{typ}, 'at+jwt', 'typ at+jwt');
    is($j->{header}{alg}, 'ES256', 'alg ES256');
    is($j->{header}{kid}, 'k1', 'kid k1');
    is_deeply(jwks_kids($as), ['k1'], 'the kid is in the JWKS');
    is($j->{payload}{iss}, $as->{issuer}, 'iss');
    is($j->{payload}{aud}, $RS, 'aud = the resource');
    is($j->{payload}{scope}, 'read write', 'scope (unknown scope dropped)');
    is($r->{scope}, 'read write', 'scope in the token response');
    is($j->{payload}{sub}, 'app', 'sub = client_id');
    is($j->{payload}{client_id}, 'app', 'client_id');
    is($j->{payload}{exp} - $j->{payload}{iat}, 600, 'lifetime 600 s');
    ok($j->{payload}{jti}, 'jti');
    is($r->{token_type}, 'bearer', 'token_type Bearer');
    my $v = oidc_client('verify', '--issuer', $as->{issuer}, '--token',
                        $jwt_tok, '--aud', $RS);
    ok($v->{valid}, 'oauth4webapi validates it as RFC 9068')
        or diag explain $v;
    my ($v2, $st) = oidc_client('verify', '--issuer', $as->{issuer},
                                '--token', $jwt_tok, '--aud', 'https://other/');
    ok($st && $v2->{error}, "another audience is refused ($v2->{error})");
    my $s = oidc_stats($as);
    is($s->{token_requests}, 1, 'one token request counted');
    # jwks_kids, then the first verify (the second fails before fetching)
    is($s->{jwks_fetches}, 2, 'JWKS fetches counted');
}

# ------------------------------------------------- chosen claims (step-up)
{
    my $at = time - 3600;
    my $r = oidc_token($as, resource => $RS, scope => 'read',
                       claims => { acr => 'gold', auth_time => $at });
    my $p = decode_jwt($r->{access_token})->{payload};
    is($p->{acr}, 'gold', 'acr chosen by the test');
    is($p->{auth_time}, $at, 'auth_time chosen by the test');
    $r = oidc_token($as, resource => $RS, header => { typ => 'JWT' });
    is(decode_jwt($r->{access_token})->{header}{typ}, 'JWT',
       'header typ chosen by the test');
    my $m = oidc_mint($as, scope => 'read', claims => { acr => 'silver' });
    is($m->{header}{kid}, 'k1', 'mint: the server key');
    my $v = oidc_client('verify', '--issuer', $as->{issuer}, '--token',
                        $m->{token}, '--aud', $RS);
    ok($v->{valid}, 'a minted token verifies against the server JWKS')
        or diag explain $v;
    $m = oidc_mint($as, alg => 'none');
    my ($v2, $st) = oidc_client('verify', '--issuer', $as->{issuer},
                                '--token', $m->{token}, '--aud', $RS);
    ok($st && $v2->{error}, 'alg none is refused by the reference RS');
}

# ------------------------------------------------ opaque, introspection
{
    oidc_reset_stats($as);
    my $r = oidc_token($as, scope => 'read',
                       claims => { sub => 'alice', acr => 'gold' });
    my $tok = $r->{access_token};
    ok($tok && !decode_jwt($tok), 'no resource: an opaque token');
    my $i = oidc_introspect($as, $tok);
    is($i->{active}, JSON::PP::true, 'introspection: active');
    is($i->{scope}, 'read', 'introspection: scope');
    is($i->{client_id}, 'app', 'introspection: client_id');
    is($i->{iss}, $as->{issuer}, 'introspection: iss');
    is($i->{sub}, 'alice', 'introspection: sub chosen by the test');
    is($i->{acr}, 'gold', 'introspection: acr chosen by the test');
    ok($i->{exp} > time, 'introspection: exp');
    my $rv = oidc_revoke($as, $tok);
    ok($rv->{revoked}, 'revoked');
    $i = oidc_introspect($as, $tok);
    is($i->{active}, JSON::PP::false, 'introspection after revocation: inactive');
    $i = oidc_introspect($as, $tok, client_secret => 'wrong');
    is($i->{error}, 'invalid_client', 'introspection with a wrong secret');
    my $s = oidc_stats($as);
    is($s->{introspections}, 3, 'introspections counted');
    is($s->{revocations}, 1, 'revocations counted');
    ok(-s $as->{clients}{rs}{secret_file}, 'rs secret file');
}

# ------------------------------------------------------------ JWKS count
{
    oidc_reset_stats($as);
    get_json($as->{jwks_uri}) for 1 .. 4;
    my $s = oidc_stats($as);
    is($s->{jwks_fetches}, 4, 'JWKS fetches counted');
    is(scalar @{ $s->{jwks_fetch_times} }, 4, 'with their times');
    oidc_fault($as, { jwks => { status => 503 } });
    my $r = $http->get($as->{jwks_uri});
    is($r->{status}, 503, 'fault: JWKS answers 503');
    oidc_fault($as, { jwks => { delay_ms => 700 } });
    my $t = Time::HiRes::time();
    $r = $http->get($as->{jwks_uri});
    ok(Time::HiRes::time() - $t >= 0.6 && $r->{status} == 200,
       'fault: JWKS answers late');
    oidc_fault($as);
    is(oidc_stats($as)->{jwks_fetches}, 6, 'faulted fetches are counted too');
}

# ------------------------------------------------------------ rotation
{
    my $opaque = oidc_token($as, scope => 'read')->{access_token};
    my $new = rotate_keys($as, kid => 'k2');
    is($new, 'k2', 'rotated to k2 (reload, old key kept)');
    is_deeply(jwks_kids($as), ['k2', 'k1'], 'JWKS: k2 and k1');
    my $j = decode_jwt(oidc_token($as, resource => $RS)->{access_token});
    is($j->{header}{kid}, 'k2', 'new tokens signed with k2');
    is(oidc_introspect($as, $opaque)->{active}, JSON::PP::true,
       'an opaque token survives a reload');
    my $port = $as->{port};
    my $pid = $as->{pid};
    rotate_keys($as, kid => 'k3', alg => 'RS256', keep_old => 0, restart => 1);
    is($as->{port}, $port, 'restart keeps the port');
    isnt($as->{pid}, $pid, 'a new process');
    is_deeply(jwks_kids($as), ['k3'], 'JWKS: k3 alone');
    $j = decode_jwt(oidc_token($as, resource => $RS)->{access_token});
    is($j->{header}{kid}, 'k3', 'new tokens signed with k3');
    is($j->{header}{alg}, 'RS256', 'RS256');
    is(oidc_introspect($as, $opaque)->{active}, JSON::PP::false,
       'a restart forgets opaque tokens');
    is(oidc_stats($as)->{generation}, 0, 'generation 0 after a restart');
}

# ------------------------------------------------------------ DPoP
{
    my $key = oidc_keygen(alg => 'ES256', dir => $as->{dir});
    my $r = oidc_token($as, resource => $RS, scope => 'read', dpop_key => $key);
    ok(!$r->{error}, 'DPoP-bound token') or diag explain $r;
    is($r->{token_type}, 'dpop', 'token_type DPoP');
    my $p = decode_jwt($r->{access_token})->{payload};
    is($p->{cnf}{jkt}, $key->{jkt}, 'cnf.jkt = the key thumbprint');
    my $htu = 'http://127.0.0.1:8529/api/x';
    my $proof = dpop_proof(key => $key, htm => 'GET', htu => "$htu?q=1",
                           token => $r->{access_token});
    is($proof->{header}{typ}, 'dpop+jwt', 'proof typ dpop+jwt');
    is($proof->{header}{alg}, 'ES256', 'proof alg');
    ok(!exists $proof->{header}{jwk}{d}, 'proof jwk is public');
    is($proof->{payload}{htm}, 'GET', 'htm');
    is($proof->{payload}{htu}, $htu, 'htu without the query');
    is($proof->{payload}{ath},
       encode_base64url(sha256($r->{access_token})), 'ath');
    ok(abs($proof->{payload}{iat} - time) <= 2, 'iat now');
    my $v = oidc_client('verify', '--issuer', $as->{issuer}, '--token',
                        $r->{access_token}, '--aud', $RS, '--proof',
                        $proof->{proof}, '--htm', 'GET', '--htu', $htu);
    ok($v->{valid}, 'the reference RS accepts token + proof')
        or diag explain $v;
    my ($v2, $st) = oidc_client('verify', '--issuer', $as->{issuer},
        '--token', $r->{access_token}, '--aud', $RS, '--proof',
        $proof->{proof}, '--htm', 'POST', '--htu', $htu);
    ok($st && $v2->{error}, 'and refuses it for another method');
    my $odd = dpop_proof(key => $key, htm => 'POST', htu => $htu,
                         nonce => 'n-1', iat_offset => -120, jti => 'j-1',
                         header => { typ => 'JWT' });
    is($odd->{payload}{nonce}, 'n-1', 'nonce');
    is($odd->{payload}{jti}, 'j-1', 'jti');
    ok(abs($odd->{payload}{iat} - (time - 120)) <= 2, 'iat offset');
    is($odd->{header}{typ}, 'JWT', 'a deliberately wrong typ');
    ok(!exists $odd->{payload}{ath}, 'no token: no ath');
    for my $alg (qw(EdDSA RS256)) {
        my $k = oidc_keygen(alg => $alg, dir => $as->{dir});
        my $t = oidc_token($as, resource => $RS, dpop_key => $k);
        is(decode_jwt($t->{access_token} // '')->{payload}{cnf}{jkt}, $k->{jkt},
           "DPoP with $alg");
    }
}

# ------------------------------------------------------------ mTLS
{
    my $r = oidc_token($as, mtls => 1, resource => $RS, scope => 'read');
    ok(!$r->{error}, 'tls_client_auth client over HTTPS') or diag explain $r;
    my $p = decode_jwt($r->{access_token} // '')->{payload};
    is($p->{cnf}{'x5t#S256'}, cert_x5t($as->{client_cert}),
       'cnf x5t#S256 = its certificate thumbprint (openssl)');
    is($p->{sub}, 'mtls-app', 'sub mtls-app');
    $r = oidc_token($as, client => 'bound', cert => $as->{self_cert},
                    key => $as->{self_key}, resource => $RS);
    $p = decode_jwt($r->{access_token} // '')->{payload};
    is($p->{cnf}{'x5t#S256'}, cert_x5t($as->{self_cert}),
       'secret client + self-signed certificate: bound too');
    $r = oidc_token($as, mtls => 1, cert => $as->{self_cert},
                    key => $as->{self_key});
    is($r->{error}, 'invalid_client', 'tls_client_auth: wrong certificate refused');
    $r = oidc_token($as, client => 'bound', resource => $RS);
    is($r->{error}, 'invalid_grant', 'bound client without a certificate refused');
    $r = oidc_token($as, mtls => 1, scope => 'read');
    my $i = oidc_introspect($as, $r->{access_token});
    is($i->{cnf}{'x5t#S256'}, cert_x5t($as->{client_cert}),
       'introspection shows cnf x5t#S256 of an opaque bound token');
}

# ------------------------------------------------------------ processes
{
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        exit 0;                 # runs ACOidc's END block in the child
    }
    waitpid $pid, 0;
    ok(kill(0, $as->{pid}), "a forked child's exit leaves the server running");

    # another process (a forked child here) attaches to the running
    # server and uses its own client co-process
    $pid = fork // die "fork: $!";
    if (!$pid) {
        my $ok = eval {
            my $att = attach_oidc($as->{dir});
            my $r = oidc_token($att, resource => $RS);
            $att->{issuer} eq $as->{issuer} && !$r->{error}
                && decode_jwt($r->{access_token})->{payload}{iss} eq $as->{issuer};
        };
        POSIX::_exit($ok ? 0 : 1);
    }
    waitpid $pid, 0;
    is($?, 0, 'attach_oidc from another process: a token');
    ok(!oidc_token($as, resource => $RS)->{error},
       "the parent's client still works");

    my $nonce = start_oidc(dpop_nonce => 1, alg => 'EdDSA');
    my $key = oidc_keygen(dir => $nonce->{dir});
    my $r = oidc_token($nonce, resource => $RS, dpop_key => $key);
    ok(!$r->{error}, 'DPoP nonce required: the client retries with it')
        or diag explain $r;
    is(oidc_stats($nonce)->{token_requests}, 2, 'two token requests');
    is(decode_jwt($r->{access_token} // '')->{header}{alg}, 'EdDSA', 'EdDSA tokens');

    my $dir = $nonce->{dir};
    my $npid = $nonce->{pid};
    oidc_pause($nonce);
    ok(stop_oidc($nonce), 'stop_oidc of a paused server');
    ok(!kill(0, $npid), 'it is gone');
    ok(!-d $dir, 'its temp dir is removed');

    # a server whose owner dies stops by itself
    my $owner = fork // die;
    if (!$owner) { sleep 30; POSIX::_exit(0) }
    my $orphan = start_oidc(owner => $owner, keep => 1);
    my $opid = $orphan->{pid};
    kill 'KILL', $owner;
    waitpid $owner, 0;
    my $gone = 0;
    for (1 .. 60) {
        last if ($gone = waitpid($opid, POSIX::WNOHANG()) == $opid);
        Time::HiRes::sleep(0.05);
    }
    ok($gone, 'a server stops once its owner is gone');
    delete $orphan->{pid};
    File::Path::remove_tree($orphan->{dir});
}

my $port = $as->{port};
my $spid = $as->{pid};
my $sdir = $as->{dir};
ok(stop_oidc($as), 'stop_oidc');
ok(!kill(0, $spid), 'server gone');
ok(!IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Timeout => 1),
   'port closed');
ok(!-d $sdir, 'temp dir removed');

diag(sprintf 'harness took %.1f s', Time::HiRes::time() - $T0);

done_testing();
