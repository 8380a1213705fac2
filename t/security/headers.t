# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# What crosses the trust lines in headers and configuration
# (docs/security.md, "Audit findings" 3, 5, 6, 7, 9):
#  3  a forward proxy never forwards Proxy-Authorization, also where
#     no login is needed (unless Proxy-Chain-Auth is set); the client's
#     Authorization for the origin passes untouched;
#  5  a user name with a control character is refused from a JWT (401
#     invalid_token), never exported or forwarded; claims with control
#     characters are not exported;
#  6  .htaccess cannot make the module read files (file:, key, JWKS,
#     CA files): 500 and a log line naming the directive;
#  7  JWT claim names are case-sensitive ("SUB" is not "sub");
#  9  a disabled Bearer header transport stays disabled whatever the
#     white space after "Bearer".
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACJWT qw(jwt claims);
use ACAuthParam qw(challenge_params);

plan tests => 40;

my $hp = hostport();
my ($port) = $hp =~ /:(\d+)$/;
my $proxy = hostport('sec_proxy');

sub body_has {
    my ($r, $re) = @_;
    return $r->{body} =~ $re ? 1 : 0;
}

# ------------------------------------------------ 3. Proxy-Authorization
{
    my $pa = basic('alice', $USERS{alice});
    my $r = req($proxy, 'GET', "http://127.0.0.1:$port/security/pecho",
                'Proxy-Authorization' => $pa,
                Authorization => basic('origin-user', 'origin-pw'));
    is($r->{status}, 200, 'proxy, public path (Require all granted): 200');
    ok(!body_has($r, qr/^HTTP_PROXY_AUTHORIZATION=/m),
       '... the origin did not receive Proxy-Authorization')
        or diag($r->{body});
    ok(body_has($r, qr/^HTTP_AUTHORIZATION=\Q${\ basic('origin-user',
       'origin-pw')}\E$/m), '... and did receive Authorization untouched');

    $r = req($proxy, 'GET', "http://127.0.0.1:$port/security/aecho",
             'Proxy-Authorization' => $pa);
    ok(!body_has($r, qr/^HTTP_PROXY_AUTHORIZATION=/m),
       'proxy, authenticated path: Proxy-Authorization not forwarded');

    $r = req($proxy, 'GET', "http://127.0.0.1:$port/security/cecho",
             'Proxy-Authorization' => $pa);
    is($r->{status}, 200, 'proxy with Proxy-Chain-Auth: 200');
    ok(body_has($r, qr/^HTTP_PROXY_AUTHORIZATION=\Q$pa\E$/m),
       '... Proxy-Authorization forwarded on purpose');
}

# ------------------------------------------------ 5. control characters
{
    my $t = jwt(alg => 'HS256',
                claims => claims(sub => "alice\r\nX-Injected: yes"));
    my $mark = error_log_mark();
    my $r = req($hp, 'GET', '/security/fwd/', Authorization => "Bearer $t");
    is($r->{status}, 401, 'sub with CR LF: 401');
    my $p = challenge_params((headers_named($r, 'WWW-Authenticate'))[0]);
    is($p->{error}, 'invalid_token', '... error="invalid_token"');
    ok(!body_has($r, qr/X-Injected|HTTP_X_REMOTE_USER/),
       '... nothing reached the back end');
    like(wait_log($mark, qr/AC01001/), qr/AC01001.*control character/,
         '... logged as a bad user name');

    $t = jwt(alg => 'HS256', claims => claims(sub => "alice\x01"));
    is(req($hp, 'GET', '/bearer/sec/env', Authorization => "Bearer $t")
       ->{status}, 401, 'sub with U+0001: 401');

    $t = jwt(alg => 'HS256',
             claims => claims(note => "a\nb", tag => "fine"));
    $mark = error_log_mark();
    $r = req($hp, 'GET', '/bearer/sec/env', Authorization => "Bearer $t");
    is($r->{status}, 200, 'a claim with a line feed: 200');
    ok(!body_has($r, qr/AUTHCHALLENGE_CLAIM_note/),
       '... that claim is not exported') or diag($r->{body});
    ok(body_has($r, qr/^AUTHCHALLENGE_CLAIM_tag=fine$/m),
       '... the others are');
    like(wait_log($mark, qr/AC01044/), qr/AC01044.*note/,
         '... and the dropped claim is logged by name');

    $t = jwt(alg => 'HS256', claims => claims(sub => 'alice'));
    $r = req($hp, 'GET', '/security/fwd/', Authorization => "Bearer $t");
    ok(body_has($r, qr/^HTTP_X_REMOTE_USER=alice$/m),
       'a good user reaches the back end as X-Remote-User: alice');
}

# ------------------------------------------------ 7. claim names
{
    my $t = jwt(alg => 'HS256',
                claims => claims(sub => 'alice', SUB => 'root'));
    my $r = req($hp, 'GET', '/bearer/sec/env', Authorization => "Bearer $t");
    is($r->{status}, 200, '{"sub":"alice","SUB":"root"}: 200');
    ok(body_has($r, qr/^REMOTE_USER=alice$/m), '... REMOTE_USER is alice')
        or diag($r->{body});
    $t = jwt(alg => 'HS256', claims => claims(sub => undef, SUB => 'root'));
    is(req($hp, 'GET', '/bearer/sec/env', Authorization => "Bearer $t")
       ->{status}, 401, 'only "SUB", no "sub": no user, 401');
}

# ------------------------------------------------ 9. disabled transport
{
    my $t = jwt(alg => 'HS256', claims => claims());
    for my $sep ("\t", '  ', " \t") {
        (my $show = $sep) =~ s/\t/<TAB>/g;
        my $r = req($hp, 'GET', '/security/bt/ok.txt',
                    Authorization => "Bearer$sep$t");
        my $p = challenge_params((headers_named($r, 'WWW-Authenticate'))[0]);
        ok($r->{status} == 401 && !defined $p->{error},
           "header transport off: \"Bearer$show<token>\" is ignored "
           . '(401, no error)') or diag($r->{raw});
    }
    is(req($hp, 'GET', "/security/bt/ok.txt?access_token=$t")->{status},
       200, 'the query transport works');
}

# ------------------------------------------------ 6. .htaccess
{
    for my $case (['bindpw', 'AuthChallengeLDAPBindPassword'],
                  ['key', 'AuthChallengeBearerKey'],
                  ['jwks', 'AuthChallengeBearerJWKS'],
                  ['cacert', 'AuthChallengeLDAPCACert'],
                  ['metadata', 'AuthChallengeBearerMetadataURL'],
                  ['jwksuri', 'AuthChallengeBearerJWKSURI'],
                  ['introspect', 'AuthChallengeBearerIntrospect'],
                  ['bcacert', 'AuthChallengeBearerCACert']) {
        my ($d, $dir) = @$case;
        my $mark = error_log_mark();
        my $r = req($hp, 'GET', "/security/ht/ht-$d/ok.txt",
                    Authorization => basic('alice', $USERS{alice}));
        is($r->{status}, 500, ".htaccess with $dir: 500");
        like(wait_log($mark, qr/\Q$dir\E/), qr/\Q$dir\E.*\.htaccess/,
             "... logged, naming $dir");
    }
    is(req($hp, 'GET', '/security/ht/ht-dbm/ok.txt',
           Authorization => basic('alice', $USERS{alice}))->{status}, 200,
       '.htaccess with AuthChallengeDBMUserFile still works');
}
