# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# DBM edits take effect at once, without a restart (docs/directives.md,
# AuthChallengeDBMUserFile), and the credential cache (docs/operations.md,
# "Credential cache") never lets a removed user or an old password in
# where it is Off.  /dynamic/ (cache on, default) and /dynamic-nocache/
# (AuthChallengeCredentialCache Off) share the realm "AC Dynamic" and the
# file t/var/dynamic.db, which this test edits with htdbm
# (docs/directives.md: htdbm / mod_authn_dbm files work as they are).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use POSIX ();

plan tests => 12;

my $hp = hostport();
my $db = t_dir() . '/var/dynamic.db';
my ($c, $nc) = ('/dynamic/ok.txt', '/dynamic-nocache/ok.txt');
my $new = 'Yan-Pw-3Ef';
my $zed2 = 'Zed-Pw-2Gh';

sub st {
    my ($p, $u, $pw) = @_;
    return req($hp, 'GET', $p, Authorization => basic($u, $pw))->{status};
}

# htdbm prints "Database ... updated." on stdout: keep it out of TAP.
sub htdbm {
    my @args = @_;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDOUT, '>', '/dev/null';
        open STDERR, '>', '/dev/null';
        exec 'htdbm', @args or POSIX::_exit(127);
    }
    waitpid $pid, 0;
    $? == 0 or die "htdbm @args failed";
}

umask 022;

is(st($c, 'zed', $DYNAMIC_USERS{zed}), 200, 'zed, cache on: 200');
is(st($nc, 'zed', $DYNAMIC_USERS{zed}), 200, 'zed, cache off: 200');
is(st($nc, 'yan', $new), 401, 'yan does not exist yet: 401');

# --- a user added while the server runs works at once
htdbm('-bm', $db, 'yan', $new);
is(st($c, 'yan', $new), 200, 'yan added: 200 at once (cache on)');
is(st($nc, 'yan', $new), 200, 'yan added: 200 at once (cache off)');

# --- a changed password: the new one works at once, the old one is
# refused at once where the cache is off
htdbm('-bm', $db, 'zed', $zed2);
is(st($c, 'zed', $zed2), 200, 'zed new password: 200 (cache on)');
is(st($nc, 'zed', $zed2), 200, 'zed new password: 200 (cache off)');
is(st($nc, 'zed', $DYNAMIC_USERS{zed}), 401,
   'zed old password, cache off: 401 at once');
diag('zed old password, cache on (may be cached up to the TTL): '
     . st($c, 'zed', $DYNAMIC_USERS{zed}));

# --- a removed user: refused at once where the cache is off, even
# though /dynamic/ (same realm, cache on) verified it a moment ago
htdbm('-x', $db, 'yan');
is(st($nc, 'yan', $new), 401, 'yan removed, cache off: 401 at once');
diag('yan removed, cache on (may be cached up to the TTL): '
     . st($c, 'yan', $new));

# --- the file stays readable and the records are what htdbm says
ok(-r $db && (stat $db)[2] & 04, 'dynamic.db is still world-readable');
is(st($c, 'zed', 'wrong'), 401, 'zed wrong password: 401');
is_deeply([secrets_in_log(0, $new, $zed2)], [],
          'no password of this test in error_log');
