# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# The httpd configuration snippets of the documentation, for
# t/docs/snippets.t (each one through apache2 -t) and
# t/docs/remote_user.t (the X-Remote-User recipe, end to end).
#
#   use ACSnippets qw(:all);
#   doc_files($top)       README.md and docs/*.md, relative to $top
#   snippets($top, @files)
#       every configuration snippet of those Markdown files, in order:
#       { file, line (of its first line), text, skip (reason or undef),
#         label ("docs/proxy.md:38", "docs/digest.md:186 (after)") }
#   rewrite($text, $cb)   the snippet with arguments replaced: $cb->(
#                         $directive, $index (1-based), $value, @args)
#                         returns a new value or undef (keep it).
#                         Returns ($text, @unmapped): @unmapped lists
#                         the arguments that name a file under /etc,
#                         /usr, /var, /srv, /opt or /home (or file:...)
#                         and were kept: a path without a fixture
#   problems()            what the last snippets() call found wrong in
#                         the Markdown itself (a skip marker without a
#                         reason or without a snippet after it, a block
#                         mixing directives with other lines), as
#                         "file:line: text" strings
#
# What counts as a snippet:
#   - a fenced block marked ```apache: all of it.  If its first line is
#     two comments side by side ("# before   # after"), it is two
#     snippets, one per column (docs/digest.md's migration table);
#   - an unmarked fenced block or an indented code block: its runs of
#     non-blank lines ("chunks") that are all directives, comments or
#     section tags, with at least one well-known directive (Auth*,
#     Require, LoadModule, Proxy*, RequestHeader, <Location ...>);
#     neighbouring such chunks make one snippet.  Shell commands, HTTP
#     exchanges and output are chunks of their own and are left out.
#     A chunk that mixes well-known directives with other lines is a
#     problem (split it with a blank line).
#   - an HTML comment "<!-- snippet: skip (reason) -->" before a code
#     block (only blank lines between) marks that block's snippets as
#     skipped, with the reason.
package ACSnippets;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use File::Spec ();

our @EXPORT_OK = qw(doc_files snippets problems rewrite);
our %EXPORT_TAGS = (all => \@EXPORT_OK);

# First words that make a chunk configuration.
my $KNOWN = qr/^(?:Auth[A-Za-z]*|Require|LoadModule|Proxy[A-Za-z]*
               |RequestHeader|Header|Listen|SetEnv[A-Za-z]*|AllowCONNECT
               |RemoteIP[A-Za-z]+|ServerName|Include|Mutex)$/x;
my $SECTION = qr{^\s*</?[A-Za-z][A-Za-z0-9]*(?:\s|>|$)};

my @PROBLEMS;

sub problems {
    return @PROBLEMS;
}

sub rewrite {
    my ($text, $cb) = @_;
    my (@out, @unmapped);
    for my $line (split /\n/, $text, -1) {
        if ($line =~ /^\s*(?:#|<|$)/) {
            push @out, $line;
            next;
        }
        my ($lead, $dir, $rest) = $line =~ /^(\s*)(\S+)(.*)$/;
        my @tok;                    # [separator, quote, value]
        while ($rest =~ /\G(\s+)(?:"((?:[^"\\]|\\.)*)"|(\S+))/gc) {
            push @tok, defined $2 ? [$1, '"', $2] : [$1, '', $3];
        }
        my $tail = substr($rest, pos($rest) // 0);
        my @args = map { $_->[2] } @tok;
        for my $i (0 .. $#tok) {
            my $new = $cb->($dir, $i + 1, $tok[$i][2], @args);
            if (defined $new) {
                $tok[$i][2] = $new;
            }
            elsif ($tok[$i][2] =~ m{^(?:file:)?/(?:etc|usr|var|srv|opt|home)/}) {
                push @unmapped, "$dir $tok[$i][2]";
            }
        }
        push @out, $lead . $dir
            . join('', map { "$_->[0]$_->[1]$_->[2]$_->[1]" } @tok) . $tail;
    }
    return (join("\n", @out), @unmapped);
}

sub doc_files {
    my $top = shift;
    opendir my $d, "$top/docs" or die "$top/docs: $!";
    my @docs = sort grep { /\.md\z/ } readdir $d;
    closedir $d;
    return ('README.md', map { "docs/$_" } @docs);
}

# A line as httpd would read it: directive (or section tag) or comment.
sub _directive_like {
    my $l = shift;
    return 1 if $l =~ /^\s*#/ || $l =~ $SECTION;
    return $l =~ /^\s*[A-Za-z][A-Za-z0-9_]*(?:\s+\S.*)?$/
        && $l !~ /^\s*\S+:/;
}

sub _known {
    my $l = shift;
    return 1 if $l =~ $SECTION && $l !~ m{^\s*</};
    my ($w) = $l =~ /^\s*([A-Za-z][A-Za-z0-9_]*)(?:\s|$)/ or return 0;
    return $w =~ $KNOWN;
}

sub _read {
    my $path = shift;
    open my $fh, '<:raw', $path or die "$path: $!";
    my @l = <$fh>;
    close $fh;
    chomp @l;
    s/\r\z// for @l;
    return @l;
}

