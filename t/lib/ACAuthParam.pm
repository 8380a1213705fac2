# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# The suite's one parser of HTTP authentication header values, written
# from RFC 9110 §11 (challenge / credentials = auth-scheme [ 1*SP (
# token68 / #auth-param ) ], auth-param = token BWS "=" BWS ( token /
# quoted-string )), independent of the module's code.  Every Perl test
# that reads a WWW-Authenticate, Proxy-Authenticate, Authorization,
# Proxy-Authorization or (Proxy-)Authentication-Info value uses it.
#
#   use ACAuthParam qw(:all);
#
#   parse_challenges(@values) [{ scheme => 'Digest', params => { name =>
#                             value }, order => [names], quoted => { name
#                             => 1 if it was a quoted-string },
#                             [token68 => 'abc=='] }, ...] from header
#                             values; several challenges per value ok
#                             (names lower-cased, quoted-pairs undone);
#                             dies on text that is no auth-param list
#   challenge_params($value)  { scheme => ..., name => value, ... } of the
#                             first challenge (or credentials) of one
#                             value; {} for undef or an empty value
#   parse_params($text)       { name => value } of a bare auth-param list
#                             (Authentication-Info, or credentials with
#                             the scheme taken off)
package ACAuthParam;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';

our @EXPORT_OK = qw(parse_challenges challenge_params parse_params);
our %EXPORT_TAGS = (all => \@EXPORT_OK);

# Tokens: ',' '=' ['q', unescaped quoted-string] ['t', token].  A token
# also takes '/', so that an unquoted uri still parses.
sub _tokenize {
    my $s = shift;
    my @t;
    pos($s) = 0;
    while (pos($s) < length $s) {
        if ($s =~ /\G[ \t]+/gc) { next }
        if ($s =~ /\G,/gc) { push @t, [','] ; next }
        if ($s =~ /\G=/gc) { push @t, ['='] ; next }
        if ($s =~ /\G"((?:[^"\\]|\\.)*)"/gc) {
            (my $v = $1) =~ s/\\(.)/$1/g;
            push @t, ['q', $v];
            next;
        }
        if ($s =~ /\G([!#\$%&'*+\-.^_`|~0-9A-Za-z\/]+)/gc) {
            push @t, ['t', $1];
            next;
        }
        die "cannot parse at: " . substr($s, pos($s));
    }
    return @t;
}

# Right after the scheme: a token68 is a token, then only '='s, then a
# ',' or the end.
sub _token68 {
    my $t = shift;
    return undef unless @$t && $t->[0][0] eq 't'
        && $t->[0][1] =~ m{\A[A-Za-z0-9\-._~+/]+\z};
    my $n = 1;
    $n++ while $n < @$t && $t->[$n][0] eq '=';
    return undef if $n < @$t && $t->[$n][0] ne ',';
    # "name=value" is an auth-param, not a token68 ending in '='
    return undef if $n == 2 && @$t > 2 && $t->[2][0] ne ',';
    my @part = splice @$t, 0, $n;
    return $part[0][1] . ('=' x ($n - 1));
}

sub parse_challenges {
    my @out;
    for my $v (@_) {
        my @t = _tokenize($v);
        my $cur;
        while (@t) {
            my $x = shift @t;
            next if $x->[0] eq ',';
            die "unexpected token" unless $x->[0] eq 't';
            if (@t >= 2 && $t[0][0] eq '=' && $cur) {   # auth-param
                shift @t;
                my $val = shift @t;
                $cur->{params}{ lc $x->[1] } = $val->[1];
                push @{ $cur->{order} }, lc $x->[1];
                $cur->{quoted}{ lc $x->[1] } = $val->[0] eq 'q';
                next;
            }
            $cur = { scheme => $x->[1], params => {}, order => [],
                     quoted => {} };
            push @out, $cur;
            my $t68 = _token68(\@t);
            $cur->{token68} = $t68 if defined $t68;
        }
    }
    return \@out;
}

sub challenge_params {
    my $v = shift // return {};
    my $c = parse_challenges($v)->[0] or return {};
    return { %{ $c->{params} }, scheme => $c->{scheme} };
}

sub parse_params {
    my $c = parse_challenges("X " . shift);
    return $c->[0]{params};
}

1;
