# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# htchallenge, the admin CLI (docs/htchallenge.1), driven as a user would.
#
#   HTCHALLENGE=build/htchallenge prove -v t/cli/htchallenge.t
#
# Without HTCHALLENGE the binary is looked for in ./build, then
# relative to this file.  Every child runs in a new session (no
# controlling terminal), so nothing here can wait on a password prompt.
# Record-level checks use -t db through Perl's DB_File (same libdb as
# APR-util); they are skipped when DB_File is missing.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use FindBin;
use POSIX qw(setsid);
use Digest::MD5 qw(md5_hex);
use Digest::SHA qw(sha256_hex sha512256_hex);
use Fcntl qw(O_RDONLY);

my $bin = $ENV{HTCHALLENGE};
for my $c ('build/htchallenge', "$FindBin::Bin/../../build/htchallenge") {
    $bin //= $c if -x $c;
}
plan skip_all => 'htchallenge not built (set HTCHALLENGE)'
    unless $bin && -x $bin;

my $have_db_file = eval { require DB_File; 1 };
my $have_htdbm = grep { -x "$_/htdbm" } split /:/, $ENV{PATH} // '';
my $dir = tempdir(CLEANUP => 1);

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or return '';
    local $/;
    my $s = <$fh>;
    return $s // '';
}

# run($stdin, @args) -> ($exit, $stdout, $stderr)
sub run {
    my ($in, @args) = @_;
    open my $ifh, '>:raw', "$dir/in" or die "in: $!";
    print $ifh $in // '';
    close $ifh;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        setsid();
        open STDIN, '<', "$dir/in" or die;
        open STDOUT, '>', "$dir/out" or die;
        open STDERR, '>', "$dir/err" or die;
        exec $bin, @args or POSIX::_exit(127);
    }
    waitpid $pid, 0;
    return ($? >> 8, slurp("$dir/out"), slurp("$dir/err"));
}

# Expect exit $want; returns (stdout, stderr).
sub ok_run {
    my ($want, $name, $in, @args) = @_;
    my ($rc, $out, $err) = run($in, @args);
    is($rc, $want, "$name: exit $want") or diag("stderr: $err");
    return ($out, $err);
}

sub dump_db {
    my ($file) = @_;
    my %h;
    no warnings 'once';
    tie %h, 'DB_File', $file, O_RDONLY, 0644, $DB_File::DB_HASH
        or die "tie $file: $!";
    my %copy = %h;
    untie %h;
    return \%copy;
}

sub fails_with {
    my ($want, $re, $name, $in, @args) = @_;
    my ($out, $err) = ok_run($want, $name, $in, @args);
    like($err, $re, "$name: message");
    is($out, '', "$name: nothing on stdout");
}

my $realm = 'http-auth@example.org';
my $f = "$dir/users.db";

# ------------------------------------------------------------- help, usage
{
    my ($out) = ok_run(0, '-h', '', '-h');
    like($out, qr/^Usage:/m, '-h prints the usage on stdout');
    like($out, qr/-S SECRETFILE/, 'usage lists -S');
    fails_with(2, qr/unknown option -q.*Usage:/s, 'bad option', '', '-q');
    fails_with(2, qr/expected FILE USER/, 'missing USER', '', $f);
    fails_with(2, qr/-r does not apply to -v/, '-v -r', '', '-v', '-r',
               'x', $f, 'u');
    fails_with(2, qr/cannot be combined/, '-l -D', '', '-l', '-D', $f);
    fails_with(2, qr/-a needs -r/, '-a without -r', "pw\n", '-i', '-a',
               'MD5', $f, 'u');
}

# ------------------------------------------------------------- create
fails_with(1, qr/no such DBM file.*-c/, 'missing file', "pw\n", '-i', $f,
           'alice');
