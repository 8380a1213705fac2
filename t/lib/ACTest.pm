# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Helpers for the mod_authchallenge Apache-Test suite.
#
#   use lib 't/lib';  (t/TEST.PL puts t/lib on @INC already)
#   use ACTest qw(:all);
#
#   hostport($vhost)          "127.0.0.1:<port>" of the main server
#                             (no argument) or of a <VirtualHost name>
#   raw_request($hp, $bytes)  send raw bytes, read one response; returns
#                             { status, reason, proto, headers =>
#                             [[name, value], ...] in wire order,
#                             duplicates kept, body, raw }
#   req($hp, $method, $target, [name => value, ...])
#                             raw_request with a built HTTP/1.1 request
#                             (Host and Connection: close added)
#   raw_connect($hp) / read_response($sock, $method)
#                             for CONNECT and keep-alive tests
#   headers_named($resp, $name)  all values of a header, in order
#   header_count($resp, $name)   how many fields of that name
#   basic($user, $pass)       "Basic <base64(user:pass)>"
#   b64($bytes)               base64 without newlines
#   curl(@args)               HTTP status code string from /usr/bin/curl
#   curl_full(@args)          (status, headers text, body) from curl
#   error_log_mark()          current size of t/logs/error_log
#   error_log_since($mark)    text logged after the mark
#   wait_log($mark, $re, $s)  text after the mark once it matches $re
#                             (or after $s seconds, default 3)
#   %USERS                    user => password of the DBM fixture
#   secrets_in_log($mark, @more)
#                             which of the fixture passwords, their Basic
#                             tokens and @more appear in error_log after
#                             $mark (empty list: none)
#   start_httpd(%o) / stop_httpd($h)
#                             a separate, throw-away httpd (for start-up
#                             failures); see below
package ACTest;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use IO::Socket::INET ();
use IO::Select ();
use MIME::Base64 qw(encode_base64);
use File::Spec ();
use File::Path qw(make_path remove_tree);
use POSIX ();
use Apache::TestConfig ();

our @EXPORT_OK = qw(hostport raw_request req request_bytes raw_connect
                    read_response
                    headers_named header_count basic b64 curl curl_full
                    error_log_mark error_log_since wait_log
                    start_httpd stop_httpd t_dir secrets_in_log
                    %USERS %FILE_USERS %DYNAMIC_USERS $CURL);
our %EXPORT_TAGS = (all => \@EXPORT_OK);

our $CURL = '/usr/bin/curl';

# The DBM fixture (t/run-apache-test.sh creates it; keep in step).
our %USERS = (
    alice  => 'Alice-Pw-7Qx!',   # bcrypt   (htdbm -B)
    bob    => 'Bob-Pw-8Rz#',     # $apr1$   (htdbm -m)
    carol  => 'Carol-Pw-9Sy%',   # {SHA}    (htdbm -s)
    dave   => 'Dv4Tw&pq',        # crypt    (htdbm -d, 8 chars max)
    "j\xc3\xb6rg" => "J\xc3\xb6rg-Pw-5\xc3\x9cv",   # bcrypt, UTF-8
    eve    => 'Eve:Pw:6:',       # $apr1$, colons in the password
    gina   => 'Gina-Pw-4Hj',     # $apr1$ + ":staff,admins" (groups)
    sam5   => 'Sha5-Pw-1Kl',     # $5$ SHA-256 crypt
    sam6   => 'Sha6-Pw-2Mn',     # $6$ SHA-512 crypt
);
# Only in users.htpasswd (mod_authn_file), besides alice.
our %FILE_USERS = (alice => $USERS{alice}, henry => 'Henry-Pw-2Cd');
# Only in dynamic.db at start; t/config/dbmedit.t adds and removes more.
our %DYNAMIC_USERS = (zed => 'Zed-Pw-1Ab');

my $TIMEOUT = 10;

# The configuration Apache-Test saved when it configured the server.
# Apache::Test::config() would rebuild it (dozens of apxs and
# apr-1-config runs, seconds per test file); the saved copy has every
# port and path we need.
my $CFG;
sub _cfg {
    return $CFG ||= Apache::TestConfig->thaw;
}

sub _var {
    return _cfg()->{vars}{ $_[0] };
}

sub t_dir {
    return _var('t_dir');
}

