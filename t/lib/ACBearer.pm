# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Shared helpers for the Bearer tests (t/bearer/*.t, t/proxy/bearer.t).
# Challenges are parsed by t/lib/ACAuthParam.pm (challenge_params).
#
#   is_bearer_error($r, $status, $error, $what, [$hdr], [$realm])
#                              status, exactly one challenge header,
#                              realm, error, a non-empty
#                              error_description (for invalid_token),
#                              and no challenge under the other name
#   is_plain_401($r, $what, [$realm])
#                              401, exactly 'Bearer realm="API"'
package ACBearer;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use Test::More ();
use ACTest qw(headers_named header_count);
use ACAuthParam qw(challenge_params);

our @EXPORT_OK = qw(is_bearer_error is_plain_401);
our %EXPORT_TAGS = (all => \@EXPORT_OK);

# $hdr defaults to WWW-Authenticate; the other challenge header must be
# absent.
sub is_bearer_error {
    my ($r, $status, $error, $what, $hdr, $realm) = @_;
    $hdr ||= 'WWW-Authenticate';
    $realm //= 'API';
    my $other = lc $hdr eq 'www-authenticate' ? 'Proxy-Authenticate'
                                              : 'WWW-Authenticate';
    my @c = headers_named($r, $hdr);
    my $ok = Test::More::is($r->{status}, $status, "$what: $status");
    $ok &= Test::More::is(scalar @c, 1, "$what: one $hdr");
    my $p = challenge_params($c[0]);
    $ok &= Test::More::is_deeply(
        [@$p{qw(scheme realm error)}], ['Bearer', $realm, $error],
        "$what: Bearer realm=\"$realm\", error=\"$error\"")
        or Test::More::diag("$hdr: " . ($c[0] // '(none)'));
    if ($error eq 'invalid_token') {
        $ok &= Test::More::ok(defined $p->{error_description}
                              && length $p->{error_description},
                              "$what: error_description present");
    }
    $ok &= Test::More::is(header_count($r, $other), 0, "$what: no $other");
    return $ok;
}

sub is_plain_401 {
    my ($r, $what, $realm) = @_;
    $realm //= 'API';
    Test::More::is($r->{status}, 401, "$what: 401");
    Test::More::is_deeply([headers_named($r, 'WWW-Authenticate')],
                          ["Bearer realm=\"$realm\""],
                          "$what: exactly Bearer realm=\"$realm\"");
}

1;
