# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Coexistence (docs/directives.md, "AuthType values"): where no
# AuthChallengeProvider is in effect, AuthType Basic and AuthType Digest
# stay with mod_auth_basic and mod_auth_digest, exactly as without this
# module.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);

plan tests => 20;

my $hp = hostport();

# --- stock Basic (mod_auth_basic + mod_authn_file)
{
    my $p = '/stockbasic/ok.txt';
    my $r = req($hp, 'GET', $p);
    is($r->{status}, 401, 'stock Basic: 401');
    is_deeply([headers_named($r, 'WWW-Authenticate')],
              ['Basic realm="AC Stock Basic"'],
              'stock Basic: one challenge, stock format, no charset');
    $r = req($hp, 'GET', $p, Authorization => basic('alice', $USERS{alice}));
    is($r->{status}, 200, 'stock Basic: right password 200');
    is($r->{body}, "ok stockbasic\n", 'stock Basic: body');
    $r = req($hp, 'GET', $p, Authorization => basic('alice', 'wrong'));
    is($r->{status}, 401, 'stock Basic: wrong password 401');
    # mod_auth_basic answers malformed credentials with 401, not 400:
    # proof that this module did not take the request.
    $r = req($hp, 'GET', $p, Authorization => 'Basic ' . b64('nocolon'));
    is($r->{status}, 401, 'stock Basic: no colon is 401 as in stock');
    is(curl('-u', "alice:$USERS{alice}", "http://$hp$p"), '200',
       'stock Basic: curl -u 200');
}

# --- stock Basic over mod_authn_dbm (httpd's own "dbm" provider)
{
    my $p = '/stockdbm/ok.txt';
    my $r = req($hp, 'GET', $p);
    is_deeply([$r->{status}, headers_named($r, 'WWW-Authenticate')],
              [401, 'Basic realm="AC Stock DBM"'],
              'stock Basic + mod_authn_dbm: 401, stock challenge');
    is(req($hp, 'GET', $p, Authorization => basic('bob', $USERS{bob}))
           ->{status}, 200, 'stock Basic + mod_authn_dbm: 200');
}

# --- an open area is untouched
{
    my $r = req($hp, 'GET', '/pub/ok.txt', Authorization => 'Basic %%%');
    is($r->{status}, 200, 'open area with junk Authorization: 200');
    is(header_count($r, 'WWW-Authenticate'), 0,
       'open area: no WWW-Authenticate');
}

# --- stock Digest (mod_auth_digest + mod_authn_file)
{
    my $p = '/stockdigest/ok.txt';
    my $r = req($hp, 'GET', $p);
    is($r->{status}, 401, 'stock Digest: 401');
    my @c = headers_named($r, 'WWW-Authenticate');
    is(scalar @c, 1, 'stock Digest: one challenge');
    like($c[0] // '',
         qr/^Digest realm="AC Stock Digest", nonce="[^"]+", algorithm=MD5, qop="auth"$/,
         'stock Digest: stock challenge with algorithm=MD5');
    unlike($c[0] // '', qr/charset|SHA-256|opaque/,
           'stock Digest: nothing of this module in it');
    is(curl('--digest', '-u', "alice:$USERS{alice}", "http://$hp$p"), '200',
       'stock Digest: curl --digest 200');
    is(curl('--digest', '-u', 'alice:wrong', "http://$hp$p"), '401',
       'stock Digest: wrong password 401');
    # A Basic credential on a Digest location: still stock (401, Digest
    # challenge), not this module's Basic.
    $r = req($hp, 'GET', $p, Authorization => basic('alice', $USERS{alice}));
    is($r->{status}, 401, 'stock Digest: Basic credentials 401');
    is(header_count($r, 'WWW-Authenticate'), 1,
       'stock Digest: Basic credentials, one challenge');
    like((headers_named($r, 'WWW-Authenticate'))[0] // '', qr/^Digest /,
         'stock Digest: Basic credentials, Digest challenge');
}
