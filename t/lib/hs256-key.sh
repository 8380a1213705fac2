#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Write an HS256 test key, DIR/hs256.key: 48 hex characters, no newline
# (>= 32 bytes, RFC 7518 §3.2), world-readable (a test key only: the
# httpd children run as an unprivileged user).  Idempotent: an existing
# key is kept, so a running server and the tests agree.
#
#   t/lib/hs256-key.sh DIR
set -eu

dir=$1
umask 022
mkdir -p "$dir"
[ -s "$dir/hs256.key" ] ||
    printf '%s' "$(openssl rand -hex 24)" > "$dir/hs256.key"
chmod 0755 "$dir"
chmod 0644 "$dir/hs256.key"
