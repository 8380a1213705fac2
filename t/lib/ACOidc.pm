# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# A real OAuth 2.0 authorization server for the tests of the module as an
# RFC 9068 resource server (RFC 8414, RFC 7662, RFC 9470) and of
# sender-constrained tokens (RFC 9449 DPoP, RFC 8705 mTLS):
# t/oidc/server.mjs (node-oidc-provider) and the clients of
# t/oidc/client.mjs (oauth4webapi; jose for hand-made JWTs).  Needs node
# and t/oidc/node_modules (make oidc-deps).  Works without Apache-Test
# (t/oidc/harness.t).  See t/oidc/README.md.
#
#   use ACOidc qw(:all);
#   oidc_missing()        why the server cannot run here (no node, node
#                         older than 20.18, no t/oidc/node_modules), or
#                         undef: plan with skip_all / need on it
#   start_oidc(%o)        start a server; returns $as (below).  Options:
#       alg => 'ES256'    algorithm of the generated signing key (RS256,
#                         PS256, ES384, EdDSA...); kid => 'k1' its kid
#       keys => [jwk...]  private JWKs instead (the first signs)
#       port => N         fixed port (default: any free one, chosen by
#                         the kernel: no race); tls_port => N likewise
#       tls => 1          also an HTTPS listener asking for client
#                         certificates, with a CA, server and client
#                         certificates made by openssl in $as->{dir}
#       dpop_nonce => 1   the token endpoint requires DPoP nonces
#       clients => [...], resources => {...}, scopes => [...],
#       access_token_ttl => N, default_resource => URI
#                         server.mjs configuration (see README.md)
#       dir => path       where config, keys, certificates, secrets and
#                         server.log go (default: a new temp dir,
#                         removed by stop_oidc)
#       owner => pid      the server stops once that process is gone
#                         (default: this process)
#       keep => 1         not stopped at this process's exit (a server
#                         started for a whole run; owner still applies)
#       timeout => 15     seconds to wait for it to listen
#   attach_oidc($dir)     the server that another process started with
#                         dir => $dir (from $dir/as.json); this process
#                         never stops it at exit
#   stop_oidc($as)        SIGTERM (SIGCONT first), wait (SIGKILL after
#                         5 s), remove the temp dir it made; true if it
#                         was running
#   restart_oidc($as, [keys => [jwk...]])
#                         stop and start again on the same ports, same
#                         clients; fresh token store
#   rotate_keys($as, [alg => A], [kid => K], [keep_old => 1],
#               [restart => 0])
#                         a new signing key (first in the keys file; old
#                         keys kept after it unless keep_old => 0), then
#                         reload (SIGHUP-like, through POST /__reload:
#                         issued tokens stay valid) or restart; returns
#                         the new kid
#   oidc_token($as, %o)   client => 'app' (a name in $as->{clients}),
#                         resource, scope, dpop_key (file or keygen
#                         hash), mtls => 1 (mtls-app over HTTPS with its
#                         CA-signed certificate) or cert/key (with a
#                         secret client: bound-app and self.pem bind the
#                         token), claims => {acr => ...}, header => {...}
#                         (test_claims / test_header), auth => basic|post
#                         Returns client.mjs's hash: access_token,
#                         token_type (lower case), expires_in, scope,
#                         jwt => {header, payload} for a JWT, dpop_jkt,
#                         cert_thumbprint; or {error, error_description,
#                         status}
#   oidc_introspect($as, $token, %o)  client => 'rs'; the RFC 7662 answer
#   oidc_revoke($as, $token, %o)      client => 'app'; {revoked => 1}
#   dpop_proof(%o)        key => file|keygen hash, htm, htu, token (sets
#                         ath), nonce, iat_offset, jti, claims => {...},
#                         header => {...}; returns {proof, jkt, header,
#                         payload}
#   oidc_keygen(%o)       alg => 'ES256', kid, out => file (default: a
#                         temp file, or in $o{dir}); returns {kid, alg,
#                         jkt, private_jwk, public_jwk, file}
#   oidc_mint($as, %o)    a JWS signed by hand with the server's current
#                         key (kid => another key of the file; alg =>
#                         'none'; secret => for HS*): an RFC 9068 token
#                         (typ at+jwt, iss, aud => $o{aud}, sub,
#                         client_id, iat, exp now+ttl, jti, scope) with
#                         claims => {...} / header => {...} merged (undef
#                         deletes); at => 0 for claims only.  Returns
#                         {token, header, payload}
#   oidc_stats($as)       GET /__stats: {jwks_fetches, jwks_fetch_times
#                         (ms), discovery_fetches, token_requests,
#                         introspections, revocations, requests,
#                         generation, kids, sign_kid, ...}
#   oidc_reset_stats($as) zero the counters
#   oidc_fault($as, {jwks => {status => 500}, introspection =>
#               {delay_ms => 8000}, discovery => {close => 1}, ...})
#                         answer those endpoints so (delay first); no
#                         argument clears every fault
#   oidc_pause($as) / oidc_resume($as)
#                         SIGSTOP / SIGCONT: accepts, never answers
#   oidc_client($cmd, @args)
#                         any client.mjs command: (hash, exit status)
#                         in list context, the hash in scalar context.
#                         client.mjs runs as one co-process per Perl
#                         process (`client.mjs serve`);
#                         AC_OIDC_NO_SERVE=1: one node per call;
#                         AC_OIDC_TRACE=1: each call's time on stderr
#   decode_jwt($token)    {header, payload} (no verification)
#
# $as: {pid, port, tls_port, issuer, jwks_uri, metadata_url (RFC 8414),
#   openid_configuration, token_endpoint, introspection_endpoint,
#   revocation_endpoint, mtls_token_endpoint (tls), dir, keys_file,
#   config_file, log (the server's stdout and stderr), keys => [private
#   jwks], kids, sign_kid, clients => {app, rs, bound, mtls (and the same
#   under each client_id: bound-app, mtls-app) => {client_id,
#   client_secret, secret_file (the secret, no newline)}}, and with
#   tls: ca, ca_key, server_cert, server_key, client_cert, client_key
#   (CN=mtls-app, signed by ca), self_cert, self_key (self-signed,
#   CN=self)}.  Default clients: app (client_secret_basic), rs (the
#   resource server's, for introspection), bound-app (secret; any client
#   certificate binds its tokens), mtls-app (tls_client_auth,
#   CN=mtls-app, bound tokens).  AC_OIDC_KEEP=1 keeps temp dirs.
package ACOidc;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use Cwd ();
use File::Basename ();
use File::Path qw(make_path remove_tree);
use File::Spec ();
use File::Temp ();
use HTTP::Tiny ();
use JSON::PP ();
use MIME::Base64 ();
use POSIX ();
use Time::HiRes ();

