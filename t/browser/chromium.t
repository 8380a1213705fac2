# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# A real browser: Debian's chromium, headless, driven by playwright-core
# (t/browser/run.js, one launch for the whole file, one fresh browser
# context per scenario) against the origin (401, Playwright's
# httpCredentials) and the forward proxy (407, Playwright's proxy
# credentials; Playwright adds Chromium's "<-loopback>" bypass rule, so
# 127.0.0.1 really goes through the proxy).  Configuration:
# t/conf/browser.conf.in; users: t/browser/setup.sh.
#
# Each visit checks the status, what the browser sent (the echo CGI's
# body: Authorization / Proxy-Authorization as the server got them) and
# the error log lines it caused (AC01003 success, AC01001 failure,
# AC01005 the unauthenticated first request).  The Digest facts asserted
# here are Chromium's own network stack, not Playwright's: Playwright
# only hands over user name and password.
#
# Needs /usr/bin/chromium and t/browser/node_modules (make browser-deps);
# CI_NO_BROWSER=1 skips the file, anything missing otherwise fails it.
# AC_CHROMIUM=path runs another Chromium build.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACDigest qw(H);
use ACAuthParam qw(parse_challenges);
use JSON::PP ();
use Encode qw(decode encode);
use IPC::Open3 qw(open3);
use IO::Select ();

my $CHROMIUM = $ENV{AC_CHROMIUM} || '/usr/bin/chromium';
my $NODE_MODULES = "$FindBin::Bin/node_modules/playwright-core";
my $TIMEOUT_MS = 30_000;            # one navigation
my $RUN_SECONDS = 600;              # the whole runner, a last resort

