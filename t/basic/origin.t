# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Basic (RFC 7617) over DBM as an origin server (docs/directives.md,
# "AuthType values" and "DBM back-end"): the challenge, the hash formats
# of htdbm, refusals, malformed credentials, charset Off, Require user, a
# UTF-8 user name, the file provider, an SDBM file.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);

plan tests => 82;

my $hp = hostport();
my $ok = '/basic/ok.txt';
my $chal = 'Basic realm="AC Basic", charset="UTF-8"';

sub get {
    my ($path, @h) = @_;
    return req($hp, 'GET', $path, @h);
}

# Exactly one WWW-Authenticate, equal to $want, and no Proxy-Authenticate.
sub is_challenge {
    my ($r, $status, $want, $what) = @_;
    is($r->{status}, $status, "$what: status $status");
    my @w = headers_named($r, 'WWW-Authenticate');
    is_deeply(\@w, [$want], "$what: one WWW-Authenticate: $want");
    is(header_count($r, 'Proxy-Authenticate'), 0,
       "$what: no Proxy-Authenticate");
}

# --- no credentials
is_challenge(get($ok), 401, $chal, 'no credentials');

# --- each hash format: bcrypt, apr1, SHA1, crypt, $5$, $6$, a record
# with groups, colons in a password, and a UTF-8 user
for my $u (sort keys %USERS) {
    my $r = get($ok, Authorization => basic($u, $USERS{$u}));
    is($r->{status}, 200, "right password for $u: 200");
    is($r->{body}, "ok basic\n", "right password for $u: file body");
}

# --- refusals: 401 with the same challenge
is_challenge(get($ok, Authorization => basic('alice', 'wrong-pw')),
             401, $chal, 'wrong password (bcrypt)');
is_challenge(get($ok, Authorization => basic('bob', $USERS{alice})),
             401, $chal, 'wrong password (apr1)');
is_challenge(get($ok, Authorization => basic('mallory', 'x')),
             401, $chal, 'unknown user');
is_challenge(get($ok, Authorization => basic('alice', '')),
             401, $chal, 'empty password');
is_challenge(get($ok, Authorization => 'Foo ' . b64('alice:x')),
             401, $chal, 'unknown scheme');
{
    # Only the first ':' separates: "Alice-Pw..." is not "alice:x:y".
    my $r = get($ok, Authorization => basic('alice', "$USERS{alice}:x"));
    is($r->{status}, 401, 'password with a trailing ":x" is another one');
}
{
    # User names are case-sensitive in DBM.
    my $r = get($ok, Authorization => basic('Alice', $USERS{alice}));
    is($r->{status}, 401, 'user name is case-sensitive');
}
{
    # The scheme name is case-insensitive (RFC 9110 11.1).
    my $r = get($ok, Authorization => 'basic ' . b64("bob:$USERS{bob}"));
    is($r->{status}, 200, 'scheme "basic" in lower case: 200');
}

# --- malformed credentials: 400
my %bad = (
    'not base64'             => 'Basic %%%',
    'no colon'               => 'Basic ' . b64('alicenocolon'),
    'TAB in user name'       => 'Basic ' . b64("a\tb:x"),
    'NUL in user name'       => 'Basic ' . b64("a\0b:x"),
    'DEL in user name'       => 'Basic ' . b64("a\x7fb:x"),
    'LF in user name'        => 'Basic ' . b64("a\nb:x"),
    'NUL in password'        => 'Basic ' . b64("alice:a\0b"),
    'auth-params, no token'  => 'Basic realm="x"',
);
for my $what (sort keys %bad) {
    my $r = get($ok, Authorization => $bad{$what});
    is($r->{status}, 400, "malformed ($what): 400");
}

# Two Authorization fields: httpd joins them with ", ", which is no
# token68 any more.
{
    my $r = raw_request($hp, "GET $ok HTTP/1.1\r\nHost: $hp\r\n"
        . 'Authorization: ' . basic('alice', $USERS{alice}) . "\r\n"
        . 'Authorization: ' . basic('bob', $USERS{bob}) . "\r\n"
        . "Connection: close\r\n\r\n");
    is($r->{status}, 400, 'two Authorization fields: 400');
}
# Controls other than NUL are legal in a password (RFC 7617): a TAB
# makes a wrong password, not a malformed request.
is(get($ok, Authorization => 'Basic ' . b64("alice:a\tb"))->{status}, 401,
   'TAB in password: 401 (wrong password)');

# --- user names are UTF-8 (charset UTF-8, the default): other bytes
# are malformed; with charset Off they are just bytes (an unknown user).
is(get($ok, Authorization => 'Basic ' . b64("j\xf6rg:x"))->{status}, 400,
   'Latin-1 user name with charset UTF-8: 400');