our @EXPORT_OK = qw(oidc_missing start_oidc attach_oidc stop_oidc restart_oidc
                    rotate_keys oidc_token oidc_introspect oidc_revoke
                    dpop_proof oidc_keygen oidc_mint oidc_stats
                    oidc_reset_stats oidc_fault oidc_pause oidc_resume
                    oidc_client decode_jwt);
our %EXPORT_TAGS = (all => \@EXPORT_OK);

our $NODE = $ENV{AC_NODE} || 'node';

my $JSON = JSON::PP->new->canonical->utf8;
my %RUNNING;    # pid => $as, for the END block
my $SEQ = 0;

sub _oidc_dir {
    my $lib = File::Basename::dirname(Cwd::abs_path(__FILE__));
    return Cwd::abs_path(File::Spec->catdir($lib, File::Spec->updir, 'oidc'));
}

sub _server_js { return File::Spec->catfile(_oidc_dir(), 'server.mjs') }
sub _client_js { return File::Spec->catfile(_oidc_dir(), 'client.mjs') }

sub oidc_missing {
    my $v = `$NODE --version 2>/dev/null` // '';
    return "no node ($NODE)" unless $? == 0 && $v =~ /^v(\d+)\.(\d+)/;
    # oidc-provider 9 uses URL.parse (node 20.18, 22.1)
    return "node $v is too old (oidc-provider needs 20.18 or later)"
        if $1 < 20 || ($1 == 20 && $2 < 18);
    my $nm = File::Spec->catdir(_oidc_dir(), 'node_modules');
    for my $p (qw(oidc-provider oauth4webapi jose)) {
        return "no $nm/$p (make oidc-deps)" unless -d "$nm/$p";
    }
    return undef;
}

sub _slurp {
    my $f = shift;
    open my $fh, '<', $f or return '';
    local $/;
    return <$fh> // '';
}

