# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Opaque tokens introspected (RFC 7662) at a real authorization server
# (t/rs/setup.sh; docs/bearer.md, "Introspection"): the answer feeds
# REMOTE_USER (sub, else username), scopes and claims as a JWT's do;
# inactive → 401; revoked → 401 with the cache off, 200 within the
# cache's TTL, never past the token's exp, inactive answers never
# cached; the endpoint failing, hung or refusing the resource server →
# 500, logged once; JWTs by the keys and the rest introspected in one
# area (the endpoint discovered); a restarted server forgets its
# tokens.  Nothing of a token, the client secret or an answer in
# error_log at trace8.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use JSON::PP ();
use Time::HiRes ();
use ACTest qw(:all);
use ACOidc qw(:all);
use ACRs qw(:all);

plan skip_all => rs_missing() if rs_missing();
plan tests => 57;

my $as = rs_as();
my $hp = hostport();
my $mark = error_log_mark();
my $RM = rm_param($hp);
my $OPAQUE = 'https://rs.example/opaque';
my @answers;                    # what the server said: never logged

END { if ($as) { oidc_fault($as); oidc_resume($as); } }

sub opaque {
    my (%o) = @_;
    my $t = token($as, resource => $OPAQUE, scope => 'read', %o);
    push @answers, JSON::PP->new->canonical->encode(oidc_introspect($as, $t));
    return $t;
}

sub introspections { return oidc_stats($as)->{introspections} }

sub invalid {
    my ($path, $tok, $desc, $what) = @_;
    challenge_is(bget($hp, $path, $tok), 401, 'Bearer realm="RS", '
                 . "error=\"invalid_token\", error_description=\"$desc\"$RM",
                 $what);
}

# ------------------------------------------------ an active token
my $alice = opaque(claims => { sub => 'alice', acr => 'gold', dept => 'ops' });
unlike($alice, qr/\./, 'an opaque token (not a JWT)');
{
    my $r = bget($hp, '/rs/intro/env', $alice);
    is($r->{status}, 200, 'introspected: 200') or diag($r->{raw});
    like($r->{body}, qr/^REMOTE_USER=alice$/m, 'REMOTE_USER from sub');
    like($r->{body}, qr/^AUTH_TYPE=Bearer$/m, 'AUTH_TYPE Bearer');
    like($r->{body}, qr/^AUTHCHALLENGE_CLAIM_scope=read$/m,
         'the answer\'s members exported as claims');
    like($r->{body}, qr/^AUTHCHALLENGE_CLAIM_dept=ops$/m, '... all of them');
}
{
    my $bob = opaque(claims => { username => 'bob' });
    my $r = bget($hp, '/rs/intro/env', $bob);
    like($r->{body}, qr/^REMOTE_USER=bob$/m, 'REMOTE_USER from username');
}
invalid('/rs/intro/ok.txt', opaque(), 'token names no user',
        'an answer with neither sub nor username');
invalid('/rs/intro/ok.txt',
        token($as, scope => 'read', claims => { sub => 'carol' }),
        'wrong audience', 'a token without the audience');
invalid('/rs/intro/ok.txt', 'not-a-token-the-server-knows',
        'token not active', 'an unknown token: active false');
challenge_is(bget($hp, '/rs/introscope/ok.txt', $alice), 403,
             'Bearer realm="RS", error="insufficient_scope", '
             . "scope=\"write\"$RM", 'Require bearer-scope write: 403');
is(bget($hp, '/rs/introscope/ok.txt',
        opaque(scope => 'read write', claims => { sub => 'dan' }))
       ->{status}, 200, 'Require bearer-scope write, scope write: 200');
is(bget($hp, '/rs/introclaim/ok.txt', $alice)->{status}, 200,
   'Require bearer-claim acr gold: 200');
is(bget($hp, '/rs/introclaim/ok.txt',
        opaque(claims => { sub => 'erin', acr => 'silver' }))->{status},
   401, 'Require bearer-claim acr gold, acr silver: 401');

