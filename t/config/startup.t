# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Start-up and configuration errors.  DBM type errors (docs/directives.md,
# AuthChallengeDBMType): a wrong AuthChallengeDBMType gives a start-up or
# log message that says so, never a bare 500.  Bad directive values stop
# httpd with a message naming the directive.  Each case runs its own
# throw-away httpd (t/var/httpd-*), since a start-up failure would take
# the shared server down.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);

plan tests => 24;

my $db = t_dir() . '/var/users.db';    # Berkeley DB ("default")

sub location {
    my ($file, $type) = @_;
    return <<"EOC";
<Location />
    AuthType Basic
    AuthName "AC Type"
    AuthChallengeProvider dbm
    AuthChallengeDBMUserFile "$file"
    AuthChallengeDBMType $type
    Require valid-user
</Location>
EOC
}

# --- gdbm named for a Berkeley DB file
{
    my $h = start_httpd(name => 'gdbm', conf => location($db, 'gdbm'));
    if (!$h->{ok}) {
        diag("wrong DBM type: the module refuses to start:\n$h->{output}");
        pass('wrong type: start-up refused');
        like($h->{output}, qr/gdbm|DBM type/i, 'start-up message names the type');
        like($h->{output}, qr/\Qusers.db\E/, 'start-up message names the file');
        pass('(no request to make)');
    }
    else {
        my $r = req($h->{hostport}, 'GET', '/ok.txt',
                    Authorization => basic('alice', $USERS{alice}));
        diag("wrong DBM type: httpd starts; the request got $r->{status}");
        is($r->{status}, 500, 'wrong type: 500 for a right password');
        my $log = ACTest::_slurp($h->{error_log});
        my @l = grep { /authchallenge/ && /AC\d{5}/ && /\Qusers.db\E/ }
                split /\n/, $log;
        ok(scalar @l, 'error_log has an AC line naming the file') or diag($log);
        like(join("\n", @l), qr/gdbm|type/i, 'the line says the type');
        unlike($log, qr/\Q$USERS{alice}\E/, 'no password in that log');
    }
    stop_httpd($h);
}

# --- a missing DBM file: 500 with the reason logged (never 401)
{
    my $h = start_httpd(name => 'missing',
                        conf => location(t_dir() . '/var/nope.db', 'default'));
    if (!$h->{ok}) {
        diag("missing DBM file: the module refuses to start:\n$h->{output}");
        pass('missing file: start-up refused');
        like($h->{output}, qr/\Qnope.db\E/, 'start-up message names the file');
    }
    else {
        my $r = req($h->{hostport}, 'GET', '/ok.txt',
                    Authorization => basic('alice', $USERS{alice}));
        is($r->{status}, 500, 'missing file: 500, not 401');
        like(ACTest::_slurp($h->{error_log}), qr/AC\d{5}.*\Qnope.db\E/,
             'missing file: logged with the file name');
    }
    stop_httpd($h);
}

# --- an unknown type name is a configuration error
{
    my $h = start_httpd(name => 'unknown', conf => location($db, 'nosuchdbm'));
    ok(!$h->{ok}, 'unknown type: httpd does not start');
    like($h->{output}, qr/AuthChallengeDBMType/, 'message names the directive');
    like($h->{output}, qr/nosuchdbm/, 'message names the bad value');
    stop_httpd($h);
}

# --- bad values of other directives stop httpd with a clear message
# directive => [config line, what the message must say: the bad value
# or the values allowed]
my %bad = (
    'AuthChallengeCharset'   => ["AuthChallengeCharset latin1",
                                 qr/UTF-8.*Off|latin1/],
    'AuthChallengeProxyMode' => ["AuthChallengeProxyMode sideways",
                                 qr/auto.*proxy.*origin|sideways/],
    'AuthChallengeProvider'  => ["AuthChallengeProvider nosuchprovider",
                                 qr/nosuchprovider/],
);
for my $d (sort keys %bad) {
    my ($line, $want) = @{ $bad{$d} };
    my $h = start_httpd(name => lc $d, conf => <<"EOC");
<Location />
    AuthType Basic
    AuthName "AC Bad"
    $line
    Require valid-user
</Location>
EOC
    ok(!$h->{ok}, "$line: httpd does not start");
    like($h->{output}, qr/\Q$d\E/, "$line: message names the directive");
    like($h->{output}, $want, "$line: message says what is wrong");
    stop_httpd($h);
}

# --- the shared state's server-wide directives (docs/operations.md,
# "Running a farm"): a bad timeout, a rotation that is none (the same
# key twice), a memcache spec without a server
{
    my $secret = t_dir() . '/var/startup.secret';
    open my $fh, '>', $secret or die "$secret: $!";
    print $fh join('', map { sprintf '%02x', int rand 256 } 1 .. 32), "\n";
    close $fh;
    chmod 0640, $secret;
    my @cases = (
        ['AuthChallengeCacheTimeout 0', qr/AuthChallengeCacheTimeout.*1 to 60/],
        ["AuthChallengeSecretFile \"$secret\" \"$secret\"",
         qr/AuthChallengeSecretFile.*same key/],
        ['AuthChallengeCache memcache:', qr/AuthChallengeCache memcache:.*no server/],
    );
    for my $c (@cases) {
        my ($line, $want) = @$c;
        my $h = start_httpd(name => 'state', conf => "$line\n");
        ok(!$h->{ok}, "$line: httpd does not start");
        like($h->{output}, $want, "$line: the message says why");
        stop_httpd($h);
    }
}