sub _spew {
    my ($f, $text, $mode) = @_;
    open my $fh, '>', $f or die "$f: $!";
    print $fh $text;
    close $fh or die "$f: $!";
    chmod $mode, $f if defined $mode;
}

# Run a command; (stdout, exit status, stderr).
sub _run {
    my @cmd = @_;
    my $err = File::Temp->new(TEMPLATE => 'ac-oidc-err-XXXXXX', TMPDIR => 1);
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        open STDERR, '>&', $err or POSIX::_exit(127);
        open STDIN, '<', '/dev/null';
        exec @cmd or POSIX::_exit(127);
    }
    local $/;
    my $out = <$fh> // '';
    close $fh;
    my $status = $? >> 8;
    return ($out, $status, _slurp($err->filename));
}

# client.mjs runs as one co-process per Perl process (`client.mjs serve`,
# one JSON line per command): a node start-up per call would cost more
# than the calls.  AC_OIDC_NO_SERVE=1 runs `node client.mjs CMD` each
# time instead.  A forked child starts its own.
my %CO;    # $$ => {pid, in, out, err}

sub _co {
    return $CO{$$} if $CO{$$};
    # its stderr: a file unlinked at once (nothing left behind, even by
    # a process that ends with POSIX::_exit)
    my ($err, $errname) = File::Temp::tempfile('ac-oidc-client-XXXXXX',
                                               TMPDIR => 1);
    unlink $errname;
    pipe(my $child_in, my $to_child) or die "pipe: $!";
    pipe(my $from_child, my $child_out) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        close $to_child;
        close $from_child;
        open STDIN, '<&', $child_in or POSIX::_exit(127);
        open STDOUT, '>&', $child_out or POSIX::_exit(127);
        open STDERR, '>&', $err or POSIX::_exit(127);
        exec $NODE, _client_js(), 'serve' or POSIX::_exit(127);
    }
    close $child_in;
    close $child_out;
    $to_child->autoflush(1);
    return $CO{$$} = { pid => $pid, in => $to_child, out => $from_child,
                       err => $err };
}

sub _co_stop {
    my $co = delete $CO{$$} or return;
    close $co->{in};
    close $co->{out};
    waitpid $co->{pid}, 0;
}

