# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Digest and opaque Bearer tokens over LDAP against a real slapd
# (docs/ldap.md, "Digest, userhash and tokens in LDAP"): HA1 values from
# acDigestHA1 (SHA-256 first by default, MD5 first, SHA-512-256 with our
# own client since curl 7.88 gets it wrong), userhash via acUserhash (curl
# and our own client), username* for a UTF-8 user; Bearer tokens from
# acBearerToken: a good one, an unknown one, an expired one, scopes.  No
# secret in error_log.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACLdap qw(:all);
use ACDigest qw(digest_challenges pick authorize);

plan tests => 50, need { 'slapd started by t/ldap/start-for-tests.sh'
                         => \&have_ldap };

my $hp = hostport();
my $start_mark = error_log_mark();
my %U = %LDAP_USERS;
my $joerg = "j\xc3\xb6rg";
my @responses;          # Digest responses sent: never in the log either

# The params of the Digest challenges of a 401, in order:
# [{ param => value }, ...].
sub challenges {
    return map { $_->{params} }
           @{ digest_challenges(shift, 'WWW-Authenticate') };
}

# Our own Digest client (t/lib/ACDigest.pm): fetch a challenge for $alg,
# answer it.  %o: userhash => 1 (send H(user:realm)), star => 1
# (username*=).
sub digest_get {
    my ($path, $user, $pass, $alg, %o) = @_;
    my $c = pick(digest_challenges(req($hp, 'GET', $path),
                                   'WWW-Authenticate'), $alg);
    return { status => 'no ' . $alg . ' challenge' } unless $c;
    my ($a, $st) = authorize(chal => $c, uri => $path, user => $user,
                             pass => $pass, alg => $alg,
                             userhash => $o{userhash}, ext => $o{star});
    push @responses, $st->{response};
    return req($hp, 'GET', $path, Authorization => $a);
}

# ------------------------------------------------ Digest (docs/ldap.md)
{
    my $p = '/ldap/digest/ok.txt';
    my $r = req($hp, 'GET', $p);
    is($r->{status}, 401, 'Digest, no credentials: 401');
    my @c = challenges($r);
    is_deeply([map { $_->{algorithm} } @c], ['SHA-256', 'MD5'],
              'default challenges: SHA-256 first, then MD5');
    is($c[0]{realm}, 'LDAP Realm', 'realm LDAP Realm');
    is(curl('--digest', '-u', "alice:$U{alice}", "http://$hp$p"), '200',
       'curl --digest -u alice:alice-pw (SHA-256, the first): 200');
    is(curl('--digest', '-u', 'alice:wrong-pw', "http://$hp$p"), '401',
       'curl --digest, wrong password: 401');
    is(curl('--digest', '-u', "bob:$U{bob}", "http://$hp$p"), '401',
       'curl --digest, bob (no HA1 in LDAP): 401');
    is(curl('--digest', '-u', "nobody:x-pw", "http://$hp$p"), '401',
       'curl --digest, unknown user: 401');
    is(digest_get($p, 'alice', $U{alice}, 'SHA-256')->{status}, 200,
       'own client SHA-256: 200');
    is(digest_get($p, 'alice', $U{alice}, 'MD5')->{status}, 200,
       'own client MD5: 200');
    is(digest_get($p, 'alice', 'wrong-pw', 'MD5')->{status}, 401,
       'own client MD5, wrong password: 401');
    is(digest_get($p, $joerg, $U{$joerg}, 'SHA-256', star => 1)->{status},
       200, "jörg with username*=UTF-8'': 200");
    is(digest_get($p, 'x(y)*', $U{'x(y)*'}, 'MD5')->{status}, 200,
       "user 'x(y)*' (escaped in the search), MD5: 200");
    is(digest_get($p, '*', $U{alice}, 'MD5')->{status}, 401,
       "user '*' with alice's password: 401");
    is(digest_get($p, 'dup', $U{dup}, 'MD5')->{status}, 401,
       "ambiguous user 'dup': 401");
}
{
    my $p = '/ldap/digest-md5/ok.txt';
    my @c = challenges(req($hp, 'GET', $p));
    is($c[0]{algorithm}, 'MD5', 'AuthChallengeDigestAlgorithm MD5 SHA-256: '
       . 'MD5 first');
    is(curl('--digest', '-u', "alice:$U{alice}", "http://$hp$p"), '200',
       'curl --digest, MD5 first: 200');
    is(curl('--digest', '-u', "$joerg:$U{$joerg}", "http://$hp$p"), '200',
       'curl --digest, MD5 first, jörg: 200');
}
{
    my $p = '/ldap/digest-512/ok.txt';
    is(digest_get($p, 'alice', $U{alice}, 'SHA-512-256')->{status}, 200,
       'own client SHA-512-256 (HA1 from LDAP): 200');
    is(digest_get($p, 'alice', 'wrong-pw', 'SHA-512-256')->{status}, 401,
       'own client SHA-512-256, wrong password: 401');
    is(digest_get($p, $joerg, $U{$joerg}, 'SHA-512-256', star => 1)
       ->{status}, 401, 'jörg has no SHA-512-256 HA1: 401');
}
{
    my $p = '/ldap/digest-uh/ok.txt';
    my @c = challenges(req($hp, 'GET', $p));
    is($c[0]{userhash}, 'true', 'AuthChallengeDigestUserhash On: '
       . 'userhash=true offered');
    is(curl('--digest', '-u', "alice:$U{alice}", "http://$hp$p"), '200',
       'curl --digest with userhash (SHA-256): 200');
    is(curl('--digest', '-u', 'alice:wrong-pw', "http://$hp$p"), '401',
       'curl --digest with userhash, wrong password: 401');
    for my $alg ('SHA-256', 'MD5') {
        is(digest_get($p, 'alice', $U{alice}, $alg, userhash => 1)
           ->{status}, 200, "own client userhash $alg: 200");
    }
    is(digest_get($p, $joerg, $U{$joerg}, 'SHA-256', userhash => 1)
       ->{status}, 200, 'own client userhash, jörg: 200');
    is(digest_get($p, 'nobody', 'x-pw', 'SHA-256', userhash => 1)
       ->{status}, 401, 'unknown userhash: 401');
    is(digest_get($p, 'alice', $U{alice}, 'SHA-256')->{status}, 200,
       'plain username still accepted with userhash On');
}

