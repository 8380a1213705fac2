#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Fixtures for the hardening tests (t/hardening/*.t,
# t/conf/hardening.conf.in) that must exist when httpd STARTS: the
# HS256 key of the Bearer locations (httpd reads AuthChallengeBearerKey
# files with its configuration).  t/run-apache-test.sh must call it
# after make_fixtures (which wipes t/var); see NEEDS.md.  Without it the
# Bearer locations are left out (<IfFile>) and the Bearer cases skip.
# Idempotent; world-readable (a test key only): the children run as an
# unprivileged user.  The DBM file is made by the tests themselves.
#
#   t/hardening/setup.sh [DIR]        default DIR: t/var/hardening
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$top/t/var/hardening}
umask 022
mkdir -p "$dir"
# 48 bytes, no newline (>= 32: RFC 7518 3.2)
[ -s "$dir/hs256.key" ] ||
    printf '%s' "$(openssl rand -hex 24)" > "$dir/hs256.key"
chmod 0755 "$dir"
chmod 0644 "$dir/hs256.key"
