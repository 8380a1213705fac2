# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# A forward proxy over HTTP/2 (docs/proxy.md, "HTTP/2"): the client
# opens h2 (TLS, ALPN h2) to the proxy and sends the origin's :scheme
# and :authority (RFC 9113 §8.3.1); httpd 2.4.71 takes that as a proxy
# request with "H2ProxyRequests On" and this module answers as a proxy:
# 407 with Proxy-Authenticate (several challenges as several fields),
# then 200 with Proxy-Authorization for Basic, Digest (with
# Proxy-Authentication-Info) and Bearer, which is not forwarded to the
# origin; a CONNECT tunnel over h2 (RFC 9113 §8.5) likewise.  The client is node's own http2 (t/h2/h2req.js): curl 7.88
# has no HTTP/2 to a proxy (--proxy-http2 came with 8.1.0).  Chromium
# through this proxy: t/h2/chromium.t.  Configuration:
# t/conf/h2.conf.in (<VirtualHost h2_proxy>).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use IPC::Open2 qw(open2);
use JSON::PP ();
use ACTest qw(:all);
use ACDigest qw(authorize pick rspauth_ok);
use ACAuthParam qw(parse_challenges);
use ACJWT ();

my $proxy = eval { hostport('h2_proxy') };
plan tests => 37, need { 'the test certificate of t/h2/setup.sh'
                         => sub { $proxy } },
                       { 'node (apt-get install nodejs)' => sub {
                           grep { -x "$_/node" } split /:/, $ENV{PATH} } };

my $PREALM = 'AC H2 Proxy';
my %PW = (pete => 'Pete-Pw-8Pt#');
my $start = error_log_mark();
my $origin = hostport();
my $key = ACJWT::slurp(t_dir() . '/var/h2/hs256.key');
my @tokens;

# One request through the proxy over h2: { alpn, status, headers =>
# [[name, value], ...] as received, body, error }.
sub via {
    my ($path, @h) = @_;
    my %hdr = (':method' => 'GET', ':scheme' => 'http',
               ':authority' => $origin, ':path' => $path, @h);
    my $pid = open2(my $out, my $in, 'node', "$FindBin::Bin/h2req.js");
    print $in JSON::PP->new->encode({ connect => "https://$proxy",
                                      headers => \%hdr });
    close $in;
    local $/;
    my $json = <$out>;
    waitpid $pid, 0;
    return JSON::PP->new->decode($json || '{"error":"no output"}');
}

sub named {
    my ($r, $name) = @_;
    return map { $_->[1] } grep { $_->[0] eq lc $name } @{ $r->{headers} };
}

# The proxy's access_log lines for $path since $mark: "<user> <proto>
# <status>" each.
sub access_lines {
    my ($mark, $path) = @_;
    my $f = t_dir() . '/logs/access_log';
    open my $fh, '<', $f or return ();
    seek $fh, $mark, 0;
    my @l;
    while (<$fh>) {
        push @l, "$1 $2 $3" if m{^\S+ \S+ (\S+) \[[^]]+\] "GET http://\Q$origin$path\E (HTTP/[\d.]+)" (\d{3})};
    }
    return @l;
}

# ------------------------------------------------ Basic
{
    my $alog = -s t_dir() . '/logs/access_log';
    my $r = via('/h2p/basic/ok.txt');
    is($r->{alpn}, 'h2', 'basic: the proxy speaks h2 (ALPN)');
    is($r->{status}, 407, 'basic: no credentials: 407');
    is_deeply([named($r, 'Proxy-Authenticate')],
              ["Basic realm=\"$PREALM\", charset=\"UTF-8\""],
              'basic: Proxy-Authenticate');
    is(scalar(named($r, 'WWW-Authenticate')), 0, 'basic: no WWW-Authenticate');
    my $mark = error_log_mark();
    $r = via('/h2p/basic/ok.txt',
             'proxy-authorization' => basic('pete', $PW{pete}));
    is($r->{status}, 200, 'basic: pete: 200');
    is($r->{body}, "ok pub\n", 'basic: the origin\'s file');
    like(wait_log($mark, qr/AC01003/),
         qr/AC01003: client \S+ authenticated: scheme Basic user "pete"/,
         'basic: AC01003');
    is(via('/h2p/basic/ok.txt', 'proxy-authorization' => basic('pete', 'x'))
           ->{status}, 407, 'basic: wrong password: 407');
    is_deeply([access_lines($alog, '/h2p/basic/ok.txt')],
              ['- HTTP/2.0 407', 'pete HTTP/2.0 200', '- HTTP/2.0 407'],
              'basic: the proxy got them as HTTP/2.0 proxy requests');
    $r = via('/h2p/basic/echo',
             'proxy-authorization' => basic('pete', $PW{pete}),
             'authorization' => 'Bearer for-the-origin');
    like($r->{body}, qr{^REQUEST_URI=/h2p/basic/echo$}m,
         'basic: the origin got the request');
    unlike($r->{body}, qr/^HTTP_PROXY_AUTHORIZATION=/m,
           'basic: Proxy-Authorization was not passed on (RFC 9110 §11.7.2)');
    like($r->{body}, qr/^HTTP_AUTHORIZATION=Bearer for-the-origin$/m,
         'basic: Authorization for the origin was');
}

