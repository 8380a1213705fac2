# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Perl LWP (libwww-perl 6) across the client matrix (t/conf/clients.conf.in),
# as an origin and through the forward proxy clients_proxy.  What
# t/challenge/lwp.t proves already (Basic, Digest MD5, MD5 answers to a
# SHA-256-first list, SHA-256 only refused, the reverse proxy, no answer
# to a 407 with credentials()) is not repeated.  What LWP does:
# - it tries each challenge whose scheme it has a class for
#   (LWP::Authen::Basic, ::Digest; no ::Bearer) in order, and returns the
#   first 401 when all fail;
# - its Digest always computes MD5 and sends algorithm="MD5", whatever
#   the challenge says; it sends qop=auth only when the challenge's qop
#   is exactly "auth" (or "auth,auth-int" without a space): for
#   qop="auth-int" or qop="auth, auth-int" it sends no qop at all;
#   userhash is ignored (plain username);
# - it answers a 407 only through get_basic_credentials, which returns
#   nothing for a proxy unless a subclass overrides it; credentials in
#   the proxy URL (http://user:pass@host:port) become a preemptive Basic
#   Proxy-Authorization on every request.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACChallenge qw(:all);
use LWP::UserAgent ();

# An agent that answers a 407 (the way LWP's documentation suggests:
# override get_basic_credentials).
package ProxyUA;
our @ISA = ('LWP::UserAgent');
sub get_basic_credentials {
    my ($self, $realm, $uri, $proxy) = @_;
    return @{ $self->{ac_proxy_cred} } if $proxy && $self->{ac_proxy_cred};
    return $self->SUPER::get_basic_credentials($realm, $uri, $proxy);
}

package main;

plan tests => 71;

make_dbms();
my $mark0 = error_log_mark();
my $hp = hostport();
my $php = hostport('clients_proxy');
my ($CPW, $PPW) = ($CU{chuck}, $CU{pat});

