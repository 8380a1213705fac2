#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# httpd for make test-asan: /usr/sbin/apache2 with AddressSanitizer's
# runtime loaded first, as a module built with -fsanitize=address needs
# (the httpd binary itself is not instrumented).  The ASAN_OPTIONS and
# UBSAN_OPTIONS t/asan/run.sh sets reach every httpd process.
LD_PRELOAD=$(gcc -print-file-name=libasan.so)${LD_PRELOAD:+:$LD_PRELOAD}
export LD_PRELOAD
exec /usr/sbin/apache2 "$@"
