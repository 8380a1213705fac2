# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# AuthType Challenge (docs/directives.md, "AuthType values",
# "AuthChallengeSchemes"): the challenge set and its order, header style,
# AuthChallengeSchemes, an unusable scheme left out (AC01009), and routing
# of each scheme's credentials with curl.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACChallenge qw(:all);

plan tests => 52;

make_dbms();
my $mark = error_log_mark();
my $hp = hostport();
my $base = "http://$hp/challenge";
my $pw = $CU{chuck};

my $BASIC  = qq{Basic realm="$REALM", charset="UTF-8"};
my $BEARER = qq{Bearer realm="$REALM"};
sub digest_re {
    my $alg = shift;
    return qr/^Digest realm="\Q$REALM\E", qop="auth", algorithm=\Q$alg\E, nonce="[^"]+", opaque="[^"]+", charset=UTF-8$/;
}

# The four challenges of the default set, as separate fields in order.
sub full_set_ok {
    my ($r, $what) = @_;
    my @w = headers_named($r, 'WWW-Authenticate');
    is(scalar @w, 4, "$what: four WWW-Authenticate fields")
        or diag(join "\n", @w);
    like($w[0] // '', digest_re('SHA-256'), "$what: 1st Digest SHA-256");
    like($w[1] // '', digest_re('MD5'), "$what: 2nd Digest MD5");
    is($w[2], $BEARER, "$what: 3rd $BEARER");
    is($w[3], $BASIC, "$what: 4th $BASIC");
}

# ------------------------------------------------ challenge sets
{
    my $r = req($hp, 'GET', '/challenge/default/ok.txt');
    is($r->{status}, 401, 'default schemes, no credentials: 401');
    full_set_ok($r, 'default schemes');
    is(header_count($r, 'Proxy-Authenticate'), 0,
       'default schemes: no Proxy-Authenticate');
}
{
    my $r = req($hp, 'GET', '/challenge/combined/ok.txt');
    is($r->{status}, 401, 'combined: 401');
    my @w = headers_named($r, 'WWW-Authenticate');
    is(scalar @w, 1, 'combined: one WWW-Authenticate field');
    like($w[0] // '',
         qr/^Digest realm="\Q$REALM\E", qop="auth", algorithm=SHA-256, nonce="[^"]+", opaque="[^"]+", charset=UTF-8, Digest realm="\Q$REALM\E", qop="auth", algorithm=MD5, nonce="[^"]+", opaque="[^"]+", charset=UTF-8, \Q$BEARER\E, \Q$BASIC\E$/,
         'combined: Digest SHA-256, Digest MD5, Bearer, Basic joined by ", "')
        or diag($w[0]);
}
{
    my $r = req($hp, 'GET', '/challenge/basicdigest/ok.txt');
    is($r->{status}, 401, 'Schemes Basic Digest: 401');
    my @w = headers_named($r, 'WWW-Authenticate');
    is(scalar @w, 3, 'Schemes Basic Digest: three fields')
        or diag(join "\n", @w);
    is($w[0], $BASIC, 'Schemes Basic Digest: Basic first');
    like($w[1] // '', digest_re('SHA-256'), '... then Digest SHA-256');
    like($w[2] // '', digest_re('MD5'), '... then Digest MD5');
    ok(!grep(/^Bearer/, @w), 'Schemes Basic Digest: no Bearer');
}
{
    my $m = error_log_mark();
    my $r = req($hp, 'GET', '/challenge/nokeys/ok.txt');
    is($r->{status}, 401, 'no Bearer key: 401');
    my @w = headers_named($r, 'WWW-Authenticate');
    is(scalar @w, 3, 'no Bearer key: three fields') or diag(join "\n", @w);
    like($w[0] // '', digest_re('SHA-256'), 'no Bearer key: Digest SHA-256');
    like($w[1] // '', digest_re('MD5'), 'no Bearer key: Digest MD5');
    is($w[2], $BASIC, 'no Bearer key: Basic, Bearer left out');
    # Warned once per process and configuration: on a re-run against a
    # server that already served this area, the line is further back.
    my $re = qr/\[authchallenge:warn\].*AC01009: Bearer is not offered here: Bearer has no keys/;
    my $log = wait_log($m, $re);
    $log = error_log_since(0) if $log !~ $re;
    like($log, $re, 'no Bearer key: warning AC01009 in error_log');
}

# ------------------------------------------------ routing (curl)
my $ok = "$base/default/ok.txt";
my $echo = "$base/default/echo";
is(curl('--basic', '-u', "chuck:$pw", $ok), '200', 'curl --basic: 200');
is(curl('--digest', '-u', "chuck:$pw", $ok), '200', 'curl --digest: 200');
{
    my ($st, $h, $b) = curl_full('--digest', '-u', "chuck:$pw", $echo);
    is($st, '200', 'curl --digest echo: 200');
    like($b, qr/^HTTP_AUTHORIZATION=Digest .*algorithm=SHA-256/m,
         'curl --digest answered the first challenge (SHA-256)');
    like($b, qr/^REMOTE_USER=chuck$/m, 'curl --digest: REMOTE_USER chuck');
    like($h, qr/^Authentication-Info: .*rspauth="[0-9a-f]{64}"/mi,
         'curl --digest: Authentication-Info with a SHA-256 rspauth');
}
my $tok = bearer_token('bea');
is(curl('--oauth2-bearer', $tok, $ok), '200', 'curl --oauth2-bearer: 200');
{
    my ($st, undef, $b) = curl_full('--oauth2-bearer', $tok, $echo);
    like($b, qr/^REMOTE_USER=bea$/m, 'Bearer: REMOTE_USER is sub');
}
{
    my ($st, $h, $b) = curl_full('--anyauth', '-u', "chuck:$pw", $echo);
    is($st, '200', 'curl --anyauth: 200');
    like($b, qr/^HTTP_AUTHORIZATION=Digest /m, 'curl --anyauth picked Digest');
    like($h, qr/\A HTTP\/1\.1\ 401 .*? HTTP\/1\.1\ 200 /sx,
         'curl --anyauth: a 401 first, then 200');
}
is(curl('--basic', '-u', 'chuck:wrong', $ok), '401', 'wrong Basic: 401');
is(curl('--digest', '-u', 'chuck:wrong', $ok), '401', 'wrong Digest: 401');
is(curl('--oauth2-bearer', $tok . 'x', $ok), '401', 'bad Bearer: 401');

# Unknown scheme: as if no credentials.
{
    my $r = req($hp, 'GET', '/challenge/default/ok.txt',
                Authorization => 'Negotiate abc');
    is($r->{status}, 401, 'Negotiate: 401');
    full_set_ok($r, 'Negotiate');
}
# A scheme that is configured but not offered here.
{
    my $r = req($hp, 'GET', '/challenge/basicdigest/ok.txt',
                Authorization => "Bearer $tok");
    is($r->{status}, 401, 'Bearer where not offered: 401');
    my @w = headers_named($r, 'WWW-Authenticate');
    is(scalar @w, 3, 'Bearer where not offered: the full set (3)');
    is($w[0], $BASIC, 'Bearer where not offered: Basic first');
    like($w[1] // '', digest_re('SHA-256'), '... Digest SHA-256');
    like($w[2] // '', digest_re('MD5'), '... Digest MD5');
    is(curl('--oauth2-bearer', $tok, "$base/basicdigest/ok.txt"), '401',
       'curl --oauth2-bearer where not offered: 401');
}
is(curl('--digest', '-u', "chuck:$pw", "$base/basicdigest/ok.txt"), '200',
   'Schemes Basic Digest: curl --digest 200');
is(curl('--anyauth', '-u', "chuck:$pw", "$base/basicdigest/ok.txt"), '200',
   'Schemes Basic Digest: curl --anyauth 200');
is(curl('--basic', '-u', "chuck:$pw", "$base/nokeys/ok.txt"), '200',
   'no Bearer key: Basic still works');

is_deeply([secrets_in_log($mark, secrets())], [],
          'no password, Basic token or Bearer token in error_log');