# ------------------------------------------------ revocation and the cache
{
    my $t = opaque(claims => { sub => 'frank' });
    is(bget($hp, '/rs/intro/ok.txt', $t)->{status}, 200, 'cache off: 200');
    is(bget($hp, '/rs/introcache/ok.txt', $t)->{status}, 200,
       'cache 30 s: 200');
    ok(oidc_revoke($as, $t)->{revoked}, 'the token is revoked');
    invalid('/rs/intro/ok.txt', $t, 'token not active',
            'cache off: revoked → 401 at once');
    # (opaque() introspects each token it makes, for @answers)
    my $again = opaque(claims => { sub => 'frank' });
    my $n = introspections();
    is(bget($hp, '/rs/introcache/ok.txt', $t)->{status}, 200,
       'cache 30 s: revoked → 200 within the TTL');
    is(introspections() - $n, 0, '... from the cache (not introspected)');
    for (1 .. 3) {
        bget($hp, '/rs/introcache/ok.txt', 'unknown-token-x');
    }
    is(introspections() - $n, 3, 'inactive answers are never cached');
    is(bget($hp, '/rs/introcache/ok.txt', $again)->{status}, 200,
       'another token of the same user: introspected on its own');
    is(introspections() - $n, 4, '... one more introspection');
}
{
    # https://rs.example/short: tokens that expire after 3 s
    my $t = token($as, resource => 'https://rs.example/short', scope => 'read',
                  claims => { sub => 'gus' });
    is(bget($hp, '/rs/introcache/ok.txt', $t)->{status}, 200,
       'a token of 3 s: 200, cached');
    sleep 4;
    my $n = introspections();
    invalid('/rs/introcache/ok.txt', $t, 'token not active',
            'cache 30 s, the token expired: 401');
    is(introspections() - $n, 1, '... the cache ends at the token\'s exp');
}

# ------------------------------------------------ JWTs and opaque tokens
{
    my $jwt = token($as, resource => 'https://rs.example/api', scope => 'read');
    my $n = introspections();
    is(bget($hp, '/rs/introauto/ok.txt', $jwt)->{status}, 200,
       'JWT in an area with introspection: 200');
    is(introspections() - $n, 0, '... by the keys, not introspected');
    is(bget($hp, '/rs/introauto/ok.txt', $alice)->{status}, 200,
       'an opaque token there: introspected at the discovered endpoint');
    is(introspections() - $n, 1, '... one introspection');
}

# ------------------------------------------------ the endpoint down
{
    my $m = error_log_mark();
    oidc_fault($as, { introspection => { status => 503 } });
    my @st = map { bget($hp, '/rs/intro/ok.txt', $alice)->{status} } 1 .. 3;
    is("@st", '500 500 500', 'endpoint answers 503: 500, never 401');
    my $log = wait_log($m, qr/AC01004/);
    my %errors;
    $errors{$_}++ for $log =~ /\[authchallenge:error\] \[pid (\d+)[^\n]*AC01004: [^\n]*introspection: HTTP status 503/g;
    ok(keys %errors >= 1 && !grep({ $_ != 1 } values %errors),
       '... logged at error once per process') or diag($log);
    oidc_fault($as, { introspection => { delay_ms => 8000 } });
    my $t0 = Time::HiRes::time();
    my $r = bget($hp, '/rs/intro/ok.txt', $alice);
    my $took = Time::HiRes::time() - $t0;
    is($r->{status}, 500, 'endpoint hung: 500');
    cmp_ok($took, '<', 5, "... after the fetch timeout of 3 s ($took s)");
    oidc_fault($as, { introspection => { status => 200,
                                         body => '{"active":"yes"}' } });
    is(bget($hp, '/rs/intro/ok.txt', $alice)->{status}, 500,
       'an answer without a boolean active: 500');
    oidc_fault($as);
    is(bget($hp, '/rs/intro/ok.txt', $alice)->{status}, 200,
       'endpoint back: 200');
    # the notice comes from a process that logged the outage: requests
    # until one of those answers
    for (1 .. 12) {
        last if error_log_since($m) =~ /AC01073/;
        bget($hp, '/rs/intro/ok.txt', $alice);
    }
    like(wait_log($m, qr/AC01073/), qr/\[authchallenge:notice\][^\n]*AC01073: \S+\/token\/introspection answers again/,
         '... a notice that it answers again');
    $m = error_log_mark();
    is(bget($hp, '/rs/introbad/ok.txt', $alice)->{status}, 500,
       'the server refuses the resource server\'s credentials: 500');
    like(wait_log($m, qr/AC01004/), qr/AC01004: [^\n]*introspection: HTTP status 401/,
         '... logged with the status');
}

# ------------------------------------------------ a restarted server
{
    my $t = opaque(claims => { sub => 'hank' });
    is(bget($hp, '/rs/intro/ok.txt', $t)->{status}, 200, 'before a restart');
    restart_oidc($as);
    invalid('/rs/intro/ok.txt', $t, 'token not active',
            'the server restarted and forgot its tokens: 401');
    is(bget($hp, '/rs/intro/ok.txt', opaque(claims => { sub => 'ivy' }))
           ->{status}, 200, 'a new token: 200');
}

no_secrets_logged($mark, @answers,
                  map { /"(?:iat|exp)":(\d+)/g } @answers);
