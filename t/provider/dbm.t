# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# httpd's own modules over this module's DBM back-end, through the authn
# provider "challenge" (docs/httpd.md): stock mod_auth_basic
# (AuthBasicProvider challenge, also before mod_authn_file and as a
# forward proxy), mod_auth_form (a login form POSTed with curl, the
# session cookie of mod_session_cookie, then the protected page),
# mod_auth_digest (AuthDigestProvider challenge, MD5; origin and
# proxy) and <AuthnProviderAlias challenge corp>, with the credential
# cache (the second check is logged as cached), the failure limit (429
# with Retry-After, exact under concurrency) and the module's log lines.
# Configuration: t/conf/provider.conf.in; users: t/provider/setup.sh.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use File::Temp ();
use ACTest qw(:all);
use ACDigest qw(digest_challenges authorize);

plan tests => 97;

my $hp = hostport();
my $REALM = 'AC Native';
# Keep in step with t/provider/setup.sh.
my %PW = (nadia => 'Nadia-Pw-3Nd!', omar => 'Omar-Pw-4Om#',
          carla => 'Carla-Pw-5Ca%');
my $start = error_log_mark();
my $VIA = qr/scheme \S+ \(authn provider challenge\)/;

sub get {
    my ($path, $user, $pass, @h) = @_;
    push @h, Authorization => basic($user, $pass) if defined $user;
    return req($hp, 'GET', $path, @h);
}

# One request from $src (another client address for the failure limit).
sub get_from {
    my ($src, $path, @h) = @_;
    return ACTest::raw_request($hp, request_bytes($hp, 'GET', $path, undef,
                                                  @h), $src);
}

# The AC01003 / AC01001 line of one request.
sub ok_line {
    my ($type, $user, $how) = @_;
    return qr/\[authchallenge:debug\].*AC01003: client \S+ authenticated: scheme \Q$type\E \(authn provider challenge\) user "\Q$user\E": \Q$how\E$/m;
}
sub fail_line {
    my ($type, $user, $why) = @_;
    return qr/\[authchallenge:info\].*AC01001: client \S+ scheme \Q$type\E \(authn provider challenge\) user "\Q$user\E": authentication failed: \Q$why\E$/m;
}

# ------------------------------------------------ mod_auth_basic
{
    my $p = '/native/basic/ok.txt';
    my $r = get($p);
    is($r->{status}, 401, 'basic: no credentials: 401');
    is_deeply([headers_named($r, 'WWW-Authenticate')],
              ["Basic realm=\"$REALM\""],
              "basic: mod_auth_basic's own challenge (no charset)");

    my $mark = error_log_mark();
    $r = get($p, 'nadia', $PW{nadia});
    is($r->{status}, 200, 'basic: nadia, right password: 200');
    is($r->{body}, "ok pub\n", 'basic: the file');
    like(wait_log($mark, qr/AC01003/), ok_line('Basic', 'nadia',
         'password verified'), 'basic: AC01003 password verified');

    $mark = error_log_mark();
    is(get($p, 'nadia', $PW{nadia})->{status}, 200, 'basic: again: 200');
    like(wait_log($mark, qr/AC01003/), ok_line('Basic', 'nadia',
         'password verified (cached)'),
         'basic: the second request is served from the credential cache');

    $mark = error_log_mark();
    $r = get($p, 'nadia', 'not-her-pw');
    is($r->{status}, 401, 'basic: wrong password: 401');
    is_deeply([headers_named($r, 'WWW-Authenticate')],
              ["Basic realm=\"$REALM\""], 'basic: ... with the challenge');
    my $log = wait_log($mark, qr/AH01617/);
    like($log, fail_line('Basic', 'nadia', 'wrong password'),
         'basic: AC01001 wrong password');
    like($log, qr/AH01617: user nadia: authentication failure/,
         "basic: mod_auth_basic's own line too");

    $mark = error_log_mark();
    is(get($p, 'mallory', 'x-pw')->{status}, 401, 'basic: unknown user: 401');
    like(wait_log($mark, qr/AC01001/), fail_line('Basic', 'mallory',
         'user not found'), 'basic: AC01001 user not found');

    # mod_auth_basic passes control characters on; the provider refuses
    # them before any back-end, and logs no user.
    $mark = error_log_mark();
    is(get($p, "nad\tia", $PW{nadia})->{status}, 401,
       'basic: a tab in the user name: 401');
    like(wait_log($mark, qr/AC01001/), qr/AC01001: client \S+ $VIA: authentication failed: control character or invalid UTF-8 in the user name$/m,
         'basic: AC01001, no user logged');

    $r = get('/native/basic/echo', 'nadia', $PW{nadia});
    like($r->{body}, qr/^REMOTE_USER=nadia$/m, 'basic: REMOTE_USER nadia');
    is(curl('-u', "nadia:$PW{nadia}", "http://$hp$p"), '200',
       'basic: curl -u: 200');
}

