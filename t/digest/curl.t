# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# The system curl (7.88 on Debian 12) as a real Digest client of the
# origin (docs/digest.md, "Clients": curl answers the first Digest
# challenge): the default order, MD5 first, -sess, userhash, and
# SHA-512-256, which curl before 8.7.0 computes with SHA-256 -- a wrong
# answer that must be refused.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACDigest qw(:all);
use ACAuthParam qw(parse_params);

plan tests => 24;

digest_users();
my $hp = hostport();

# (status, what curl sent in its last Authorization header, body).
sub curl_digest {
    my ($path, $user, $pass, @more) = @_;
    my ($rc, $out, $err) = run_cmd($CURL, '-s', '-v', '--max-time', 10,
        '-w', "\n%{http_code}", '--digest', '-u', "$user:$pass", @more,
        "http://$hp$path");
    my ($code) = $out =~ s/\n(\d{3})\z// ? ($1) : ('000');
    my @auth = $err =~ /^> Authorization: (Digest .*?)\r?$/mg;
    return ($code, $auth[-1] // '', $out);
}

sub sent {
    my $a = shift;
    my $p = parse_params($a =~ s/^Digest //r);
    return $p;
}

my $ver = (run_cmd($CURL, '--version'))[1];
diag((split /\n/, $ver)[0]);
my ($major, $minor) = $ver =~ /^curl (\d+)\.(\d+)/;
my $old = $major < 8 || ($major == 8 && $minor < 7);

# Default order: SHA-256 then MD5; curl takes the first.
{
    my ($code, $a, $body) = curl_digest('/digest/ok.txt', 'alice',
                                        $DUSERS{alice});
    is($code, '200', 'curl --digest, defaults: 200');
    is($body, "ok digest\n", 'curl --digest, defaults: body');
    is(sent($a)->{algorithm}, 'SHA-256', 'curl answered SHA-256 (first)');
    is(sent($a)->{qop}, 'auth', 'curl sent qop=auth');
    is((curl_digest('/digest/ok.txt', 'alice', 'wrong'))[0], '401',
       'curl --digest, wrong password: 401');
}

my %cases = (
    'md5first/'   => ['MD5',          'MD5 first'],
    'md5sess/'    => ['MD5-sess',     'MD5-sess first'],
    'sha256sess/' => ['SHA-256-sess', 'SHA-256-sess first'],
);
for my $dir (sort keys %cases) {
    my ($alg, $what) = @{ $cases{$dir} };
    my ($code, $a) = curl_digest("/digest/curl/${dir}ok.txt", 'alice',
                                 $DUSERS{alice});
    is($code, '200', "curl, $what: 200");
    is(sent($a)->{algorithm}, $alg, "curl, $what: curl used $alg");
}

# userhash=true offered with SHA-256 first: curl hashes the user name.
{
    my ($code, $a) = curl_digest('/digest/curl/userhash/ok.txt', 'alice',
                                 $DUSERS{alice});
    is($code, '200', 'curl, userhash On: 200');
    my $p = sent($a);
    is($p->{userhash}, 'true', 'curl sent userhash=true');
    is($p->{username}, H('SHA-256', "alice:$REALM"),
       'curl sent username = SHA-256("alice:AC Digest")');
}

# A non-ASCII user: curl sends the UTF-8 bytes in username.
{
    my ($code) = curl_digest('/digest/ok.txt', "j\xc3\xb6rg",
                             $DUSERS{"j\xc3\xb6rg"});
    is($code, '200', 'curl, user jörg (UTF-8): 200');
}

# POST through curl --digest to the echo CGI (qop auth offered first in
# "auth, auth-int"; curl takes auth): the body reaches the handler.
{
    my ($code, $a, $body) = curl_digest('/digest/cgi/echo', 'bob',
        $DUSERS{bob}, '--data-binary', 'hello=digest&x=1');
    is($code, '200', 'curl --digest POST to the echo CGI: 200');
    like($body, qr/\nBODY:\nhello=digest&x=1\z/, 'curl POST: exact body');
}

# SHA-512-256 first: curl < 8.7 computes it with SHA-256 -> refused.
for my $dir (qw(sha512 sha512sess)) {
    my $mark = error_log_mark();
    my ($code, $a) = curl_digest("/digest/curl/$dir/ok.txt", 'alice',
                                 $DUSERS{alice});
    my $alg = $dir eq 'sha512' ? 'SHA-512-256' : 'SHA-512-256-sess';
    is(sent($a)->{algorithm}, $alg, "curl, $alg first: curl sent it");
    if ($old) {
        is($code, '401', "curl $major.$minor, $alg (really SHA-256): 401");
        like(wait_log($mark, qr/wrong response/),
             qr/AC01001: client \S+ scheme Digest user "alice": authentication failed: wrong response/,
             "curl, $alg: logged as a wrong response");
    }
    else {
        is($code, '200', "curl $major.$minor, $alg: 200");
        pass("curl $major.$minor computes $alg right");
    }
}

# Keep-alive: curl reuses its connection for a second URL with the same
# credentials (a new 401 round per URL, nc starts over per nonce).
{
    my ($rc, $out) = run_cmd($CURL, '-s', '--max-time', 10, '--digest',
        '-u', "alice:$DUSERS{alice}", '-w', '%{http_code}\n',
        '-o', '/dev/null', "http://$hp/digest/ok.txt",
        '-o', '/dev/null', "http://$hp/digest/short/ok.txt");
    is($out, "200\n200\n", 'curl, two URLs on one connection: 200 200');
}
