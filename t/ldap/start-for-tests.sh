#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# slapd for the Apache-Test suite.  httpd must know the directory's
# port when it reads its configuration, so slapd starts before
# Apache-Test configures and starts httpd:
#
#   t/ldap/start-for-tests.sh start OWNER_PID
#       (after the fixtures under t/var/ are made, which wipes t/var/)
#       starts slapd in t/var/ldap/ on a free port (slapd-ctl), a
#       second one with the same data in t/var/ldap2/ (for several
#       servers in one URL), and t/ldap/tcp-proxy in t/var/ldap/ (a
#       relay to the first that can play a firewall), and writes
#       t/var/ldap/ldap-port.conf:
#           Define AC_LDAP_PORT <ldap port>
#           Define AC_LDAP_TLS_PORT <ldaps port>
#           Define AC_LDAP_PORT2 <the second slapd's port>
#           Define AC_LDAP_PROXY_PORT <the relay's port>
#       which t/conf/ldap.conf.in includes (IncludeOptional); without
#       it the LDAP locations are left out and t/ldap/*.t skip.  Also
#       t/var/ldap/reader.pw (the search identity's password, for
#       AuthChallengeLDAPBindPassword file:...) and t/var/ldap/owner.
#       slapd and the relay stop by themselves once OWNER_PID is gone
#       (SLAPD_CTL_OWNER).  Without slapd installed it says so and
#       exits 0 (tests skip).
#   t/ldap/start-for-tests.sh stop
#       stops them (also when a test left one SIGSTOPped).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
dir=$top/t/var/ldap
dir2=$top/t/var/ldap2
SLAPD=${SLAPD:-/usr/sbin/slapd}

# The relay, in the background, owned like slapd; its port once it
# listens.
start_proxy() {
    rm -f "$dir/proxy-port"
    perl "$here/tcp-proxy" "$dir" "$1" "$2" </dev/null >/dev/null \
        2>>"$dir/proxy.log" &
    i=0
    until [ -s "$dir/proxy-port" ]; do
        i=$((i + 1))
        [ $i -lt 100 ] || { echo "ldap: tcp-proxy did not start" >&2; exit 1; }
        sleep 0.05
    done
}

stop_proxy() {
    [ -s "$dir/proxy.pid" ] && kill "$(cat "$dir/proxy.pid")" 2>/dev/null
    rm -f "$dir/proxy.pid"
}

start() {
    owner=${1:-$PPID}
    if [ ! -x "$SLAPD" ]; then
        echo "ldap: no $SLAPD: the LDAP tests will be skipped" >&2
        return 0
    fi
    stop_proxy
    "$here/slapd-ctl" stop "$dir" 2>/dev/null || true
    "$here/slapd-ctl" stop "$dir2" 2>/dev/null || true
    rm -rf "$dir" "$dir2"
    mkdir -p "$dir" "$dir2"
    SLAPD_CTL_OWNER=$owner "$here/slapd-ctl" start "$dir" >/dev/null
    SLAPD_CTL_OWNER=$owner "$here/slapd-ctl" start "$dir2" >/dev/null
    port=$(cat "$dir/port")
    tls=$(cat "$dir/tls-port")
    port2=$(cat "$dir2/port")
    start_proxy "$port" "$owner"
    proxy=$(cat "$dir/proxy-port")
    echo "$owner" >"$dir/owner"
    printf 'reader-pw\n' >"$dir/reader.pw"
    printf 'Define AC_LDAP_PORT %s\nDefine AC_LDAP_TLS_PORT %s\n' \
        "$port" "$tls" >"$dir/ldap-port.conf"
    printf 'Define AC_LDAP_PORT2 %s\nDefine AC_LDAP_PROXY_PORT %s\n' \
        "$port2" "$proxy" >>"$dir/ldap-port.conf"
    # The httpd children (TEST_USER) read the CA; nothing else of slapd's.
    chmod 0755 "$dir"
    chmod 0644 "$dir/ca.pem" "$dir/ldap-port.conf" "$dir/port" \
        "$dir/tls-port" "$dir/owner"
    chmod 0600 "$dir/reader.pw"
    echo "ldap: slapd on 127.0.0.1:$port (ldaps $tls), $dir;" \
        "a second on $port2; a relay to the first on $proxy"
}

case ${1:-} in
start) start "${2:-}" ;;
stop)
    stop_proxy
    "$here/slapd-ctl" stop "$dir2"
    "$here/slapd-ctl" stop "$dir"
    ;;
*) echo "usage: $0 start OWNER_PID | stop" >&2; exit 2 ;;
esac
