# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Debian's chromium through playwright-core (t/browser/run.js) for test
# files other than t/browser/chromium.t, which has its own copy of this
# runner.
#
#   use ACBrowser qw(:all);
#
#   browser_missing()        what is missing to run the browser (empty
#                            list: nothing): /usr/bin/chromium (or
#                            AC_CHROMIUM), t/browser/node_modules (make
#                            browser-deps), node
#   browser_skip_reason()    the reason to skip (CI_NO_BROWSER=1), or
#                            undef
#   run_browser(\%opts, @scenarios)
#                            one browser launch for every scenario (see
#                            t/browser/run.js for their fields); %opts:
#                            ignore_certificate_errors => 1, timeout_ms.
#                            Returns { version, results => [{ name,
#                            visits => [{ url, status, headers, body,
#                            error, log, ms }] }] }; dies if run.js
#                            gave no result.
package ACBrowser;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use File::Spec ();
use IPC::Open3 qw(open3);
use IO::Select ();
use JSON::PP ();
use ACTest qw(t_dir);

our @EXPORT_OK = qw(browser_missing browser_skip_reason run_browser);
our %EXPORT_TAGS = (all => \@EXPORT_OK);

my $RUN_SECONDS = 600;              # the whole runner, a last resort

sub _chromium {
    return $ENV{AC_CHROMIUM} || '/usr/bin/chromium';
}

sub _browser_dir {
    return File::Spec->catdir(t_dir(), 'browser');
}

sub browser_skip_reason {
    return ($ENV{CI_NO_BROWSER} // '') eq '1'
        ? 'CI_NO_BROWSER=1: the Chromium browser tests are skipped on '
          . 'request'
        : undef;
}

sub browser_missing {
    my @missing;
    push @missing, _chromium() . ' (apt-get install chromium)'
        unless -x _chromium();
    my $pw = File::Spec->catdir(_browser_dir(), 'node_modules',
                                'playwright-core');
    push @missing, "$pw (make browser-deps)" unless -d $pw;
    push @missing, 'node (apt-get install nodejs)'
        unless grep { -x "$_/node" } split /:/, $ENV{PATH} // '';
    return @missing;
}

sub run_browser {
    my ($opts, @scenarios) = @_;
    my $dir = File::Spec->catdir(t_dir(), 'var', 'browser');
    mkdir $dir unless -d $dir;
    my $out = "$dir/results-$$.json";
    unlink $out;
    my $req = JSON::PP->new->utf8->canonical->encode({
        chromium => _chromium(), timeout_ms => $opts->{timeout_ms} || 30_000,
        out => $out, error_log => t_dir() . '/logs/error_log',
        ($opts->{ignore_certificate_errors}
         ? (ignore_certificate_errors => JSON::PP::true) : ()),
        scenarios => \@scenarios });
    # stdout and stderr together: Playwright's and Chromium's complaints.
    my $pid = open3(my $in, my $msgs, undef, 'node',
                    File::Spec->catfile(_browser_dir(), 'run.js'));
    print $in $req;
    close $in;
    my $said = '';
    my $sel = IO::Select->new($msgs);
    my $until = time + $RUN_SECONDS;
    while (time < $until) {
        next unless $sel->can_read(5);
        my $n = sysread($msgs, my $buf, 65536);
        last if defined $n && $n == 0;
        $said .= $buf if $n;
    }
    kill 'TERM', $pid if time >= $until;
    waitpid $pid, 0;
    my $status = $? >> 8;
    Test::More::diag("run.js said: $said") if length $said;
    my $json = -s $out ? do { local (@ARGV, $/) = ($out); <> } : '';
    unlink $out;
    my $res = eval { JSON::PP->new->utf8->decode($json) };
    die "run.js failed (exit $status): no result" . ($@ ? ": $@" : "\n")
        unless $res;
    return $res;
}

1;