ok(!-e $f, 'no file created without -c');
{
    my ($out, $err) = ok_run(0, 'create', "secret1\n", '-c', '-i', '-t',
                             'db', $f, 'alice');
    is($out, '', 'add prints nothing on stdout');
    unlike($err, qr/secret1|\$2y\$/, 'no password or hash on stderr');
}
ok(-e $f, 'file created with -c');

# ------------------------------------------------------------- verify
ok_run(0, 'verify right', "secret1\n", '-v', '-i', '-t', 'db', $f, 'alice');
fails_with(1, qr/wrong password/, 'verify wrong', "secret2\n", '-v', '-i',
           '-t', 'db', $f, 'alice');
fails_with(3, qr/not found/, 'verify missing user', "x\n", '-v', '-i', '-t',
           'db', $f, 'nobody');
ok_run(0, 'CRLF stripped', "secret1\r\n", '-v', '-i', '-t', 'db', $f,
       'alice');
ok_run(0, 'last line without LF', "secret1", '-v', '-i', '-t', 'db', $f,
       'alice');
fails_with(1, qr/no terminal.*-i/, 'no tty without -i', '', '-t', 'db', $f,
           'alice');
fails_with(1, qr/empty password/, 'empty password', "\n", '-i', '-t', 'db',
           $f, 'alice');
fails_with(1, qr/no password/, 'no input', '', '-i', '-t', 'db', $f,
           'alice');
ok_run(0, 'failed updates left alice alone', "secret1\n", '-v', '-i', '-t',
       'db', $f, 'alice');

# -c on an existing file updates, never truncates
ok_run(0, '-c on existing file', "pwb\n", '-c', '-i', '-t', 'db', $f,
       'bob');
ok_run(0, 'alice kept after -c', "secret1\n", '-v', '-i', '-t', 'db', $f,
       'alice');

# ------------------------------------------------------------- groups
SKIP: {
    skip 'DB_File missing', 6 unless $have_db_file;
    ok_run(0, 'groups', "pwb\n", '-i', '-t', 'db', '-g', 'admin,staff', $f,
           'bob');
    like(dump_db($f)->{bob}, qr/^\$2y\$10\$.{53}:admin,staff$/,
         'bcrypt hash then groups');
    ok_run(0, 'new password keeps groups', "pwc\n", '-i', '-t', 'db', $f,
           'bob');
    like(dump_db($f)->{bob}, qr/:admin,staff$/, 'groups kept');
    ok_run(0, '-g "" removes groups', "pwc\n", '-i', '-t', 'db', '-g', '',
           $f, 'bob');
    unlike(dump_db($f)->{bob}, qr/:/, 'groups removed');
}
fails_with(2, qr/group/, 'group with colon', "pw\n", '-i', '-t', 'db', '-g',
           'a:b', $f, 'bob');
fails_with(2, qr/empty group/, 'empty group', "pw\n", '-i', '-t', 'db',
           '-g', 'a,,b', $f, 'bob');

# ------------------------------------------------------------- Digest
my $pw = 'Circle of Life';
my %ha1 = (
    "Mufasa:$realm"             => md5_hex("Mufasa:$realm:$pw"),
    "Mufasa:$realm:SHA-256"     => sha256_hex("Mufasa:$realm:$pw"),
    "Mufasa:$realm:SHA-512-256" => sha512256_hex("Mufasa:$realm:$pw"),
);
my %uh = (
    "userhash:MD5:$realm:" . md5_hex("Mufasa:$realm")                 => 1,
    "userhash:SHA-256:$realm:" . sha256_hex("Mufasa:$realm")          => 1,
    "userhash:SHA-512-256:$realm:" . sha512256_hex("Mufasa:$realm")   => 1,
);
ok_run(0, 'add with -r', "$pw\n", '-i', '-t', 'db', '-r', $realm, $f,
       'Mufasa');
