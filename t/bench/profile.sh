#!/usr/bin/env bash
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# make bench-profile: instructions per request, counted by callgrind
# (valgrind), for the main rows of make bench.  Unlike req/s these do
# not move with other jobs on the machine: the same binary and inputs
# give the same count, so a change to the hot path shows as a number.
# It counts user-space instructions only (no system calls, no waiting)
# and SHA-256 runs without the CPU's SHA extensions under valgrind, so
# it overstates hashing; read it beside make bench, not instead of it.
#
# Uses the fixtures of the last make bench (t/bench/var/srv): one httpd
# -X under callgrind, collecting only inside ap_process_async_request
# and dumping after each request; the median of BENCH_PROFILE_N (100)
# requests a row.  Writes t/bench/var/profile.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
var=${BENCH_VAR:-$here/var}
# make bench may have made t/bench/var a link to a staged directory:
# the configuration names real paths, which the children can reach
[ -d "$var" ] && var=$(cd -P "$var" && pwd)
srv=$var/srv
out=$var/profile
n=${BENCH_PROFILE_N:-100}
httpd=/usr/sbin/apache2

die() { echo "bench-profile: $*" >&2; exit 1; }
. "$here/lib.sh"
[ -s "$srv/httpd.conf" ] || die "no $srv/httpd.conf: run make bench first"
command -v valgrind >/dev/null || die "valgrind not found"

port=$(free_port)
rm -rf "$out"
mkdir -p "$out/cg"
chmod 777 "$out/cg"     # the httpd children write their dumps as www-data
# four worker threads: each keeps its own HMAC contexts (ac_hmac.c), and
# with 128 a row's requests would mostly land on threads not yet warm
sed -e "s/^Listen .*/Listen 127.0.0.1:$port/" -e '/^PidFile/d' \
    -e 's/^ThreadLimit .*/ThreadLimit 4/' \
    -e 's/^ThreadsPerChild .*/ThreadsPerChild 4/' \
    -e 's/^MaxRequestWorkers .*/MaxRequestWorkers 8/' \
    -e 's/^MaxSpareThreads .*/MaxSpareThreads 8/' \
    "$srv/httpd.conf" >"$out/httpd.conf"
echo "PidFile $out/httpd.pid" >>"$out/httpd.conf"

# the bench's slapd again (a restart keeps its data and port)
top=$(cd "$here/../.." && pwd)
SLAPD_CTL_OWNER=$$ "$top/t/ldap/slapd-ctl" start "$var/ldap" >/dev/null \
    || die "slapd did not start in $var/ldap"

vg=
cleanup() {
    local rc=$?
    "$top/t/ldap/slapd-ctl" stop "$var/ldap" >/dev/null 2>&1 || true
    if [ -n "$vg" ]; then
        kill "$vg" 2>/dev/null || true
        wait "$vg" 2>/dev/null || true
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

valgrind --tool=callgrind --collect-atstart=no \
    --toggle-collect=ap_process_async_request \
    --dump-after=ap_process_async_request \
    --callgrind-out-file="$out/cg/cg.out" \
    "$httpd" -X -f "$out/httpd.conf" >"$out/valgrind.log" 2>&1 &
vg=$!
for _ in $(seq 200); do
    curl -s -o /dev/null "http://127.0.0.1:$port/static/f.txt" && break
    sleep 0.2
done

basic="Basic $(b64 alice:alice-pw)"
hs256="Bearer $(python3 "$here/jwt.py" HS256 "$srv/hs256.key")"
rs256="Bearer $(python3 "$here/jwt.py" RS256 "$srv/rs256.key")"
for d in stock-digest-md5 ac-digest-md5 ac-digest-sha256; do
    python3 "$here/digest.py" "http://127.0.0.1:$port/$d/f.txt" alice \
        alice-pw $((n + 1)) 1 "$out/$d.auth"
done

: >"$out/rows"
dumps() { ls "$out/cg" | grep -c '\.[0-9]*$' || true; }
measure() {     # LABEL PATH AUTH
    local before after
    sleep 0.5; before=$(dumps)
    python3 "$here/keepalive.py" "$port" "$2" "$3" "$n" 2>/dev/null \
        || die "$1: not every answer was 200"
    sleep 0.5; after=$(dumps)
    printf '%s\t%s\t%s\n' "$1" "$before" "$after" >>"$out/rows"
}
S="authchallenge"
measure "static" /static/f.txt ""
measure "stock Basic + authn_file apr1" /stock-file-apr1/f.txt "$basic"
measure "stock Digest MD5 (auth_digest)" /stock-digest-md5/f.txt "@$out/stock-digest-md5.auth"
measure "$S Basic DBM bcrypt, cache on" /ac-basic-dbm/f.txt "$basic"
measure "$S Basic LDAP, cache on" /ac-basic-ldap/f.txt "$basic"
measure "$S Basic LDAP, cache Off" /ac-basic-ldap-nocache/f.txt "$basic"
measure "$S Digest MD5, replay check" /ac-digest-md5/f.txt "@$out/ac-digest-md5.auth"
measure "$S Digest SHA-256, replay check" /ac-digest-sha256/f.txt "@$out/ac-digest-sha256.auth"
measure "$S Bearer HS256 JWT" /ac-bearer-hs256/f.txt "$hs256"
measure "$S Bearer RS256 JWT" /ac-bearer-rs256/f.txt "$rs256"
measure "$S Bearer RS256 JWT, cache Off" /ac-bearer-rs256-nocache/f.txt "$rs256"

# dump N is the Nth request; each row's median, and over static's
python3 - "$out" <<'PY' | tee "$var/profile.md"
import os, re, statistics, sys
out = sys.argv[1]
d = os.path.join(out, "cg")
files = sorted((f for f in os.listdir(d) if re.search(r"\.\d+$", f)),
               key=lambda f: int(f.rsplit(".", 1)[1]))
def ir(f):
    with open(os.path.join(d, f)) as fh:
        for line in fh:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    return 0
print("| row | instructions per request (median) | over static |")
print("|---|---:|---:|")
static = None
for line in open(os.path.join(out, "rows")):
    label, a, b = line.rstrip("\n").split("\t")
    v = [ir(f) for f in files[int(a):int(b)]]
    m = statistics.median(v) if v else 0
    static = m if static is None else static
    over = "" if label == "static" else f"{m - static:+,.0f}"
    print(f"| {label} | {m:,.0f} | {over} |")
PY