# "user not found" here: mod_auth_basic asks the next provider.
{
    my $p = '/native/chain/ok.txt';
    is(get($p, 'henry', $FILE_USERS{henry})->{status}, 200,
       'AuthBasicProvider challenge file: a user of the file: 200');
    is(get($p, 'nadia', $PW{nadia})->{status}, 200,
       '... a user of the DBM file: 200');
    is(get($p, 'henry', 'not-his')->{status}, 401, '... wrong password: 401');
}

# Require challenge-group: groups from the same back-ends.
{
    my $p = '/native/staff/ok.txt';
    is(get($p, 'nadia', $PW{nadia})->{status}, 200,
       'Require challenge-group staff: member nadia: 200');
    my $mark = error_log_mark();
    is(get($p, 'omar', $PW{omar})->{status}, 401, '... omar: 401');
    like(wait_log($mark, qr/AC01041/),
         qr/AC01041: user "omar" is in none of the groups: staff/,
         '... AC01041');
}

# AuthChallengeProvider in effect: this module takes AuthType Basic
# (docs/directives.md, "AuthType values"), with the same users.
{
    my $p = '/native/both/ok.txt';
    my $r = get($p);
    is_deeply([$r->{status}, headers_named($r, 'WWW-Authenticate')],
              [401, "Basic realm=\"$REALM\", charset=\"UTF-8\""],
              "AuthChallengeProvider set: this module's challenge");
    my $mark = error_log_mark();
    is(get($p, 'nadia', $PW{nadia})->{status}, 200, '... nadia: 200');
    like(wait_log($mark, qr/AC01003/),
         qr/AC01003: client \S+ authenticated: scheme Basic user "nadia"/,
         '... logged as this module\'s own Basic');
}

# No back-end configured: 500, and why.
{
    my $mark = error_log_mark();
    is(get('/native/nobackend/ok.txt', 'nadia', $PW{nadia})->{status}, 500,
       'no back-end: 500');
    like(wait_log($mark, qr/AC01060/),
         qr/\[authchallenge:error\].*AC01060: the authn provider challenge has no back-end here/,
         '... AC01060 at error');
}

