# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Logging (docs/operations.md, "Log lines"): a failed attempt is one info
# line tagged AC + five digits with client, scheme, user and reason;
# success at debug; no password (or Basic token) ever reaches error_log,
# even at trace8.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);

plan tests => 14;

my $hp = hostport();
my $wrong = 'Wr0ng-Secret-Zq9';
my $nocolon = 'NoColonSecret-Kp4';

# --- wrong password: one info line
{
    my $mark = error_log_mark();
    my $r = req($hp, 'GET', '/basic/ok.txt',
                Authorization => basic('alice', $wrong));
    is($r->{status}, 401, 'wrong password: 401');
    my $log = wait_log($mark, qr/\[authchallenge:info\].*AC\d{5}/);
    my @lines = grep { /\[authchallenge:info\]/ && /AC\d{5}/ }
                split /\n/, $log;
    is(scalar @lines, 1, 'one info line tagged AC#####')
        or diag($log);
    my $l = $lines[0] // '';
    like($l, qr/127\.0\.0\.1/, 'names the client address');
    like($l, qr/\bBasic\b/, 'names the scheme Basic');
    like($l, qr/\balice\b/, 'names the user');
    like($l, qr/AC\d{5}:?\s*\S.*(password|mismatch|wrong|fail|invalid|denied)/i,
         'gives a reason');
    diag("logged: $l");
}

# --- unknown user
{
    my $mark = error_log_mark();
    req($hp, 'GET', '/basic/ok.txt', Authorization => basic('mallory', $wrong));
    my $log = wait_log($mark, qr/\[authchallenge:info\].*AC\d{5}/);
    like($log, qr/\[authchallenge:info\].*AC\d{5}.*mallory/,
         'unknown user: info line names the user');
}

# --- no credentials is no failure: no info line
{
    my $mark = error_log_mark();
    req($hp, 'GET', '/basic/ok.txt');
    req($hp, 'GET', '/basic/ok.txt', Authorization => basic('bob', $USERS{bob}));
    select undef, undef, undef, 0.3;
    my $log = error_log_since($mark);
    unlike($log, qr/\[authchallenge:(?:info|notice|warn|error)\]/,
           'no credentials and a success: nothing at info or above');
    like($log, qr/\[authchallenge:debug\].*\bbob\b/,
         'success is logged at debug with the user');
}

# --- malformed credentials: nothing of the credential in the log
{
    my $mark = error_log_mark();
    my $r = req($hp, 'GET', '/basic/ok.txt',
                Authorization => 'Basic ' . b64($nocolon));
    is($r->{status}, 400, 'no colon: 400');
    my $log = wait_log($mark, qr/AC\d{5}/);
    like($log, qr/\[authchallenge:info\].*AC\d{5}/,
         'no colon: an info line');
    unlike($log, qr/\Q$nocolon\E|\Q@{[b64($nocolon)]}\E/,
           'no colon: the credential is not logged');
}

# --- no secret anywhere in the log so far (at trace8 for the module)
{
    my @leaks = secrets_in_log(0, $wrong, $nocolon);
    is_deeply(\@leaks, [], 'no password or token in error_log');
    my $d = req($hp, 'GET', '/basic/ok.txt',
                Authorization => basic('dave', $USERS{dave}));
    is($d->{status}, 200, 'control: the crypt user still logs in');
}
