# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# DPoP (RFC 9449; docs/bearer.md, "DPoP and mTLS-bound tokens") in
# origin mode, with tokens of a real authorization server
# (node-oidc-provider of t/rs/setup.sh, features.dPoP) bound to keys
# that a real client library made (oauth4webapi, t/oidc/client.mjs):
# the challenges of Off, Allowed and Required; a real client's request;
# REMOTE_USER and AUTH_TYPE; every check of a proof refused with its
# own error_description, from proofs made by hand; the same proof twice;
# a DPoP-bound token as Bearer; an unbound token as DPoP; 403
# insufficient_scope and RFC 9470 step-up in the DPoP scheme; RFC 9728
# resource_metadata; no token or proof in error_log.  Server nonces:
# t/dpop/nonce.t; races: t/dpop/race.t; mTLS: t/dpop/mtls.t; the forward
# proxy: t/dpop/proxy.t.  Configuration: t/conf/dpop.conf.in.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use JSON::PP ();
use MIME::Base64 ();
use ACTest qw(:all);
use ACOidc qw(:all);
use ACRs qw(:all);

plan skip_all => rs_missing() if rs_missing();
plan tests => 95;

my $as = rs_as();
my $hp = hostport();
my $mark = error_log_mark();
my $API = 'https://rs.example/api';
my $ALGS = 'algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 '
         . 'EdDSA"';
my @PROOFS;         # every proof sent: none may be logged

my $key = oidc_keygen(alg => 'ES256');
my $tok = token($as, resource => $API, scope => 'read', dpop_key => $key);
my $plain = token($as, resource => $API, scope => 'read');

sub url { return "http://$hp" . shift }

# A proof of $key (oauth4webapi) for GET $path and the token.
sub proof {
    my ($path, %o) = @_;
    my $p = dpop_proof(key => $o{key} || $key, htm => $o{htm} || 'GET',
                       htu => $o{htu} || url($path),
                       token => exists $o{token} ? $o{token} : $tok,
                       map { exists $o{$_} ? ($_ => $o{$_}) : () }
                       qw(nonce iat_offset jti claims header))->{proof};
    push @PROOFS, $p;
    return $p;
}

sub dget {
    my ($path, $t, $p, @h) = @_;
    push @h, Authorization => "DPoP $t" if defined $t;
    push @h, DPoP => $p if defined $p;
    return req($hp, 'GET', $path, @h);
}

sub fields { return [headers_named(shift, 'WWW-Authenticate')] }

# 401 with DPoP's error challenge first, then @also (Allowed: Bearer's).
sub refused {
    my ($r, $error, $desc, $what, @also) = @_;
    is($r->{status}, 401, "$what: 401");
    is_deeply(fields($r), ["DPoP error=\"$error\", "
                           . "error_description=\"$desc\", $ALGS", @also],
              "$what: DPoP error=\"$error\"");
}

my $B = 'Bearer realm="DPoP"';

# ------------------------------------------------ the token
{
    my $j = decode_jwt($tok);
    is($j->{header}{typ}, 'at+jwt', 'the server issued an RFC 9068 token');
    is($j->{payload}{cnf}{jkt}, $key->{jkt},
       '... bound to the DPoP key (cnf.jkt, RFC 7638 thumbprint)');
}

# ------------------------------------------------ challenges
is_deeply(fields(dget('/dpop/allowed/ok.txt')),
          ["DPoP $ALGS", 'Bearer realm="DPoP"'],
          'Allowed, no credentials: DPoP algs then Bearer, two fields');
is(dget('/dpop/allowed/ok.txt')->{status}, 401, '... 401');
is_deeply(fields(dget('/dpop/required/ok.txt')), ["DPoP $ALGS"],
          'Required, no credentials: only DPoP algs');
is_deeply(fields(dget('/dpop/off/ok.txt')), ['Bearer realm="DPoP"'],
          'Off: only Bearer');
is_deeply(fields(dget('/dpop/meta/ok.txt')),
          ["DPoP $ALGS, resource_metadata=\"https://rs.example/.well-known/"
           . "oauth-protected-resource\"",
           'Bearer realm="DPoP", resource_metadata="https://rs.example/'
           . '.well-known/oauth-protected-resource"'],
          'RFC 9728 resource_metadata on both challenges');

