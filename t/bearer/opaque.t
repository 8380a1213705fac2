# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Opaque Bearer tokens in DBM (docs/bearer.md, "Opaque tokens for service
# accounts"): issued with htchallenge -T while the server runs; accepted,
# scoped, unknown, expired, revoked with htchallenge -D (at once without
# the credential cache, only after the TTL with it); curl --oauth2-bearer;
# no token in error_log.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACJWT qw(:all);
use ACBearer qw(:all);
use File::Spec ();

plan tests => 64;

my $hp = hostport();
my $mark = error_log_mark();
my $top = File::Spec->catdir(t_dir(), File::Spec->updir);
my $ht = $ENV{HTCHALLENGE} || "$top/build/htchallenge";
my $db = key_dir() . '/tokens.db';
my @used;

ok(-x $ht, "htchallenge at $ht") or BAIL_OUT('no htchallenge');

umask 022;
unlink glob("$db*");

# Run htchallenge; returns (exit status, stdout).  $in goes to stdin.
sub ht {
    my ($in, @args) = @_;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        open STDERR, '>', '/dev/null';
        if (defined $in) {
            pipe(my $r, my $w) or die;
            if (!fork) { close $r; print $w $in; exit 0 }
            close $w;
            open STDIN, '<&', $r or die;
        }
        exec $ht, @args or POSIX::_exit(127);
    }
    local $/;
    my $out = <$fh> // '';
    close $fh;
    chmod 0644, glob("$db*");
    return ($? >> 8, $out);
}

sub issue {
    my ($user, @o) = @_;
    my ($st, $out) = ht(undef, '-T', @o, $db, $user);
    my ($tok) = $out =~ /^(\S+)\n?\z/;
    push @used, $tok if $tok;
    return ($st, $tok);
}

sub get {
    my ($path, $tok) = @_;
    return req($hp, 'GET', $path,
               defined $tok ? (Authorization => "Bearer $tok") : ());
}

my ($st) = ht("Opaque-Pw-3Kd!\n", '-c', '-i', $db, 'alice');
is($st, 0, 'htchallenge -c -i: alice created');
($st) = ht("Opaque-Pw-4Le!\n", '-i', $db, 'bob');
is($st, 0, 'htchallenge -i: bob created');

my ($s1, $t1) = issue('alice', '-s', 'read write', '-e', 3600);
is($s1, 0, 'htchallenge -T: exit 0');
like($t1 // '', qr/^[A-Za-z0-9\-._~+\/]+=*$/,
     'htchallenge -T prints one b64token');
cmp_ok(length($t1 // ''), '>=', 32, 'the token is long (>= 32 chars)');
{
    my ($st2, $out) = ht(undef, '-l', $db);
    unlike($out, qr/\Q$t1\E/, 'htchallenge -l does not show the token');
}

# ------------------------------------------------ accepted, scoped, refused
{
    my $r = get('/bearer/opaque/env', $t1);
    is($r->{status}, 200, 'opaque token: 200');
    like($r->{body}, qr/^REMOTE_USER=alice$/m, 'opaque token: REMOTE_USER');
    like($r->{body}, qr/^AUTH_TYPE=Bearer$/m, 'opaque token: AUTH_TYPE');
    is(get('/bearer/opaque-scope/ok.txt', $t1)->{status}, 200,
       'opaque token with scope write at bearer-scope write: 200');
    is(curl('--oauth2-bearer', $t1, "http://$hp/bearer/opaque/ok.txt"),
       '200', 'curl --oauth2-bearer with the opaque token: 200');
}
{
    my (undef, $tr) = issue('bob', '-s', 'read', '-e', 3600);
    ok($tr, 'a read-only token for bob');
    my $r = get('/bearer/opaque-scope/ok.txt', $tr);
    is($r->{status}, 403, 'scope read at bearer-scope write: 403');
    is_deeply([headers_named($r, 'WWW-Authenticate')],
              ['Bearer realm="API", error="insufficient_scope", '
               . 'scope="write"'],
              'opaque insufficient_scope challenge');
    my (undef, $tn) = issue('bob', '-e', 3600);
    is(get('/bearer/opaque-scope/ok.txt', $tn)->{status}, 403,
       'token without scopes at bearer-scope write: 403');
    is(get('/bearer/opaque/ok.txt', $tn)->{status}, 200,
       'token without scopes at valid-user: 200');
}
is_plain_401(get('/bearer/opaque/ok.txt'), 'opaque area, no token');
is_bearer_error(get('/bearer/opaque/ok.txt', 'Zm9vYmFyYmF6cXV4' x 3), 401,
                'invalid_token', 'unknown opaque token');
is_bearer_error(get('/bearer/opaque/ok.txt', substr($t1, 0, -1) . 'x'), 401,
                'invalid_token', 'opaque token, last character changed');
{
    my $j = jwt(claims => claims());
    push @used, $j;
    is_bearer_error(get('/bearer/opaque/ok.txt', $j), 401, 'invalid_token',
                    'a JWT at an opaque-only area');
}

# ------------------------------------------------ expiry
{
    my (undef, $te) = issue('alice', '-e', 1);
    ok($te, 'a token valid for 1 s');
    sleep 2;
    is_bearer_error(get('/bearer/opaque/ok.txt', $te), 401,
                    'invalid_token', 'opaque token after its expiry');
    is_bearer_error(get('/bearer/opaque-cache/ok.txt', $te), 401,
                    'invalid_token', 'expired opaque token, cache area');
}

# ------------------------------------------------ revocation and the cache
{
    my (undef, $tc) = issue('alice', '-s', 'read', '-e', 3600);
    is(get('/bearer/opaque-cache/ok.txt', $tc)->{status}, 200,
       'cache area (TTL 2 s): 200, now cached');
    my ($sd) = ht(undef, '-D', $db, 'alice');
    is($sd, 0, 'htchallenge -D alice');
    is_bearer_error(get('/bearer/opaque/ok.txt', $t1), 401, 'invalid_token',
                    'revoked token, CredentialCache Off: refused at once');
    is_bearer_error(get('/bearer/opaque/ok.txt', $tc), 401, 'invalid_token',
                    'revoked token cached elsewhere, CredentialCache Off: '
                    . 'refused');
    # the token's record takes part in the cache key (docs/security.md,
    # "Credential cache"): a revocation holds at once, cache on or not
    is_bearer_error(get('/bearer/opaque-cache/ok.txt', $tc), 401,
                    'invalid_token', 'revoked token, cache on: refused at '
                    . 'once, within the TTL');
    my (undef, $tb) = issue('bob', '-e', 3600);
    is(get('/bearer/opaque/ok.txt', $tb)->{status}, 200,
       "bob's tokens survive alice's deletion");
}

# ------------------------------------------------ nothing leaked
is_deeply([secrets_in_log($mark, grep { defined } @used)], [],
          'no opaque token in error_log');