sub oidc_client {
    my ($cmd, @args) = @_;
    my $t0 = Time::HiRes::time();
    my ($r, $status);
    if ($ENV{AC_OIDC_NO_SERVE}) {
        my ($out, $st, $err) = _run($NODE, _client_js(), $cmd, @args);
        $r = eval { $JSON->decode($out) };
        die "client.mjs $cmd: no JSON (exit $st): $out$err\n"
            unless ref $r eq 'HASH';
        $status = $st;
    }
    else {
        my $co = _co();
        my $line;
        local $SIG{PIPE} = 'IGNORE';    # a dead co-process: say so below
        if (print { $co->{in} } $JSON->encode([$cmd, @args]) . "\n") {
            $line = readline $co->{out};
        }
        if (!defined $line) {
            _co_stop();
            my $fh = $co->{err};
            seek $fh, 0, 0;
            local $/;
            die "client.mjs serve died during $cmd: " . (<$fh> // '') . "\n";
        }
        my $a = eval { $JSON->decode($line) };
        die "client.mjs serve: not JSON: $line\n" unless ref $a eq 'HASH';
        ($r, $status) = ($a->{out}, $a->{code});
    }
    printf STDERR "# client.mjs %s %.2f s\n", $cmd, Time::HiRes::time() - $t0
        if $ENV{AC_OIDC_TRACE};
    return wantarray ? ($r, $status) : $r;
}

sub decode_jwt {
    my $t = shift // return undef;
    my @p = split /\./, $t, -1;
    return undef unless @p == 3;
    my $dec = sub {
        (my $s = shift) =~ tr{-_}{+/};
        $s .= '=' x (-length($s) % 4);
        return eval { $JSON->decode(MIME::Base64::decode_base64($s)) };
    };
    my ($h, $p) = ($dec->($p[0]), $dec->($p[1]));
    return undef unless ref $h eq 'HASH' && ref $p eq 'HASH';
    return { header => $h, payload => $p };
}

sub oidc_keygen {
    my %o = @_;
    my $alg = $o{alg} || 'ES256';
    my $file = $o{out};
    if (!$file) {
        my $dir = $o{dir} || File::Spec->tmpdir;
        $SEQ++;
        $file = File::Spec->catfile($dir, "key-$$-$SEQ-" . lc($alg) . '.jwk');
    }
    my $r = oidc_client('keygen', '--alg', $alg,
                        ($o{kid} ? ('--kid', $o{kid}) : ()), '--out', $file);
    die "keygen $alg: $r->{error_description}\n" if $r->{error};
    $r->{file} = $file;
    return $r;
}

# openssl: a CA, the HTTPS listener's certificate, mtls-app's client
# certificate (CN=mtls-app, signed by the CA) and a self-signed one.
sub _make_certs {
    my $d = shift;
    my @ec = ('-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes');
    my @steps = (
        [qw(openssl req -x509), @ec, '-keyout', "$d/ca.key", '-out',
         "$d/ca.pem", '-days', 30, '-subj', '/CN=mod_authchallenge OAuth test CA'],
        [qw(openssl req), @ec, '-keyout', "$d/server.key", '-out',
         "$d/server.csr", '-subj', '/CN=127.0.0.1'],
        [qw(openssl x509 -req -in), "$d/server.csr", '-CA', "$d/ca.pem",
         '-CAkey', "$d/ca.key", '-CAcreateserial', '-days', 30,
         '-extfile', "$d/server.ext", '-out', "$d/server.pem"],
        [qw(openssl req), @ec, '-keyout', "$d/client.key", '-out',
         "$d/client.csr", '-subj', '/CN=mtls-app'],
        [qw(openssl x509 -req -in), "$d/client.csr", '-CA', "$d/ca.pem",
         '-CAkey', "$d/ca.key", '-CAcreateserial', '-days', 30,
         '-extfile', "$d/client.ext", '-out', "$d/client.pem"],
        [qw(openssl req -x509), @ec, '-keyout', "$d/self.key", '-out',
         "$d/self.pem", '-days', 30, '-subj', '/CN=self'],
    );
    _spew("$d/server.ext",
          "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
          . "extendedKeyUsage=serverAuth\n");
    _spew("$d/client.ext", "extendedKeyUsage=clientAuth\n");
    for my $cmd (@steps) {
        my ($out, $status, $err) = _run(@$cmd);
        die "@$cmd: $err\n" if $status;
    }
    return (ca => "$d/ca.pem", ca_key => "$d/ca.key",
            server_cert => "$d/server.pem", server_key => "$d/server.key",
            client_cert => "$d/client.pem", client_key => "$d/client.key",
            self_cert => "$d/self.pem", self_key => "$d/self.key");
}

my %DEFAULT_SECRETS = (app => 'app-secret', rs => 'rs-secret',
                       bound => 'bound-app-secret');

sub _default_clients {
    return [
        { client_id => 'app', client_secret => $DEFAULT_SECRETS{app} },
        { client_id => 'rs', client_secret => $DEFAULT_SECRETS{rs} },
        { client_id => 'bound-app', client_secret => $DEFAULT_SECRETS{bound},
          tls_client_certificate_bound_access_tokens => JSON::PP::true },
        { client_id => 'mtls-app',
          token_endpoint_auth_method => 'tls_client_auth',
          tls_client_auth_subject_dn => 'CN=mtls-app',
          tls_client_certificate_bound_access_tokens => JSON::PP::true },
    ];
}

sub _write_keys {
    my ($as, $keys) = @_;
    $as->{keys} = [@$keys];
    $as->{kids} = [map { $_->{kid} } @$keys];
    $as->{sign_kid} = $keys->[0]{kid};
    _spew($as->{keys_file}, $JSON->encode({ keys => $keys }) . "\n", 0600);
}

sub start_oidc {
    my %o = @_;
    if (my $why = oidc_missing()) {
        die "start_oidc: $why\n";
    }
    my $made_dir = !$o{dir};
    my $dir = $o{dir} || File::Temp::tempdir('ac-oidc-XXXXXX', TMPDIR => 1);
    make_path($dir) unless -d $dir;
    $dir = Cwd::abs_path($dir);
    my $as = bless {
        dir => $dir, made_dir => $made_dir,
        keys_file => "$dir/keys.json", config_file => "$dir/config.json",
        ready_file => "$dir/ready.json", log => "$dir/server.log",
        owner => $o{owner} || $$, started_by => $$, keep => $o{keep} ? 1 : 0,
        timeout => $o{timeout} || 15,
    }, __PACKAGE__;

    my $keys = $o{keys};
    die "start_oidc: every key needs a kid\n"
        if $keys && grep { !defined $_->{kid} } @$keys;
    if (!$keys) {
        my $k = oidc_keygen(alg => $o{alg} || 'ES256', kid => $o{kid} || 'k1',
                            out => "$dir/k1.jwk");
        $keys = [$k->{private_jwk}];
    }
    _write_keys($as, $keys);

    my %cfg = (keys => $as->{keys_file}, ready_file => $as->{ready_file},
               owner_pid => $as->{owner} + 0);
    $cfg{port} = $o{port} + 0 if $o{port};
    if ($o{tls}) {
        %$as = (%$as, _make_certs($dir));
        $cfg{tls} = { cert => $as->{server_cert}, key => $as->{server_key},
                      ca => $as->{ca}, port => ($o{tls_port} || 0) + 0 };
    }
    $cfg{dpop_nonce} = JSON::PP::true if $o{dpop_nonce};
    for my $k (qw(clients resources scopes access_token_ttl default_resource
                  issuer sign_kid test_claims)) {
        $cfg{$k} = $o{$k} if exists $o{$k};
    }
    $cfg{clients} ||= _default_clients();
    $as->{cfg} = \%cfg;

    # clients by short name, with a secret file for the directives that
    # take one (AuthChallengeBearerIntrospect)
    my %clients;
    for my $c (@{ $cfg{clients} }) {
        my $name = $c->{client_id};
        $name =~ s/-app\z// if $name =~ /^(?:bound|mtls)-app\z/;
        my %e = (client_id => $c->{client_id});
        if (defined $c->{client_secret}) {
            $e{client_secret} = $c->{client_secret};
            $e{secret_file} = "$dir/$c->{client_id}.secret";
            _spew($e{secret_file}, $c->{client_secret}, 0644);
        }
        $clients{$name} = $clients{ $c->{client_id} } = \%e;
    }
    $as->{clients} = \%clients;

    _launch($as);
    return $as;
}

sub _launch {
    my $as = shift;
    my $cfg = $as->{cfg};
    if ($as->{port}) {      # a restart keeps its ports
        $cfg->{port} = $as->{port} + 0;
        $cfg->{tls}{port} = $as->{tls_port} + 0 if $cfg->{tls};
    }
    _spew($as->{config_file}, $JSON->encode($cfg) . "\n");
    unlink $as->{ready_file};
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $as->{log} or POSIX::_exit(127);
        open STDERR, '>&', \*STDOUT;
        exec $NODE, _server_js(), '--config', $as->{config_file}
            or POSIX::_exit(127);
    }
    $as->{pid} = $pid;
    $as->{forked_by} = $$;
    my $t0 = Time::HiRes::time();
    my $until = $t0 + $as->{timeout};
    my $ready;
    while (Time::HiRes::time() < $until) {
        if (-s $as->{ready_file}) {
            $ready = eval { $JSON->decode(_slurp($as->{ready_file})) };
            last if $ready;
        }
        last if waitpid($pid, POSIX::WNOHANG()) == $pid;
        Time::HiRes::sleep(0.05);
    }
    if (!$ready) {
        kill 'KILL', $pid;
        waitpid $pid, 0;
        delete $as->{pid};
        die "start_oidc: server.mjs did not start within $as->{timeout} s:\n"
            . _slurp($as->{log});
    }
    $RUNNING{$pid} = $as;
    printf STDERR "# server.mjs listens after %.2f s\n", Time::HiRes::time() - $t0
        if $ENV{AC_OIDC_TRACE};
    my $i = $ready->{issuer};
    %$as = (%$as,
        port => $ready->{port},
        tls_port => $ready->{tls_port},
        issuer => $i,
        jwks_uri => "$i/jwks",
        metadata_url => "$i/.well-known/oauth-authorization-server",
        openid_configuration => "$i/.well-known/openid-configuration",
        token_endpoint => "$i/token",
        introspection_endpoint => "$i/token/introspection",
        revocation_endpoint => "$i/token/revocation",
        ($ready->{tls_port}
         ? (mtls_token_endpoint => "https://127.0.0.1:$ready->{tls_port}/token")
         : ()),
    );
    # for attach_oidc: everything but the bookkeeping of this process
    my %saved = map { $_ => $as->{$_} }
                grep { !/^(?:made_dir|started_by|forked_by)\z/ } keys %$as;
    _spew("$as->{dir}/as.json", $JSON->encode(\%saved) . "\n");
    return $as;
}

