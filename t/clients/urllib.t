# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Python 3 urllib (the standard library's HTTPDigestAuthHandler,
# HTTPBasicAuthHandler, ProxyDigestAuthHandler, ProxyBasicAuthHandler)
# against one area per scheme and Digest variant (t/conf/clients.conf.in),
# as an origin and through the forward proxy clients_proxy.  The Python
# side is t/clients/urllib_probe.py: it reports the status, the
# exception urllib raised, and the Authorization / Proxy-Authorization
# of every request it sent.  What urllib does (Python 3.11):
# - its Digest handler reads only the FIRST WWW-Authenticate (or
#   Proxy-Authenticate) field; it knows algorithm MD5 (and "SHA", i.e.
#   SHA-1), qop "auth" only: anything else raises before it sends;
#   a first challenge of a scheme other than Digest or Basic (Bearer)
#   raises ValueError too;
# - its Basic handler looks at every field and takes the first Basic;
# - ProxyDigestAuthHandler looks the password up under the TARGET URL,
#   not the proxy's; after 6 refused Digest answers it raises
#   HTTPError 401 "digest auth failed", also for a proxy's 407;
# - there is no Bearer handler: a header set by hand works.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACChallenge qw(:all);
use JSON::PP ();
use POSIX ();

# Debian's python3, else the first on PATH.
my ($PY) = grep { -x } '/usr/bin/python3',
                       map { "$_/python3" } split /:/, $ENV{PATH} // '';
plan skip_all => 'no python3' unless $PY;
plan tests => 83;

make_dbms();
my $mark0 = error_log_mark();
my $O = 'http://' . hostport();
my $P = 'http://' . hostport('clients_proxy');
my ($CPW, $PPW) = ($CU{chuck}, $CU{pat});
my $PROBE = "$FindBin::Bin/urllib_probe.py";

# Run scenarios (hashes as urllib_probe.py reads them); results by name.
sub py {
    my @sc = @_;
    my $in = var_dir() . "/urllib-$$.json";
    open my $fh, '>', $in or die "$in: $!";
    print $fh JSON::PP->new->encode(\@sc);
    close $fh;
    my $pid = open(my $out, '-|') // die "fork: $!";
    if (!$pid) {
        delete @ENV{qw(http_proxy HTTP_PROXY no_proxy NO_PROXY
                       https_proxy HTTPS_PROXY all_proxy ALL_PROXY)};
        open STDIN, '<', $in or POSIX::_exit(127);
        exec $PY, $PROBE or POSIX::_exit(127);
    }
    local $/;
    my $json = <$out>;
    close $out;
    unlink $in;
    die "urllib_probe.py failed ($?)" unless $json;
    return JSON::PP->new->decode($json);
}

# One scenario; also returns the error_log lines it caused.
sub py1 {
    my ($sc, $wait) = @_;
    my $m = error_log_mark();
    my $r = py({ name => 'x', %$sc })->{x};
    my $log = $wait ? wait_log($m, $wait) : error_log_since($m);
    return ($r, $log);
}

# Origin and proxy scenarios with the right user and realm.
sub o {
    my ($v, %o) = @_;
    return { url => "$O/clients/$v/" . ($o{data} ? 'echo' : 'ok.txt'),
             user => 'chuck', pass => $CPW, realm => $REALM,
             handlers => [qw(digest basic)], %o };
}
sub p {
    my ($v, %o) = @_;
    my $url = "$O/clientsup/$v/ok.txt";
    return { url => $url, proxy => $P, cred_uri => $url,
             user => 'pat', pass => $PPW, realm => $PREALM,
             handlers => [qw(pdigest pbasic)], %o };
}