if (($ENV{CI_NO_BROWSER} // '') eq '1') {
    plan skip_all => 'CI_NO_BROWSER=1: the Chromium browser tests are '
        . 'skipped on request';
}

my @missing;
push @missing, "$CHROMIUM (apt-get install chromium)" unless -x $CHROMIUM;
push @missing, "$NODE_MODULES (make browser-deps)" unless -d $NODE_MODULES;
push @missing, 'node (apt-get install nodejs)'
    unless grep { -x "$_/node" } split /:/, $ENV{PATH} // '';
if (@missing) {
    plan tests => 1;
    fail('browser prerequisites: missing ' . join(', ', @missing)
         . ' (set CI_NO_BROWSER=1 to skip these tests)');
    exit 0;
}

plan tests => 292;

# Keep in step with t/browser/setup.sh.
# Strings are characters here (JSON to and from run.js is UTF-8).
my $JOERG = decode('UTF-8', "j\xc3\xb6rg");
# How error_log shows it: escaped by the module, then by httpd's logger.
my $JOERG_IN_LOG = 'j\\\\xc3\\\\xb6rg';
my %PW = (bria => 'Bria-Pw-6Br!', percy => 'Percy-Pw-7Pq#',
          $JOERG => decode('UTF-8', "J\xc3\xb6rg-Br-8\xc3\x9cx"));
my $REALM  = 'AC Browser';
my $PREALM = 'AC Browser Proxy';

my $hp  = hostport();
my $ohp = hostport('browser_origin');
my $php = hostport('browser_proxy');

# ---------------------------------------------------------------- runner
# AC_BROWSER_DUMP=FILE keeps run.js's input in FILE, its output in
# FILE.out (to replay by hand: node t/browser/run.js < FILE).
sub dump_to {
    my ($file, $text) = @_;
    return unless $file;
    open my $fh, '>', $file or die "$file: $!";
    print $fh $text;
    close $fh;
}

sub run_browser {
    my @scenarios = @_;
    my $out = t_dir() . '/var/browser/results.json';
    unlink $out;
    my $req = JSON::PP->new->utf8->canonical->encode({
        chromium => $CHROMIUM, timeout_ms => $TIMEOUT_MS, out => $out,
        error_log => t_dir() . '/logs/error_log',
        scenarios => \@scenarios });
    dump_to($ENV{AC_BROWSER_DUMP}, $req);
    # stdout and stderr together: Playwright's and Chromium's complaints.
    my $pid = open3(my $in, my $msgs, undef, 'node', "$FindBin::Bin/run.js");
    print $in $req;
    close $in;
    my $said = '';
    my $sel = IO::Select->new($msgs);
    my $until = time + $RUN_SECONDS;
    while (time < $until) {
        next unless $sel->can_read(5);
        my $n = sysread($msgs, my $buf, 65536);
        last if defined $n && $n == 0;
        $said .= $buf if $n;
    }
    if (time >= $until) {
        kill 'TERM', $pid;
        diag("run.js still running after $RUN_SECONDS s: stopped");
    }
    waitpid $pid, 0;
    my $status = $? >> 8;
    diag("run.js said: $said") if length $said;
    my $json = -s $out ? do { local (@ARGV, $/) = ($out); <> } : '';
    dump_to($ENV{AC_BROWSER_DUMP} && "$ENV{AC_BROWSER_DUMP}.out", $json);
    my $res = eval { JSON::PP->new->utf8->decode($json) };
    die "run.js failed (exit $status): no result in $out"
        . ($@ ? ": $@" : "\n") unless $res;
    return $res;
}

# ---------------------------------------------------------------- helpers
# The header the echo CGI saw ("AUTHORIZATION" or "PROXY_AUTHORIZATION").
sub sent {
    my ($v, $name) = @_;
    my ($h) = ($v->{body} // '') =~ /^HTTP_\Q$name\E=(.*)$/m;
    return $h // '';
}

# The params of a Digest credential ({} for anything else).
sub digest_params {
    my $c = parse_challenges(shift)->[0];
    return $c && $c->{scheme} eq 'Digest' ? $c->{params} : {};
}

sub count_of {
    my ($text, $re) = @_;
    my @m = $text =~ /$re/g;
    return scalar @m;
}

sub ok_line {
    my ($scheme, $user) = @_;
    return qr/AC01003: client \S+ authenticated: scheme \Q$scheme\E user "\Q$user\E"/;
}
my $FAIL = qr/AC01001: /;
my $NOCRED = qr/AC01005: client \S+ scheme -: no credentials/;

# ---------------------------------------------------------------- scenarios
my @S;          # [name, urls, user, proxy?]
sub origin {
    my ($name, $area, %o) = @_;
    my @urls = map { "http://$hp/browser/$area/echo$_" }
        ('', $o{again} ? ('?again') : ());
    my $user = $o{user} // 'bria';
    push @S, { name => $name, urls => \@urls,
               username => $user, password => $o{pass} // $PW{$user} };
}
sub proxied {
    my ($name, $area, %o) = @_;
    my @urls = map { "http://$ohp/bproxied/$area/echo$_" }
        ('', $o{again} ? ('?again') : ());
    push @S, { name => $name, urls => \@urls, proxy => "http://$php",
               username => 'percy', password => $o{pass} // $PW{percy} };
}

origin('basic',       'basic', again => 1);
origin('digest',      'digest', again => 1);
origin('sha256',      'sha256');
origin('md5',         'md5', again => 1);
origin('md5first',    'md5first');
origin('sha256sess',  'sha256sess', again => 1);
origin('md5sess',     'md5sess');
origin('sha512first', 'sha512first');
origin('sha512only',  'sha512only');
origin('userhash',    'userhash', again => 1);
origin('authint',     'authint');
origin('intfirst',    'intfirst');
origin('challenge',   'challenge');
origin('basicfirst',  'basicfirst');
origin('beareronly',  'beareronly');
origin('utf8-basic',  'basic', user => $JOERG);
origin('utf8-digest', 'digest', user => $JOERG);
origin('wrong-digest', 'digest', pass => 'Not-Bria-Pw');
origin('wrong-basic', 'basic', pass => 'Not-Bria-Pw');
proxied('p-basic',      'basic', again => 1);
proxied('p-digest',     'digest', again => 1);
proxied('p-sha256',     'sha256');
proxied('p-md5',        'md5');
proxied('p-md5first',   'md5first');
proxied('p-sha256sess', 'sha256sess');
proxied('p-md5sess',    'md5sess');
proxied('p-userhash',   'userhash');
proxied('p-sha512only', 'sha512only');
proxied('p-authint',    'authint');
proxied('p-challenge',  'challenge');
proxied('p-wrong-digest', 'digest', pass => 'Not-Percy-Pw');
proxied('p-wrong-basic',  'basic', pass => 'Not-Percy-Pw');

my $mark = error_log_mark();
my $t0 = time;
my $res = run_browser(@S);
diag("Chromium $res->{version}: " . scalar(@S) . ' scenarios in '
     . (time - $t0) . ' s');
my %R = map { $_->{name} => $_->{visits} } @{ $res->{results} };
is(scalar keys %R, scalar @S, 'every scenario ran');

sub visit {
    my ($name, $i) = @_;
    return ($R{$name} || [])->[$i || 0] || { log => '', headers => {} };
}

# A successful first visit: 200, an unauthenticated first request
# (Chromium never sends credentials before a challenge), one success
# line, no failure.
sub first_ok {
    my ($name, $scheme, $user) = @_;
    my $v = visit($name);
    is($v->{status}, 200, "$name: 200") or diag("error: "
        . ($v->{error} // '-') . "\nlog:\n$v->{log}");
    like($v->{log}, $NOCRED, "$name: first request without credentials");
    is(count_of($v->{log}, ok_line($scheme, $user)), 1,
       "$name: one AC01003 success, scheme $scheme, user $user");
    unlike($v->{log}, $FAIL, "$name: no failed attempt");
    return $v;
}

# Digest parameters every Chromium answer carries.
sub digest_sent {
    my ($name, $v, $hdr, $alg, $realm, $path) = @_;
    my $p = digest_params(sent($v, $hdr));
    is($p->{algorithm}, $alg, "$name: Chromium answered algorithm=$alg");
    is($p->{qop}, 'auth', "$name: qop=auth");
    is($p->{nc}, '00000001', "$name: nc=00000001");
    is($p->{realm}, $realm, "$name: realm");
    is($p->{uri}, $path, "$name: uri is the request target's path");
    my $uh = ($p->{userhash} // '') eq 'true' ? ', userhash' : '';
    like($v->{log}, qr/AC01003: .* digest verified \(\Q$alg\E, qop=auth\Q$uh\E\)/,
         "$name: the server logged $alg, qop=auth$uh");
    return $p;
}

# ---------------------------------------------------------------- origin
{
    my $v = first_ok('basic', 'Basic', 'bria');
    is(sent($v, 'AUTHORIZATION'), basic('bria', $PW{bria}),
       'basic: Chromium sent Basic bria:<password>');
    my $again = visit('basic', 1);
    is($again->{status}, 200, 'basic, second visit: 200');
    unlike($again->{log}, $NOCRED,
           'basic, second visit: credentials sent preemptively');
    like($again->{log}, ok_line('Basic', 'bria'), 'basic, second visit: AC01003');
}

# Digest: which algorithm Chromium answers, area => expected.
my %ALG = (
    digest      => 'SHA-256',        # SHA-256, MD5 (default): the first
    sha256      => 'SHA-256',
    md5         => 'MD5',
    md5first    => 'MD5',            # MD5, SHA-256: still the first
    sha256sess  => 'SHA-256-sess',
    md5sess     => 'MD5-sess',
    sha512first => 'SHA-256',        # SHA-512-256 skipped, the next one
    intfirst    => 'SHA-256',        # qop "auth-int, auth": answers auth
    challenge   => 'SHA-256',        # Digest Bearer Basic: Digest
    basicfirst  => 'SHA-256',        # Basic Digest: Digest all the same
);
for my $area (sort keys %ALG) {
    my $v = first_ok($area, 'Digest', 'bria');
    digest_sent($area, $v, 'AUTHORIZATION', $ALG{$area}, $REALM,
                "/browser/$area/echo");
}
{
    my $p = digest_params(sent(visit('challenge'), 'AUTHORIZATION'));
    is($p->{username}, 'bria', 'challenge: plain username (no userhash offered)');
}

# Second visit in the same context: Chromium answers from its auth
# cache, before any challenge: same nonce, next nc, a new cnonce.
for my $area (qw(digest md5 sha256sess userhash)) {
    my ($v1, $v2) = (visit($area, 0), visit($area, 1));
    my ($p1, $p2) = map { digest_params(sent($_, 'AUTHORIZATION')) } $v1, $v2;
    is($v2->{status}, 200, "$area, second visit: 200");
    unlike($v2->{log}, $NOCRED, "$area, second visit: preemptive Digest");
    ok(defined $p2->{nonce} && $p2->{nonce} eq ($p1->{nonce} // ''),
       "$area, second visit: the same nonce");
    is($p2->{nc}, '00000002', "$area, second visit: nc=00000002");
    isnt($p2->{cnonce}, $p1->{cnonce}, "$area, second visit: a new cnonce");
}

# userhash=true: Chromium hashes the user name (RFC 7616 3.4.4).
{
    my $v = first_ok('userhash', 'Digest', 'bria');
    my $p = digest_sent('userhash', $v, 'AUTHORIZATION', 'SHA-256', $REALM,
                        '/browser/userhash/echo');
    is($p->{userhash}, 'true', 'userhash: Chromium sent userhash=true');
    is($p->{username}, H('SHA-256', "bria:$REALM"),
       'userhash: username = SHA-256("bria:AC Browser")');
}

# SHA-512-256 only: Chromium does not implement it and sends nothing.
# Bearer only: nothing a browser can answer with a user and password.
# Nothing Chromium can answer: it sends nothing and shows the status.
sub unanswered {
    my ($name, $status) = @_;
    my $v = visit($name);
    is($v->{status}, $status, "$name: the browser ends on $status");
    like($v->{log}, $NOCRED, "$name: the request without credentials");
    unlike($v->{log}, qr/AC0100[13]: /, "$name: no attempt at all");
}

# qop="auth-int" only: Chromium answers without qop (an RFC 2069
# response), which this module refuses.
sub no_qop {
    my ($name, $status, $user) = @_;
    my $v = visit($name);
    is($v->{status}, $status, "$name: the browser ends on $status");
    like($v->{log},
         qr/AC01001: client \S+ scheme Digest user "\Q$user\E": authentication failed: no qop/,
         "$name: Chromium answered without qop (RFC 2069), refused");
}

# A wrong password: one attempt (Playwright answers the first challenge
# only), then the browser shows the 401 or 407 with its challenge.
sub wrong_password {
    my ($name, $scheme, $why, $status, $user, $hdr, $realm) = @_;
    my $v = visit($name);
    is($v->{status}, $status, "$name: the page ends on $status");
    is($v->{error}, undef, "$name: no navigation error");
    is(count_of($v->{log}, qr/AC01001: client \S+ scheme \Q$scheme\E user "\Q$user\E": authentication failed: \Q$why\E/),
       1, "$name: one AC01001 $why");
    unlike($v->{log}, qr/AC01003: /, "$name: no success");
    like($v->{headers}{$hdr} // '', qr/^\Q$scheme\E realm="\Q$realm\E"/,
         "$name: the $status carries the challenge again");
}

unanswered($_, 401) for qw(sha512only beareronly);
no_qop('authint', 401, 'bria');
wrong_password('wrong-digest', 'Digest', 'wrong response', 401, 'bria',
               'www-authenticate', $REALM);
wrong_password('wrong-basic', 'Basic', 'wrong password', 401, 'bria',
               'www-authenticate', $REALM);

# A UTF-8 user name (the challenges say charset=UTF-8): Chromium sends
# UTF-8 in Basic and in Digest's quoted username (no username*).
{
    my $v = first_ok('utf8-basic', 'Basic', $JOERG_IN_LOG);
    like($v->{body}, qr/^REMOTE_USER=\Q$JOERG\E$/m, 'utf8-basic: REMOTE_USER jörg');
    is(sent($v, 'AUTHORIZATION'),
       'Basic ' . b64(encode('UTF-8', "$JOERG:$PW{$JOERG}")),
       'utf8-basic: Chromium sent user:password in UTF-8');
    $v = first_ok('utf8-digest', 'Digest', $JOERG_IN_LOG);
    like($v->{body}, qr/^REMOTE_USER=\Q$JOERG\E$/m, 'utf8-digest: REMOTE_USER jörg');
    my $p = digest_params(sent($v, 'AUTHORIZATION'));
    is($p->{username}, $JOERG, 'utf8-digest: username="jörg" in UTF-8');
    ok(!exists $p->{'username*'}, 'utf8-digest: no username*');
}

# ---------------------------------------------------------------- proxy
# Through the forward proxy: Proxy-Authorization reaches the origin's
# echo CGI (Proxy-Chain-Auth), so the body shows what Chromium sent to
# the proxy; REQUEST_URI proves the request went through it.
{
    my $v = first_ok('p-basic', 'Basic', 'percy');
    is(sent($v, 'PROXY_AUTHORIZATION'), basic('percy', $PW{percy}),
       'p-basic: Chromium sent Proxy-Authorization Basic percy:<password>');
    is(sent($v, 'AUTHORIZATION'), '', 'p-basic: no Authorization');
    like($v->{body}, qr{^REQUEST_URI=/bproxied/basic/echo$}m,
         'p-basic: the origin got the request');
    my $again = visit('p-basic', 1);
    is($again->{status}, 200, 'p-basic, second visit: 200');
    unlike($again->{log}, $NOCRED, 'p-basic, second visit: preemptive');
}

my %PALG = (
    'p-digest'     => ['digest', 'SHA-256'],
    'p-sha256'     => ['sha256', 'SHA-256'],
    'p-md5'        => ['md5', 'MD5'],
    'p-md5first'   => ['md5first', 'MD5'],
    'p-sha256sess' => ['sha256sess', 'SHA-256-sess'],
    'p-md5sess'    => ['md5sess', 'MD5-sess'],
    'p-userhash'   => ['userhash', 'SHA-256'],
    'p-challenge'  => ['challenge', 'SHA-256'],     # Digest Basic: Digest
);
for my $name (sort keys %PALG) {
    my ($area, $alg) = @{ $PALG{$name} };
    my $v = first_ok($name, 'Digest', 'percy');
    digest_sent($name, $v, 'PROXY_AUTHORIZATION', $alg, $PREALM,
                "/bproxied/$area/echo");
    like($v->{headers}{'proxy-authentication-info'} // '', qr/rspauth="/,
         "$name: Proxy-Authentication-Info with rspauth");
}
{
    # Preemptive on the next request too (nc grows; Chromium may spend a
    # count on another request through the proxy, a favicon).
    my ($v1, $v2) = (visit('p-digest', 0), visit('p-digest', 1));
    my ($p1, $p2) = map { digest_params(sent($_, 'PROXY_AUTHORIZATION')) }
        $v1, $v2;
    is($v2->{status}, 200, 'p-digest, second visit: 200');
    unlike($v2->{log}, $NOCRED, 'p-digest, second visit: preemptive');
    is($p2->{nonce}, $p1->{nonce}, 'p-digest, second visit: same nonce');
    cmp_ok(hex($p2->{nc} // 0), '>', hex($p1->{nc} // 0),
           'p-digest, second visit: a higher nc');
}

{
    my $p = digest_params(sent(visit('p-userhash'), 'PROXY_AUTHORIZATION'));
    is($p->{userhash}, 'true', 'p-userhash: Chromium sent userhash=true');
    is($p->{username}, H('SHA-256', "percy:$PREALM"),
       'p-userhash: username = SHA-256("percy:AC Browser Proxy")');
}

# As at the origin: no SHA-512-256 at all, and auth-int alone gets an
# RFC 2069 answer (no qop), refused; the page ends on the 407.
unanswered('p-sha512only', 407);
no_qop('p-authint', 407, 'percy');
wrong_password('p-wrong-digest', 'Digest', 'wrong response', 407, 'percy',
               'proxy-authenticate', $PREALM);
wrong_password('p-wrong-basic', 'Basic', 'wrong password', 407, 'percy',
               'proxy-authenticate', $PREALM);

# ---------------------------------------------------------------- log
is_deeply([secrets_in_log($mark, (map { encode('UTF-8', $_) } values %PW),
                          map { b64(encode('UTF-8', "$_:$PW{$_}")) } keys %PW)],
          [], 'no password or Basic token in error_log');
