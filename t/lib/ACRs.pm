# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Helpers for the tests of the module as the resource server of a real
# authorization server (t/rs/*.t, t/proxy/rs.t; docs/bearer.md).  The
# server is the one t/rs/setup.sh started for the whole run
# (t/var/oidc/, see t/rs/as-ctl); tokens come from it through
# t/lib/ACOidc.pm.
#
#   rs_as()                 the server (attach_oidc), or undef when it is
#                           not running: plan skip_all => rs_missing()
#   rs_missing()            why not (for skip_all), or undef
#   token($as, %o)          an access token from the server (oidc_token's
#                           options; claims => {...}); dies on an error.
#                           Remembered for no_secrets_logged.
#   minted($as, %o)         a JWT signed by hand with the server's key
#                           (oidc_mint's options); remembered too
#   bget($hp, $path, $tok, @headers)
#                           GET with Authorization: Bearer $tok (none when
#                           undef)
#   pget($hp, $url, $tok, @headers)
#                           GET $url through the forward proxy $hp with
#                           Proxy-Authorization: Bearer $tok
#   rm_param($hp)           ', resource_metadata="<the metadata URL of
#                           t/conf/rs.conf.in>"'
#   challenge_is($r, $status, $want, $what, [$hdr])
#                           status, exactly one challenge field equal to
#                           $want, none under the other name
#   jwks_fetches($as)       the server's count of key set fetches
#   parallel($n, $code)     run $code->($i) for 1..$n in $n processes at
#                           once; their return values (strings), in order
#   no_secrets_logged($mark, @more)
#                           no token handed out, no client secret and
#                           none of @more in error_log since $mark (one
#                           test)
package ACRs;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use File::Spec ();
use POSIX ();
use Test::More ();
use ACOidc qw(:all);
use ACTest qw(req headers_named header_count error_log_since t_dir);

our @EXPORT_OK = qw(rs_as rs_missing token minted bget pget rm_param
                    challenge_is jwks_fetches parallel no_secrets_logged);
our %EXPORT_TAGS = (all => \@EXPORT_OK);

my @HANDED;         # every token handed out in this process

sub _dir { return File::Spec->catdir(t_dir(), 'var', 'oidc') }

sub rs_missing {
    return 'no authorization server (t/rs/setup.sh: ' . (oidc_missing()
        // 'did not start it') . ')'
        unless -e File::Spec->catfile(_dir(), 'oidc.conf');
    return undef;
}

sub rs_as {
    return rs_missing() ? undef : attach_oidc(_dir());
}

sub token {
    my ($as, %o) = @_;
    my $t = oidc_token($as, %o);
    die "token: $t->{error}: " . ($t->{error_description} // '') . "\n"
        if $t->{error};
    push @HANDED, $t->{access_token};
    return $t->{access_token};
}

sub minted {
    my ($as, %o) = @_;
    my $t = oidc_mint($as, %o)->{token};
    push @HANDED, $t;
    return $t;
}

sub bget {
    my ($hp, $path, $tok, @h) = @_;
    push @h, Authorization => "Bearer $tok" if defined $tok;
    return req($hp, 'GET', $path, @h);
}

sub pget {
    my ($hp, $url, $tok, @h) = @_;
    my ($host) = $url =~ m{^https?://([^/]+)};
    push @h, 'Proxy-Authorization' => "Bearer $tok" if defined $tok;
    return req($hp, 'GET', $url, Host => $host, @h);
}

sub rm_param {
    my $hp = shift;
    return ", resource_metadata=\"http://$hp/.well-known/"
         . "oauth-protected-resource/mcp/\"";
}

sub challenge_is {
    my ($r, $status, $want, $what, $hdr) = @_;
    $hdr ||= 'WWW-Authenticate';
    my $other = lc $hdr eq 'www-authenticate' ? 'Proxy-Authenticate'
                                              : 'WWW-Authenticate';
    my $ok = Test::More::is($r->{status}, $status, "$what: $status");
    $ok &= Test::More::is_deeply([headers_named($r, $hdr)], [$want],
                                 "$what: exactly $hdr: $want");
    $ok &= Test::More::is(header_count($r, $other), 0, "$what: no $other");
    return $ok;
}

sub jwks_fetches {
    return oidc_stats(shift)->{jwks_fetches};
}

sub parallel {
    my ($n, $code) = @_;
    my @kids;
    # every child forked and waiting first, then all let go at once: the
    # requests arrive together, not as fast as perl forks
    pipe(my $go_r, my $go_w) or die "pipe: $!";
    pipe(my $ready_r, my $ready_w) or die "pipe: $!";
    for my $i (1 .. $n) {
        pipe(my $rd, my $wr) or die "pipe: $!";
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            close $rd;
            close $go_w;
            close $ready_r;
            syswrite $ready_w, 'r';
            sysread $go_r, my $x, 1;        # EOF: go
            my $out = eval { $code->($i) } // "died: $@";
            print $wr $out;
            close $wr;
            POSIX::_exit(0);
        }
        close $wr;
        push @kids, [$pid, $rd];
    }
    close $ready_w;
    close $go_r;
    my $got = 0;
    while ($got < $n && sysread $ready_r, my $buf, $n) {
        $got += length $buf;
    }
    close $go_w;
    my @out;
    for my $k (@kids) {
        my $fh = $k->[1];
        local $/;
        push @out, scalar(<$fh>) // '';
        waitpid $k->[0], 0;
    }
    return @out;
}

sub no_secrets_logged {
    my ($mark, @more) = @_;
    my $log = error_log_since($mark);
    my $as = rs_as();
    my @secrets = (@HANDED, @more,
                   map { $_->{client_secret} // () }
                   values %{ $as ? $as->{clients} : {} });
    my @found = grep { length && index($log, $_) >= 0 } @secrets;
    Test::More::is(scalar @found, 0, 'no token, client secret or '
                   . 'introspection answer in error_log (trace8)')
        or Test::More::diag("found: @found");
}

1;
