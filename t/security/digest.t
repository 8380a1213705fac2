# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Digest and the request as httpd handles it (docs/security.md, "Audit
# findings" 8, 10, 13):
#  8  uri is compared with the request-target as the client sent it
#     (%6F, //, .. in a path work); sub-requests and internal redirects
#     (DirectoryIndex, ErrorDocument) reuse the main request's verdict;
# 10  auth-int: nonce, opaque, realm and user are checked before any
#     byte of the body is read: a request that fails them is answered at
#     once, without waiting for its body;
# 13  the request mod_http2 runs again after "Upgrade: h2c" is accepted
#     once more (curl --http2 --digest), a real replay still is not.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use IO::Select ();
use Time::HiRes qw(time);
use ACTest qw(:all);
use ACDigest qw(:all);

plan tests => 19;

my $hp = hostport();
digest_users();
my ($user, $pass) = ('alice', $DUSERS{alice});

# A fresh challenge for $target, answered for $uri (default: $target).
sub answer {
    my ($target, %o) = @_;
    my $r = req($hp, $o{method} // 'GET', $target);
    my $c = pick(digest_challenges($r, 'WWW-Authenticate'),
                 $o{alg} // 'SHA-256') or die "no challenge for $target";
    my ($v, $st) = authorize(chal => $c, user => $user, pass => $pass,
                             uri => $o{uri} // $target, %o);
    return ($v, $st, $c);
}

sub get_with {
    my ($target, %o) = @_;
    my ($v) = answer($target, %o);
    return req($hp, 'GET', $target, Authorization => $v);
}

# ------------------------------------------------ 8. the uri as sent
for my $t ('/security/digest/ok.txt', '/security/digest/%6Fk.txt',
           '/security/digest//ok.txt', '/security/digest/x/../ok.txt',
           '/security/digest/ok.txt?a=%20b') {
    is(get_with($t)->{status}, 200, "GET $t with uri=\"$t\": 200");
}
is(get_with('/security/digest/%6Fk.txt',
            uri => '/security/digest/ok.txt')->{status}, 400,
   'uri naming the normalised path, not the target as sent: 400');

my $r = get_with('/security/dir/');
is($r->{status}, 200, 'DirectoryIndex behind its own <Location>: 200');
like($r->{body}, qr/index here/, '... serving index.html');
is(header_count($r, 'Authentication-Info'), 1,
   '... with one Authentication-Info');

$r = get_with('/security/digest/missing');
is($r->{status}, 404, 'ErrorDocument in the protected area: 404');
like($r->{body}, qr/not found here/, '... with the ErrorDocument page');

# ------------------------------------------------ 10. auth-int, body last
{
    my $path = '/security/authint/echo';
    my ($v) = answer($path, method => 'POST', qop => 'auth-int',
                     set => { opaque => '"not-the-opaque"' });
    for my $case (['a wrong opaque', $v],
                  ['a forged nonce',
                   (answer($path, method => 'POST', qop => 'auth-int',
                           set => { nonce => '"AAAAforged"' }))[0]],
                  ['an unknown user',
                   (answer($path, method => 'POST', qop => 'auth-int',
                           user => 'nobody'))[0]]) {
        my ($what, $auth) = @$case;
        my $s = raw_connect($hp);
        # a large body announced, none sent
        print $s "POST $path HTTP/1.1\r\nHost: $hp\r\n"
            . "Authorization: $auth\r\nContent-Length: 1000000\r\n"
            . "Content-Type: text/plain\r\nConnection: close\r\n\r\n";
        my $t0 = time;
        my $ready = IO::Select->new($s)->can_read(3);
        my $resp = $ready ? read_response($s, 'POST') : undef;
        close $s;
        ok($resp && $resp->{status} == 401 && time - $t0 < 3,
           "auth-int with $what: 401 at once, the body not awaited")
            or diag($resp ? $resp->{status} : 'no answer within 3 s');
    }
    my $body = 'hello auth-int';
    my ($good, $st) = answer($path, method => 'POST', qop => 'auth-int',
                             body => $body);
    $r = send_req($hp, 'POST', $path, $body, Authorization => $good,
                  'Content-Type' => 'text/plain');
    is($r->{status}, 200, 'auth-int, right response: 200');
}

# ------------------------------------------------ 13. h2c upgrade
{
    my $h2 = hostport('sec_h2c');
    my ($out) = ACTest::_run($CURL, '-s', '--http2', '--digest', '-u',
                             "$user:$pass", '-o', '/dev/null', '-w',
                             '%{http_code} %{http_version}',
                             "http://$h2/h2/ok.txt");
    is($out, '200 2', 'curl --http2 --digest (h2c upgrade): 200 over h2');

    # The same response sent twice over HTTP/1.1 is still a replay.
    my $c = pick(digest_challenges(req($h2, 'GET', '/h2/ok.txt'),
                                   'WWW-Authenticate'), 'SHA-256');
    my ($v) = authorize(chal => $c, user => $user, pass => $pass,
                        uri => '/h2/ok.txt');
    is(req($h2, 'GET', '/h2/ok.txt', Authorization => $v)->{status}, 200,
       'HTTP/1.1 response: 200');
    is(req($h2, 'GET', '/h2/ok.txt', Authorization => $v)->{status}, 401,
       'the same response again: 401 (replay)');
    # ... and an Upgrade request whose response was used already.
    is(req($h2, 'GET', '/h2/ok.txt', Authorization => $v,
           Connection => 'Upgrade, HTTP2-Settings', Upgrade => 'h2c',
           'HTTP2-Settings' => 'AAMAAABkAAQCAAAAAAIAAAAA')->{status}, 401,
       'a used response with Upgrade: h2c: 401 (replay), not 101');
}
