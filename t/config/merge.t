# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Per-directory merge (docs/directives.md, "Contexts and merging"): a
# nested <Location> that sets only Require inherits AuthType, AuthName,
# provider, DBM file and charset; .htaccess with AllowOverride AuthConfig
# configures the module.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);

plan tests => 17;

my $hp = hostport();
my $chal = 'Basic realm="AC Merge"';

# --- parent
{
    my $p = '/merge/ok.txt';
    my $r = req($hp, 'GET', $p);
    is($r->{status}, 401, '/merge: 401');
    is_deeply([headers_named($r, 'WWW-Authenticate')], [$chal],
              '/merge: realm, charset Off');
    is(req($hp, 'GET', $p, Authorization => basic('alice', $USERS{alice}))
           ->{status}, 200, '/merge: alice 200');
}

# --- nested: only "Require user bob"
{
    my $p = '/merge/sub/ok.txt';
    my $r = req($hp, 'GET', $p);
    is($r->{status}, 401, '/merge/sub: 401');
    is_deeply([headers_named($r, 'WWW-Authenticate')], [$chal],
              '/merge/sub: inherited realm and charset Off');
    $r = req($hp, 'GET', $p, Authorization => basic('bob', $USERS{bob}));
    is($r->{status}, 200, '/merge/sub: bob 200 (DBM inherited)');
    is($r->{body}, "ok merge/sub\n", '/merge/sub: body');
    $r = req($hp, 'GET', $p, Authorization => basic('alice', $USERS{alice}));
    is($r->{status}, 401, '/merge/sub: alice refused by Require user bob');
    is_deeply([headers_named($r, 'WWW-Authenticate')], [$chal],
              '/merge/sub: alice refused, same challenge');
    $r = req($hp, 'GET', $p, Authorization => basic('bob', 'wrong'));
    is($r->{status}, 401, '/merge/sub: bob wrong password 401');
    # Still this module (malformed → 400; mod_auth_basic would say 401).
    $r = req($hp, 'GET', $p, Authorization => 'Basic ' . b64('nocolon'));
    is($r->{status}, 400, '/merge/sub: still this module (400)');
}

# --- .htaccess
{
    my $p = '/htaccess/ok.txt';
    my $r = req($hp, 'GET', $p);
    is($r->{status}, 401, '.htaccess: 401');
    is_deeply([headers_named($r, 'WWW-Authenticate')],
              ['Basic realm="AC htaccess", charset="UTF-8"'],
              '.htaccess: challenge');
    $r = req($hp, 'GET', $p, Authorization => basic('carol', $USERS{carol}));
    is($r->{status}, 200, '.htaccess: right password 200');
    is($r->{body}, "htaccess ok\n", '.htaccess: body');
    is(req($hp, 'GET', $p, Authorization => basic('carol', 'x'))->{status},
       401, '.htaccess: wrong password 401');
    is(req($hp, 'GET', $p, Authorization => 'Basic %%%')->{status}, 400,
       '.htaccess: malformed 400 (this module)');
}
