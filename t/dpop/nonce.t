# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# DPoP server nonces (RFC 9449 §8, §9; docs/bearer.md, "Server
# nonces"): with AuthChallengeBearerDPoPNonce On a proof without a nonce,
# or with one the server did not make, gets 401 use_dpop_nonce and a
# DPoP-Nonce to use; a real client (oauth4webapi) retries with it and
# gets 200; a nonce is HMAC'd, not stored: any process takes it; a
# proof with a valid nonce is still used once.  Configuration:
# t/conf/dpop.conf.in (/dpop/nonce/).
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
my $hp = hostport();
my $mark = error_log_mark();
my $API = 'https://rs.example/api';
my $ALGS = 'algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 '
         . 'EdDSA"';
my $USE = "DPoP error=\"use_dpop_nonce\", error_description=\"Resource "
        . "server requires nonce in DPoP proof\", $ALGS";
my $path = '/dpop/nonce/ok.txt';
my $key = oidc_keygen(alg => 'ES256');
my $tok = token($as, resource => $API, scope => 'read', dpop_key => $key);

sub proof {
    my (%o) = @_;
    return dpop_proof(key => $key, htm => 'GET', htu => "http://$hp$path",
                      token => $tok, %o)->{proof};
}

sub dget {
    my ($p) = @_;
    return req($hp, 'GET', $path, Authorization => "DPoP $tok",
               DPoP => $p);
}

# ------------------------------------------------ the first round
my $r = dget(proof());
is($r->{status}, 401, 'a proof without a nonce: 401');
is_deeply([headers_named($r, 'WWW-Authenticate')], [$USE],
          '... DPoP error="use_dpop_nonce"');
my ($nonce) = headers_named($r, 'DPoP-Nonce');
like($nonce // '', qr/^[A-Za-z0-9_.~+\/=-]+$/,
     '... a DPoP-Nonce of NQCHAR (RFC 9449 §8.1)');
is(header_count($r, 'DPoP-Nonce'), 1, '... one DPoP-Nonce field');

$r = dget(proof(nonce => $nonce));
is($r->{status}, 200, 'a proof with that nonce: 200');
is($r->{body}, "ok rs\n", '... the file');

# stateless: the same nonce, in other proofs (any process takes it)
my @st = map { dget(proof(nonce => $nonce))->{status} } 1 .. 6;
is_deeply(\@st, [(200) x 6], 'the nonce again in six new proofs: 200 each');

my $p = proof(nonce => $nonce);
is(dget($p)->{status}, 200, 'a proof with a nonce: 200');
$r = dget($p);
is($r->{status}, 401, '... the same proof again: 401');
is_deeply([headers_named($r, 'WWW-Authenticate')],
          ["DPoP error=\"invalid_dpop_proof\", error_description=\"DPoP "
           . "proof replayed\", $ALGS"], '... invalid_dpop_proof');

# ------------------------------------------------ nonces not ours
for my $bad ([tampered => do { (my $n = $nonce) =~ s/^(.)/$1 eq 'A' ? 'B' : 'A'/e; $n }],
             [made_up => 'abc123'], [empty => '']) {
    $r = dget(proof(nonce => $bad->[1]));
    is($r->{status}, 401, "a $bad->[0] nonce: 401");
    is_deeply([headers_named($r, 'WWW-Authenticate')], [$USE],
              "... use_dpop_nonce");
    isnt((headers_named($r, 'DPoP-Nonce'))[0] // '', '',
         '... with a fresh DPoP-Nonce');
}

# ------------------------------------------------ a real client
{
    my $c = oidc_client('resource', '--url', "http://$hp$path", '--token',
                        $tok, '--key', $key->{file}, '--twice');
    is($c->{status}, 200, 'oauth4webapi: 200 in the end') or diag(explain($c));
    is_deeply([map { $_->{status} } @{$c->{responses} || []}],
              [401, 200, 200],
              '... 401 use_dpop_nonce, retried with the nonce: 200, and '
              . 'its next request uses the nonce at once: 200');
}

like(error_log_since($mark),
     qr/AC01005: client \S+ scheme DPoP: DPoP proof without a server nonce/,
     'the first round is no failure: AC01005 at debug');