# ------------------------------------------------ a real client
{
    my $r = oidc_client('resource', '--url', url('/dpop/required/env'),
                        '--token', $tok, '--key', $key->{file});
    is($r->{status}, 200, 'oauth4webapi, DPoP: 200')
        or diag(explain($r));
    like($r->{body} // '', qr/^REMOTE_USER=app$/m,
         '... REMOTE_USER is the token\'s sub (the client id)');
    like($r->{body} // '', qr/^AUTH_TYPE=DPoP$/m, '... AUTH_TYPE=DPoP');
    like($r->{body} // '', qr/^AUTHCHALLENGE_CLAIM_client_id=app$/m,
         '... claims exported as for Bearer');
    $r = oidc_client('resource', '--url', url('/dpop/allowed/ok.txt'),
                     '--token', $tok, '--key', $key->{file}, '--twice');
    is($r->{status}, 200, 'oauth4webapi, Allowed, two requests: 200');
    is_deeply([map { $_->{status} } @{$r->{responses} || []}], [200, 200],
              '... each with a proof of its own');
}

# ------------------------------------------------ hand-made requests
for my $area (qw(allowed required nocache)) {
    my $path = "/dpop/$area/ok.txt";
    my $r = dget($path, $tok, proof($path));
    is($r->{status}, 200, "$area: token and proof: 200");
    is($r->{body}, "ok rs\n", "$area: ... the file");
}
{
    my $p = proof('/dpop/allowed/ok.txt');
    is(dget('/dpop/allowed/ok.txt', $tok, $p)->{status}, 200,
       'a proof: 200');
    refused(dget('/dpop/allowed/ok.txt', $tok, $p), 'invalid_dpop_proof',
            'DPoP proof replayed', 'the same proof again', $B);
    my $q = proof('/dpop/nocache/ok.txt');
    is(dget('/dpop/nocache/ok.txt', $tok, $q)->{status}, 200,
       'no credential cache: a proof: 200');
    refused(dget('/dpop/nocache/ok.txt', $tok, $q), 'invalid_dpop_proof',
            'DPoP proof replayed', 'no credential cache: the same proof');
}

# ------------------------------------------------ each check of a proof
{
    my $path = '/dpop/required/ok.txt';
    my $other = oidc_keygen(alg => 'ES256');
    my %bad = (
        'typ JWT' => [{ header => { typ => 'JWT' } },
                      'DPoP proof typ is not dpop+jwt'],
        'no typ' => [{ header => { typ => undef } },
                     'DPoP proof typ is not dpop+jwt'],
        'htm POST' => [{ htm => 'POST' }, 'DPoP proof htm does not match'],
        'htm get (case)' => [{ claims => { htm => 'get' } },
                             'DPoP proof htm does not match'],
        'htu another path' => [{ htu => url('/dpop/required/other') },
                               'DPoP proof htu does not match'],
        'htu another host' => [{ htu => "http://rs.example$path" },
                               'DPoP proof htu does not match'],
        'htu https' => [{ htu => "https://$hp$path" },
                        'DPoP proof htu does not match'],
        'iat 120 s ago' => [{ iat_offset => -120 },
                            'DPoP proof iat outside the window'],
        'iat 120 s ahead' => [{ iat_offset => 120 },
                              'DPoP proof iat outside the window'],
        'ath of another token' => [{ token => $plain },
                                   'DPoP proof ath does not match'],
        'no ath' => [{ token => undef }, 'DPoP proof ath does not match'],
        'no jti' => [{ claims => { jti => undef } }, 'malformed DPoP proof'],
        'key of another client' => [{ key => $other }, 'DPoP proof key is '
                                    . 'not the key the token is bound to'],
        'a private jwk' => [{ header => { jwk => $key->{private_jwk} } },
                            'DPoP proof key not accepted'],
    );
    for my $what (sort keys %bad) {
        my ($o, $desc) = @{$bad{$what}};
        refused(dget($path, $tok, proof($path, %$o)), 'invalid_dpop_proof',
                $desc, "proof with $what");
    }
    # htu normalised (RFC 3986 §6): scheme and host case, default port
    # stay the same URI; the query and fragment are not part of it
    is(dget($path, $tok, proof($path, htu => "HTTP://$hp$path"))->{status},
       200, 'htu with the scheme in capitals: 200');
    (my $enc = $path) =~ s/ok/%6Fk/;
    is(dget($path, $tok, proof($path, htu => url($enc)))->{status}, 200,
       'htu with an unreserved character percent-encoded: 200');
    is(dget("$path?x=1", $tok, proof($path))->{status}, 200,
       'a query is not part of htu (RFC 9449 §4.3): 200');
    is(dget($path, $tok, proof($path, htu => url("$path?x=1")))->{status},
       200, '... nor in the proof: 200');

    # signatures: a proof signed by another key than its jwk; alg none;
    # a symmetric alg
    my $p = proof($path);
    my ($hd, $pl, $sig) = split /\./, $p;
    my $q = proof($path, key => $other);
    my (undef, undef, $sig2) = split /\./, $q;
    refused(dget($path, $tok, "$hd.$pl.$sig2"), 'invalid_dpop_proof',
            'DPoP proof signature invalid', 'a signature of another key');
    my $h2 = JSON::PP->new->canonical->decode(dec($hd));
    $h2->{alg} = 'none';
    refused(dget($path, $tok, enc(JSON::PP->new->canonical->encode($h2))
                                  . ".$pl."),
            'invalid_dpop_proof', 'DPoP proof algorithm not accepted',
            'alg none');
    $h2->{alg} = 'HS256';
    refused(dget($path, $tok, enc(JSON::PP->new->canonical->encode($h2))
                                  . ".$pl.$sig"),
            'invalid_dpop_proof', 'DPoP proof algorithm not accepted',
            'alg HS256');
    refused(dget($path, $tok, 'not-a-jws'), 'invalid_dpop_proof',
            'malformed DPoP proof', 'a proof that is no JWS');

    # RFC 9449 §4.3 check 1: exactly one proof
    my $r = dget($path, $tok, proof($path), DPoP => proof($path));
    refused($r, 'invalid_dpop_proof', 'more than one DPoP proof',
            'two DPoP fields');
    refused(dget($path, $tok), 'invalid_dpop_proof', 'no DPoP proof',
            'DPoP scheme without a proof');
}

sub enc { return MIME::Base64::encode_base64url(shift) }

sub dec { return MIME::Base64::decode_base64url(shift) }

# ------------------------------------------------ tokens and schemes
{
    my $path = '/dpop/allowed/ok.txt';
    my $r = bget($hp, $path, $tok);
    is($r->{status}, 401, 'Allowed: the DPoP-bound token as Bearer: 401');
    is_deeply(fields($r),
              ["DPoP $ALGS", 'Bearer realm="DPoP", error="invalid_token", '
               . 'error_description="token is bound to a DPoP key: send it '
               . 'with the DPoP scheme and a proof"'],
              '... Bearer error="invalid_token"');
    $r = bget($hp, '/dpop/off/ok.txt', $tok);
    is($r->{status}, 401, 'Off: the DPoP-bound token as Bearer: 401');
    is_deeply(fields($r),
              ['Bearer realm="DPoP", error="invalid_token", '
               . 'error_description="token is bound to a DPoP key: send it '
               . 'with the DPoP scheme and a proof"'],
              '... Bearer error="invalid_token"');
    $r = bget($hp, '/dpop/required/ok.txt', $tok);
    is($r->{status}, 401, 'Required: the DPoP-bound token as Bearer: 401');
    is_deeply(fields($r),
              ["DPoP error=\"invalid_token\", error_description=\"DPoP is "
               . "required here: send the token with the DPoP scheme and a "
               . "proof\", $ALGS"],
              '... DPoP error="invalid_token", no Bearer challenge');
    $r = bget($hp, '/dpop/required/ok.txt', $plain);
    is($r->{status}, 401, 'Required: an unbound token as Bearer: 401');
    is(header_count($r, 'WWW-Authenticate'), 1, '... one challenge');
    is(bget($hp, '/dpop/allowed/ok.txt', $plain)->{status}, 200,
       'Allowed: an unbound token as Bearer: 200');
    refused(dget($path, $plain, proof($path, token => $plain)),
            'invalid_token', 'token is not bound to a DPoP key',
            'an unbound token with the DPoP scheme', $B);
    $r = dget('/dpop/off/ok.txt', $tok, proof('/dpop/off/ok.txt'));
    is($r->{status}, 401, 'Off: the DPoP scheme is not offered: 401');
    is_deeply(fields($r), ['Bearer realm="DPoP"'], '... Bearer challenge');
    my $bad = $tok;
    $bad =~ s/\.[^.]+$/.AAAA/;
    refused(dget($path, $bad, proof($path, token => $bad)), 'invalid_token',
            'invalid signature', 'a forged token with a good proof', $B);
    is(req($hp, 'GET', $path, Authorization => 'DPoP a b',
           DPoP => proof($path))->{status}, 400,
       'DPoP credentials that are no token68: 400');
}

# ------------------------------------------------ authorization
{
    my $path = '/dpop/scope/ok.txt';
    my $r = dget($path, $tok, proof($path));
    is($r->{status}, 403, 'Require bearer-scope admin, a read token: 403');
    is_deeply(fields($r), ["DPoP error=\"insufficient_scope\", "
                           . "scope=\"admin\", $ALGS"],
              '... DPoP error="insufficient_scope", scope="admin"');
    my $admin = token($as, resource => $API, scope => 'read admin',
                      dpop_key => $key);
    is(dget($path, $admin, proof($path, token => $admin))->{status}, 200,
       '... a token with admin: 200');
    $path = '/dpop/acr/ok.txt';
    my $gold = token($as, resource => $API, scope => 'read',
                     dpop_key => $key, claims => { acr => 'gold' });
    is(dget($path, $gold, proof($path, token => $gold))->{status}, 200,
       'Require bearer-acr gold, acr gold: 200');
    $r = dget($path, $tok, proof($path));
    is($r->{status}, 401, 'no acr: 401');
    is_deeply(fields($r),
              ["DPoP error=\"insufficient_user_authentication\", "
               . "error_description=\"A different authentication level is "
               . "required\", acr_values=\"gold\", $ALGS",
               'Bearer realm="DPoP"'],
              '... step-up in the DPoP scheme (RFC 9470 §3)');
}

# ------------------------------------------------ log
{
    my $log = error_log_since($mark);
    like($log, qr/AC01001: client \S+ scheme DPoP user "app": authentication failed: DPoP proof jti seen before$/m,
         'a replayed proof: AC01001 with the user');
    like($log, qr/AC01001: client \S+ scheme DPoP: authentication failed: proof htu is not the request URI/,
         'a bad htu: AC01001');
    my @leak = grep { index($log, $_) >= 0 } @PROOFS;
    is(scalar @leak, 0, 'no proof in error_log');
}
no_secrets_logged($mark);
