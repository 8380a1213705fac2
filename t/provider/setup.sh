#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Fixtures of t/provider/*.t (t/conf/provider.conf.in): httpd's own
# modules using this module's back-ends through the authn provider
# "challenge" (docs/httpd.md).  Made before the server starts
# (t/run-apache-test.sh runs every t/*/setup.sh), with the project's
# htchallenge, so the records are those an administrator gets:
#   t/var/provider/users.db  realm "AC Native": nadia (group staff),
#                            omar; bcrypt for Basic and forms, HA1
#                            records (MD5 for mod_auth_digest)
#   t/var/provider/corp.db   realm "AC Native": carla, the back-end of
#                            <AuthnProviderAlias challenge corp>
# Keep the users and passwords in step with t/provider/*.t.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$top/t/var/provider
hc=${HTCHALLENGE:-$top/${BUILDDIR:-build}/htchallenge}
case $hc in /*) ;; *) hc=$top/$hc ;; esac
[ -x "$hc" ] || { echo "provider/setup.sh: no htchallenge at $hc" >&2; exit 1; }

umask 022
mkdir -p "$dir"
rm -f "$dir"/users.db* "$dir"/corp.db*
add() {     # FILE USER PASSWORD [htchallenge options]
    f=$1 u=$2 pw=$3
    shift 3
    printf '%s\n' "$pw" |
        "$hc" -c -i -C 4 -r 'AC Native' "$@" "$dir/$f" "$u" 2>/dev/null
}
add users.db nadia 'Nadia-Pw-3Nd!' -g staff
add users.db omar 'Omar-Pw-4Om#'
add corp.db carla 'Carla-Pw-5Ca%'
chmod -R a+rX "$dir"
