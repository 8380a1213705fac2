# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Every httpd configuration snippet of README.md and docs/*.md (found by
# t/lib/ACSnippets.pm), conf/authchallenge.{load,conf} and
# conf/examples/demo.conf.in, read by the real httpd: one ok per
# snippet, named by file and line.
#
# Each snippet goes into its own file, with the files it names replaced
# by fixtures made here (a DBM file made by htdbm, an htdigest file,
# the suite's JWKS and PEM keys from t/bearer/setup.sh, HMAC and server
# secrets and an LDAP bind password with mode 0640, a CA certificate),
# and LoadModule paths pointed at /usr/lib/apache2/modules and at
# build/mod_authchallenge.so (AC_MODULE).  A snippet of bare directives that only a
# directory section allows (Require, AuthType, AuthName, Auth*Provider,
# AuthUserFile) is put inside a <Location>.  One minimal server loads
# the modules the snippets assume (proxy, proxy_http, proxy_connect,
# headers, env, auth_digest, authn_file, socache_shmcb/memcache,
# auth_form with session, session_cookie, session_crypto and request,
# ssl and http2, ...); a certificate and key file name the CA fixture.
# and includes all of them, and `apache2 -t` reads it in one process;
# a snippet it names as wrong is reported and left out of the next run.
#
# apache2 -t reads every directive (key files, JWKS, LDAP URLs and bind
# password files are checked there) but does not run what httpd does at
# start-up; the snippets naming AuthChallengeSecretFile or
# AuthChallengeCache (checked only then, docs/operations.md) are also
# started for real, on a free loopback port, and stopped.
#
# A snippet that cannot be checked this way is marked in the Markdown
# with "<!-- snippet: skip (reason) -->" just before it, and shows here
# as skipped with that reason.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use File::Path qw(make_path remove_tree);
use File::Copy qw(copy);
use ACTest qw(:all);
use ACSnippets qw(:all);

my $t   = t_dir();
my $top = File::Spec->rel2abs("$t/..");
my $fx  = "$t/var/docs-snippets";
my $mods = '/usr/lib/apache2/modules';
my $module = $ENV{AC_MODULE} || "$top/build/mod_authchallenge.so";
my $httpd = ACTest::_var('httpd') || '/usr/sbin/apache2';

my @snips = snippets($top, doc_files($top));
my @problems = problems();

