# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Helpers for the LDAP tests (t/ldap/*.t): the slapd that
# t/ldap/start-for-tests.sh started in t/var/ldap/ before httpd.
#
#   have_ldap()          true when that slapd was started for this run
#                        (t/var/ldap/ldap-port.conf exists): plan with
#                        need { 'slapd ...' => \&have_ldap }
#   ldap_dir([N])        t/var/ldap (N 2: t/var/ldap2, the second slapd,
#                        with the same data, for several servers in one
#                        URL); every slapd_* function takes N too
#   ldap_port([N]) / ldap_tls_port()
#   slapd_pid([N])       its pid (from slapd.pid)
#   slapd_up([N])        it answers a root DSE search within 1 s
#   slapd_stop([N])      slapd-ctl stop (works when SIGSTOPped too)
#   slapd_start([N])     slapd-ctl start again: same ports, same data,
#                        same owner (so it still dies with the suite)
#   slapd_pause([N]) / slapd_resume([N])
#                        SIGSTOP / SIGCONT: a directory that accepts
#                        connections and never answers
#   slapd_ops()          operations (bind, search, compare) the first
#                        slapd has been asked for, from cn=Monitor, less
#                        those of the asking: the difference of two
#                        calls is what others asked for in between
#   proxy_port()         t/ldap/tcp-proxy, a relay to the first slapd
#   proxy_silence() / proxy_reset()
#                        the relay's connections open now go silent /
#                        are reset (a firewall); new ones are relayed
#   timed(sub {...})     (elapsed seconds, what the sub returned)
#   %LDAP_USERS          user => password of t/ldap/fixture.ldif
#   %LDAP_TOKENS         opaque Bearer token => user
#   @LDAP_SECRETS        every password, token and HA1 of the fixture
#                        (plus the Basic tokens of the users): none may
#                        ever appear in error_log
package ACLdap;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use File::Spec ();
use Time::HiRes ();
use MIME::Base64 qw(encode_base64);
use ACTest ();

our @EXPORT_OK = qw(have_ldap ldap_dir ldap_port ldap_tls_port slapd_pid
                    slapd_up slapd_stop slapd_start slapd_pause
                    slapd_resume slapd_ops proxy_port proxy_silence
                    proxy_reset timed %LDAP_USERS %LDAP_TOKENS
                    %LDAP_SCENARIO_USERS @LDAP_SECRETS $LDAP_REALM);
our %EXPORT_TAGS = (all => \@EXPORT_OK);

our $LDAP_REALM = 'LDAP Realm';

# t/ldap/mkfixture.py (keep in step).  Bytes, UTF-8 where needed.
our %LDAP_USERS = (
    alice          => 'alice-pw',
    bob            => 'bob-pw',
    "j\xc3\xb6rg"  => "j\xc3\xb6rg-pw",
    'a*'           => 'astar-pw',
    'x(y)*'        => 'xy-pw',
    dup            => 'dup-pw',
);
our %LDAP_TOKENS = (
    'alice-token-1'   => 'alice',      # exp 0 (never), "read write"
    'alice-token-old' => 'alice',      # exp 1000000000 (2001)
    'bob-token-1'     => 'bob',        # exp 4102444800 (2100), "read"
);
# The group scenarios' users (mkfixture.py: SCENARIO_USERS), in both
# dc=example,dc=org and dc=example,dc=com.
our %LDAP_SCENARIO_USERS = (
    alice => 'alice-pw', bob => 'bob-pw', carol => 'carol-pw',
    dave => 'dave-pw', erin => 'erin-pw', frank => 'frank-pw',
);
our @LDAP_SECRETS = (
    values %LDAP_USERS, keys %LDAP_TOKENS, 'reader-pw',
    grep { !/^(?:alice|bob)-pw\z/ } values %LDAP_SCENARIO_USERS,
    (map { encode_base64("$_:$LDAP_USERS{$_}", '') } keys %LDAP_USERS),
    # HA1 values of alice (MD5, SHA-256, SHA-512-256) and jörg (MD5)
    '5e8d26e4598b5b524344e6db33c5b3a3',
    'eb992a294738aae243a2726cc7c5ffe985572a4dc1267a451cb29ef1b1c33701',
    'f638efd568b9642b5a08286d9768d6c07c682c3e807fda100c01f076c9fe38ba',
    '8b511441a2ea8329d208ab6154323974',
);