# ------------------------------------------------ failure limit (Basic)
# docs/security.md: 3 failures in 30 s, then 429 with Retry-After, even
# for the right password; other clients are not affected.
{
    my $p = '/native/basic-limit/ok.txt';
    my $src = '127.0.0.61';
    is(get_from($src, $p, Authorization => basic('nadia', "w$_"))->{status},
       401, "limit: wrong password $_: 401") for 1 .. 3;
    my $mark = error_log_mark();
    my $r = get_from($src, $p, Authorization => basic('nadia', 'w4'));
    is($r->{status}, 429, 'limit: the 4th attempt: 429');
    my ($ra) = headers_named($r, 'Retry-After');
    ok(defined $ra && $ra =~ /^\d+$/ && $ra >= 1 && $ra <= 30,
       'limit: Retry-After in 1..30 s') or diag($ra // 'none');
    like($r->{body}, qr/429 Too Many Requests/, 'limit: a 429 page');
    is(header_count($r, 'WWW-Authenticate'), 0, 'limit: no challenge');
    like(wait_log($mark, qr/AC01007/),
         qr/AC01007: client 127\.0\.0\.61: rate-limited/, 'limit: AC01007');
    is(get_from($src, $p, Authorization => basic('nadia', $PW{nadia}))
           ->{status}, 429, 'limit: the right password too: 429');
    is(get_from('127.0.0.62', $p, Authorization => basic('nadia',
                                                         $PW{nadia}))
           ->{status}, 200, 'limit: another client: 200');
}

# Exact under concurrency: an attempt is reserved before the check.
{
    my ($src, $n, %count) = ('127.0.0.63', 20);
    my $p = '/native/basic-limit/ok.txt';
    my @socks = map { raw_connect($hp, $src) } 1 .. $n;
    for my $i (0 .. $#socks) {
        my $s = $socks[$i];
        print $s request_bytes($hp, 'GET', $p, undef,
                               Authorization => basic('nadia', "p$i"));
    }
    for my $s (@socks) {
        my $r = read_response($s, 'GET');
        $count{ $r ? $r->{status} : 'none' }++;
        close $s;
    }
    diag(join ', ', map { "$_: $count{$_}" } sort keys %count);
    is($count{401} // 0, 3, "limit: $n parallel wrong passwords: 3 checked "
       . '(401)');
    is($count{429} // 0, $n - 3, '... every other one 429');
}

# ------------------------------------------------ mod_auth_digest (MD5)
# One Digest exchange: the 401's challenge, then the answer.
sub digest_get {
    my ($path, $user, $pass, $src) = @_;
    my $r1 = $src ? get_from($src, $path) : get($path);
    my ($c) = @{ digest_challenges($r1, 'WWW-Authenticate') };
    return ($r1, undef) unless $c;
    my ($h) = authorize(chal => $c, user => $user, pass => $pass,
                        uri => $path);
    my $r2 = $src ? get_from($src, $path, Authorization => $h)
                  : get($path, undef, undef, Authorization => $h);
    return ($r1, $r2);
}

{
    my $p = '/native/digest/ok.txt';
    my ($r1, $r2) = digest_get($p, 'nadia', $PW{nadia});
    is($r1->{status}, 401, 'digest: no credentials: 401');
    like((headers_named($r1, 'WWW-Authenticate'))[0] // '',
         qr/^Digest realm="AC Native", nonce="[^"]+", algorithm=MD5, qop="auth"$/,
         "digest: mod_auth_digest's own challenge");
    is($r2->{status}, 200, 'digest: nadia: 200');
    my $mark = error_log_mark();
    is(curl('--digest', '-u', "nadia:$PW{nadia}", "http://$hp$p"), '200',
       'digest: curl --digest: 200');
    like(wait_log($mark, qr/AC01003/), ok_line('Digest', 'nadia',
         'MD5 HA1 matched (the calling module checked the response)'),
         'digest: AC01003 once mod_auth_digest accepted the response');
    $mark = error_log_mark();
    is(curl('--digest', '-u', 'nadia:not-her-pw', "http://$hp$p"), '401',
       'digest: wrong password: 401');
    like(wait_log($mark, qr/AC01001/), fail_line('Digest', 'nadia',
         'the response does not match the MD5 HA1 (checked by the calling module)'),
         'digest: AC01001 when mod_auth_digest refused the response');
    $mark = error_log_mark();
    is(curl('--digest', '-u', 'mallory:x', "http://$hp$p"), '401',
       'digest: unknown user: 401');
    like(wait_log($mark, qr/AC01001/), fail_line('Digest', 'mallory',
         'user not found'), 'digest: AC01001 user not found');
}

# The failure limit with Digest: 2 in 30 s.  A success gives its
# reserved attempt back (after mod_auth_digest accepted the response).
{
    my $p = '/native/digest-limit/ok.txt';
    my $src = '127.0.0.64';
    my $st = sub { (digest_get($p, 'nadia', shift, $src))[1]->{status} };
    is($st->('w1'), 401, 'digest limit: wrong 1: 401');
    is($st->($PW{nadia}), 200, 'digest limit: right: 200');
    is($st->('w2'), 401, 'digest limit: wrong 2: 401 (the success did not '
       . 'count)');
    my $mark = error_log_mark();
    my ($r1, $r2) = digest_get($p, 'nadia', 'w3', $src);
    is($r2->{status}, 429, 'digest limit: the next attempt: 429');
    ok((headers_named($r2, 'Retry-After'))[0], 'digest limit: Retry-After');
    like(wait_log($mark, qr/AC01007/), qr/AC01007: client 127\.0\.0\.64/,
         'digest limit: AC01007');
    is($st->($PW{nadia}), 429, 'digest limit: the right password: 429');
}

# ------------------------------------------------ mod_auth_form
# A browser's path, with curl: the protected page answers 401 with the
# login page; the form posts to the login handler, which sets the
# session cookie (mod_session_cookie, encrypted by mod_session_crypto)
# and redirects back; the page is then checked from the session, each
# time through the provider (the credential cache answers).
{
    my $jar = File::Temp->new(SUFFIX => '.cookies');
    my $page = "http://$hp/native/form/ok.txt";
    my $login = "http://$hp/native/dologin/";
    my @form = ('--data-urlencode', 'httpd_username=nadia',
                '--data-urlencode', "httpd_password=$PW{nadia}",
                '--data-urlencode', 'httpd_location=/native/form/ok.txt');

    my ($st, $h, $body) = curl_full($page);
    is($st, '401', 'form: the page without a session: 401');
    like($body, qr{<form method="POST" action="/native/dologin/">},
         'form: ... with the login page (ErrorDocument 401)');

    my $mark = error_log_mark();
    ($st, $h, $body) = curl_full('-c', $jar->filename, @form, $login);
    is($st, '302', 'form: POST of the right password: a redirect');
    like($h, qr{^Location: /native/form/ok\.txt\r?$}m,
         'form: ... back to the page');
    my ($cookie) = $h =~ /^Set-Cookie: (ac_native_session=[^;\r\n]+)/mi;
    ok($cookie, 'form: ... with the session cookie');
    unlike($cookie // '', qr/nadia|Nadia-Pw/,
           'form: the cookie is encrypted (no user, no password)');
    like(wait_log($mark, qr/AC01003/), ok_line('form', 'nadia',
         'password verified'), 'form: AC01003 at the login');

    ($st, $h, $body) = curl_full('-b', $jar->filename, $page);
    is($st, '200', 'form: the page with the session cookie: 200');
    is($body, "ok pub\n", 'form: ... the file');
    $mark = error_log_mark();
    ($st, $h, $body) = curl_full('-b', $jar->filename,
                                 "http://$hp/native/form/echo");
    is($st, '200', 'form: again: 200');
    like($body, qr/^REMOTE_USER=nadia$/m, 'form: REMOTE_USER nadia');
    like(wait_log($mark, qr/AC01003/), ok_line('form', 'nadia',
         'password verified (cached)'),
         'form: the session is checked again, from the credential cache');

    # curl as a browser: POST, follow the redirect with the cookie.
    my $jar2 = File::Temp->new(SUFFIX => '.cookies');
    ($st, $h, $body) = curl_full('-L', '-c', $jar2->filename, '-b',
                                 $jar2->filename, @form, $login);
    is($st, '200', 'form: POST and follow the redirect: 200');
    is($body, "ok pub\n", 'form: ... the page');

    # (from another address: the failure counter is per client address)
    $mark = error_log_mark();
    ($st) = curl_full('--interface', '127.0.0.66',
                      '--data-urlencode', 'httpd_username=nadia',
                      '--data-urlencode', 'httpd_password=not-her-pw', $login);
    is($st, '401', 'form: POST of a wrong password: 401');
    like(wait_log($mark, qr/AC01001/), fail_line('form', 'nadia',
         'wrong password'), 'form: AC01001 wrong password');

    # the failure limit, where the login handler asks (3 in 30 s)
    my @bad = map { ('--data-urlencode', $_) } 'httpd_username=omar',
        'httpd_password=not-his';
    my @from = ('--interface', '127.0.0.65');
    is((curl_full(@from, @bad, $login))[0], '401', "form limit: wrong $_: 401")
        for 1 .. 3;
    ($st, $h) = curl_full(@from, @bad, $login);
    is($st, '429', 'form limit: the next POST: 429');
    like($h, qr/^Retry-After: \d+\r?$/m, 'form limit: Retry-After');
    is((curl_full(@from, '--data-urlencode', 'httpd_username=omar',
                  '--data-urlencode', "httpd_password=$PW{omar}",
                  $login))[0], '429', 'form limit: the right password: 429');
}

# ------------------------------------------------ <AuthnProviderAlias>
# The alias's own back-end (corp.db: carla), with mod_auth_basic,
# mod_auth_digest and this module's own AuthType.
{
    my $mark = error_log_mark();
    is(get('/native/alias/ok.txt', 'carla', $PW{carla})->{status}, 200,
       'alias corp, AuthBasicProvider corp: carla: 200');
    like(wait_log($mark, qr/AC01003/), ok_line('Basic', 'carla',
         'password verified'), 'alias: AC01003');
    is(get('/native/alias/ok.txt', 'nadia', $PW{nadia})->{status}, 401,
       'alias: nadia (not in corp.db): 401');
    my ($r1, $r2) = digest_get('/native/alias-digest/ok.txt', 'carla',
                               $PW{carla});
    is($r2->{status}, 200, 'alias, AuthDigestProvider corp: carla: 200');
    $mark = error_log_mark();
    my $r = get('/native/own-alias/echo', 'carla', $PW{carla});
    is($r->{status}, 200, 'AuthChallengeProvider corp (this module\'s '
       . 'Basic): carla: 200');
    like($r->{body}, qr/^REMOTE_USER=carla$/m, '... REMOTE_USER carla');
    my $log = wait_log($mark, qr/AC01003.*scheme Basic user/);
    like($log, ok_line('Basic', 'carla', 'password verified'),
         '... the alias asked the provider once');
    like($log, qr/AC01003: client \S+ authenticated: scheme Basic user "carla"/,
         '... and this module\'s Basic took its answer');
    is(get('/native/own-alias/ok.txt', 'carla', 'not-hers')->{status}, 401,
       '... wrong password: 401');
}

# ------------------------------------------------ forward proxy
{
    my $url = "http://$hp/pub/ok.txt";
    my $proxy = hostport('native_proxy');
    my $r = req($proxy, 'GET', $url, Host => $hp);
    is($r->{status}, 407, 'proxy (mod_auth_basic): 407');
    is_deeply([headers_named($r, 'Proxy-Authenticate')],
              ["Basic realm=\"$REALM\""], 'proxy: Proxy-Authenticate');
    is(curl('-x', "http://$proxy", '--proxy-user', "nadia:$PW{nadia}", $url),
       '200', 'proxy: curl --proxy-user: 200');
    is(curl('-x', "http://$proxy", '--proxy-user', 'nadia:wrong', $url),
       '407', 'proxy: wrong password: 407');
    my $dproxy = hostport('native_dproxy');
    $r = req($dproxy, 'GET', $url, Host => $hp);
    is($r->{status}, 407, 'proxy (mod_auth_digest): 407');
    like((headers_named($r, 'Proxy-Authenticate'))[0] // '',
         qr/^Digest realm="AC Native"/, 'proxy: Digest Proxy-Authenticate');
    is(curl('-x', "http://$dproxy", '--proxy-digest', '--proxy-user',
            "nadia:$PW{nadia}", $url), '200',
       'proxy: curl --proxy-digest: 200');
}

# ------------------------------------------------ the provider and itself
# AuthChallengeProvider challenge would ask itself: refused at start-up.
{
    my $h = start_httpd(name => 'provider-self', conf => <<'EOC');
<Location /x/>
    AuthType Basic
    AuthName "x"
    AuthChallengeProvider challenge
    Require valid-user
</Location>
EOC
    my $ok = $h->{ok};
    stop_httpd($h);
    ok(!$ok, 'AuthChallengeProvider challenge: httpd does not start');
    like($h->{output}, qr/AuthChallengeProvider: 'challenge' is this module's authn provider for httpd's own modules/,
         '... and says why') or diag($h->{output});
}

# ------------------------------------------------ secrets
is_deeply([secrets_in_log($start, values %PW, map { b64("$_:$PW{$_}") }
                          keys %PW)], [], 'no password in error_log');