# conf/: the a2enmod pair (also with every directive uncommented: the
# values it shows must be valid) and the demo's configuration.
{
    my $load = slurp("$top/conf/authchallenge.load");
    my $conf = slurp("$top/conf/authchallenge.conf");
    push @snips, { label => 'conf/authchallenge.load + conf/authchallenge.conf',
                   text => "$load$conf" },
                 { label => 'conf/authchallenge.conf, every directive uncommented',
                   text => $load . ($conf =~ s/^(\s*)#(AuthChallenge\w+\s)/$1$2/mgr) };
}

plan tests => @snips + 4;

is(join("\n", @problems), '', 'the Markdown has no unclear snippet or marker');

# ------------------------------------------------------------ fixtures
remove_tree($fx);
make_path($fx, "$fx/logs", "$fx/demo/htdocs", { mode => 0755 });
my $bearer = "$t/var/bearer";       # t/bearer/setup.sh made it
my %F = (
    dbm      => "$fx/users.db",
    htdigest => "$fx/users.htdigest",
    htpasswd => "$fx/users.htpasswd",
    jwks     => "$bearer/jwks.json",
    hmac     => "$fx/hmac.secret",
    secret   => "$fx/authchallenge.secret",
    secret_prev => "$fx/authchallenge.secret.prev",
    bindpw   => "$fx/ldap-bind.pw",
    ca       => "$fx/ca.pem",
);
my %KEY = (
    (map { $_ => "$bearer/rsa.pub.pem" } qw(RS256 RS384 RS512 PS256 PS384 PS512)),
    ES256 => "$bearer/ec256.pub.pem",
    ES384 => "$bearer/ec384.pub.pem",
    EdDSA => "$bearer/ed25519.pub.pem",
    (map { $_ => $F{hmac} } qw(HS256 HS384 HS512)),
);
run_ok('htdbm', '-cbm', $F{dbm}, 'alice', 'Alice-Pw-7Qx!');
spew($F{htdigest}, "alice:private:" . md5hex('alice:private:Alice-Pw-7Qx!') . "\n");
spew($F{htpasswd}, '');
run_ok('htpasswd', '-bm', $F{htpasswd}, 'alice', 'Alice-Pw-7Qx!');
# 64 bytes: enough for HS256, HS384 and HS512 (docs/bearer.md)
spew($F{hmac}, join('', map { sprintf '%02x', int rand 256 } 1 .. 32) . "\n", 0640);
spew($F{secret}, join('', map { sprintf '%02x', int rand 256 } 1 .. 32) . "\n", 0640);
spew($F{secret_prev}, join('', map { sprintf '%02x', int rand 256 } 1 .. 32) . "\n", 0640);
spew($F{bindpw}, "bind-pw-for-the-snippets\n", 0640);
run_ok('openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
       'ec_paramgen_curve:P-256', '-nodes', '-keyout', "$fx/ca.key",
       '-subj', '/CN=AC snippets CA', '-days', '2', '-out', $F{ca});
chmod 0644, $F{dbm}, $F{htdigest}, $F{htpasswd}, $F{ca};
if ($> == 0) {          # the group httpd reads them as (docs/security.md)
    my $gid = getgrnam(ACTest::_var('group') || 'www-data');
    chown 0, $gid, $F{hmac}, $F{secret}, $F{secret_prev}, $F{bindpw}
        if defined $gid;
}

# The file a directive names -> the fixture for it.
sub fixture {
    my ($dir, $i, $v, @args) = @_;
    my %one = (AuthChallengeDBMUserFile => 'dbm', AuthChallengeBearerJWKS => 'jwks',
               AuthChallengeLDAPCACert => 'ca', AuthChallengeSecretFile => 'secret',
               AuthChallengeBearerCACert => 'ca');
    return $F{ $one{$dir} } if $one{$dir} && $i == 1;
    # the previous secret of a rotation (docs/operations.md)
    return $F{secret_prev} if $dir eq 'AuthChallengeSecretFile' && $i == 2;
    return $F{hmac} if $dir eq 'AuthChallengeBearerIntrospect' && $i == 3;
    if ($dir eq 'AuthChallengeBearerKey' && $i == 2) {
        return $KEY{ $args[0] } // die "no fixture key for $args[0]";
    }
    return "file:$F{bindpw}" if $dir eq 'AuthChallengeLDAPBindPassword'
        && $i == 1 && $v =~ /^file:/;
    return $v =~ /digest/i ? $F{htdigest} : $F{htpasswd}
        if $dir eq 'AuthUserFile' && $i == 1;
    return $F{ca} if $dir eq 'SSLCertificateFile' && $i == 1;
    return "$fx/ca.key" if $dir eq 'SSLCertificateKeyFile' && $i == 1;
    if ($dir eq 'LoadModule' && $i == 2) {
        return $module if $args[0] eq 'authchallenge_module';
        my ($base) = $v =~ m{([^/]+)\z};
        return "$mods/$base";
    }
    return undef;
}

# ------------------------------------------------------------ the files
my %DIR_ONLY = map { $_ => 1 } qw(Require AuthType AuthName AuthUserFile
                                  AuthBasicProvider AuthDigestProvider);
my $n = 0;
for my $s (@snips) {
    next if $s->{skip};
    my ($text, @unmapped) = rewrite($s->{text}, \&fixture);
    $s->{unmapped} = \@unmapped;
    my ($depth, $wrap) = (0, 0);
    for (split /\n/, $text) {
        $depth++ if m{^\s*<[A-Za-z]};
        $depth-- if m{^\s*</};
        $wrap = 1 if !$depth && /^\s*(\S+)/ && $DIR_ONLY{$1};
    }
    $s->{wrap} = $wrap;
    $s->{file_name} = sprintf "%s/snippet-%03d.conf", $fx, ++$n;
    $s->{start} = $text =~ /^\s*AuthChallenge(?:SecretFile|Cache)\s/m;
    spew($s->{file_name}, $wrap ? "<Location \"/snippet-$n/\">\n$text\n</Location>\n"
                                : "$text\n");
}

my $port = ACTest::_free_port();
my $head = <<"EOC";
ServerRoot "$fx"
Listen 127.0.0.1:$port
ServerName 127.0.0.1
PidFile "$fx/logs/httpd.pid"
ErrorLog "$fx/logs/error_log"
DefaultRuntimeDir "$fx/logs"
DocumentRoot "$fx"
EOC
my $load = join '', map { "LoadModule ${_}_module $mods/mod_$_.so\n" }
    qw(mpm_event authn_core authz_core authz_user auth_basic auth_digest
       authn_file socache_shmcb socache_memcache headers env proxy
       proxy_http proxy_connect remoteip
       auth_form session session_cookie session_crypto request ssl
       http2);
$load .= "LoadModule authchallenge_module \"$module\"\n";

# ------------------------------------------------------------ a control
# The run must be able to fail: a key line with a trailing comment (httpd
# has no trailing comments: the words become arguments).
my $control = { label => 'control', file_name => "$fx/snippet-control.conf" };
spew($control->{file_name},
     "AuthChallengeBearerKey RS256 $KEY{RS256}   # a trailing comment\n");

# ------------------------------------------------------------ apache2 -t
my @todo = ($control, grep { !$_->{skip} } @snips);
my %err;
while (@todo) {
    my $conf = "$fx/check.conf";
    spew($conf, $head . $load
                . join('', map { "Include \"$_->{file_name}\"\n" } @todo));
    my $out = run_merged($httpd, '-t', '-f', $conf);
    last if $out =~ /^Syntax OK$/m;
    my ($bad) = grep { index($out, $_->{file_name}) >= 0 } @todo;
    if (!$bad) {                # not told which: try each alone
        for my $s (@todo) {
            spew($conf, $head . $load . "Include \"$s->{file_name}\"\n");
            my $o = run_merged($httpd, '-t', '-f', $conf);
            $err{ $s->{label} } = $o unless $o =~ /^Syntax OK$/m;
        }
        last;
    }
    $err{ $bad->{label} } = $out;
    @todo = grep { $_ != $bad } @todo;
}
like($err{control} // '', qr/AuthChallengeBearerKey takes two arguments/,
     'control: apache2 -t refuses a key line with a trailing comment');

# ------------------------------------------------------------ real start
# For what httpd checks only at start-up: the secret file and the cache.
# The control: the same secret, world-readable, stops start-up.
{
    spew("$fx/readable.secret", slurp($F{secret}), 0644);
    my $h = start_httpd(name => 'docs-snippets',
                        conf => "AuthChallengeSecretFile \"$fx/readable.secret\"\n");
    my $ok = $h->{ok};
    stop_httpd($h);
    ok(!$ok && $h->{output} =~ /readable\.secret.*chmod 0640/,
       'control: httpd does not start with a world-readable secret')
        or diag($h->{output});
}
my @start = grep { $_->{start} && !$err{ $_->{label} } } @snips;
if (@start) {
    my $h = start_httpd(name => 'docs-snippets', conf => $load
                        . join('', map { "Include \"$_->{file_name}\"\n" } @start));
    my $ok = $h->{ok};
    stop_httpd($h);
    if (!$ok) {                 # which one?
        for my $s (@start) {
            my $h1 = start_httpd(name => 'docs-snippets',
                                 conf => "$load\nInclude \"$s->{file_name}\"\n");
            $err{ $s->{label} } = "start-up failed:\n$h1->{output}"
                unless $h1->{ok};
            stop_httpd($h1);
        }
    }
}

# ------------------------------------------------------------ report
for my $s (@snips) {
    SKIP: {
        skip "$s->{label}: $s->{skip}", 1 if $s->{skip};
        my $what = $s->{start} ? 'apache2 -t and a start' : 'apache2 -t';
        $what .= ', in a <Location>' if $s->{wrap};
        my $e = $err{ $s->{label} };
        if (!$e && @{ $s->{unmapped} }) {
            $e = "no fixture for: " . join(', ', @{ $s->{unmapped} });
        }
        ok(!$e, "$s->{label} ($what)") or diag(explain_error($s, $e));
    }
}

# The demo's whole configuration (make demo fills in the @...@ names).
{
    my $conf = slurp("$top/conf/examples/demo.conf.in");
    my $p2 = ACTest::_free_port();
    $conf =~ s/\@DEMO\@/$fx\/demo/g;
    $conf =~ s/\@ORIGIN\@/$port/g;
    $conf =~ s/\@PROXY\@/$p2/g;
    $conf =~ s/\@MODULE\@/$module/g;
    spew("$fx/demo.conf", $conf);
    my $out = run_merged($httpd, '-t', '-f', "$fx/demo.conf");
    like($out, qr/^Syntax OK$/m, 'conf/examples/demo.conf.in (apache2 -t)')
        or diag($out);
}

# httpd's message, with the line of the Markdown file it means.
sub explain_error {
    my ($s, $e) = @_;
    if ($s->{line} && $e =~ /line (\d+) of \Q$s->{file_name}\E/) {
        my $l = $s->{line} + $1 - 1 - ($s->{wrap} ? 1 : 0);
        $e = "at $s->{file}:$l:\n$e";
    }
    $e =~ s/^.*AH01574: module \S+ is already loaded, skipping\n//mg;
    return "$e\nthe snippet as checked:\n" . slurp($s->{file_name});
}

sub slurp {
    my $f = shift;
    open my $fh, '<:raw', $f or die "$f: $!";
    local $/;
    return scalar <$fh>;
}

sub spew {
    my ($f, $text, $mode) = @_;
    open my $fh, '>:raw', $f or die "$f: $!";
    print $fh $text;
    close $fh or die "$f: $!";
    chmod $mode // 0644, $f;
}

sub md5hex {
    require Digest::MD5;
    return Digest::MD5::md5_hex(shift);
}

sub run_merged {
    return ACTest::_run_merged(@_);
}

sub run_ok {
    my @cmd = @_;
    my $out = ACTest::_run_merged(@cmd);
    die "@cmd failed ($?):\n$out" if $?;
}
