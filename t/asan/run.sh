#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# make test-asan (docs/reliability.md): the Apache-Test suite against
# the build in BUILDDIR (made with SANITIZE=address,undefined), httpd
# started through t/asan/httpd.sh.  Every report of AddressSanitizer or
# UndefinedBehaviorSanitizer in any httpd process is written to a
# directory of its own, and any report fails the run, as does the
# suite's own result.
#
#   t/asan/run.sh BUILDDIR [test files...]
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
build=${1:?usage: t/asan/run.sh BUILDDIR [tests...]}
shift
case $build in /*) ;; *) build=$top/$build ;; esac
[ -f "$build/mod_authchallenge.so" ] ||
    { echo "test-asan: no $build/mod_authchallenge.so" >&2; exit 2; }
reports=$(mktemp -d /tmp/ac-asan.XXXXXX)
chmod 0777 "$reports"       # the children (www-data) write there
trap 'rm -rf "$reports"' EXIT

# Leak reports are off: httpd frees its pools at exit only in part, on
# purpose (the kernel reclaims them faster).  What is left is every
# memory error and every undefined behaviour, each fatal to the process.
ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=0"
ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$reports/asan:strict_string_checks=1"
ASAN_OPTIONS="$ASAN_OPTIONS:detect_stack_use_after_return=1"
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
export ASAN_OPTIONS UBSAN_OPTIONS

start=$(date +%s)
st=0
BUILDDIR=$build HTTPD=$top/t/asan/httpd.sh CI_NO_BROWSER=${CI_NO_BROWSER:-} \
    t/run-apache-test.sh "$@" || st=$?
n=$(find "$reports" -type f | wc -l)
if [ "$n" -gt 0 ]; then
    echo "test-asan: $n sanitizer report(s):"
    for f in "$reports"/*; do echo "=== $f"; cat "$f"; done
    st=1
fi
echo "test-asan: $(( $(date +%s) - start )) s, $n report(s), exit $st"
exit $st