# ------------------------------------------------ Digest
{
    my $p = '/h2p/digest/ok.txt';
    my $r = via($p);
    is($r->{status}, 407, 'digest: 407');
    my @pa = named($r, 'Proxy-Authenticate');
    is(scalar @pa, 2, 'digest: two Proxy-Authenticate fields (SHA-256, MD5)');
    my $chals = parse_challenges(@pa);
    my $c = pick($chals, 'SHA-256');
    ok($c, 'digest: a SHA-256 challenge') or diag("@pa");
    my $mark = error_log_mark();
    my ($h, $st) = authorize(chal => $c, user => 'pete', pass => $PW{pete},
                             uri => $p);
    $r = via($p, 'proxy-authorization' => $h);
    is($r->{status}, 200, 'digest: pete: 200');
    ok(rspauth_ok($st, (named($r, 'Proxy-Authentication-Info'))[0]),
       'digest: Proxy-Authentication-Info with the right rspauth');
    like(wait_log($mark, qr/AC01003/),
         qr/AC01003: client \S+ authenticated: scheme Digest user "pete": digest verified \(SHA-256, qop=auth\)/,
         'digest: AC01003');
    is(via($p, 'proxy-authorization' => $h)->{status}, 407,
       'digest: the same response again: 407 (replay)');
    ($h) = authorize(chal => $c, user => 'pete', pass => 'wrong', uri => $p,
                     nc => 2);
    is(via($p, 'proxy-authorization' => $h)->{status}, 407,
       'digest: wrong password: 407');
}

# ------------------------------------------------ Bearer
{
    my $p = '/h2p/bearer/ok.txt';
    my $r = via($p);
    is_deeply([$r->{status}, named($r, 'Proxy-Authenticate')],
              [407, "Bearer realm=\"$PREALM\""], 'bearer: 407');
    my $t = ACJWT::jwt(alg => 'HS256', secret => $key,
                       claims => ACJWT::claims(sub => 'pete'));
    push @tokens, $t;
    my $mark = error_log_mark();
    is(via($p, 'proxy-authorization' => "Bearer $t")->{status}, 200,
       'bearer: a token: 200');
    like(wait_log($mark, qr/AC01003/),
         qr/AC01003: client \S+ authenticated: scheme Bearer user "pete"/,
         'bearer: AC01003');
    is(via($p, 'proxy-authorization' => 'Bearer x.y.z')->{status}, 407,
       'bearer: a bad token: 407');
}

# ------------------------------------------------ AuthType Challenge
{
    my $p = '/h2p/challenge/ok.txt';
    my $r = via($p);
    is($r->{status}, 407, 'challenge: 407');
    my @pa = named($r, 'Proxy-Authenticate');
    is(scalar @pa, 3, 'challenge: three Proxy-Authenticate fields');
    like($pa[0] // '', qr/^Digest realm="AC H2 Proxy", qop="auth", algorithm=SHA-256,/,
         'challenge: 1st Digest SHA-256');
    like($pa[1] // '', qr/^Digest realm="AC H2 Proxy", qop="auth", algorithm=MD5,/,
         'challenge: 2nd Digest MD5');
    is($pa[2], "Basic realm=\"$PREALM\", charset=\"UTF-8\"",
       'challenge: 3rd Basic');
    is(via($p, 'proxy-authorization' => basic('pete', $PW{pete}))->{status},
       200, 'challenge: Basic answer: 200');
    my ($h) = authorize(chal => pick(parse_challenges(@pa), 'MD5'),
                        user => 'pete', pass => $PW{pete}, uri => $p);
    is(via($p, 'proxy-authorization' => $h)->{status}, 200,
       'challenge: Digest MD5 answer: 200');
}

# ------------------------------------------------ CONNECT over h2
# RFC 9113 §8.5: :method CONNECT and :authority only; the tunnel is the
# stream (AllowCONNECT names the main server's port).
{
    my $req = "GET /pub/ok.txt HTTP/1.1\r\nHost: $origin\r\n"
        . "Connection: close\r\n\r\n";
    my %c = (':method' => 'CONNECT', ':authority' => $origin);
    my $tunnel = sub {
        my $pid = open2(my $out, my $in, 'node', "$FindBin::Bin/h2req.js");
        print $in JSON::PP->new->encode({ connect => "https://$proxy",
                                          headers => { %c, @_ },
                                          tunnel => $req });
        close $in;
        local $/;
        my $json = <$out>;
        waitpid $pid, 0;
        return JSON::PP->new->decode($json || '{"error":"no output"}');
    };
    my $r = $tunnel->();
    is($r->{status}, 407, 'CONNECT over h2, no credentials: 407');
    is_deeply([named($r, 'Proxy-Authenticate')],
              ["Basic realm=\"$PREALM\", charset=\"UTF-8\""],
              'CONNECT: Proxy-Authenticate');
    $r = $tunnel->('proxy-authorization' => basic('pete', $PW{pete}));
    is($r->{status}, 200, 'CONNECT, pete: 200, the tunnel is open');
    like($r->{body}, qr{\AHTTP/1\.1 200 OK\r\n.*\r\n\r\nok pub\n\z}s,
         'CONNECT: the origin answered through the tunnel');
    is($tunnel->('proxy-authorization' => basic('pete', 'x'))->{status}, 407,
       'CONNECT, wrong password: 407');
}

is_deeply([secrets_in_log($start, values %PW, @tokens,
                          map { b64("pete:$_") } values %PW)], [],
          'no password or token in error_log');