SKIP: {
    skip 'DB_File missing', 10 unless $have_db_file;
    my $db = dump_db($f);
    for my $k (sort keys %ha1) {
        is($db->{$k}, $ha1{$k}, "HA1 record $k");
    }
    for my $k (sort keys %uh) {
        is($db->{$k}, 'Mufasa', "userhash record $k");
    }
    like($db->{Mufasa}, qr/^\$2y\$/, 'Basic record written too');
    my @mine = grep { /Mufasa/ || ($db->{$_} // '') eq 'Mufasa' } keys %$db;
    is(scalar @mine, 7, 'exactly 7 records for Mufasa');
    unlike(join('', %$db), qr/\Q$pw\E/, 'no clear password in the file');

    # -a limits HA1 and userhash; the realm's set is replaced
    ok_run(0, '-a MD5 in another realm', "$pw\n", '-i', '-t', 'db', '-r',
           'other', '-a', 'MD5', $f, 'Mufasa');
    $db = dump_db($f);
    ok(exists $db->{'Mufasa:other'} && !exists $db->{'Mufasa:other:SHA-256'},
       '-a MD5 writes only the MD5 HA1');
}
SKIP: {
    skip 'DB_File missing', 4 unless $have_db_file;
    my ($out, $err) = ok_run(0, 're-set realm with -a SHA-256', "$pw\n",
                             '-i', '-t', 'db', '-r', $realm, '-a',
                             'SHA-256', $f, 'Mufasa');
    like($err, qr/realm "other".*older password/, 'warns about other realm');
    my $db = dump_db($f);
    ok(!exists $db->{"Mufasa:$realm"}
       && !exists $db->{"Mufasa:$realm:SHA-512-256"}
       && exists $db->{"Mufasa:$realm:SHA-256"},
       'stale HA1 of the same realm removed');
    ok(exists $db->{'Mufasa:other'}, 'other realm kept');
}
fails_with(2, qr/MD5-sess/, '-a MD5-sess', "pw\n", '-i', '-t', 'db', '-r',
           'R', '-a', 'MD5-sess', $f, 'u');
fails_with(2, qr/unknown algorithm 'SHA-1'/, '-a SHA-1', "pw\n", '-i', '-t',
           'db', '-r', 'R', '-a', 'SHA-1', $f, 'u');
fails_with(2, qr/realm.*control/, 'realm with control char', "pw\n", '-i',
           '-t', 'db', '-r', "a\tb", $f, 'u');

# ------------------------------------------------------------- list
{
    my ($out) = ok_run(0, 'list', '', '-l', '-t', 'db', $f);
    is($out, "Mufasa\nalice\nbob\n", 'list: sorted user names only');
    unlike($out, qr/\$2y\$|:/, 'list shows no hash and no index key');
}

# ------------------------------------------------------------- tokens
my $token;
{
    my $t0 = time;
    my ($out, $err) = ok_run(0, '-T', '', '-T', '-t', 'db', '-s',
                             'read  write', '-e', '3600', $f, 'alice');
    like($out, qr/\A[A-Za-z0-9_-]{43}\n\z/, 'token: one base64url line');
    ($token) = $out =~ /(\S+)/;
    unlike($err, qr/\Q$token\E/, 'token not on stderr');
    unlike(slurp($f), qr/\Q$token\E/, 'token text not in the file bytes');
  SKIP: {
        skip 'DB_File missing', 3 unless $have_db_file;
        my $v = dump_db($f)->{'bearer:' . sha256_hex($token)};
        ok(defined $v, 'bearer:<sha256 hex> record stored');
        my ($u, $exp, $sc) = split /\|/, $v // '', 3;
        is("$u|$sc", 'alice|read write', 'token record user and scopes');
        ok($exp >= $t0 + 3600 && $exp <= time + 3600, 'expiry is now+3600');
    }
    ($out, $err) = ok_run(0, '-T token-only user', '', '-T', '-t', 'db', $f,
                          'robot');
    like($err, qr/no password record/, 'token-only user noted');
  SKIP: {
        skip 'DB_File missing', 1 unless $have_db_file;
        my ($t2) = $out =~ /(\S+)/;
        is(dump_db($f)->{'bearer:' . sha256_hex($t2 // '')}, 'robot|0|',
           'no -e, no -s: robot|0|');
    }
}
fails_with(2, qr/scope/, 'bad scope', '', '-T', '-t', 'db', '-s', 'a|b',
           $f, 'alice');
fails_with(2, qr/expiry/, 'bad expiry', '', '-T', '-t', 'db', '-e', '-5',
           $f, 'alice');
fails_with(1, qr/no such DBM file/, '-T on missing file', '', '-T',
           "$dir/none", 'alice');

# ------------------------------------------------------------- delete
SKIP: {
    skip 'DB_File missing', 4 unless $have_db_file;
    my ($out, $err) = ok_run(0, '-D Mufasa', '', '-D', '-t', 'db', $f,
                             'Mufasa');
    my $db = dump_db($f);
    my @left = grep { /Mufasa/ || $db->{$_} =~ /^Mufasa(\||$)/ } keys %$db;
    is("@left", '', '-D removed every Mufasa record (all realms, index)');
    ok_run(0, '-D alice', '', '-D', '-t', 'db', $f, 'alice');
    $db = dump_db($f);
    ok(!grep({ $db->{$_} =~ /^alice\|/ } keys %$db), '-D removed tokens');
}
{
    my ($out) = ok_run(0, 'list after -D', '', '-l', '-t', 'db', $f);
    is($out, "bob\n", 'only bob is left');
}
fails_with(3, qr/not found/, '-D unknown user', '', '-D', '-t', 'db', $f,
           'alice');
ok_run(0, 'bob still verifies', "pwc\n", '-v', '-i', '-t', 'db', $f, 'bob');

# ------------------------------------------------------------- user names
fails_with(2, qr/':'/, 'user with colon', "pw\n", '-i', '-t', 'db', $f,
           'a:b');
fails_with(2, qr/control/, 'user with tab', "pw\n", '-i', '-t', 'db', $f,
           "a\tb");
fails_with(2, qr/UTF-8/, 'user not UTF-8', "pw\n", '-i', '-t', 'db', $f,
           "a\xff");
fails_with(2, qr/reserved/, 'reserved user name', "pw\n", '-i', '-t', 'db',
           $f, 'bearer');
ok_run(0, 'UTF-8 user name', "pw\n", '-i', '-t', 'db', $f, "J\xc3\xbcrgen");
ok_run(0, 'UTF-8 user verifies', "pw\n", '-v', '-i', '-t', 'db', $f,
       "J\xc3\xbcrgen");

# ------------------------------------------------------------- DBM types
fails_with(2, qr/unknown DBM type 'foo'/, 'bad type', "pw\n", '-i', '-t',
           'foo', $f, 'u');
for my $type (qw(default sdbm gdbm db)) {
    my $tf = "$dir/types-$type";
    ok_run(0, "create $type", "pw\n", '-c', '-i', '-t', $type, '-r', 'R',
           $tf, 'u');
    ok_run(0, "verify $type", "pw\n", '-v', '-i', '-t', $type, $tf, 'u');
    my ($out) = ok_run(0, "list $type", '', '-l', '-t', $type, $tf);
    is($out, "u\n", "list $type");
    ok_run(0, "delete $type", '', '-D', '-t', $type, $tf, 'u');
    ($out) = ok_run(0, "list empty $type", '', '-l', '-t', $type, $tf);
    is($out, '', "empty $type file lists nothing");
}
fails_with(1, qr/cannot open|another DBM type/, 'wrong type for a file',
           "pw\n", '-v', '-i', '-t', 'gdbm', $f, 'bob');
fails_with(1, qr/another DBM type/, '-c beside a file of another type',
           "pw\n", '-c', '-i', '-t', 'sdbm', $f, 'bob');

# ------------------------------------------------------------- htdbm
SKIP: {
    skip 'htdbm not installed', 8 unless $have_htdbm;
    my $hf = "$dir/htdbm";
    system('htdbm', '-cbB', $hf, 'alice', 'pw') == 0 or die 'htdbm';
    ok_run(0, 'verify an htdbm user', "pw\n", '-v', '-i', $hf, 'alice');
    ok_run(0, 'add to an htdbm file', "pw2\n", '-i', '-r', 'R', $hf, 'bob');
    is(system("htdbm -vb $hf alice pw >/dev/null 2>&1"), 0,
       'htdbm still verifies alice');
    is(system("htdbm -vb $hf bob pw2 >/dev/null 2>&1"), 0,
       'htdbm verifies bob added by htchallenge');
    my ($out) = ok_run(0, 'list an htdbm file', '', '-l', $hf);
    is($out, "alice\nbob\n", 'list an htdbm file');
}

# ------------------------------------------------------------- secret
{
    my $sf = "$dir/secret";
    my $old = umask 077;
    my ($out, $err) = ok_run(0, '-S', '', '-S', $sf);
    umask $old;
    is($out, '', '-S prints nothing on stdout');
    my $s = slurp($sf);
    like($s, qr/\A[0-9a-f]{64}\n\z/, 'secret: 64 hex digits and LF');
    is((stat $sf)[2] & 07777, 0640, 'secret mode 0640 despite umask 077');
    fails_with(1, qr/exists/, '-S refuses to overwrite', '', '-S', $sf);
    is(slurp($sf), $s, 'existing secret unchanged');
    fails_with(2, qr/expected SECRETFILE/, '-S without file', '', '-S');
    fails_with(2, qr/does not apply/, '-S -c', '', '-S', '-c', $sf);
}

# ------------------------------------------------------------- LDIF
{
    my ($out, $err) = ok_run(0, '-L', "$pw\n", '-L', '-i', '-r', $realm,
                             'Mufasa');
    my @lines = split /\n/, $out;
    is($lines[0], '# replace the attribute names with those of '
       . 'AuthChallengeLDAPDigestAttribute / '
       . 'AuthChallengeLDAPUserhashAttribute', 'LDIF comment line');
    is_deeply([@lines[1 .. 6]], [
        "authChallengeDigest: $realm:MD5:" . md5_hex("Mufasa:$realm:$pw"),
        "authChallengeDigest: $realm:SHA-256:"
            . sha256_hex("Mufasa:$realm:$pw"),
        "authChallengeDigest: $realm:SHA-512-256:"
            . sha512256_hex("Mufasa:$realm:$pw"),
        "authChallengeUserhash: $realm:MD5:" . md5_hex("Mufasa:$realm"),
        "authChallengeUserhash: $realm:SHA-256:"
            . sha256_hex("Mufasa:$realm"),
        "authChallengeUserhash: $realm:SHA-512-256:"
            . sha512256_hex("Mufasa:$realm"),
    ], 'LDIF values for every algorithm');
    is(scalar @lines, 7, 'nothing else printed');
    unlike($out . $err, qr/\Q$pw\E/, 'no password in the output');

    ($out) = ok_run(0, '-L -a MD5, non-ASCII realm', "pw\n", '-L', '-i',
                    '-r', "r\xc3\xa9alm", '-a', 'MD5', 'u');
    require MIME::Base64;
    my $v = MIME::Base64::encode_base64("r\xc3\xa9alm:MD5:"
                                        . md5_hex("u:r\xc3\xa9alm:pw"), '');
    like($out, qr/^authChallengeDigest:: \Q$v\E$/m,
         'non-ASCII value is base64 (RFC 2849)');
    fails_with(2, qr/-L needs -r/, '-L without -r', "pw\n", '-L', '-i',
               'u');
}

done_testing();
