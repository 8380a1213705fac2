#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Fixtures of t/h2/*.t (t/conf/h2.conf.in), made before the server
# starts (t/run-apache-test.sh runs every t/*/setup.sh):
#   t/var/h2/server.crt, server.key  a self-signed certificate for
#        127.0.0.1 and localhost (openssl, EC P-256, 2 days): mod_ssl
#        reads it at start-up; the clients do not trust it (curl -k,
#        Chromium and node told to ignore it)
#   t/var/h2/users.db   realm "AC H2": hana (origin areas) and
#        realm "AC H2 Proxy": pete (the forward proxy over h2), bcrypt
#        and HA1 records, made with the project's htchallenge
#   t/var/h2/hs256.key  the Bearer key of /h2/bearer/ and /h2/challenge/
# Keep the users and passwords in step with t/h2/*.t.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$top/t/var/h2
hc=${HTCHALLENGE:-$top/${BUILDDIR:-build}/htchallenge}
case $hc in /*) ;; *) hc=$top/$hc ;; esac
[ -x "$hc" ] || { echo "h2/setup.sh: no htchallenge at $hc" >&2; exit 1; }

umask 022
mkdir -p "$dir"
rm -f "$dir"/users.db* "$dir"/server.*
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$dir/server.key" -out "$dir/server.crt" -days 2 \
    -subj '/CN=127.0.0.1' \
    -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' 2>/dev/null
# read by httpd's parent only (as whoever starts it)
chmod 0600 "$dir/server.key"
printf '%s\n' 'Hana-Pw-7Hn!' |
    "$hc" -c -i -C 4 -r 'AC H2' "$dir/users.db" hana 2>/dev/null
printf '%s\n' 'Pete-Pw-8Pt#' |
    "$hc" -i -C 4 -r 'AC H2 Proxy' "$dir/users.db" pete 2>/dev/null
sh "$top/t/lib/hs256-key.sh" "$dir"
chmod 0644 "$dir"/users.db* "$dir/server.crt"
