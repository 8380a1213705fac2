# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Chromium over HTTP/2 (docs/httpd.md, "HTTP/2"): Debian's chromium
# through playwright-core (t/browser/run.js, t/lib/ACBrowser.pm), told
# to accept the test certificate (t/h2/setup.sh).  Against the TLS host
# with ALPN h2: Basic, Digest and AuthType Challenge (four
# WWW-Authenticate fields: Chromium picks Digest SHA-256), each a 401
# and then a 200, with SERVER_PROTOCOL HTTP/2.0 at the server, and
# Bearer only (nothing a browser can answer: it ends on the 401).
# Through the forward proxy over h2 (an HTTPS proxy to Chromium, h2 by
# ALPN): Basic, Digest and AuthType Challenge, 407 then 200, and the
# proxy's access_log shows HTTP/2.0 proxy requests.  Chromium does no
# h2c (neither Upgrade nor prior knowledge): t/h2/curl.t covers it.
# CI_NO_BROWSER=1 skips the file, anything missing otherwise fails it.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACBrowser qw(:all);

if (my $why = browser_skip_reason()) {
    plan skip_all => $why;
}
my $tls = eval { hostport('h2_tls') };
my @missing = browser_missing();
push @missing, 'the test certificate (t/h2/setup.sh)' unless $tls;
if (@missing) {
    plan tests => 1;
    fail('browser prerequisites: missing ' . join(', ', @missing)
         . ' (set CI_NO_BROWSER=1 to skip these tests)');
    exit 0;
}

plan tests => 33;

my %PW = (hana => 'Hana-Pw-7Hn!', pete => 'Pete-Pw-8Pt#');
my $proxy = hostport('h2_proxy');
my $origin = hostport();
my $NOCRED = qr/AC01005: client \S+ scheme -: no credentials/;

my @S;
for my $area (qw(basic digest challenge bearer)) {
    push @S, { name => $area, username => 'hana', password => $PW{hana},
               urls => ["https://$tls/h2/$area/echo"] };
}
for my $area (qw(basic digest challenge)) {
    push @S, { name => "p-$area", username => 'pete',
               password => $PW{pete}, proxy => "https://$proxy",
               urls => ["http://$origin/h2p/$area/ok.txt"] };
}

my $alog = -s t_dir() . '/logs/access_log';
my $t0 = time;
my $res = run_browser({ ignore_certificate_errors => 1 }, @S);
diag("Chromium $res->{version}: " . scalar(@S) . ' scenarios in '
     . (time - $t0) . ' s');
my %R = map { $_->{name} => $_->{visits}[0] } @{ $res->{results} };
is(scalar keys %R, scalar @S, 'every scenario ran');

# ------------------------------------------------ origin over h2
my %HOW = (basic => ['Basic', 'password verified'],
           digest => ['Digest', 'digest verified (SHA-256, qop=auth)'],
           challenge => ['Digest', 'digest verified (SHA-256, qop=auth)']);
for my $area (qw(basic digest challenge)) {
    my $v = $R{$area} || {};
    my ($scheme, $how) = @{ $HOW{$area} };
    is($v->{status}, 200, "$area: 200") or diag($v->{error} // '');
    like($v->{body} // '', qr{^SERVER_PROTOCOL=HTTP/2\.0$}m,
         "$area: over HTTP/2 (h2 by ALPN)");
    like($v->{body} // '', qr/^REMOTE_USER=hana$/m, "$area: REMOTE_USER");
    like($v->{log} // '', $NOCRED,
         "$area: the first request without credentials (the 401)");
    like($v->{log} // '', qr/AC01003: client \S+ authenticated: scheme \Q$scheme\E user "hana": \Q$how\E/,
         "$area: then $scheme: AC01003");
    unlike($v->{log} // '', qr/AC01001/, "$area: no failed attempt");
}
{
    my $v = $R{bearer} || {};
    is($v->{status}, 401, 'bearer only: the browser ends on the 401');
    like($v->{headers}{'www-authenticate'} // '', qr/^Bearer realm="AC H2"/,
         'bearer only: with the Bearer challenge');
}

# ------------------------------------------------ forward proxy over h2
for my $area (qw(basic digest challenge)) {
    my $v = $R{"p-$area"} || {};
    my ($scheme, $how) = @{ $HOW{$area} };
    is($v->{status}, 200, "proxy $area: 200") or diag($v->{error} // '');
    is($v->{body}, "ok pub\n", "proxy $area: the origin's file");
    like($v->{log} // '', qr/AC01003: client \S+ authenticated: scheme \Q$scheme\E user "pete": \Q$how\E/,
         "proxy $area: $scheme: AC01003");
}
{
    my @l;
    if (open my $fh, '<', t_dir() . '/logs/access_log') {
        seek $fh, $alog, 0;
        while (<$fh>) {
            push @l, "$1 $2 $3 $4" if m{^\S+ \S+ (\S+) \[[^]]+\] "GET http://\Q$origin\E/h2p/(\w+)/ok\.txt (HTTP/[\d.]+)" (\d{3})};
        }
    }
    for my $area (qw(basic digest challenge)) {
        my @mine = grep { (split / /)[1] eq $area } @l;
        is_deeply([map { join ' ', (split / /)[0, 2, 3] } @mine],
                  ['- HTTP/2.0 407', 'pete HTTP/2.0 200'],
                  "proxy $area: 407, then 200, both as HTTP/2.0 proxy "
                  . 'requests') or diag(join "\n", @l);
    }
}