sub codes { join ' ', map { $_->{status} } @{ $_[0]{sent} } }
sub last_auth { my ($r, $k) = @_; ($r->{sent}[-1]{$k || 'auth'}) // '' }

my $MD5_RE = qr/^Digest username="chuck", realm="\Q$REALM\E", nonce="[^"]+", uri="\/clients\/(\w+)\/ok\.txt", response="[0-9a-f]{32}", opaque="[^"]+", algorithm="MD5", qop=auth, nc=00000001, cnonce="[0-9a-f]{16}"$/;
my $OK_DIGEST = qr/AC01003: client \S+ authenticated: scheme Digest user "chuck": digest verified/;

# ------------------------------------------------ origin: Basic
{
    my ($r, $log) = py1(o('basic', handlers => ['basic']),
                        qr/AC01003.*scheme Basic user "chuck"/);
    is($r->{status}, 200, 'urllib Basic: 200');
    is(codes($r), '401 200', 'urllib Basic: 401, then 200');
    is(last_auth($r), basic('chuck', $CPW), 'urllib Basic: sent Basic');
    like($log, qr/AC01003: client \S+ authenticated: scheme Basic user "chuck"/,
         'urllib Basic: AC01003 in error_log');
}
# ------------------------------------------------ origin: Digest
{
    my ($r, $log) = py1(o('md5'), $OK_DIGEST);
    is($r->{status}, 200, 'urllib Digest MD5: 200');
    is(codes($r), '401 200', 'urllib Digest MD5: 401, then 200');
    like(last_auth($r), $MD5_RE,
         'urllib Digest MD5: algorithm="MD5" (quoted), qop=auth, nc, cnonce');
    like($log, $OK_DIGEST, 'urllib Digest MD5: AC01003 in error_log');
    is($r->{body}, "ok challenge\n", 'urllib Digest MD5: body');
}
# What urllib cannot do raises before it sends anything.
my %refuse = (
    sha256     => "ValueError: Unsupported digest authentication algorithm 'SHA-256'",
    sha512     => "ValueError: Unsupported digest authentication algorithm 'SHA-512-256'",
    md5sess    => "ValueError: Unsupported digest authentication algorithm 'MD5-sess'",
    sha256sess => "ValueError: Unsupported digest authentication algorithm 'SHA-256-sess'",
    authint    => "URLError: <urlopen error qop 'auth-int' is not supported.>",
    mixed      => "ValueError: Unsupported digest authentication algorithm 'SHA-256'",
    bearer     => "ValueError: AbstractDigestAuthHandler does not support the following scheme: 'Bearer'",
    bearerfirst => "ValueError: AbstractDigestAuthHandler does not support the following scheme: 'Bearer'",
);
{
    my @v = sort keys %refuse;
    my $m = error_log_mark();
    my $res = py(map { { name => $_, %{ o($_) } } } @v);
    for my $v (@v) {
        is($res->{$v}{error}, $refuse{$v}, "urllib at $v: $refuse{$v}");
        is(codes($res->{$v}), '401', "urllib at $v: sent nothing after the 401");
    }
    unlike(error_log_since($m), qr/AC0100[123]/,
           'urllib: no credential reached the server for those');
}
# The Basic handler alone, at a Digest-only place: it raises too.
{
    my $r = py({ name => 'x', %{ o('md5', handlers => ['basic']) } })->{x};
    is($r->{error}, "ValueError: AbstractBasicAuthHandler does not support "
       . "the following scheme: 'Digest'",
       'urllib Basic handler at Digest only: ValueError');
}
# The Digest handler alone at a Basic-only place: it ignores the Basic
# challenge; the 401 is the result.
{
    my $r = py({ name => 'x', %{ o('basic', handlers => ['digest']) } })->{x};
    is($r->{status}, 401, 'urllib Digest handler at Basic only: 401');
    is(codes($r), '401', 'urllib Digest handler at Basic only: one request');
}
# userhash offered: urllib sends the plain user name; accepted.
{
    my ($r, $log) = py1(o('userhash'), $OK_DIGEST);
    is($r->{status}, 200, 'urllib at userhash: 200');
    like(last_auth($r), $MD5_RE, 'urllib at userhash: plain username, MD5');
    unlike(last_auth($r), qr/userhash=/, 'urllib at userhash: no userhash=');
    like($log, $OK_DIGEST, 'urllib at userhash: AC01003');
}
# qop="auth, auth-int": urllib answers qop=auth, also for a POST.
{
    my ($r, $log) = py1(o('authboth', data => 'a=b'), $OK_DIGEST);
    is($r->{status}, 200, 'urllib POST at auth, auth-int: 200');
    like(last_auth($r), qr/uri="\/clients\/authboth\/echo".*qop=auth, nc=/,
         'urllib POST at auth, auth-int: answered qop=auth');
    like($r->{body} // '', qr/REMOTE_USER=chuck\n.*BODY:\na=b\z/s,
         'urllib POST at auth, auth-int: body reached the handler');
    $r = py({ name => 'x', %{ o('authint', data => 'a=b') } })->{x};
    is($r->{error}, $refuse{authint}, 'urllib POST at auth-int only: URLError');
}
# Bearer: no handler; the header set by hand works.
{
    my $tok = bearer_token('chuck');
    my ($r, $log) = py1({ url => "$O/clients/bearer/ok.txt",
                          headers => { Authorization => "Bearer $tok" } },
                        qr/AC01003.*scheme Bearer/);
    is($r->{status}, 200, 'urllib, Bearer header by hand: 200');
    is(codes($r), '200', 'urllib, Bearer header by hand: one request');
    like($log, qr/AC01003: client \S+ authenticated: scheme Bearer user "chuck"/,
         'urllib, Bearer by hand: AC01003');
}
# AuthType Challenge: the defaults (SHA-256 first) fail with the Digest
# handler installed even though Basic is offered; MD5 first serves it;
# Bearer first stops the Digest handler; the Basic handler alone gets
# in everywhere Basic is offered.
{
    my ($r, $log) = py1(o('compat'), $OK_DIGEST);
    is($r->{status}, 200, 'urllib at Challenge, MD5 SHA-256: 200');
    like(last_auth($r), $MD5_RE, 'urllib at Challenge, MD5 SHA-256: MD5');
    like($log, $OK_DIGEST, 'urllib at Challenge, MD5 SHA-256: AC01003');
    my $res = py(map { { name => $_, %{ o($_, handlers => ['basic']) } } }
                 qw(mixed compat bearerfirst));
    for my $v (qw(mixed compat bearerfirst)) {
        is($res->{$v}{status}, 200, "urllib Basic handler alone at $v: 200");
        is(last_auth($res->{$v}), basic('chuck', $CPW),
           "urllib Basic handler alone at $v: sent Basic");
    }
}
# A wrong password: 6 more Digest answers, then HTTPError 401.
{
    my $want = qr/(?:authentication failed: wrong response.*){6}/s;
    my ($r, $log) = py1(o('md5', pass => 'wrong-pw'), $want);
    is($r->{status}, 401, 'urllib Digest, wrong password: 401');
    is($r->{error}, 'HTTPError: digest auth failed',
       'urllib Digest, wrong password: HTTPError "digest auth failed"');
    is(codes($r), join(' ', ('401') x 7), 'urllib Digest: 7 requests');
    my @n = $log =~ /AC01001: client \S+ scheme Digest user "chuck": authentication failed: wrong response/g;
    is(scalar @n, 6, 'urllib Digest, wrong password: 6 times AC01001');
}

# ------------------------------------------------ proxy
{
    my ($r, $log) = py1(p('basic', handlers => ['pbasic'], cred_uri => $P),
                        qr/AC01003.*user "pat"/);
    is($r->{status}, 200, 'urllib proxy Basic: 200');
    is(codes($r), '407 200', 'urllib proxy Basic: 407, then 200');
    is(last_auth($r, 'pauth'), basic('pat', $PPW),
       'urllib proxy Basic: Proxy-Authorization Basic');
    like($log, qr/AC01003: client \S+ authenticated: scheme Basic user "pat"/,
         'urllib proxy Basic: AC01003');
}
{
    my $ok = qr/AC01003: client \S+ authenticated: scheme Digest user "pat"/;
    my ($r, $log) = py1(p('md5'), $ok);
    is($r->{status}, 200, 'urllib proxy Digest MD5: 200');
    is(codes($r), '407 200', 'urllib proxy Digest MD5: 407, then 200');
    like(last_auth($r, 'pauth'), qr/^Digest username="pat", realm="\Q$PREALM\E", nonce="[^"]+", uri="\Q$O\E\/clientsup\/md5\/ok\.txt", response="[0-9a-f]{32}", opaque="[^"]+", algorithm="MD5", qop=auth, nc=00000001, cnonce="[0-9a-f]{16}"$/,
         'urllib proxy Digest MD5: absolute uri, MD5, qop=auth');
    like($log, $ok, 'urllib proxy Digest MD5: AC01003');
    # The password filed under the proxy (as for Basic) is not found.
    $r = py({ name => 'x', %{ p('md5', cred_uri => $P,
                                handlers => ['pdigest']) } })->{x};
    is($r->{status}, 407, 'urllib proxy Digest, password under the proxy: 407');
    is(codes($r), '407', 'urllib proxy Digest, password under the proxy: no answer');
    ($r, $log) = py1(p('userhash'), $ok);
    is($r->{status}, 200, 'urllib proxy Digest at userhash: 200');
    ($r, $log) = py1(p('compat'), $ok);
    is($r->{status}, 200, 'urllib proxy Challenge MD5 SHA-256: 200');
    like(last_auth($r, 'pauth'), qr/^Digest .*algorithm="MD5"/,
         'urllib proxy Challenge MD5 SHA-256: Digest MD5');
}
{
    my @v = qw(sha256 sha512 md5sess sha256sess authint mixed);
    my $res = py(map { { name => $_, %{ p($_) } } } @v);
    for my $v (@v) {
        is($res->{$v}{error}, $refuse{$v}, "urllib proxy at $v: $refuse{$v}");
    }
    $res = py({ name => 'x', %{ p('mixed', handlers => ['pbasic'],
                                   cred_uri => $P) } });
    is($res->{x}{status}, 200, 'urllib ProxyBasic alone at proxy defaults: 200');
}
# Credentials in the proxy URL: Basic at once, whatever is offered.
{
    my $ui = "http://pat:Pat-Pw-4Px%23\@" . hostport('clients_proxy');
    my $res = py({ name => 'b', url => "$O/clientsup/basic/ok.txt",
                   proxy => $ui },
                 { name => 'm', url => "$O/clientsup/md5/ok.txt",
                   proxy => $ui });
    is($res->{b}{status}, 200, 'urllib proxy URL with user:pass: 200');
    is(codes($res->{b}), '200', 'urllib proxy URL with user:pass: preemptive');
    is(last_auth($res->{b}, 'pauth'), basic('pat', $PPW),
       'urllib proxy URL with user:pass: Basic');
    is($res->{m}{status}, 407,
       'urllib proxy URL with user:pass at Digest only: 407');
}
# Bearer to the proxy, set by hand.
{
    my $tok = bearer_token('pat');
    my ($r, $log) = py1({ url => "$O/clientsup/bearer/ok.txt", proxy => $P,
                          headers => { 'Proxy-Authorization' => "Bearer $tok" } },
                        qr/AC01003.*scheme Bearer/);
    is($r->{status}, 200, 'urllib proxy, Bearer by hand: 200');
    like($log, qr/AC01003: client \S+ authenticated: scheme Bearer user "pat"/,
         'urllib proxy, Bearer by hand: AC01003');
}
# Wrong password at the proxy: HTTPError 401 although the proxy said 407.
{
    my $want = qr/(?:authentication failed: wrong response.*){6}/s;
    my ($r, $log) = py1(p('md5', pass => 'wrong-pw'), $want);
    is($r->{status}, 401, 'urllib proxy Digest, wrong password: HTTPError 401');
    is($r->{error}, 'HTTPError: digest auth failed',
       'urllib proxy Digest, wrong password: "digest auth failed"');
    is(codes($r), join(' ', ('407') x 7),
       'urllib proxy Digest, wrong password: the proxy said 407 seven times');
}

is_deeply([secrets_in_log($mark0, secrets())], [],
          'no password, Basic token or Bearer token in error_log');
