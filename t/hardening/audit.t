# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Audit log (docs/operations.md, "Log lines"; docs/security.md, "What is
# logged"): every failed attempt is ONE info line tagged AC + five digits
# with the client address, the scheme, the user when known and a reason;
# success at debug (AC01003); no password, token, Digest response or HA1
# anywhere in error_log (authchallenge runs at trace8,
# t/conf/00-load.conf.in).  Requests come from 127.0.0.21 so that the
# address in the line is ours and not a default.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use Apache::Test qw(-withtestmore);
use Time::HiRes qw(time sleep);
use Digest::SHA qw(sha256_hex sha512256_hex);
use Digest::MD5 qw(md5_hex);
use ACTest qw(:all);
use ACJWT qw(jwt);
use ACAuthParam qw(parse_params);
use HardTest;

plan tests => 79;

my $hp = hostport();
my $C = '127.0.0.21';
my $have_users = ensure_users();
my $key = hs256_key();
my $mark0 = error_log_mark();
my @secrets;            # everything that must never be logged

# The AC-tagged lines logged after $mark (waits until $n are there).
sub ac_lines {
    my ($mark, $n) = @_;
    my @l;
    for (1 .. 30) {
        @l = grep { /\[authchallenge:/ && /AC\d{5}/ }
             split /\n/, error_log_since($mark);
        last if @l >= ($n // 1);
        sleep 0.1;
    }
    return @l;
}

# One failure: status, then exactly one info line with the address, the
# scheme, the user (or none) and a reason.  5 tests.
sub failure_logged {
    my (%o) = @_;
    my ($name, $mark, $r) = @o{qw(name mark resp)};
    is($r->{status}, $o{status}, "$name: $o{status}");
    my @info = grep { /\[authchallenge:info\]/ } ac_lines($mark);
    is(scalar @info, 1, "$name: one AC info line")
        or diag(join "\n", error_log_since($mark));
    my $l = $info[0] // '';
    like($l, qr/AC\d{5}: client \Q$C\E scheme \Q$o{scheme}\E\b/,
         "$name: tag, client address, scheme");
    if (defined $o{user}) {
        like($l, qr/ user "\Q$o{user}\E"/, "$name: names the user");
    }
    else {
        unlike($l, qr/ user "/, "$name: no user named");
    }
    like($l, $o{reason}, "$name: reason");
    diag("logged: " . ($l =~ s/.*?(AC\d{5})/$1/r));
}

# ------------------------------------------------ Basic
{
    my $m = error_log_mark();
    my $r = from($C, $hp, 'GET', '/hardening/basic/ok.txt',
                 Authorization => basic('bob', 'Audit-Wrong-Pw-1'));
    failure_logged(name => 'basic wrong password', mark => $m, resp => $r,
                   status => 401, scheme => 'Basic', user => 'bob',
                   reason => qr/wrong password/);
    push @secrets, 'Audit-Wrong-Pw-1', b64('bob:Audit-Wrong-Pw-1');

    $m = error_log_mark();
    $r = from($C, $hp, 'GET', '/hardening/basic/ok.txt',
              Authorization => basic('nosuchuser', 'Audit-Wrong-Pw-2'));
    failure_logged(name => 'basic unknown user', mark => $m, resp => $r,
                   status => 401, scheme => 'Basic', user => 'nosuchuser',
                   reason => qr/not found|unknown/);
    push @secrets, 'Audit-Wrong-Pw-2', b64('nosuchuser:Audit-Wrong-Pw-2');

    # No colon: no known user, and nothing of the credential logged.
    $m = error_log_mark();
    my $nocolon = 'bobAudit-NoColon-Pw-3';
    $r = from($C, $hp, 'GET', '/hardening/basic/ok.txt',
              Authorization => 'Basic ' . b64($nocolon));
    failure_logged(name => 'basic malformed (no colon)', mark => $m,
                   resp => $r, status => 400, scheme => 'Basic',
                   reason => qr/bad request: no colon/);
    unlike(error_log_since($m), qr/bobAudit|NoColon/,
           'basic malformed: nothing of the credential logged');
    push @secrets, $nocolon, b64($nocolon);

    # Success: debug, no info line.
    $m = error_log_mark();
    $r = from($C, $hp, 'GET', '/hardening/basic/ok.txt',
              Authorization => basic('bob', $USERS{bob}));
    is($r->{status}, 200, 'basic success: 200');
    my @l = ac_lines($m);
    ok((grep { /\[authchallenge:debug\].*AC01003: client \Q$C\E authenticated: scheme Basic user "bob"/ } @l),
       'basic success: AC01003 at debug with client, scheme, user')
        or diag(join "\n", @l);
    ok(!(grep { /\[authchallenge:info\]/ } @l),
       'basic success: no info line');
}

# ------------------------------------------------ Digest
my $dpath = '/hardening/digest/ok.txt';
SKIP: {
    skip 'no htchallenge (HTCHALLENGE) for the Digest users', 33
        unless $have_users;
    my $c = digest_chal(from($C, $hp, 'GET', $dpath));

    # wrong password
    my $m = error_log_mark();
    my ($v, $resp, $ha1) = digest_value(chal => $c, uri => $dpath,
                                        pass => 'Audit-Dig-Wrong-4');
    push @secrets, 'Audit-Dig-Wrong-4', $resp, $ha1;
    my $r = from($C, $hp, 'GET', $dpath, Authorization => $v);
    failure_logged(name => 'digest wrong password', mark => $m, resp => $r,
                   status => 401, scheme => 'Digest', user => 'hank',
                   reason => qr/wrong response/);

    # unknown user
    $m = error_log_mark();
    ($v, $resp, $ha1) = digest_value(chal => $c, uri => $dpath,
                                     user => 'nobody', pass => 'Audit-5');
    push @secrets, $resp, $ha1;
    $r = from($C, $hp, 'GET', $dpath, Authorization => $v);
    failure_logged(name => 'digest unknown user', mark => $m, resp => $r,
                   status => 401, scheme => 'Digest', user => 'nobody',
                   reason => qr/unknown user/);

    # success, then the same nc again: a replay
    $m = error_log_mark();
    ($v, $resp, $ha1) = digest_value(chal => $c, uri => $dpath,
                                     nc => '00000007');
    push @secrets, $resp, $ha1;
    $r = from($C, $hp, 'GET', $dpath, Authorization => $v);
    is($r->{status}, 200, 'digest success: 200');
    my @l = ac_lines($m);
    ok((grep { /\[authchallenge:debug\].*AC01003: client \Q$C\E authenticated: scheme Digest user "hank"/ } @l),
       'digest success: AC01003 at debug') or diag(join "\n", @l);
    ok(!(grep { /\[authchallenge:info\]/ } @l), 'digest success: no info');
    my ($info) = headers_named($r, 'Authentication-Info');
    my $rspauth = parse_params($info // '')->{rspauth};
    push @secrets, $rspauth if defined $rspauth && length $rspauth;

    $m = error_log_mark();
    $r = from($C, $hp, 'GET', $dpath, Authorization => $v);
    failure_logged(name => 'digest replay (same nc)', mark => $m,
                   resp => $r, status => 401, scheme => 'Digest',
                   user => 'hank', reason => qr/replay/);

    # a forged nonce (right length, wrong HMAC)
    $m = error_log_mark();
    my $forged = { %$c };
    substr($forged->{nonce}, 10, 4) =
        substr($forged->{nonce}, 10, 4) eq 'AAAA' ? 'BBBB' : 'AAAA';
    ($v, $resp, $ha1) = digest_value(chal => $forged, uri => $dpath);
    push @secrets, $resp;
    $r = from($C, $hp, 'GET', $dpath, Authorization => $v);
    failure_logged(name => 'digest forged nonce', mark => $m, resp => $r,
                   status => 401, scheme => 'Digest', user => 'hank',
                   reason => qr/invalid nonce/);

    # malformed: an unterminated quote
    $m = error_log_mark();
    $r = from($C, $hp, 'GET', $dpath,
              Authorization => 'Digest username="hank", realm="AC Hard');
    failure_logged(name => 'digest malformed', mark => $m, resp => $r,
                   status => 400, scheme => 'Digest',
                   reason => qr/bad request: unterminated/);

    # stale: a correct response with a nonce past its 1 s lifetime
    my $spath = '/hardening/digest-stale/ok.txt';
    my $sc = digest_chal(from($C, $hp, 'GET', $spath));
    sleep 2.2;
    $m = error_log_mark();
    ($v, $resp) = digest_value(chal => $sc, uri => $spath);
    push @secrets, $resp;
    $r = from($C, $hp, 'GET', $spath, Authorization => $v);
    is($r->{status}, 401, 'digest stale nonce: 401');
    like(join("\n", headers_named($r, 'WWW-Authenticate')),
         qr/stale=true/, 'digest stale nonce: stale=true');
    @l = ac_lines($m);
    my ($sl) = grep { /nonce expired/ } @l;
    ok($sl, 'digest stale nonce: logged with its reason')
        or diag(join "\n", @l);
    like($sl // '', qr/AC\d{5}: client \Q$C\E scheme Digest/,
         'digest stale nonce: tag, client, scheme');
    # Not a failed attempt (the password was right): debug, not info,
    # and not counted by the failure limit.
    like($sl // '', qr/\[authchallenge:debug\]/,
         'digest stale nonce: at debug (a protocol step, no failure)');
    diag('logged: ' . (($sl // '') =~ s/.*?(AC\d{5})/$1/r));
}

# ------------------------------------------------ Bearer
my $bpath = '/hardening/bearer/ok.txt';
my $hdr = '{"alg":"HS256","typ":"JWT"}';
SKIP: {
    skip 'no HS256 key: t/hardening/setup.sh did not run', 18
        unless $key;
    my $now = int time;

    my $m = error_log_mark();
    my $tok = jwt(raw_header => $hdr,
                  claims => qq({"sub":"tess","exp":@{[$now + 600]}}),
                  secret => 'another-key-of-32-bytes-or-more!!');
    push @secrets, $tok;
    my $r = from($C, $hp, 'GET', $bpath, Authorization => "Bearer $tok");
    failure_logged(name => 'bearer bad signature', mark => $m, resp => $r,
                   status => 401, scheme => 'Bearer',
                   reason => qr/signature/);

    $m = error_log_mark();
    $tok = jwt(raw_header => $hdr,
               claims => qq({"sub":"tess","exp":@{[$now - 3600]}}),
               secret => $key);
    push @secrets, $tok;
    $r = from($C, $hp, 'GET', $bpath, Authorization => "Bearer $tok");
    is($r->{status}, 401, 'bearer expired: 401');
    like(join("\n", headers_named($r, 'WWW-Authenticate')),
         qr/error="invalid_token"/, 'bearer expired: invalid_token');
    my @info = grep { /\[authchallenge:info\]/ } ac_lines($m);
    is(scalar @info, 1, 'bearer expired: one info line');
    like($info[0] // '', qr/AC\d{5}: client \Q$C\E scheme Bearer\b.*expired/,
         'bearer expired: client, scheme, reason');
    # The signature verified, so the token's user is known
    # (docs/operations.md, AC01001: "user when known").
    like($info[0] // '', qr/ user "tess"/,
         'bearer expired (signature good): names the user');
    diag('logged: ' . (($info[0] // '') =~ s/.*?(AC\d{5})/$1/r));

    $m = error_log_mark();
    $r = from($C, $hp, 'GET', $bpath, Authorization => 'Bearer a b');
    failure_logged(name => 'bearer malformed', mark => $m, resp => $r,
                   status => 400, scheme => 'Bearer',
                   reason => qr/bad request/);

    $m = error_log_mark();
    $tok = jwt(raw_header => $hdr,
               claims => qq({"sub":"tess","exp":@{[$now + 600]}}),
               secret => $key);
    push @secrets, $tok, (split /\./, $tok)[2];
    $r = from($C, $hp, 'GET', $bpath, Authorization => "Bearer $tok");
    is($r->{status}, 200, 'bearer success: 200');
    my @l = ac_lines($m);
    ok((grep { /\[authchallenge:debug\].*AC01003: client \Q$C\E authenticated: scheme Bearer user "tess"/ } @l),
       'bearer success: AC01003 at debug') or diag(join "\n", @l);
    ok(!(grep { /\[authchallenge:info\]/ } @l), 'bearer success: no info');
    push @secrets, $key;
}

# ------------------------------------------------ rate-limited
SKIP: {
    skip 'no Digest users', 5 unless $have_users;
    my $L = '127.0.0.22';
    my $lp = '/hardening/digest-limit/ok.txt';
    my $c = digest_chal(from($L, $hp, 'GET', $lp));
    my ($v, $resp, $ha1) = digest_value(chal => $c, uri => $lp,
                                        pass => 'Audit-Lim-Wrong-6');
    push @secrets, 'Audit-Lim-Wrong-6', $resp, $ha1;
    from($L, $hp, 'GET', $lp, Authorization => $v);
    my $m = error_log_mark();
    ($v, $resp) = digest_value(chal => $c, uri => $lp, nc => '00000002');
    push @secrets, $resp;
    my $r = from($L, $hp, 'GET', $lp, Authorization => $v);
    is($r->{status}, 429, 'rate-limited: 429');
    my @info = grep { /\[authchallenge:info\]/ } ac_lines($m);
    is(scalar @info, 1, 'rate-limited: one info line');
    like($info[0] // '', qr/AC\d{5}: client \Q$L\E\b/,
         'rate-limited: tag, client');
    like($info[0] // '', qr/rate-limited/, 'rate-limited: reason');
    unlike($info[0] // '', qr/authentication failed/,
           'rate-limited: the credential was not checked');
    diag('logged: ' . (($info[0] // '') =~ s/.*?(AC\d{5})/$1/r));
}

# ------------------------------------------------ every tag has 5 digits
{
    my @bad = grep { /\[authchallenge:/ && /\bAC\d+/ && !/\bAC\d{5}:/ }
              split /\n/, error_log_since($mark0);
    is(scalar @bad, 0, 'every AC tag is AC + five digits')
        or diag(join "\n", @bad);
}

# ------------------------------------------------ no secret in error_log
{
    # Every stored HA1 of the Digest users (all algorithms htchallenge
    # writes) and their passwords.
    for my $u (sort keys %HUSERS) {
        my $in = "$u:$HREALM:$HUSERS{$u}";
        push @secrets, $HUSERS{$u}, md5_hex($in), sha256_hex($in),
                       sha512256_hex($in);
    }
    my @found = secrets_in_log(0, @secrets);
    is(scalar @found, 0,
       'no password, token, Digest response or HA1 in error_log')
        or diag("found: @found");
    ok(scalar @secrets >= 20, 'the secrets list is not empty ('
       . scalar(@secrets) . ')');
    is(join("\n", crashes($mark0)), '', 'no child crashed');
}
