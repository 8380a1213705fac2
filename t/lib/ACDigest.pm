# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# The Digest client (RFC 7616) of the mod_authchallenge Apache-Test
# suite, written from the RFC, independent of the module's code: every
# Perl test that computes a Digest response uses authorize() below.
#
#   use ACDigest qw(:all);
#
#   digest_users()            create (once) t/var/digest/users.db with
#                             build/htchallenge and t/var/digest/
#                             users.htdigest; returns its path
#   %DUSERS                   user => password of that file
#   $REALM                    "AC Digest", the realm of every Digest
#                             location of t/conf/digest.conf.in
#   digest_challenges($resp, $header)  the Digest challenges of a
#                             response, parsed by t/lib/ACAuthParam.pm
#                             ({ scheme, params, order, quoted } each)
#   pick($chals, $alg)        the challenge offering algorithm $alg
#   authorize(%o)             builds a Digest credential; returns
#                             ($header_value, $state) -- see below
#   rspauth_ok($state, $info) does Authentication-Info carry the right
#                             rspauth (and echo qop, cnonce, nc)?
#   H($alg, $bytes)           hex hash for an algorithm (-sess ignored)
#   send_req($hp, $method, $target, $body, @headers)
#                             ACTest::req with a body (Content-Length)
#   run_cmd(@cmd)             (exit status, stdout, stderr)
package ACDigest;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use Digest::MD5 ();
use Digest::SHA ();
use File::Spec ();
use File::Path qw(make_path);
use File::Temp ();
use POSIX ();
use Apache::Test ();
use ACTest ();
use ACAuthParam qw(parse_challenges parse_params);

our @EXPORT_OK = qw(digest_users %DUSERS $REALM digest_challenges pick
                    authorize rspauth_ok H send_req run_cmd);
our %EXPORT_TAGS = (all => \@EXPORT_OK);

our $REALM = 'AC Digest';

# Distinct from ACTest's %USERS passwords (another file, other tests).
our %DUSERS = (
    alice         => 'Alice-Dg-3Kp!',
    bob           => 'Bob-Dg-4Lq#',
    "j\xc3\xb6rg" => "J\xc3\xb6rg-Dg-5\xc3\x9cw",   # UTF-8 bytes
);

sub H {
    my ($alg, $data) = @_;
    (my $base = uc $alg) =~ s/-SESS\z//;
    return Digest::MD5::md5_hex($data)          if $base eq 'MD5';
    return Digest::SHA::sha256_hex($data)       if $base eq 'SHA-256';
    return Digest::SHA::sha512256_hex($data)    if $base eq 'SHA-512-256';
    die "unknown algorithm $alg";
}

sub _top {
    return File::Spec->catdir(Apache::Test::vars('t_dir'),
                              File::Spec->updir);
}

# The DBM user file of every Digest location (AuthChallengeDBMUserFile
# @ServerRoot@/var/digest/users.db).  Made with the project's own CLI,
# so the records are those an administrator gets.
sub digest_users {
    my $dir = File::Spec->catdir(Apache::Test::vars('t_dir'), 'var',
                                 'digest');
    my $db = "$dir/users.db";
    return $db if -e "$dir/done";
    make_path($dir);
    chmod 0755, $dir, File::Spec->catdir($dir, File::Spec->updir);
    my $hc = $ENV{HTCHALLENGE} || "${\ _top()}/build/htchallenge";
    die "no htchallenge at $hc (make htchallenge)" unless -x $hc;
    unlink glob "$dir/users.db*";
    my $first = 1;
    for my $u (sort keys %DUSERS) {
        my @cmd = ($hc, ($first ? '-c' : ()), '-C', '4', '-i',
                   '-r', $REALM, $db, $u);
        open my $fh, '|-', @cmd or die "$hc: $!";
        print $fh "$DUSERS{$u}\n";
        close $fh or die "htchallenge @cmd failed: $?";
        $first = 0;
    }
    chmod 0644, glob "$dir/users.db*";
    # Stock mod_auth_digest (coexistence): user:realm:MD5 HA1.
    open my $fh, '>', "$dir/users.htdigest" or die $!;
    printf $fh "alice:AC Stock Digest 2:%s\n",
        Digest::MD5::md5_hex("alice:AC Stock Digest 2:$DUSERS{alice}");
    close $fh;
    chmod 0644, "$dir/users.htdigest";
    open $fh, '>', "$dir/done" or die $!;
    close $fh;
    return $db;
}

# --- parsing: t/lib/ACAuthParam.pm

sub digest_challenges {
    my ($resp, $header) = @_;
    my $all = parse_challenges(ACTest::headers_named($resp, $header));
    return [grep { lc $_->{scheme} eq 'digest' } @$all];
}

