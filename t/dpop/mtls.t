# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Certificate-bound access tokens (RFC 8705 §3; docs/bearer.md, "DPoP
# and mTLS-bound tokens"): node-oidc-provider (t/rs/setup.sh, its HTTPS
# listener) binds a token to the TLS client certificate of the token
# request (cnf x5t#S256); mod_ssl asks for a client certificate
# (SSLVerifyClient optional_no_ca: a self-signed one binds as well as a
# CA's), and the token is taken only over a connection with that
# certificate: 401 invalid_token with another certificate, none, or over
# plain HTTP.  Configuration: t/conf/dpop.conf.in (host dpop_tls).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACOidc qw(:all);
use ACRs qw(:all);

plan skip_all => rs_missing() if rs_missing();
my $tls = eval { hostport('dpop_tls') };
plan tests => 24, need { 'the TLS host of t/conf/dpop.conf.in'
                         => sub { $tls } };

my $as = rs_as();
my $hp = hostport();
my $mark = error_log_mark();
my $API = 'https://rs.example/api';
my $path = '/dpop/mtls/env';
my $B = 'Bearer realm="DPoP", error="invalid_token", error_description=';
my $ALGS = 'DPoP algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 '
         . 'RS512 EdDSA"';

# curl over TLS with a client certificate (or none): status, challenges
# (in order), body.
sub tget {
    my ($tok, $cert, $key) = @_;
    my @c = $cert ? ('--cert', $cert, '--key', $key) : ();
    my ($st, $head, $body) = curl_full('-k', @c, '-H',
                                       "Authorization: Bearer $tok",
                                       "https://$tls$path");
    my @ch = $head =~ /^WWW-Authenticate: ([^\r\n]*)/mig;
    return ($st, \@ch, $body);
}

my $self = token($as, client => 'bound', cert => $as->{self_cert},
                 key => $as->{self_key}, resource => $API, scope => 'read');
my $casig = token($as, mtls => 1, client => 'mtls', resource => $API,
                  scope => 'read');
my $thumb = oidc_client('thumbprint', '--cert', $as->{self_cert});
is(decode_jwt($self)->{payload}{cnf}{'x5t#S256'}, $thumb->{'x5t#S256'},
   'the server bound the token to the self-signed certificate');
ok(decode_jwt($casig)->{payload}{cnf}{'x5t#S256'},
   'and the tls_client_auth token to the CA-signed one');

# ------------------------------------------------ the right certificate
my ($st, $ch, $body) = tget($self, $as->{self_cert}, $as->{self_key});
is($st, 200, 'self-signed certificate, its token: 200');
like($body, qr/^REMOTE_USER=bound-app$/m, '... REMOTE_USER=bound-app');
like($body, qr/^AUTH_TYPE=Bearer$/m, '... AUTH_TYPE=Bearer');
($st) = tget($casig, $as->{client_cert}, $as->{client_key});
is($st, 200, 'CA-signed certificate (tls_client_auth), its token: 200');

# ------------------------------------------------ not that certificate
my $other = "${B}\"token is bound to another TLS client certificate\"";
($st, $ch) = tget($self, $as->{client_cert}, $as->{client_key});
is($st, 401, 'another certificate: 401');
is_deeply($ch, [$ALGS, $other], '... Bearer error="invalid_token"');
($st, $ch) = tget($casig, $as->{self_cert}, $as->{self_key});
is($st, 401, 'the other token, the other certificate: 401');
is_deeply($ch, [$ALGS, $other], '... invalid_token');
my $none = "${B}\"token is bound to a TLS client certificate and the "
         . "connection has none\"";
($st, $ch) = tget($self);
is($st, 401, 'TLS without a client certificate: 401');
is_deeply($ch, [$ALGS, $none], '... invalid_token');
my $r = bget($hp, $path, $self);
is($r->{status}, 401, 'plain HTTP: 401');
is_deeply([headers_named($r, 'WWW-Authenticate')], [$ALGS, $none],
          '... invalid_token');

# ------------------------------------------------ cached verdicts
# the first request cached the token's verdict: the binding is checked
# on every request all the same
($st) = tget($self, $as->{self_cert}, $as->{self_key});
is($st, 200, 'again with its certificate: 200 (cached verdict)');
($st, $ch) = tget($self, $as->{client_cert}, $as->{client_key});
is($st, 401, '... then another certificate: 401');
is_deeply($ch, [$ALGS, $other], '... invalid_token');

# ------------------------------------------------ claims made by hand
for my $cnf ([number => { 'x5t#S256' => 5 }], [string => 'x'],
             [array => ['x']]) {
    my $t = minted($as, aud => $API, claims => { cnf => $cnf->[1] });
    ($st, $ch) = tget($t, $as->{self_cert}, $as->{self_key});
    is($st, 401, "cnf that is a $cnf->[0] of the wrong shape: 401");
    is_deeply($ch, [$ALGS, "${B}\"token has a malformed cnf claim\""],
              '... invalid_token');
}

no_secrets_logged($mark);