sub hostport {
    my $name = shift;
    my $cfg = _cfg();
    my $port;
    if (!defined $name || $name eq 'default') {
        $port = $cfg->{vars}{port};
    }
    else {
        my $vh = $cfg->{vhosts}{$name}
            or die "no <VirtualHost $name> in the test config";
        $port = $vh->{port};
    }
    return "127.0.0.1:$port";
}

sub b64 {
    return encode_base64(shift, '');
}

sub basic {
    my ($user, $pass) = @_;
    return 'Basic ' . b64("$user:$pass");
}

# raw_connect($hp[, $src]): $src binds the client end to another local
# address (e.g. 127.0.0.2: a second client for the failure limit).
sub raw_connect {
    my ($hp, $src) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => $hp, Proto => 'tcp',
                                  ($src ? (LocalAddr => $src) : ()),
                                  Timeout => $TIMEOUT)
        or die "connect $hp" . ($src ? " from $src" : '') . ": $!";
    binmode $s;
    $s->autoflush(1);
    return $s;
}

# Read up to a line end (or what is there at EOF).
sub _read_line {
    my ($s, $buf) = @_;
    while ($$buf !~ /\n/) {
        my $n = _fill($s, $buf);
        last unless $n;
    }
    if ($$buf =~ s/^(.*?)\r?\n//s) {
        return $1;
    }
    my $rest = $$buf;
    $$buf = '';
    return length $rest ? $rest : undef;
}

sub _fill {
    my ($s, $buf) = @_;
    my $sel = IO::Select->new($s);
    return 0 unless $sel->can_read($TIMEOUT);
    my $n = sysread($s, my $chunk, 65536);
    return 0 unless $n;
    $$buf .= $chunk;
    return $n;
}

sub _read_n {
    my ($s, $buf, $n) = @_;
    while (length $$buf < $n) {
        last unless _fill($s, $buf);
    }
    return substr($$buf, 0, $n, '');
}