sub pick {
    my ($chals, $alg) = @_;
    for my $c (@$chals) {
        return $c if lc($c->{params}{algorithm} // 'MD5') eq lc $alg;
    }
    return undef;
}

# --- the client

sub _quote {
    my $v = shift;
    $v =~ s/(["\\])/\\$1/g;
    return qq{"$v"};
}

sub _pct {
    my $v = shift;
    $v =~ s/([^A-Za-z0-9!#\$&+\-.^_`|~])/sprintf '%%%02X', ord $1/ge;
    return $v;
}

# authorize(chal => $c, user => , pass => , method => 'GET', uri => ,
#   body => '', qop => 'auth'|'auth-int'|undef (undef: omit qop, nc,
#   cnonce: an RFC 2069 response), nc => 1, cnonce => ,
#   userhash => 0|1, ext => 0|1 (send username*=UTF-8''...),
#   alg => (default the challenge's), set => { name => raw text } to
#   replace or add a parameter's wire text, drop => [names])
# State: { alg, ha1 (-sess applied), nonce, nc, cnonce, qop, uri, body }
sub authorize {
    my %o = @_;
    my $c = $o{chal} or die 'authorize: chal';
    my $p = $c->{params};
    my $alg = $o{alg} // $p->{algorithm} // 'MD5';
    my $realm = $o{realm} // $p->{realm};
    my $nonce = $o{nonce} // $p->{nonce};
    my $method = $o{method} // 'GET';
    my $uri = $o{uri} // die 'authorize: uri';
    my $body = $o{body} // '';
    my $qop = exists $o{qop} ? $o{qop} : 'auth';
    my $nc = sprintf '%08x', $o{nc} // 1;
    my $cnonce = $o{cnonce} // sprintf('%08x%08x', int rand 2**32,
                                       int rand 2**32);
    my ($user, $pass) = @o{qw(user pass)};

    my $ha1 = H($alg, "$user:$realm:$pass");
    $ha1 = H($alg, "$ha1:$nonce:$cnonce") if $alg =~ /-sess\z/i;
    my $ha2 = H($alg, "$method:$uri"
                      . ($qop && $qop eq 'auth-int'
                         ? ':' . H($alg, $body) : ''));
    my $resp = defined $qop
        ? H($alg, "$ha1:$nonce:$nc:$cnonce:$qop:$ha2")
        : H($alg, "$ha1:$nonce:$ha2");

    my @f;
    if ($o{userhash}) {
        push @f, [username => _quote(H($alg, "$user:$realm"))];
    }
    elsif ($o{ext}) {
        push @f, ['username*' => "UTF-8''" . _pct($user)];
    }
    else {
        push @f, [username => _quote($user)];
    }
    push @f, [realm => _quote($realm)], [nonce => _quote($nonce)],
             [uri => _quote($uri)], [algorithm => $alg],
             [response => _quote($resp)];
    push @f, [opaque => _quote($o{opaque} // $p->{opaque})]
        if defined($o{opaque} // $p->{opaque});
    push @f, [qop => $qop], [nc => $nc], [cnonce => _quote($cnonce)]
        if defined $qop;
    push @f, [userhash => 'true'] if $o{userhash};
    my %set = %{ $o{set} || {} };
    for my $f (@f) {
        $f->[1] = delete $set{ $f->[0] } if exists $set{ $f->[0] };
    }
    push @f, map { [$_ => $set{$_}] } sort keys %set;
    my %drop = map { $_ => 1 } @{ $o{drop} || [] };
    @f = grep { !$drop{ $_->[0] } } @f;
    my $hdr = 'Digest ' . join ', ', map { "$_->[0]=$_->[1]" } @f;
    return ($hdr, { alg => $alg, ha1 => $ha1, nonce => $nonce, nc => $nc,
                    cnonce => $cnonce, qop => $qop, uri => $uri,
                    body => $body, response => $resp });
}

# rspauth (RFC 7616 §3.5, docs/digest.md): H(HA1 ":" nonce ":" nc ":"
# cnonce ":" qop ":" H(":" uri [":" H(request body)])).
sub rspauth_ok {
    my ($st, $info) = @_;
    return 0 unless defined $info;
    my $i = parse_params($info);
    my $a = $st->{alg};
    my $ha2 = H($a, ":$st->{uri}"
                    . ($st->{qop} eq 'auth-int' ? ':' . H($a, $st->{body})
                                                : ''));
    my $want = H($a, join ':', $st->{ha1}, $st->{nonce}, $st->{nc},
                 $st->{cnonce}, $st->{qop}, $ha2);
    return ($i->{rspauth} // '') eq $want
        && ($i->{qop} // '') eq $st->{qop}
        && ($i->{cnonce} // '') eq $st->{cnonce}
        && ($i->{nc} // '') eq $st->{nc};
}

sub send_req {
    my ($hp, $method, $target, $body, @h) = @_;
    return ACTest::raw_request(
        $hp, ACTest::request_bytes($hp, $method, $target, $body, @h));
}

sub run_cmd {
    my @cmd = @_;
    my $err = File::Temp->new;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        open STDERR, '>', $err->filename;
        exec @cmd or POSIX::_exit(127);
    }
    local $/;
    my $out = <$fh> // '';
    close $fh;
    my $rc = $? >> 8;
    open my $e, '<', $err->filename or die;
    my $errtext = <$e> // '';
    return ($rc, $out, $errtext);
}

1;
