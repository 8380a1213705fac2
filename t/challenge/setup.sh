#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Key for the AuthType Challenge end-to-end tests (t/challenge/*.t,
# t/fwdproxy/*.t, t/conf/challenge.conf.in).  httpd reads
# AuthChallengeBearerKey files with its configuration, so this must run
# BEFORE Apache-Test configures and starts the server: t/run-apache-test.sh
# runs every t/*/setup.sh after it has made t/var afresh.  Idempotent: an existing
# key is kept, so a running server and the tests agree.  World-readable
# (a test key only): the httpd children run as an unprivileged user.
#
#   t/challenge/setup.sh [DIR]        default DIR: t/var/challenge
#
# Files: hs256.key (HMAC secret: 48 hex characters, no newline).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$top/t/var/challenge}
umask 022
mkdir -p "$dir"
[ -s "$dir/hs256.key" ] ||
    printf '%s' "$(openssl rand -hex 24)" > "$dir/hs256.key"
chmod 0755 "$dir"
chmod 0644 "$dir/hs256.key"