is(get('/nocharset/ok.txt', Authorization => 'Basic ' . b64("j\xf6rg:x"))
       ->{status}, 401, 'Latin-1 user name with charset Off: 401');

# --- HEAD
{
    my $r = req($hp, 'HEAD', $ok);
    is($r->{status}, 401, 'HEAD without credentials: 401');
    is_deeply([headers_named($r, 'WWW-Authenticate')], [$chal],
              'HEAD without credentials: challenge');
}

# --- AuthChallengeCharset Off
is_challenge(get('/nocharset/ok.txt'), 401, 'Basic realm="AC No Charset"',
             'charset Off');
is(get('/nocharset/ok.txt', Authorization => basic('carol', $USERS{carol}))
       ->{status}, 200, 'charset Off: right password 200');

# --- Require user alice
{
    my $p = '/onlyalice/ok.txt';
    my $r = get($p, Authorization => basic('alice', $USERS{alice}));
    is($r->{status}, 200, 'Require user alice: alice 200');
    is($r->{body}, "ok onlyalice\n", 'Require user alice: body');
    is_challenge(get($p, Authorization => basic('bob', $USERS{bob})), 401,
                 'Basic realm="AC Only Alice", charset="UTF-8"',
                 'Require user alice: bob');
}

# --- UTF-8 user name in a Require user line is covered by valid-user
# above; here the name with a wrong password.
{
    my ($u) = grep { /\xc3/ } keys %USERS;
    my $r = get($ok, Authorization => basic($u, 'nope'));
    is($r->{status}, 401, 'UTF-8 user, wrong password: 401');
}

# --- Require user with a UTF-8 name
{
    my ($u) = grep { /\xc3/ } keys %USERS;
    my $p = '/onlyjoerg/ok.txt';
    is(get($p, Authorization => basic($u, $USERS{$u}))->{status}, 200,
       'Require user jörg: jörg 200');
    is(get($p, Authorization => basic('alice', $USERS{alice}))->{status},
       401, 'Require user jörg: alice 401');
}

# --- two back-ends in order: dbm, then file
{
    my $p = '/multiprov/ok.txt';
    is(get($p, Authorization => basic('carol', $USERS{carol}))->{status},
       200, 'providers dbm file: DBM user 200');
    is(get($p, Authorization => basic('henry', $FILE_USERS{henry}))
           ->{status}, 200, 'providers dbm file: file-only user 200');
    is(get($p, Authorization => basic('henry', 'bad'))->{status}, 401,
       'providers dbm file: file-only user, wrong password 401');
    is(get($p, Authorization => basic('nobody', 'bad'))->{status}, 401,
       'providers dbm file: unknown user 401');
}

# --- same realm, another user file: what /basic/ verified (and may
# have cached) must not open /samerealm/, whose file has only bob.
{
    is(get($ok, Authorization => basic('alice', $USERS{alice}))->{status},
       200, 'alice at /basic/ (realm "AC Basic"): 200');
    my $p = '/samerealm/ok.txt';
    is(get($p, Authorization => basic('alice', $USERS{alice}))->{status},
       401, 'alice at /samerealm/ (same realm, file without alice): 401');
    is(get($p, Authorization => basic('bob', $USERS{bob}))->{status}, 200,
       'bob at /samerealm/: 200');
}

# --- AuthChallengeProvider file (mod_authn_file behind this module)
{
    my $p = '/fileprov/ok.txt';
    is_challenge(get($p), 401,
                 'Basic realm="AC File Provider", charset="UTF-8"',
                 'provider file');
    my $r = get($p, Authorization => basic('alice', $USERS{alice}));
    is($r->{status}, 200, 'provider file: right password 200');
    is($r->{body}, "ok fileprov\n", 'provider file: body');
    is(get($p, Authorization => basic('alice', 'bad'))->{status}, 401,
       'provider file: wrong password 401');
}

# --- SDBM file with AuthChallengeDBMType sdbm
{
    my $p = '/sdbm/ok.txt';
    is(get($p, Authorization => basic('bob', $USERS{bob}))->{status}, 200,
       'DBMType sdbm: right password 200');
    is(get($p, Authorization => basic('bob', 'bad'))->{status}, 401,
       'DBMType sdbm: wrong password 401');
}

# --- curl, as a real client
is(curl('-u', "dave:$USERS{dave}", "http://$hp$ok"), '200',
   'curl -u dave: 200');
is(curl("http://$hp$ok"), '401', 'curl without -u: 401');