# Parse one response from $s.  $method tells whether a body follows
# (HEAD, and 2xx to CONNECT, have none).  Bytes read past the response
# stay in $s's buffer (kept in ${*$s}{ac_buf}) for the next call.
sub read_response {
    my ($s, $method) = @_;
    $method ||= 'GET';
    my $buf = \(${*$s}{ac_buf} //= '');
    my %r = (headers => [], body => '', raw => '');
    my $line;
    do { $line = _read_line($s, $buf) } while defined $line && $line eq '';
    return undef unless defined $line;
    @r{qw(proto status reason)} = $line =~ m{^(HTTP/\d\.\d)\s+(\d{3})\s*(.*)$}
        or die "bad status line: $line";
    $r{raw} = "$line\n";
    while (defined($line = _read_line($s, $buf)) && $line ne '') {
        $r{raw} .= "$line\n";
        if ($line =~ /^[ \t]/ && @{ $r{headers} }) {   # obs-fold
            $r{headers}[-1][1] .= ' ' . ($line =~ s/^\s+//r);
            next;
        }
        my ($n, $v) = $line =~ /^([^:]+):\s*(.*?)\s*$/ or next;
        push @{ $r{headers} }, [$n, $v];
    }
    $r{raw} .= "\n";
    my $st = $r{status};
    return \%r if $method eq 'HEAD' || $st =~ /^1/ || $st == 204
        || $st == 304 || ($method eq 'CONNECT' && $st =~ /^2/);
    my ($te) = headers_named(\%r, 'Transfer-Encoding');
    my ($cl) = headers_named(\%r, 'Content-Length');
    if ($te && $te =~ /chunked/i) {
        while (defined(my $size = _read_line($s, $buf))) {
            $size = hex((split /;/, $size)[0]);
            last if $size == 0;
            $r{body} .= _read_n($s, $buf, $size);
            _read_line($s, $buf);
        }
        while (defined($line = _read_line($s, $buf)) && $line ne '') { }
    }
    elsif (defined $cl) {
        $r{body} = _read_n($s, $buf, $cl);
    }
    else {
        1 while _fill($s, $buf);
        $r{body} = $$buf;
        $$buf = '';
    }
    $r{raw} .= $r{body};
    return \%r;
}

# raw_request($hp, $bytes[, $src])
sub raw_request {
    my ($hp, $bytes, $src) = @_;
    my $s = raw_connect($hp, $src);
    local $SIG{PIPE} = 'IGNORE';
    print $s $bytes;
    my ($method) = $bytes =~ /^(\S+)/;
    my $r = read_response($s, $method);
    close $s;
    die "no response from $hp" unless $r;
    return $r;
}

# request_bytes($hp, $method, $target, $body, @header_pairs): one
# HTTP/1.1 request; header pairs in the given order; Host (= $hp),
# Content-Length (with a body) and Connection: close unless given.
sub request_bytes {
    my ($hp, $method, $target, $body, @h) = @_;
    my %seen;
    for (my $i = 0; $i < @h; $i += 2) {
        $seen{ lc $h[$i] } = 1;
    }
    my $msg = "$method $target HTTP/1.1\r\n";
    $msg .= "Host: $hp\r\n" unless $seen{host};
    while (my ($n, $v) = splice @h, 0, 2) {
        $msg .= "$n: $v\r\n";
    }
    $msg .= "Content-Length: " . length($body) . "\r\n"
        if defined $body && !$seen{'content-length'};
    $msg .= "Connection: close\r\n" unless $seen{connection};
    $msg .= "\r\n";
    $msg .= $body if defined $body;
    return $msg;
}

# req($hp, 'GET', '/basic/ok.txt', Authorization => '...', ...)
sub req {
    my ($hp, $method, $target, @h) = @_;
    return raw_request($hp, request_bytes($hp, $method, $target, undef, @h));
}

sub headers_named {
    my ($r, $name) = @_;
    return map { $_->[1] } grep { lc $_->[0] eq lc $name } @{ $r->{headers} };
}

sub header_count {
    return scalar(my @v = headers_named(@_));
}

sub _run {
    my @cmd = @_;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        open STDERR, '>', '/dev/null';
        exec @cmd or POSIX::_exit(127);
    }
    local $/;
    my $out = <$fh>;
    close $fh;
    return $out // '';
}

# Status code of the last response curl saw, as a string ("200").
sub curl {
    my @args = @_;
    return _run($CURL, '-s', '-o', '/dev/null', '-w', '%{http_code}',
                '--max-time', $TIMEOUT, @args);
}

# (status, headers, body): headers as curl printed them (-D -), for
# every response it read (so a 407 then 200 shows both blocks).
sub curl_full {
    my @args = @_;
    my $out = _run($CURL, '-s', '-D', '-', '--max-time', $TIMEOUT,
                   '-w', "\n%{http_code}", @args);
    $out =~ s/\n(\d{3})\z// or return ('000', '', $out);
    my $code = $1;
    my ($h, $b) = ('', $out);
    while ($b =~ s/\A(HTTP\/[\d.]+ \d{3}.*?\r?\n\r?\n)//s) {
        $h .= $1;
    }
    return ($code, $h, $b);
}

sub secrets_in_log {
    my ($mark, @more) = @_;
    my $log = error_log_since($mark);
    my @secrets = (values %USERS, values %FILE_USERS,
                   values %DYNAMIC_USERS, @more);
    push @secrets, map { b64("$_:$USERS{$_}") } keys %USERS;
    return grep { index($log, $_) >= 0 } @secrets;
}

sub _error_log {
    return File::Spec->catfile(_var('t_logs'), 'error_log');
}

sub error_log_mark {
    return -s _error_log() || 0;
}

sub error_log_since {
    my $mark = shift || 0;
    open my $fh, '<', _error_log() or return '';
    binmode $fh;
    seek $fh, $mark, 0;
    local $/;
    my $text = <$fh>;
    return $text // '';
}

sub wait_log {
    my ($mark, $re, $secs) = @_;
    my $until = time + ($secs || 3);
    my $text;
    while (1) {
        $text = error_log_since($mark);
        return $text if $text =~ $re || time >= $until;
        select undef, undef, undef, 0.1;
    }
}

# A throw-away httpd for what the shared server cannot test (start-up
# failures, server-wide settings).  start_httpd(name => 'x', conf =>
# $text) writes t/var/httpd-<name>/httpd.conf: a minimal server on a
# free port (with LoadModule lines for this module, mod_auth_basic,
# authn/authz core and user, mpm_event, unixd is built in) followed by
# $text, where @PORT@ and @DIR@ are replaced.  Returns { ok => 1|0,
# output => what httpd printed, dir, port, hostport, error_log => path }.
# stop_httpd($h) stops it.
sub start_httpd {
    my %o = @_;
    my $name = $o{name} or die 'start_httpd: name';
    my $dir = File::Spec->catdir(t_dir(), 'var', "httpd-$name");
    remove_tree($dir);
    make_path("$dir/logs", "$dir/htdocs", { mode => 0755 });
    chmod 0755, $dir, "$dir/logs", "$dir/htdocs";
    my $port = _free_port();
    my $top = File::Spec->catdir(t_dir(), File::Spec->updir);
    my $mods = '/usr/lib/apache2/modules';
    my $user = _var('user') || 'www-data';
    my $group = _var('group') || 'www-data';
    my $conf = <<"EOC";
ServerRoot "$dir"
Listen 127.0.0.1:$port
ServerName 127.0.0.1
PidFile "$dir/logs/httpd.pid"
ErrorLog "$dir/logs/error_log"
DefaultRuntimeDir "$dir/logs"
LogLevel info authchallenge:trace8
DocumentRoot "$dir/htdocs"
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authn_core_module $mods/mod_authn_core.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule authz_user_module $mods/mod_authz_user.so
LoadModule auth_basic_module $mods/mod_auth_basic.so
LoadModule socache_shmcb_module $mods/mod_socache_shmcb.so
LoadModule authchallenge_module "${\ ($ENV{AC_MODULE} || "$top/build/mod_authchallenge.so")}"
StartServers 1
ThreadsPerChild 5
MinSpareThreads 5
MaxSpareThreads 10
ServerLimit 2
MaxRequestWorkers 10
EOC
    $conf .= "User $user\nGroup $group\n" if $> == 0;
    my $extra = $o{conf} // '';
    $extra =~ s/\@PORT\@/$port/g;
    $extra =~ s/\@DIR\@/$dir/g;
    $conf .= $extra;
    open my $fh, '>', "$dir/httpd.conf" or die "$dir/httpd.conf: $!";
    print $fh $conf;
    close $fh;
    open $fh, '>', "$dir/htdocs/ok.txt" or die;
    print $fh "ok\n";
    close $fh;
    chmod 0644, "$dir/httpd.conf", "$dir/htdocs/ok.txt";
    my $httpd = _var('httpd') || '/usr/sbin/apache2';
    my $out = _run_merged($httpd, '-f', "$dir/httpd.conf", '-k', 'start');
    my %h = (dir => $dir, port => $port, hostport => "127.0.0.1:$port",
             output => $out, httpd => $httpd,
             error_log => "$dir/logs/error_log", ok => 0);
    # httpd -k start returns before the children listen: wait for it.
    for (1 .. 50) {
        if (-e "$dir/logs/httpd.pid"
            && IO::Socket::INET->new(PeerAddr => $h{hostport},
                                     Timeout => 1)) {
            $h{ok} = 1;
            last;
        }
        last unless _pid_alive("$dir/logs/httpd.pid") || $_ < 10;
        select undef, undef, undef, 0.1;
    }
    $h{output} .= _slurp($h{error_log});
    return \%h;
}

sub stop_httpd {
    my $h = shift or return;
    return unless -e "$h->{dir}/logs/httpd.pid";
    _run_merged($h->{httpd}, '-f', "$h->{dir}/httpd.conf", '-k', 'stop');
    for (1 .. 50) {
        last unless -e "$h->{dir}/logs/httpd.pid";
        select undef, undef, undef, 0.1;
    }
}

sub _pid_alive {
    my $f = shift;
    my $pid = _slurp($f);
    return 0 unless $pid =~ /(\d+)/;
    return kill 0, $1;
}

sub _slurp {
    my $f = shift;
    open my $fh, '<', $f or return '';
    local $/;
    return <$fh> // '';
}

sub _run_merged {
    my @cmd = @_;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        open STDERR, '>&', \*STDOUT;
        exec @cmd or POSIX::_exit(127);
    }
    local $/;
    my $out = <$fh>;
    close $fh;
    return $out // '';
}

sub _free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Listen => 1, ReuseAddr => 1)
        or die "no free port: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

1;