sub attach_oidc {
    my $dir = shift;
    my $as = eval { $JSON->decode(_slurp("$dir/as.json")) };
    die "attach_oidc: no server state in $dir/as.json\n" unless ref $as eq 'HASH';
    die "attach_oidc: the server of $dir (pid $as->{pid}) is not running\n"
        unless $as->{pid} && _alive($as->{pid});
    $as->{keep} = 1;        # its starter stops it, not this process
    return bless $as, __PACKAGE__;
}

sub _alive {
    my $pid = shift;
    return 0 unless kill 0, $pid;
    my $stat = _slurp("/proc/$pid/stat");
    return $stat !~ /^\d+ \(.*\) Z/s;
}

sub stop_oidc {
    my ($as, %o) = @_;
    return 0 unless $as && $as->{pid};
    my $pid = delete $as->{pid};
    delete $RUNNING{$pid};
    my $was = _alive($pid);
    if ($was) {
        kill 'CONT', $pid;      # a paused server must wake up to stop
        kill 'TERM', $pid;
    }
    my $mine = ($as->{forked_by} // 0) == $$;
    my $until = Time::HiRes::time() + 5;
    while (1) {
        if ($mine) {
            last if waitpid($pid, POSIX::WNOHANG()) != 0;
        }
        else {
            last unless _alive($pid);
        }
        if (Time::HiRes::time() > $until) {
            kill 'KILL', $pid;
            waitpid($pid, 0) if $mine;
            last;
        }
        Time::HiRes::sleep(0.02);
    }
    if ($as->{made_dir} && !$o{keep_dir} && !$ENV{AC_OIDC_KEEP}) {
        remove_tree($as->{dir});
    }
    return $was;
}

sub restart_oidc {
    my ($as, %o) = @_;
    stop_oidc($as, keep_dir => 1);
    _write_keys($as, $o{keys}) if $o{keys};
    return _launch($as);
}

sub rotate_keys {
    my ($as, %o) = @_;
    $SEQ++;
    my $kid = $o{kid} || "k" . (@{ $as->{keys} } + 1) . "-$SEQ";
    my $k = oidc_keygen(alg => $o{alg} || _alg_of($as->{keys}[0]), kid => $kid,
                        out => "$as->{dir}/$kid.jwk");
    my @keys = ($k->{private_jwk},
                (($o{keep_old} // 1) ? @{ $as->{keys} } : ()));
    _write_keys($as, \@keys);
    if ($o{restart}) {
        restart_oidc($as);
    }
    else {
        my $r = _control($as, 'POST', '/__reload');
        die "rotate_keys: reload failed: " . ($r->{error} // '?') . "\n"
            unless $r->{ok};
    }
    return $kid;
}

sub _alg_of {
    my $jwk = shift;
    return $jwk->{alg} if $jwk->{alg};
    return 'RS256' if $jwk->{kty} eq 'RSA';
    return 'EdDSA' if $jwk->{kty} eq 'OKP';
    return { 'P-256' => 'ES256', 'P-384' => 'ES384',
             'P-521' => 'ES512' }->{ $jwk->{crv} };
}

sub _control {
    my ($as, $method, $path, $body) = @_;
    my $res = HTTP::Tiny->new(timeout => 10)->request(
        $method, "http://127.0.0.1:$as->{port}$path",
        { (defined $body ? (content => $JSON->encode($body)) : ()),
          headers => { 'content-type' => 'application/json' } });
    my $r = eval { $JSON->decode($res->{content}) };
    die "$method $path: $res->{status} $res->{reason}\n" unless ref $r eq 'HASH';
    return $r;
}

sub oidc_stats       { return _control($_[0], 'GET', '/__stats') }
sub oidc_reset_stats { return _control($_[0], 'POST', '/__reset') }

sub oidc_fault {
    my ($as, $faults) = @_;
    return _control($as, 'POST', '/__fault', $faults || {});
}

sub oidc_pause  { my $as = shift; return kill 'STOP', $as->{pid} }
sub oidc_resume { my $as = shift; return kill 'CONT', $as->{pid} }

sub _client_args {
    my ($as, $default, %o) = @_;
    my @a = ('--issuer', $as->{issuer});
    my $name = $o{client} || ($o{mtls} ? 'mtls' : $default);
    my $c = $as->{clients}{$name}
        || { client_id => $name, client_secret => $o{client_secret} };
    push @a, '--client-id', $c->{client_id};
    my $secret = exists $o{client_secret} ? $o{client_secret} : $c->{client_secret};
    push @a, '--client-secret', $secret if defined $secret;
    push @a, '--auth', $o{auth} if $o{auth};
    my ($cert, $key) = @o{qw(cert key)};
    ($cert, $key) = @$as{qw(client_cert client_key)} if $o{mtls} && !$cert;
    if ($cert) {
        die "mTLS needs start_oidc(tls => 1)\n" unless $as->{tls_port};
        push @a, '--cert', $cert, '--key', $key, '--ca', $as->{ca};
    }
    push @a, '--timeout', $o{timeout} if $o{timeout};
    return @a;
}

sub _key_file {
    my $k = shift;
    return ref $k eq 'HASH' ? $k->{file} : $k;
}

sub oidc_token {
    my ($as, %o) = @_;
    my @a = _client_args($as, 'app', %o);
    push @a, '--resource', $o{resource} if defined $o{resource};
    push @a, '--scope', $o{scope} if defined $o{scope};
    push @a, '--dpop-key', _key_file($o{dpop_key}) if $o{dpop_key};
    push @a, '--claims', $JSON->encode($o{claims}) if $o{claims};
    push @a, '--header', $JSON->encode($o{header}) if $o{header};
    return scalar oidc_client('token', @a);
}

sub oidc_introspect {
    my ($as, $token, %o) = @_;
    my @a = (_client_args($as, 'rs', %o), '--token', $token);
    push @a, '--hint', $o{hint} if $o{hint};
    return scalar oidc_client('introspect', @a);
}

sub oidc_revoke {
    my ($as, $token, %o) = @_;
    my @a = (_client_args($as, 'app', %o), '--token', $token);
    push @a, '--hint', $o{hint} if $o{hint};
    return scalar oidc_client('revoke', @a);
}

sub dpop_proof {
    my %o = @_;
    my @a = ('--key', _key_file($o{key}), '--htm', $o{htm} || 'GET',
             '--htu', $o{htu});
    my $tok = $o{token} // $o{ath_from_token};
    push @a, '--ath-from-token', $tok if defined $tok;
    push @a, '--nonce', $o{nonce} if defined $o{nonce};
    push @a, '--iat-offset', $o{iat_offset} if defined $o{iat_offset};
    push @a, '--jti', $o{jti} if defined $o{jti};
    push @a, '--claims', $JSON->encode($o{claims}) if $o{claims};
    push @a, '--header', $JSON->encode($o{header}) if $o{header};
    my $r = oidc_client('dpop-proof', @a);
    die "dpop_proof: $r->{error_description}\n" if $r->{error};
    return $r;
}

sub oidc_mint {
    my ($as, %o) = @_;
    my @a;
    my $at = $o{at} // 1;
    if ($at) {
        push @a, '--at', '--issuer', $as->{issuer},
            '--aud', $o{aud} // 'https://rs.example/api';
        push @a, '--sub', $o{sub} if defined $o{sub};
        push @a, '--scope', $o{scope} if defined $o{scope};
        push @a, '--ttl', $o{ttl} if defined $o{ttl};
        push @a, '--client-id', $o{client_id} if defined $o{client_id};
    }
    if (defined $o{secret}) {
        push @a, '--secret', $o{secret};
    }
    elsif (!defined $o{alg} || $o{alg} ne 'none') {
        push @a, '--keys', $as->{keys_file};
        push @a, '--kid', $o{kid} if defined $o{kid};
    }
    push @a, '--alg', $o{alg} if defined $o{alg};
    # undef deletes: JSON null
    push @a, '--claims', $JSON->encode($o{claims}) if $o{claims};
    push @a, '--header', $JSON->encode($o{header}) if $o{header};
    my $r = oidc_client('mint', @a);
    die "oidc_mint: $r->{error_description}\n" if $r->{error};
    return $r;
}

# Stop the servers this process started, and only in it: Apache-Test
# forks (a child's exit must not stop the parent's server), and a test
# that dies runs END blocks too.  $? is the test's exit status: keep it.
END {
    local $?;
    for my $as (values %RUNNING) {
        next if $as->{keep} || ($as->{started_by} // 0) != $$;
        stop_oidc($as);
    }
    _co_stop();
}

1;
