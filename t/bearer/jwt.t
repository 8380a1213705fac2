# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Bearer JWTs at the origin (RFC 6750, RFC 7519; docs/bearer.md): status
# codes and challenges (401 plain, 400 invalid_request, 401
# invalid_token), time claims and leeway, iss/aud, RequireExp, alg none
# and algorithm confusion, every algorithm once, a JWKS with two keys
# chosen by kid, curl --oauth2-bearer, and no token in error_log.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACJWT qw(:all);
use ACBearer qw(:all);

plan tests => 214;

my $hp = hostport();
my $mark = error_log_mark();
my @used;                       # every token sent: none may be logged

sub get {
    my ($path, $tok, @h) = @_;
    if (defined $tok) {
        push @used, $tok;
        push @h, Authorization => "Bearer $tok";
    }
    return req($hp, 'GET', $path, @h);
}

sub ok200 {
    my ($path, $tok, $what) = @_;
    my $r = get($path, $tok);
    is($r->{status}, 200, "$what: 200")
        or diag(join "\n", map { "$_->[0]: $_->[1]" } @{ $r->{headers} });
    return $r;
}

sub bad_token {
    my ($path, $tok, $what) = @_;
    is_bearer_error(get($path, $tok), 401, 'invalid_token', $what);
}

my $HS = '/bearer/hs256/ok.txt';
my $now = time;

# ------------------------------------------------ no credentials, malformed
is_plain_401(get($HS), 'no Authorization');
is_plain_401(req($hp, 'GET', $HS, Authorization => 'Basic YTpi'),
             'Basic credentials at a Bearer area');
for my $bad (['Bearer', 'no token'],
             ['Bearer a b', 'two tokens'],
             ['Bearer abc$def', 'bad character $'],
             ['Bearer abc"def', 'bad character "'],
             ['Bearer ab=cd', '= inside the token']) {
    is_bearer_error(req($hp, 'GET', $HS, Authorization => $bad->[0]),
                    400, 'invalid_request', "malformed: $bad->[1]");
}

# ------------------------------------------------ valid, then each refusal
{
    my $r = ok200($HS, jwt(claims => claims()), 'valid HS256');
    is($r->{body}, "ok bearer\n", 'valid HS256: the content');
    is(header_count($r, 'WWW-Authenticate'), 0,
       'valid HS256: no WWW-Authenticate');
}
bad_token($HS, jwt(claims => claims(), secret => 'x' x 48),
          'signed with another secret');
{
    my $t = jwt(claims => claims());
    my ($h, $p, $s) = split /\./, $t;
    my $other = b64url('{"sub":"mallory","iss":"https://issuer.example",'
                       . '"aud":"api://bearer-test","exp":' . ($now + 600)
                       . '}');
    bad_token($HS, "$h.$other.$s", 'payload swapped, signature kept');
    bad_token($HS, "$h.$p." . substr($s, 0, -2) . 'AA',
              'signature altered');
    bad_token($HS, "$h.$p", 'two segments');
    bad_token($HS, 'abc.def.ghi', 'not a JWT (token68 though)');
}
bad_token($HS, jwt(claims => claims(exp => $now - 90, iat => $now - 700)),
          'expired 90 s ago (leeway 60)');
ok200($HS, jwt(claims => claims(exp => $now - 30, iat => $now - 700)),
      'expired 30 s ago, within the leeway');
bad_token($HS, jwt(claims => claims(nbf => $now + 120)),
          'nbf 120 s in the future');
ok200($HS, jwt(claims => claims(nbf => $now + 30)),
      'nbf 30 s in the future, within the leeway');
bad_token($HS, jwt(claims => claims(iat => $now + 3600)),
          'iat an hour in the future');
bad_token($HS, jwt(claims => claims(iss => 'https://evil.example')),
          'wrong iss');
bad_token($HS, jwt(claims => claims(iss => undef)), 'no iss');
bad_token($HS, jwt(claims => claims(aud => 'api://elsewhere')),
          'wrong aud');
bad_token($HS, jwt(claims => claims(aud => undef)), 'no aud');
ok200($HS, jwt(claims => claims(aud => 'api://other')),
      'second configured audience');
ok200($HS, jwt(claims => claims(aud => ['api://x', 'api://bearer-test'])),
      'aud array containing the audience');
bad_token($HS, jwt(claims => claims(aud => ['api://x', 'api://y'])),
          'aud array without the audience');
bad_token($HS, jwt(claims => claims(exp => undef)),
          'no exp, RequireExp On (default)');
ok200('/bearer/noexp/ok.txt', jwt(claims => claims(exp => undef)),
      'no exp, RequireExp Off');
bad_token('/bearer/noexp/ok.txt',
          jwt(claims => claims(exp => $now - 3600)),
          'RequireExp Off still checks a present exp');