sub ldap_dir {
    my $n = shift // 1;
    return File::Spec->catdir(ACTest::t_dir(), 'var',
                              $n == 1 ? 'ldap' : "ldap$n");
}

# A file of ldap_dir($n), without trailing white space; '' if none.
sub _slurp {
    my ($name, $n) = @_;
    my $f = File::Spec->catfile(ldap_dir($n), $name);
    open my $fh, '<', $f or return '';
    my $s = do { local $/; <$fh> } // '';
    $s =~ s/\s+\z//;
    return $s;
}

sub have_ldap {
    return -e File::Spec->catfile(ldap_dir(), 'ldap-port.conf');
}

sub ldap_port     { return _slurp('port', shift) }
sub ldap_tls_port { return _slurp('tls-port') }
sub slapd_pid     { return _slurp('slapd.pid', shift) }
sub proxy_port    { return _slurp('proxy-port') }

sub _ctl {
    my @args = @_;
    my $ctl = File::Spec->catfile(ACTest::t_dir(), 'ldap', 'slapd-ctl');
    local $ENV{SLAPD_CTL_OWNER} = _slurp('owner') || $$;
    my $out = `$ctl @args 2>&1`;
    return $? == 0 ? 1 : (warn("slapd-ctl @args: $out"), 0);
}

sub slapd_up {
    my $port = ldap_port(shift);
    system("ldapsearch -x -o nettimeout=1 -l 1 -H ldap://127.0.0.1:$port/"
           . " -b '' -s base -LLL namingContexts >/dev/null 2>&1");
    return $? == 0;
}

sub slapd_stop  { return _ctl('stop', ldap_dir(shift)) }
sub slapd_start { return _ctl('start', ldap_dir(shift)) }

sub slapd_pause {
    my $pid = slapd_pid(shift) or return 0;
    return kill 'STOP', $pid;
}

sub slapd_resume {
    my $pid = slapd_pid(shift) or return 0;
    return kill 'CONT', $pid;
}

# Bind + search + compare initiated, from cn=Monitor (as the admin).
sub _monitor_ops {
    my $port = ldap_port();
    my $out = `ldapsearch -x -o nettimeout=2 -H ldap://127.0.0.1:$port/ -D cn=admin,dc=example,dc=org -w secret -b cn=Operations,cn=Monitor -s one -LLL '(|(cn=Bind)(cn=Search)(cn=Compare))' monitorOpInitiated 2>/dev/null`;
    my $n = 0;
    $n += $1 while $out =~ /^monitorOpInitiated: (\d+)$/mg;
    return $n;
}

# What one reading costs (its own bind and search), measured once, and
# the readings so far: each call takes away what every reading cost.
my ($reading_cost, $readings) = (undef, 0);

sub slapd_ops {
    $reading_cost //= do { my $a = _monitor_ops(); _monitor_ops() - $a };
    $readings++;
    return _monitor_ops() - $readings * $reading_cost;
}

sub _proxy_signal {
    my $pid = _slurp('proxy.pid') or return 0;
    my $ok = kill shift, $pid;
    select undef, undef, undef, 0.2;    # the relay acts within its loop
    return $ok;
}

sub proxy_silence { return _proxy_signal('USR1') }
sub proxy_reset   { return _proxy_signal('USR2') }

sub timed {
    my $code = shift;
    my $t0 = Time::HiRes::time();
    my $r = $code->();
    return (Time::HiRes::time() - $t0, $r);
}

1;
