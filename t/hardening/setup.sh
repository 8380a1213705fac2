#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# The HS256 key of the hardening tests' Bearer locations
# (t/conf/hardening.conf.in): httpd reads it with its configuration, so
# this runs before Apache-Test starts the server (t/run-apache-test.sh
# runs every t/*/setup.sh).  The DBM file is made by the tests themselves.
#
#   t/hardening/setup.sh [DIR]        default DIR: t/var/hardening
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
sh "$top/t/lib/hs256-key.sh" "${1:-$top/t/var/hardening}"
