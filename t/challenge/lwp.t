# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Perl LWP as a second client (origin side).  LWP answers the first
# challenge whose scheme it knows, and its Digest is MD5 only (it sends
# algorithm="MD5", quoted, whatever the challenge says).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACChallenge qw(:all);
use LWP::UserAgent ();

plan tests => 31;

make_dbms();
my $mark = error_log_mark();
my $hp = hostport();

# A fresh agent per request: LWP remembers which scheme worked per host
# and realm, and every area here shares one realm.
sub lwp_get {
    my ($path, $user, $pass, %o) = @_;
    my $ua = LWP::UserAgent->new(timeout => 10, keep_alive => 0);
    $ua->credentials($o{cred_hp} || $hp, $o{realm} || $REALM,
                     $user, $pass);
    $ua->proxy(http => $o{proxy}) if $o{proxy};
    return $ua->get($o{url} || "http://$hp$path");
}

my $pw = $CU{chuck};
{
    my $r = lwp_get('/challenge/basic/ok.txt', 'chuck', $pw);
    is($r->code, 200, 'LWP, AuthType Basic: 200');
    is(lwp_codes($r), '401 200', 'LWP, Basic: 401 then 200');
    like(lwp_sent($r), qr/^Basic /, 'LWP, Basic: sent Basic');
    is($r->decoded_content, "ok challenge\n", 'LWP, Basic: body');
}
{
    my $r = lwp_get('/challenge/md5/ok.txt', 'chuck', $pw);
    is($r->code, 200, 'LWP, Challenge with Digest MD5 first: 200');
    like(lwp_sent($r), qr/^Digest username="chuck", realm="\Q$REALM\E", qop=auth, algorithm="MD5"/,
         'LWP, MD5: answered Digest MD5 (algorithm quoted)');
    like(($r->header('Authentication-Info') // ''),
         qr/^qop=auth, rspauth="[0-9a-f]{32}"/,
         'LWP, MD5: Authentication-Info with an MD5 rspauth');
}
# SHA-256 offered first: LWP answers that challenge with MD5, which is
# offered too and the nonce is not tied to an algorithm: accepted.
for my $area (qw(digest default combined)) {
    my $r = lwp_get("/challenge/$area/ok.txt", 'chuck', $pw);
    is($r->code, 200, "LWP, $area (SHA-256 first): 200");
    like(lwp_sent($r), qr/^Digest .*algorithm="MD5"/,
         "LWP, $area: answered the first challenge with MD5");
    is(lwp_codes($r), '401 200', "LWP, $area: one round");
}
# Only SHA-256 offered: LWP's MD5 answer is refused ("algorithm not
# offered" in error_log), and it gives up at the 401.
{
    my $m = error_log_mark();
    my $r = lwp_get('/challenge/sha256only/ok.txt', 'chuck', $pw);
    is($r->code, 401, 'LWP, SHA-256 only: 401');
    like(wait_log($m, qr/algorithm not offered/),
         qr/AC01001: client \S+ scheme Digest user "chuck": authentication failed: algorithm not offered/,
         'LWP, SHA-256 only: its MD5 answer was refused');
    like(join(',', $r->header('WWW-Authenticate')),
         qr/^Digest realm="\Q$REALM\E", qop="auth", algorithm=SHA-256,/,
         'LWP, SHA-256 only: a fresh SHA-256 challenge');
    unlike(join(',', $r->header('WWW-Authenticate')), qr/stale=/,
           'LWP, SHA-256 only: no stale');
}
# Basic listed first: LWP takes Basic.
{
    my $r = lwp_get('/challenge/basicdigest/ok.txt', 'chuck', $pw);
    is($r->code, 200, 'LWP, Schemes Basic Digest: 200');
    like(lwp_sent($r), qr/^Basic /, 'LWP, Schemes Basic Digest: sent Basic');
}
# Wrong password where several schemes share the realm: after the
# refused Digest, LWP moves on to the next challenges but re-uses its
# Digest handler with the Basic challenge's parameters, so it sends a
# Digest credential with no nonce: malformed, 400 (docs/digest.md,
# "Other checks").
{
    my $m = error_log_mark();
    local $SIG{__WARN__} = sub { };    # LWP warns about the missing nonce
    my $r = lwp_get('/challenge/default/ok.txt', 'chuck', 'wrong');
    is($r->code, 400, 'LWP, wrong password, several schemes: ends at 400');
    like(wait_log($m, qr/missing nonce/),
         qr/wrong response.*bad request: missing nonce/s,
         'LWP, wrong password: refused, then its nonce-less retry is a 400');
    $r = lwp_get('/challenge/basic/ok.txt', 'chuck', 'wrong');
    is($r->code, 401, 'LWP, Basic wrong password: 401');
}
# Behind the reverse front end (origin semantics).
{
    my $front = hostport('chal_rev');
    my $r = lwp_get(undef, 'chuck', $pw, cred_hp => $front,
                    url => "http://$front/challenge/rev/ok.txt");
    is($r->code, 200, 'LWP through the reverse proxy: 200');
    like(lwp_sent($r), qr/^Digest /, 'LWP through the reverse proxy: Digest');
}
# The forward proxy: LWP does not answer a 407 by itself (docs/clients.md,
# "Perl LWP"), even with credentials for the proxy's host and realm;
# a Proxy-Authorization set by hand gets through.
{
    my $proxy = hostport('chal_proxy');
    my $origin = hostport('chal_origin');
    my %o = (cred_hp => $proxy, realm => $PREALM, proxy => "http://$proxy",
             url => "http://$origin/challenge/pub/ok.txt");
    my $r = lwp_get(undef, 'pat', $CU{pat}, %o);
    is($r->code, 407, 'LWP through the forward proxy: stays at 407');
    is(lwp_sent($r, 'Proxy-Authorization'), '',
       'LWP through the forward proxy: sent no Proxy-Authorization');
    my $ua = LWP::UserAgent->new(timeout => 10, keep_alive => 0);
    $ua->proxy(http => "http://$proxy");
    $ua->default_header('Proxy-Authorization' => basic('pat', $CU{pat}));
    $r = $ua->get($o{url});
    is($r->code, 200, 'LWP with Proxy-Authorization set by hand: 200');
}

is_deeply([secrets_in_log($mark, secrets())], [],
          'no password, Basic token or Bearer token in error_log');