# alg none, in the header of an otherwise valid token.
bad_token($HS, jwt(alg => 'none', claims => claims()), 'alg none');
{
    my $t = jwt(claims => claims());
    my (undef, $p, $s) = split /\./, $t;
    my $h = b64url('{"alg":"none","typ":"JWT"}');
    bad_token($HS, "$h.$p.$s", 'alg none with the HS256 signature kept');
}
# Algorithm confusion: HS256 keyed with the RSA public key's PEM bytes.
bad_token('/bearer/rs256/ok.txt',
          jwt(alg => 'HS256', claims => claims(),
              secret => slurp(key_path('RS256') =~ s/\.pem$/.pub.pem/r)),
          'HS256 signed with the RS256 public key (confusion)');
bad_token($HS, jwt(alg => 'RS256', claims => claims()),
          'RS256 token at an HS256 area');
bad_token($HS, jwt(alg => 'HS384', claims => claims(),
                   secret => slurp(key_path('HS256'))),
          'HS384 with the HS256 secret at an HS256 area');

# ------------------------------------------------ every algorithm once
for my $alg (qw(HS256 HS384 HS512 RS256 PS256 ES256 ES384 EdDSA)) {
    my $r = ok200('/bearer/' . lc($alg) . '/ok.txt',
                  jwt(alg => $alg, claims => claims()), $alg);
    is($r->{body}, "ok bearer\n", "$alg: the content");
}
bad_token('/bearer/es384/ok.txt', jwt(alg => 'ES256', claims => claims()),
          'ES256 token at an ES384 area');
bad_token('/bearer/ps256/ok.txt', jwt(alg => 'RS256', claims => claims()),
          'RS256 token at a PS256-only area');
{
    my ($h, undef, $s) = split /\./, jwt(alg => 'EdDSA', claims => claims());
    my $p = b64url('{"sub":"mallory"}');
    bad_token('/bearer/eddsa/ok.txt', "$h.$p.$s",
              'EdDSA signature over other claims');
}

# ------------------------------------------------ JWKS: two keys by kid
{
    my $rsa2 = key_dir() . '/rsa2.pem';
    ok200('/bearer/jwks/ok.txt',
          jwt(alg => 'RS256', header => { kid => 'key-a' },
              claims => claims()), 'JWKS kid key-a');
    ok200('/bearer/jwks/ok.txt',
          jwt(alg => 'RS256', header => { kid => 'key-b' }, key => $rsa2,
              claims => claims()), 'JWKS kid key-b');
    ok200('/bearer/jwks/ok.txt',
          jwt(alg => 'PS256', header => { kid => 'key-b' }, key => $rsa2,
              claims => claims()), 'JWKS kid key-b, PS256');
    bad_token('/bearer/jwks/ok.txt',
              jwt(alg => 'RS256', header => { kid => 'key-a' },
                  key => $rsa2, claims => claims()),
              'JWKS kid key-a, signed with key-b');
    bad_token('/bearer/jwks/ok.txt',
              jwt(alg => 'RS256', header => { kid => 'key-c' },
                  claims => claims()), 'JWKS unknown kid');
    bad_token('/bearer/jwks/ok.txt',
              jwt(alg => 'HS256', header => { kid => 'key-a' },
                  claims => claims(),
                  secret => slurp(key_dir() . '/rsa.pub.pem')),
              'JWKS: HS256 keyed with the RSA public key');
}

# ------------------------------------------------ the credential cache
# A token verified (and cached) in one area must not open another area
# whose keys or checks refuse it (same AuthName "API" everywhere here).
{
    my $t = jwt(claims => claims());
    bad_token('/bearer/rs256/ok.txt', $t, 'cache: HS256 token at rs256');
    ok200($HS, $t, 'cache: the same token at hs256');
    bad_token('/bearer/rs256/ok.txt', $t,
              'cache: HS256 token at rs256 after hs256 accepted it');
    $t = jwt(claims => claims(exp => undef));
    ok200('/bearer/noexp/ok.txt', $t, 'cache: no exp at noexp');
    bad_token($HS, $t, 'cache: no exp at hs256 after noexp accepted it');
    $t = jwt(alg => 'ES256', claims => claims());
    ok200('/bearer/es256/ok.txt', $t, 'cache: ES256 at es256');
    bad_token('/bearer/jwks/ok.txt', $t,
              'cache: ES256 at the RSA JWKS after es256 accepted it');
    $t = jwt(claims => claims());
    ok200('/bearer/header/ok.txt', $t, 'cache: no email claim at header');
    bad_token('/bearer/email/ok.txt', $t,
              'cache: no email claim at UserClaim email after that');
}

# ------------------------------------------------ curl --oauth2-bearer
{
    my $t = jwt(claims => claims());
    push @used, $t;
    is(curl('--oauth2-bearer', $t, "http://$hp$HS"), '200',
       'curl --oauth2-bearer: 200');
    is(curl("http://$hp$HS"), '401', 'curl without a token: 401');
}

# ------------------------------------------------ nothing leaked
{
    my @sigs = map { (split /\./)[2] // () } @used;
    my @found = secrets_in_log($mark, @used,
                               grep { length > 8 } @sigs);
    is_deeply(\@found, [], 'no token or signature in error_log')
        or diag("found: @found");
    like(error_log_since($mark), qr/authchallenge|AC\d{5}/,
         'the module did log (the check above is not vacuous)');
}
