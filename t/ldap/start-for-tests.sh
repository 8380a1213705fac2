#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# slapd for the Apache-Test suite.  httpd must know the directory's
# port when it reads its configuration, so slapd starts before
# Apache-Test configures and starts httpd:
#
#   t/ldap/start-for-tests.sh start OWNER_PID
#       (after the fixtures under t/var/ are made, which wipes t/var/)
#       starts slapd in t/var/ldap/ on a free port (slapd-ctl) and
#       writes t/var/ldap/ldap-port.conf:
#           Define AC_LDAP_PORT <ldap port>
#           Define AC_LDAP_TLS_PORT <ldaps port>
#       which t/conf/ldap.conf.in includes (IncludeOptional); without
#       it the LDAP locations are left out and t/ldap/*.t skip.  Also
#       t/var/ldap/reader.pw (the search identity's password, for
#       AuthChallengeLDAPBindPassword file:...) and t/var/ldap/owner.
#       slapd stops by itself once OWNER_PID is gone (SLAPD_CTL_OWNER).
#       Without slapd installed it says so and exits 0 (tests skip).
#   t/ldap/start-for-tests.sh stop
#       stops it (also when a test left it SIGSTOPped).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
dir=$top/t/var/ldap
SLAPD=${SLAPD:-/usr/sbin/slapd}

start() {
    owner=${1:-$PPID}
    if [ ! -x "$SLAPD" ]; then
        echo "ldap: no $SLAPD: the LDAP tests will be skipped" >&2
        return 0
    fi
    "$here/slapd-ctl" stop "$dir" 2>/dev/null || true
    rm -rf "$dir"
    mkdir -p "$dir"
    SLAPD_CTL_OWNER=$owner "$here/slapd-ctl" start "$dir" >/dev/null
    port=$(cat "$dir/port")
    tls=$(cat "$dir/tls-port")
    echo "$owner" >"$dir/owner"
    printf 'reader-pw\n' >"$dir/reader.pw"
    printf 'Define AC_LDAP_PORT %s\nDefine AC_LDAP_TLS_PORT %s\n' \
        "$port" "$tls" >"$dir/ldap-port.conf"
    # The httpd children (TEST_USER) read the CA; nothing else of slapd's.
    chmod 0755 "$dir"
    chmod 0644 "$dir/ca.pem" "$dir/ldap-port.conf" "$dir/port" \
        "$dir/tls-port" "$dir/owner"
    chmod 0600 "$dir/reader.pw"
    echo "ldap: slapd on 127.0.0.1:$port (ldaps $tls), $dir"
}

case ${1:-} in
start) start "${2:-}" ;;
stop) "$here/slapd-ctl" stop "$dir" ;;
*) echo "usage: $0 start OWNER_PID | stop" >&2; exit 2 ;;
esac