# A fresh agent per request (LWP remembers what worked per host/realm).
sub origin {
    my ($v, %o) = @_;
    my $ua = LWP::UserAgent->new(timeout => 10, keep_alive => 0);
    $ua->credentials($hp, $REALM, 'chuck', $o{pass} // $CPW);
    $ua->default_header(%{ $o{headers} }) if $o{headers};
    my $m = error_log_mark();
    my $r = $ua->get("http://$hp/clients/$v/ok.txt");
    return ($r, $o{wait} ? wait_log($m, $o{wait}) : error_log_since($m));
}
sub viaproxy {
    my ($v, %o) = @_;
    my $ua = ProxyUA->new(timeout => 10, keep_alive => 0);
    $ua->{ac_proxy_cred} = ['pat', $o{pass} // $PPW] unless $o{nocred};
    $ua->credentials($php, $PREALM, 'pat', $PPW) if $o{credentials};
    $ua->proxy(http => $o{proxy} || "http://$php");
    $ua->default_header(%{ $o{headers} }) if $o{headers};
    my $m = error_log_mark();
    my $r = $ua->get("http://$hp/clientsup/$v/ok.txt");
    return ($r, $o{wait} ? wait_log($m, $o{wait}) : error_log_since($m));
}

my $OK = qr/AC01003: client \S+ authenticated: scheme Digest user "chuck": digest verified/;
my $POK = qr/AC01003: client \S+ authenticated: scheme Digest user "pat": digest verified/;
my $MD5 = qr/^Digest username="chuck", realm="\Q$REALM\E", qop=auth, algorithm="MD5", uri="\/clients\/\w+\/ok\.txt", nonce="[^"]+", nc=00000001, cnonce="[0-9a-f]+", response="[0-9a-f]{32}", opaque="[^"]+"$/;
my $NOALG = 'authentication failed: algorithm not offered';
my $NOQOP = 'authentication failed: no qop (RFC 2069 response)';

# ------------------------------------------------ origin
# Only algorithms LWP lacks: it answers with MD5 anyway; refused.
for my $v (qw(sha512 md5sess sha256sess)) {
    my ($r, $log) = origin($v, wait => qr/\Q$NOALG\E/);
    is($r->code, 401, "LWP at $v only: 401");
    like($log, qr/AC01001: client \S+ scheme Digest user "chuck": \Q$NOALG\E/,
         "LWP at $v only: its MD5 answer refused (algorithm not offered)");
}
{
    my ($r, $log) = origin('userhash', wait => $OK);
    is($r->code, 200, 'LWP at userhash: 200');
    like(lwp_sent($r), $MD5, 'LWP at userhash: plain username, MD5, qop=auth');
    like($log, $OK, 'LWP at userhash: AC01003');
}
# auth-int offered (alone, or with auth): LWP sends no qop; refused.
for my $v (qw(authint authboth)) {
    my ($r, $log) = origin($v, wait => qr/\Q$NOQOP\E/);
    is($r->code, 401, "LWP at $v: 401");
    like($log, qr/AC01001: client \S+ scheme Digest user "chuck": \Q$NOQOP\E/,
         "LWP at $v: its answer had no qop");
}
{
    my ($r) = origin('authboth');
    like(join(',', $r->header('WWW-Authenticate')),
         qr/^Digest realm="\Q$REALM\E", qop="auth, auth-int", algorithm=MD5,/,
         'LWP at authboth: the challenge was qop="auth, auth-int"');
}
# Bearer: no LWP::Authen::Bearer; a header set by hand works.
{
    my ($r) = origin('bearer');
    is($r->code, 401, 'LWP at Bearer only: 401');
    is($r->header('Client-Warning'), "Unsupported authentication scheme 'bearer'",
       'LWP at Bearer only: Client-Warning says it has no Bearer');
    my $tok = bearer_token('chuck');
    my $log;
    ($r, $log) = origin('bearer', headers => { Authorization => "Bearer $tok" },
                        wait => qr/AC01003.*Bearer/);
    is($r->code, 200, 'LWP, Bearer header by hand: 200');
    is(lwp_codes($r), '200', 'LWP, Bearer header by hand: one request');
    like($log, qr/AC01003: client \S+ authenticated: scheme Bearer user "chuck"/,
         'LWP, Bearer by hand: AC01003');
}
# AuthType Challenge: Bearer first is skipped; MD5 first or SHA-256
# first (the defaults), LWP answers MD5.
for my $v (qw(bearerfirst compat mixed)) {
    my ($r, $log) = origin($v, wait => $OK);
    is($r->code, 200, "LWP at Challenge $v: 200");
    is(lwp_codes($r), '401 200', "LWP at Challenge $v: 401, then 200");
    like(lwp_sent($r), $MD5, "LWP at Challenge $v: Digest MD5");
    like($log, $OK, "LWP at Challenge $v: AC01003");
}

# ------------------------------------------------ proxy
# Credentials in the proxy URL: a preemptive Basic Proxy-Authorization.
{
    my $ui = "http://pat:Pat-Pw-4Px%23\@$php";
    my ($r, $log) = viaproxy('basic', proxy => $ui, nocred => 1,
                             wait => qr/AC01003.*user "pat"/);
    is($r->code, 200, 'LWP, user:pass in the proxy URL, Basic: 200');
    is(lwp_codes($r), '200', 'LWP, user:pass in the proxy URL: no 407 first');
    # (LWP::Protocol::http adds it on the wire, not to $r->request.)
    unlike($log, qr/AC01005: client \S+ scheme -: no credentials/,
           'LWP, user:pass in the proxy URL: Basic sent preemptively');
    like($log, qr/AC01003: client \S+ authenticated: scheme Basic user "pat"/,
         'LWP, user:pass in the proxy URL: AC01003');
    ($r) = viaproxy('mixed', proxy => $ui, nocred => 1);
    is($r->code, 200, 'LWP, user:pass in the proxy URL, proxy defaults: 200');
    ($r, $log) = viaproxy('md5', proxy => $ui, nocred => 1,
                          wait => qr/scheme not offered/);
    is($r->code, 407, 'LWP, user:pass in the proxy URL, Digest only: 407');
    is(lwp_codes($r), '407', 'LWP, user:pass in the proxy URL: no Digest retry');
    like($log, qr/AC01005: client \S+ scheme Basic: scheme not offered/,
         'LWP, user:pass in the proxy URL, Digest only: Basic not offered');
}
# get_basic_credentials overridden: LWP answers the 407.
{
    my ($r, $log) = viaproxy('basic', wait => qr/AC01003.*user "pat"/);
    is($r->code, 200, 'LWP subclass, proxy Basic: 200');
    is(lwp_codes($r), '407 200', 'LWP subclass, proxy Basic: 407, then 200');
    is(lwp_sent($r, 'Proxy-Authorization'), basic('pat', $PPW),
       'LWP subclass, proxy Basic: Proxy-Authorization Basic');
    for my $v (qw(md5 userhash mixed compat)) {
        ($r, $log) = viaproxy($v, wait => $POK);
        is($r->code, 200, "LWP subclass, proxy $v: 200");
        is(lwp_codes($r), '407 200', "LWP subclass, proxy $v: 407, then 200");
        like(lwp_sent($r, 'Proxy-Authorization'),
             qr/^Digest username="pat", realm="\Q$PREALM\E", qop=auth, algorithm="MD5", uri="\/clientsup\/$v\/ok\.txt", nonce="[^"]+", nc=00000001, cnonce="[0-9a-f]+", response="[0-9a-f]{32}", opaque="[^"]+"$/,
             "LWP subclass, proxy $v: Digest MD5, path-form uri");
    }
    like($log, $POK, 'LWP subclass, proxy Digest: AC01003');
}
{
    my %why = (sha256 => $NOALG, sha512 => $NOALG, md5sess => $NOALG,
               sha256sess => $NOALG, authint => $NOQOP);
    for my $v (sort keys %why) {
        my ($r, $log) = viaproxy($v, wait => qr/\Q$why{$v}\E/);
        is(lwp_codes($r), '407 407', "LWP subclass, proxy $v: 407 twice");
        like($log, qr/AC01001: client \S+ scheme Digest user "pat": \Q$why{$v}\E/,
             "LWP subclass, proxy $v: refused ($why{$v})");
    }
    my ($r) = viaproxy('bearer');
    is($r->code, 407, 'LWP subclass, proxy Bearer only: 407');
    is($r->header('Client-Warning'), "Unsupported authentication scheme 'bearer'",
       'LWP subclass, proxy Bearer only: no Bearer');
}
# Also set with credentials() for the proxy: LWP sees the "same
# password as before" and does not answer at all.
{
    my ($r) = viaproxy('md5', credentials => 1);
    is(lwp_codes($r), '407', 'LWP subclass + credentials() for the proxy: no answer');
}
# A wrong password: one answer, then LWP gives up (same password again).
{
    my ($r, $log) = viaproxy('md5', pass => 'wrong-pw',
                             wait => qr/wrong response/);
    is(lwp_codes($r), '407 407', 'LWP subclass, wrong proxy password: 407 twice');
    like($log, qr/AC01001: client \S+ scheme Digest user "pat": authentication failed: wrong response/,
         'LWP subclass, wrong proxy password: AC01001');
}

is_deeply([secrets_in_log($mark0, secrets())], [],
          'no password, Basic token or Bearer token in error_log');
