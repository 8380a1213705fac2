# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Proxy and origin authentication together (docs/proxy.md), reverse proxy
# (origin semantics) and the forced modes:
#  - curl through the Challenge proxy (user pat, proxy.db) to an origin
#    area that wants its own user (olga, origin.db): Basic and Digest on
#    both legs; the origin sees Authorization, never Proxy-Authorization,
#    unless Proxy-Chain-Auth is set;
#  - a ProxyPass front end protected by the module: 401 + WWW-Authenticate;
#    and one passing the origin's own 401 through;
#  - AuthChallengeProxyMode proxy on a plain location: 407,
#    Proxy-Authorization; AuthChallengeProxyMode origin inside the forward
#    proxy: Authorization, WWW-Authenticate, and the status httpd sends.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACChallenge qw(:all);
use ACDigest qw(authorize);
use ACAuthParam qw(parse_challenges challenge_params);

plan tests => 64;

make_dbms();
my $mark = error_log_mark();
my $main   = hostport();
my $proxy  = hostport('chal_proxy');
my $origin = hostport('chal_origin');
my $front  = hostport('chal_rev');
my $px     = "http://$proxy";
my ($pu, $ou, $cu) = map { "$_:$CU{$_}" } qw(pat olga chuck);

# Scheme names of the challenge fields, in order.
sub schemes_of {
    my ($r, $name) = @_;
    return [map { (split / /)[0] } headers_named($r, $name)];
}
sub realms_of {
    my ($r, $name) = @_;
    return [map { challenge_params($_)->{realm} // '' }
            headers_named($r, $name)];
}

# ------------------------------------------------ stacked proxy + origin
my $secure = "http://$origin/challenge/secure/echo";
{
    my $r = req($proxy, 'GET', $secure, Host => $origin,
                'Proxy-Authorization' => basic('pat', $CU{pat}));
    is($r->{status}, 401, 'proxy ok, origin wants its own: 401');
    is_deeply(schemes_of($r, 'WWW-Authenticate'),
              [qw(Digest Digest Bearer Basic)],
              "origin's four challenges pass through the proxy");
    is_deeply(realms_of($r, 'WWW-Authenticate'), [($OREALM) x 4],
              "origin's challenges name the origin realm");
    is(header_count($r, 'Proxy-Authenticate'), 0,
       "origin's 401: no Proxy-Authenticate");
}
{
    my ($st, $h, $b) = curl_full('-x', $px, '--proxy-user', $pu,
                                 '-u', $ou, $secure);
    is($st, '200', 'stacked Basic/Basic (pat, olga): 200');
    like($b, qr/^REMOTE_USER=olga$/m, 'stacked Basic: origin user is olga');
    like($b, qr/^HTTP_AUTHORIZATION=\Q@{[basic('olga', $CU{olga})]}\E$/m,
         'stacked Basic: origin got the Authorization for olga');
    unlike($b, qr/^HTTP_PROXY_AUTHORIZATION=/m,
           'stacked Basic: origin did not get Proxy-Authorization');
}
{
    my ($st, $h, $b) = curl_full('-x', $px, '--proxy-digest',
                                 '--proxy-user', $pu, '--digest', '-u', $ou,
                                 $secure);
    is($st, '200', 'stacked Digest/Digest: 200');
    like($h, qr/\AHTTP\/1\.1 407 .*HTTP\/1\.1 401 .*HTTP\/1\.1 200 /s,
         'stacked Digest: 407, then 401, then 200');
    like($b, qr/^HTTP_AUTHORIZATION=Digest username="olga", realm="\Q$OREALM\E"/m,
         'stacked Digest: origin got Digest for olga in its realm');
    unlike($b, qr/^HTTP_PROXY_AUTHORIZATION=/m,
           'stacked Digest: origin did not get Proxy-Authorization');
    my ($last) = $h =~ /(HTTP\/1\.1 200 .*)\z/s;
    like($last // '', qr/^Proxy-Authentication-Info: qop=auth, rspauth=/m,
         'stacked Digest: Proxy-Authentication-Info from the proxy');
    like($last // '', qr/^Authentication-Info: qop=auth, rspauth=/m,
         'stacked Digest: Authentication-Info from the origin');
}
is(curl('-x', $px, '--proxy-anyauth', '--proxy-user', $pu,
        '--anyauth', '-u', $ou, $secure), '200',
   'stacked --proxy-anyauth/--anyauth: 200');
{
    my $tok = bearer_token('tok-user');
    my ($st, undef, $b) = curl_full('-x', $px, '--proxy-user', $pu,
                                    '--oauth2-bearer', $tok, $secure);
    is($st, '200', 'stacked Basic proxy + Bearer origin: 200');
    like($b, qr/^REMOTE_USER=tok-user$/m, 'stacked Bearer: origin user');
}
is(curl('-x', $px, '--proxy-user', $pu, '-u', 'olga:wrong', $secure),
   '401', 'stacked, wrong origin password: 401');
is(curl('-x', $px, '--proxy-user', $ou, '-u', $ou, $secure), '407',
   'stacked, origin user at the proxy: 407');
is(curl('-x', $px, '--proxy-user', $pu, '-u', $pu, $secure), '401',
   'stacked, proxy user at the origin: 401');
is(curl('-p', '-x', $px, '--proxy-digest', '--proxy-user', $pu,
        '--digest', '-u', $ou, $secure), '200',
   'stacked through a CONNECT tunnel (Digest/Digest): 200');

# Proxy-Chain-Auth: mod_proxy forwards Proxy-Authorization.
{
    my ($st, undef, $b) = curl_full('-x', $px, '--proxy-user', $pu,
                                    "http://$origin/challenge/chain/echo");
    is($st, '200', 'Proxy-Chain-Auth, Basic: 200');
    like($b, qr/^HTTP_PROXY_AUTHORIZATION=\Q@{[basic('pat', $CU{pat})]}\E$/m,
         'Proxy-Chain-Auth, Basic: origin got Proxy-Authorization');
    ($st, undef, $b) = curl_full('-x', $px, '--proxy-digest',
                                 '--proxy-user', $pu,
                                 "http://$origin/challenge/chain/echo");
    is($st, '200', 'Proxy-Chain-Auth, Digest: 200');
    like($b, qr/^HTTP_PROXY_AUTHORIZATION=Digest username="pat"/m,
         'Proxy-Chain-Auth, Digest: origin got Proxy-Authorization');
}

# ------------------------------------------------ reverse proxy
{
    my $r = req($front, 'GET', '/challenge/rev/ok.txt');
    is($r->{status}, 401, 'reverse proxy, no credentials: 401');
    is_deeply(schemes_of($r, 'WWW-Authenticate'),
              [qw(Digest Digest Bearer Basic)],
              'reverse proxy: the four challenges as WWW-Authenticate');
    is_deeply(realms_of($r, 'WWW-Authenticate'), [($REALM) x 4],
              'reverse proxy: realm of the front end');
    is(header_count($r, 'Proxy-Authenticate'), 0,
       'reverse proxy: no Proxy-Authenticate');
    $r = req($front, 'GET', '/challenge/rev/ok.txt',
             'Proxy-Authorization' => basic('chuck', $CU{chuck}));
    is($r->{status}, 401, 'reverse proxy ignores Proxy-Authorization');
}
my $rev = "http://$front/challenge/rev";
{
    my ($st, undef, $b) = curl_full('--basic', '-u', $cu, "$rev/ok.txt");
    is($st, '200', 'reverse proxy, curl --basic: 200');
    is($b, "ok challenge\n", 'reverse proxy: body from the origin');
    ($st, my $h, $b) = curl_full('--digest', '-u', $cu, "$rev/ok.txt");
    is($st, '200', 'reverse proxy, curl --digest: 200');
    like($h, qr/^Authentication-Info: qop=auth, rspauth=/m,
         'reverse proxy, Digest: Authentication-Info');
    unlike($h, qr/^Proxy-Authentication-Info:/m,
           'reverse proxy, Digest: no Proxy-Authentication-Info');
    ($st, undef, $b) = curl_full('--anyauth', '-u', $cu, "$rev/echo");
    is($st, '200', 'reverse proxy, curl --anyauth: 200');
    like($b, qr/^HTTP_AUTHORIZATION=Digest /m,
         'reverse proxy: Authorization is passed to the backend');
    is(curl('--oauth2-bearer', bearer_token('rb'), "$rev/ok.txt"), '200',
       'reverse proxy, Bearer: 200');
}
# The origin's own 401 through a reverse proxy (same path: Digest uri
# is the same on both sides).
{
    my $r = req($front, 'GET', '/challenge/secure/ok.txt');
    is($r->{status}, 401, "reverse proxy to a protected origin: 401");
    is_deeply(realms_of($r, 'WWW-Authenticate'), [($OREALM) x 4],
              "reverse proxy: the origin's challenges");
    is(curl('--digest', '-u', $ou, "http://$front/challenge/secure/ok.txt"),
       '200', 'reverse proxy to a protected origin, Digest: 200');
    is(curl('--basic', '-u', $ou, "http://$front/challenge/secure/ok.txt"),
       '200', 'reverse proxy to a protected origin, Basic: 200');
}

# ------------------------------------------------ AuthChallengeProxyMode proxy
{
    my $r = req($main, 'GET', '/challenge/pmode/ok.txt');
    is($r->{status}, 407, 'mode proxy on a plain location: 407');
    is_deeply(schemes_of($r, 'Proxy-Authenticate'),
              [qw(Digest Digest Bearer Basic)],
              'mode proxy: four Proxy-Authenticate fields');
    is(header_count($r, 'WWW-Authenticate'), 0,
       'mode proxy: no WWW-Authenticate');
    my ($chal) = headers_named($r, 'Proxy-Authenticate');
    is(req($main, 'GET', '/challenge/pmode/ok.txt',
           'Proxy-Authorization' => basic('chuck', $CU{chuck}))->{status},
       200, 'mode proxy: Basic in Proxy-Authorization: 200');
    is(req($main, 'GET', '/challenge/pmode/ok.txt',
           Authorization => basic('chuck', $CU{chuck}))->{status},
       407, 'mode proxy: Basic in Authorization is not read: 407');
    is(req($main, 'GET', '/challenge/pmode/ok.txt',
           'Proxy-Authorization' => 'Bearer ' . bearer_token('pb'))->{status},
       200, 'mode proxy: Bearer in Proxy-Authorization: 200');
    my ($cred) = authorize(chal => parse_challenges($chal)->[0],
                           uri => '/challenge/pmode/ok.txt',
                           user => 'chuck', pass => $CU{chuck});
    $r = req($main, 'GET', '/challenge/pmode/ok.txt',
             'Proxy-Authorization' => $cred);
    is($r->{status}, 200, 'mode proxy: Digest SHA-256 in Proxy-Authorization');
    like((headers_named($r, 'Proxy-Authentication-Info'))[0] // '',
         qr/^qop=auth, rspauth="[0-9a-f]{64}"/,
         'mode proxy, Digest: Proxy-Authentication-Info');
    is(header_count($r, 'Authentication-Info'), 0,
       'mode proxy, Digest: no Authentication-Info');
}

# ------------------------------------------------ AuthChallengeProxyMode origin
# inside the forward proxy.  The module answers as an origin (401 +
# WWW-Authenticate); httpd's ap_die turns any 401 of a forward-proxied
# request into 407, so the client sees 407 with WWW-Authenticate.
my $mo = "http://$origin/challenge/modeorigin";
{
    my $r = req($proxy, 'GET', "$mo/ok.txt", Host => $origin);
    is($r->{status}, 407, 'mode origin in the proxy, no credentials: '
       . 'httpd sends 407');
    is_deeply(schemes_of($r, 'WWW-Authenticate'), [qw(Digest Digest Basic)],
              'mode origin in the proxy: challenges as WWW-Authenticate');
    is_deeply(realms_of($r, 'WWW-Authenticate'), [($REALM) x 3],
              'mode origin in the proxy: realm of that section');
    is(header_count($r, 'Proxy-Authenticate'), 0,
       'mode origin in the proxy: no Proxy-Authenticate');
    my ($chal) = headers_named($r, 'WWW-Authenticate');

    $r = req($proxy, 'GET', "$mo/echo", Host => $origin,
             Authorization => basic('chuck', $CU{chuck}));
    is($r->{status}, 200, 'mode origin in the proxy: Authorization read');
    like($r->{body}, qr/^HTTP_AUTHORIZATION=\Q@{[basic('chuck', $CU{chuck})]}\E$/m,
         'mode origin: Authorization is passed on upstream too');
    is(req($proxy, 'GET', "$mo/ok.txt", Host => $origin,
           'Proxy-Authorization' => basic('pat', $CU{pat}))->{status},
       407, 'mode origin: Proxy-Authorization not read: 407');

    my ($cred) = authorize(chal => parse_challenges($chal)->[0],
                           uri => '/challenge/modeorigin/ok.txt',
                           user => 'chuck', pass => $CU{chuck});
    $r = req($proxy, 'GET', "$mo/ok.txt", Host => $origin,
             Authorization => $cred);
    is($r->{status}, 200, 'mode origin: Digest in Authorization: 200');
    like((headers_named($r, 'Authentication-Info'))[0] // '',
         qr/^qop=auth, rspauth=/, 'mode origin, Digest: Authentication-Info');
    is(header_count($r, 'Proxy-Authentication-Info'), 0,
       'mode origin, Digest: no Proxy-Authentication-Info');
}
is(curl('-x', $px, '-u', $cu, "$mo/ok.txt"), '200',
   'mode origin, curl -u (Basic at once): 200');
# curl answers WWW-Authenticate only on a 401: the 407 httpd sends stops it.
is(curl('-x', $px, '--digest', '-u', $cu, "$mo/ok.txt"), '407',
   'mode origin, curl --digest: stuck at the 407 httpd sends');

is_deeply([secrets_in_log($mark, secrets())], [],
          'no password, Basic token or Bearer token in error_log');