# Code blocks of a Markdown file: { line, lang (undef: indented), lines }
sub _blocks {
    my ($file, @l) = @_;
    my (@blocks, $marker, $marker_line);
    my $i = 0;
    my $prev_blank = 1;
    while ($i < @l) {
        my $line = $l[$i];
        if ($line =~ /^\s*<!--\s*snippet:\s*(.*?)\s*-->\s*$/) {
            my $m = $1;
            push @PROBLEMS, "$file:" . ($i + 1) . ": marker without a "
                . "snippet after it" if defined $marker;
            if ($m =~ /^skip\s*\((.+)\)$/) {
                ($marker, $marker_line) = ($1, $i + 1);
            }
            else {
                push @PROBLEMS, "$file:" . ($i + 1) . ": unknown marker "
                    . "(\"snippet: skip (reason)\" expected): $m";
            }
            $i++;
            $prev_blank = 1;
            next;
        }
        if ($line =~ /^(\s{0,3})(`{3,}|~{3,})\s*([A-Za-z0-9_+-]*)/) {
            my ($fence, $lang) = ($2, $3);
            my $start = $i + 1;
            my @body;
            $i++;
            while ($i < @l && $l[$i] !~ /^\s{0,3}\Q$fence\E\s*$/) {
                push @body, $l[$i++];
            }
            $i++;
            push @blocks, { line => $start + 1, lang => $lang,
                            lines => \@body, skip => $marker,
                            marker_line => $marker_line };
            undef $marker;
            $prev_blank = 0;
            next;
        }
        if ($prev_blank && $line =~ /^(?: {4}|\t)\S/) {
            my $start = $i + 1;
            my @body;
            while ($i < @l && ($l[$i] =~ /^(?: {4}|\t)/ || $l[$i] =~ /^\s*$/)) {
                push @body, $l[$i] =~ s/^(?: {4}|\t)//r;
                $i++;
            }
            pop @body while @body && $body[-1] =~ /^\s*$/;
            push @blocks, { line => $start, lang => undef, lines => \@body,
                            skip => $marker, marker_line => $marker_line };
            undef $marker;
            $prev_blank = 0;
            next;
        }
        if ($line !~ /^\s*$/ && defined $marker) {
            push @PROBLEMS, "$file:$marker_line: marker without a code "
                . "block after it";
            undef $marker;
        }
        $prev_blank = $line =~ /^\s*$/;
        $i++;
    }
    push @PROBLEMS, "$file:$marker_line: marker without a code block "
        . "after it" if defined $marker;
    return @blocks;
}

# Split a "# before   # after" block into its two columns.
sub _columns {
    my ($b) = @_;
    my $first = $b->{lines}[0] // '';
    return unless $first =~ /^(#\s*(\S.*?)\s{2,})#\s*(\S.*?)\s*$/;
    my ($col, $left, $right) = (length $1, $2, $3);
    my (@a, @z);
    for my $l (@{ $b->{lines} }[1 .. $#{ $b->{lines} }]) {
        push @a, substr($l, 0, $col) =~ s/\s+$//r;
        push @z, length $l > $col ? substr($l, $col) : '';
    }
    return ([$left, \@a], [$right, \@z]);
}

sub snippets {
    my ($top, @files) = @_;
    @PROBLEMS = ();
    my @out;
    for my $file (@files) {
        my @l = _read(File::Spec->catfile($top, $file));
        for my $b (_blocks($file, @l)) {
            my @found;
            if (defined $b->{lang} && $b->{lang} eq 'apache') {
                if (my @cols = _columns($b)) {
                    for my $c (@cols) {
                        push @found, { line => $b->{line} + 1,
                                       text => join("\n", @{ $c->[1] }) . "\n",
                                       label => "$file:" . ($b->{line} + 1)
                                                . " ($c->[0])" };
                    }
                }
                else {
                    push @found, { line => $b->{line},
                                   text => join("\n", @{ $b->{lines} }) . "\n" };
                }
            }
            elsif (!defined $b->{lang} || $b->{lang} eq '') {
                push @found, _chunks($file, $b);
            }
            if ($b->{skip} && !@found) {
                push @PROBLEMS, "$file:$b->{marker_line}: skip marker before "
                    . "a block that is no configuration";
            }
            for my $s (@found) {
                $s->{file} = $file;
                $s->{label} //= "$file:$s->{line}";
                $s->{skip} = $b->{skip};
                push @out, $s;
            }
        }
    }
    return @out;
}

# The configuration chunks of an unmarked block, neighbours joined.
sub _chunks {
    my ($file, $b) = @_;
    my @lines = @{ $b->{lines} };
    my (@found, $cur);
    my $i = 0;
    while ($i < @lines) {
        if ($lines[$i] =~ /^\s*$/) {
            $i++;
            next;
        }
        my $start = $i;
        my @chunk;
        push @chunk, $lines[$i++] while $i < @lines && $lines[$i] !~ /^\s*$/;
        my $known = grep { _known($_) } @chunk;
        my $all = !grep { !_directive_like($_) } @chunk;
        if ($known && $all) {
            if ($cur && $cur->{end} == $start - 1) {
                $cur->{text} .= "\n" . join("\n", @chunk) . "\n";
            }
            else {
                $cur = { line => $b->{line} + $start,
                         text => join("\n", @chunk) . "\n" };
                push @found, $cur;
            }
            # a blank line between two configuration chunks keeps them
            # together: remember where this one ended
            $cur->{end} = $i;
            my $j = $i;
            $j++ while $j < @lines && $lines[$j] =~ /^\s*$/;
            $cur->{end} = $j - 1;
        }
        elsif ($known) {
            push @PROBLEMS, "$file:" . ($b->{line} + $start) . ": directives "
                . "mixed with other lines in one chunk (separate them with a "
                . "blank line): " . join(' / ', @chunk);
            undef $cur;
        }
        else {
            undef $cur;
        }
    }
    delete $_->{end} for @found;
    return @found;
}

1;
