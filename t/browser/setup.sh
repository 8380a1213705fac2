#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Fixtures of t/browser/chromium.t (t/conf/browser.conf.in), made before
# the server starts (t/run-apache-test.sh runs every t/*/setup.sh):
#   t/var/browser/users.db   bria and jörg (UTF-8; realm "AC Browser"),
#                            percy (realm
#                            "AC Browser Proxy"): bcrypt for Basic, HA1
#                            records of every Digest algorithm, made
#                            with the project's htchallenge
#   t/var/browser/hs256.key  so AuthType Challenge also offers Bearer
# Keep the users and passwords in step with t/browser/chromium.t.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$top/t/var/browser
hc=${HTCHALLENGE:-$top/${BUILDDIR:-build}/htchallenge}
case $hc in /*) ;; *) hc=$top/$hc ;; esac
[ -x "$hc" ] || { echo "browser/setup.sh: no htchallenge at $hc" >&2; exit 1; }

umask 022
mkdir -p "$dir"
rm -f "$dir"/users.db*
printf '%s\n' 'Bria-Pw-6Br!' |
    "$hc" -c -i -C 4 -r 'AC Browser' "$dir/users.db" bria 2>/dev/null
printf '%s\n' 'Jörg-Br-8Üx' |
    "$hc" -i -C 4 -r 'AC Browser' "$dir/users.db" 'jörg' 2>/dev/null
printf '%s\n' 'Percy-Pw-7Pq#' |
    "$hc" -i -C 4 -r 'AC Browser Proxy' "$dir/users.db" percy 2>/dev/null
sh "$top/t/lib/hs256-key.sh" "$dir"
chmod -R a+rX "$dir"