# ------------------------------------------------ opaque Bearer
# (docs/ldap.md)
sub bearer_401 {
    my ($r, $what, $want_error) = @_;
    is($r->{status}, 401, "$what: 401");
    my @w = headers_named($r, 'WWW-Authenticate');
    is(scalar @w, 1, "$what: one WWW-Authenticate");
    if ($want_error) {
        like($w[0] // '', qr/^Bearer realm="LDAP Realm", error="invalid_token"/,
             "$what: Bearer ... error=\"invalid_token\"");
    }
    else {
        is($w[0], 'Bearer realm="LDAP Realm"', "$what: Bearer, no error");
    }
}
{
    my $p = '/ldap/bearer/ok.txt';
    my $url = "http://$hp$p";
    bearer_401(req($hp, 'GET', $p), 'Bearer, no token', 0);
    is(curl('--oauth2-bearer', 'alice-token-1', $url), '200',
       'curl --oauth2-bearer alice-token-1: 200');
    is(curl('--oauth2-bearer', 'bob-token-1', $url), '200',
       'bob-token-1 (exp 2100): 200');
    bearer_401(req($hp, 'GET', $p, Authorization => 'Bearer no-such-token'),
               'unknown token', 1);
    my $mark = error_log_mark();
    bearer_401(req($hp, 'GET', $p, Authorization => 'Bearer alice-token-old'),
               'alice-token-old (exp 1000000000, 2001)', 1);
    like(wait_log($mark, qr/AC01001/), qr/AC01001.*Bearer.*expired/,
         'expired token: logged as expired');
    # A token that is a prefix or a filter: the substring search must not
    # match more than the exact hash.
    bearer_401(req($hp, 'GET', $p, Authorization => 'Bearer alice-token'),
               'a prefix of a token', 1);
    # '*' is no b64token character (RFC 6750): a malformed request.
    my $r = req($hp, 'GET', $p, Authorization => 'Bearer *');
    is($r->{status}, 400, "token '*': 400");
    like(join(' ', headers_named($r, 'WWW-Authenticate')),
         qr/error="invalid_request"/, "token '*': invalid_request");
}
{
    my $p = '/ldap/bearer-write/ok.txt';
    is(req($hp, 'GET', $p, Authorization => 'Bearer alice-token-1')
       ->{status}, 200, 'Require bearer-scope write: alice-token-1 '
       . '(read write): 200');
    my $r = req($hp, 'GET', $p, Authorization => 'Bearer bob-token-1');
    is($r->{status}, 403, 'bob-token-1 (read): 403');
    like(join(' ', headers_named($r, 'WWW-Authenticate')),
         qr/error="insufficient_scope".*scope="write"/,
         'bob-token-1: insufficient_scope, scope="write"');
}

# ------------------------------------------------ secrets
# (docs/security.md, "What is logged")
{
    my $log = error_log_since($start_mark);
    my @found = grep { index($log, $_) >= 0 } @LDAP_SECRETS, @responses;
    is_deeply(\@found, [], 'no password, token, HA1 or Digest response '
              . 'in error_log');
    like($log, qr/\[authchallenge:debug\]/, 'the module logged at debug');
}
