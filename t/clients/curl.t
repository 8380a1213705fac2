# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# The system curl (7.88 on Debian 12) where the other suites leave a
# cell of docs/clients.md open: Digest through the forward proxy with
# MD5 first, -sess, userhash and auth-int; auth-int at the origin (curl
# hashes an empty body: right for GET, wrong for a POST); Bearer and a
# proxy (curl has no option to send Bearer to a proxy: --oauth2-bearer
# goes to the origin).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACChallenge qw(:all);
use POSIX ();

plan tests => 21;

make_dbms();
my $mark0 = error_log_mark();
my $hp = hostport();
my $php = hostport('clients_proxy');

# curl -v: (status codes in order, the last value of header $h it sent,
# body).
sub vcurl {
    my ($h, @args) = @_;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        delete @ENV{qw(http_proxy HTTP_PROXY no_proxy NO_PROXY all_proxy
                       ALL_PROXY)};
        open STDERR, '>&', \*STDOUT;
        exec $CURL, '-s', '-v', '--max-time', 10, @args
            or POSIX::_exit(127);
    }
    local $/;
    my $out = <$fh> // '';
    close $fh;
    my @codes = $out =~ /^< HTTP\/1\.1 (\d{3})/mg;
    my @sent = $out =~ /^> \Q$h\E: (.*?)\r?$/mg;
    return (join(' ', @codes), $sent[-1] // '', $out);
}

my $POK = qr/AC01003: client \S+ authenticated: scheme Digest user "pat": digest verified/;
my @px = ('-x', "http://$php", '--proxy-digest', '--proxy-user',
          "pat:$CU{pat}");

# Through the proxy: the first Digest challenge, every variant.
my %first = (compat => 'MD5', md5sess => 'MD5-sess',
             sha256sess => 'SHA-256-sess', md5 => 'MD5');
for my $v (sort keys %first) {
    my $m = error_log_mark();
    my ($codes, $sent) = vcurl('Proxy-Authorization', @px,
                               "http://$hp/clientsup/$v/ok.txt");
    is($codes, '407 200', "curl proxy $v: 407, then 200");
    like($sent, qr/^Digest .*algorithm=$first{$v}(?:,|$)/,
         "curl proxy $v: answered $first{$v}");
}
{
    my $m = error_log_mark();
    my ($codes, $sent) = vcurl('Proxy-Authorization', @px,
                               "http://$hp/clientsup/userhash/ok.txt");
    is($codes, '407 200', 'curl proxy userhash: 407, then 200');
    like($sent, qr/userhash=true/, 'curl proxy userhash: userhash=true');
    like(wait_log($m, $POK), $POK, 'curl proxy userhash: AC01003');
}
# auth-int only: curl hashes an empty body.  A GET has one: accepted.
{
    my ($codes, $sent) = vcurl('Proxy-Authorization', @px,
                               "http://$hp/clientsup/authint/ok.txt");
    is($codes, '407 200', 'curl proxy auth-int, GET: 407, then 200');
    like($sent, qr/qop=auth-int/, 'curl proxy auth-int: qop=auth-int');
}
{
    my @o = ('--digest', '-u', "chuck:$CU{chuck}");
    my ($codes, $sent) = vcurl('Authorization', @o,
                               "http://$hp/clients/authint/ok.txt");
    is($codes, '401 200', 'curl origin auth-int, GET: 401, then 200');
    like($sent, qr/qop=auth-int/, 'curl origin auth-int: qop=auth-int');
    my $m = error_log_mark();
    ($codes, $sent) = vcurl('Authorization', @o, '--data-binary', 'a=b',
                            "http://$hp/clients/authint/echo");
    is($codes, '401 401', 'curl origin auth-int, POST: refused');
    like(wait_log($m, qr/wrong response/),
         qr/AC01001: client \S+ scheme Digest user "chuck": authentication failed: wrong response/,
         'curl origin auth-int, POST: its empty-body hash is wrong');
}
# Bearer and a proxy: --oauth2-bearer sends Authorization to the
# origin, never Proxy-Authorization; the proxy says 407.
{
    my $tok = bearer_token('pat');
    my ($codes, $sent, $out) = vcurl('Proxy-Authorization', '-x',
        "http://$php", '--oauth2-bearer', $tok,
        "http://$hp/clientsup/bearer/ok.txt");
    is($codes, '407', 'curl --oauth2-bearer through the proxy: 407');
    is($sent, '', 'curl --oauth2-bearer: no Proxy-Authorization');
    like($out, qr/^> Authorization: Bearer /m,
         'curl --oauth2-bearer: Authorization (for the origin) instead');
}

is_deeply([secrets_in_log($mark0, secrets())], [],
          'no password, Basic token or Bearer token in error_log');
