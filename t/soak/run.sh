#!/usr/bin/env bash
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# make soak (docs/reliability.md): one httpd (mpm_event) at full load for
# SOAK_SECONDS (default 300) — Basic over DBM (bcrypt) and LDAP, Digest
# SHA-256 with the replay check, Bearer RS256, AuthType Challenge and the
# forward proxy, each driven by its own wrk with valid credentials —
# while faults come on a fixed schedule (times are fractions of the run):
#
#   slapd stopped, then started again
#   slapd SIGSTOPped for longer than the LDAP timeout, then continued
#   memcached (the shared state) restarted, later flushed
#   the DBM file edited: a user added, one changed, one deleted
#   apachectl -k graceful, three times, the second with the secret
#   rotated (a new secret file, the old one kept as the previous)
#
# It checks, per scheme: answers other than 2xx to valid credentials
# outside every fault's window: none; inside: 500 only, never 401 (a
# Digest 401 with stale=true after the shared cache lost its state is a
# new nonce, as designed, counted apart); no child crashed; the httpd
# processes' anonymous memory (RssAnon) and open files grew by at most
# SOAK_GROWTH_MAX (10) % from after the warm-up to the end; the error
# log has one error line per outage and process that saw it, and each
# such process says the outage ended.  Writes t/soak/results.md (SOAK_OUT to change) and
# exits non-zero when a limit is broken.
#
# Environment: SOAK_SECONDS (300), SOAK_OUT (t/soak/results.md),
# SOAK_VAR (a world-searchable temporary directory), BUILDDIR (build),
# SOAK_GROWTH_MAX (10; make test's 30-second run allows 25: its children
# are seconds old at both readings, the last graceful restart 6 s before
# the end, so it reads their warm-up, not the run).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${SOAK_SECONDS:-300}
growth_max=${SOAK_GROWTH_MAX:-10}
out=${SOAK_OUT:-$here/results.md}
httpd=/usr/sbin/apache2
build=${BUILDDIR:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
module=$build/mod_authchallenge.so
htc=$build/htchallenge
. "$top/t/bench/lib.sh"
. "$top/t/lib/www-data.sh"

die() { echo "soak: $*" >&2; exit 2; }
note() { printf 'soak: %s\n' "$*" >&2; }
for tool in "$httpd" wrk curl openssl memcached slapd perl htdbm; do
    command -v "$tool" >/dev/null || die "$tool not found (make deps)"
done
[ -f "$module" ] || die "$module not built (make)"
[ -x "$htc" ] || die "$htc not built (make)"
[ "$secs" -ge 20 ] || die "SOAK_SECONDS must be at least 20"

var=${SOAK_VAR:-$(ac_stage_dir ac-soak www-data)} ||
    die "no world-searchable directory for the run (TMPDIR?)"
rm -rf "$var/srv" && mkdir -p "$var/srv" "$var/load" "$var/ldap"
chmod 0755 "$var" "$var/srv"
srv=$var/srv

# ------------------------------------------------------------ servers
port=$(free_port); pport=$(free_port); mcport=$(free_port)
httpd_pid= mc_pid= wrk_pids=
cleanup() {
    local rc=$?
    [ -n "$wrk_pids" ] && kill $wrk_pids 2>/dev/null
    if [ -n "$httpd_pid" ] && kill -0 "$httpd_pid" 2>/dev/null; then
        "$httpd" -f "$srv/httpd.conf" -k stop 2>/dev/null
        for _ in $(seq 100); do
            kill -0 "$httpd_pid" 2>/dev/null || break
            sleep 0.05
        done
        kill -KILL "$httpd_pid" 2>/dev/null
    fi
    [ -n "$mc_pid" ] && kill "$mc_pid" 2>/dev/null
    "$top/t/ldap/slapd-ctl" stop "$var/ldap" >/dev/null 2>&1
    [ -z "${SOAK_VAR:-}" ] && [ $rc -eq 0 ] && rm -rf "$var/srv/htdocs"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_memcached() {
    memcached -u nobody -l 127.0.0.1 -p "$mcport" -U 0 -m 64 \
        >/dev/null 2>&1 &
    mc_pid=$!
    for _ in $(seq 50); do
        (exec 3<>/dev/tcp/127.0.0.1/$mcport) 2>/dev/null && return 0
        sleep 0.05
    done
    die "memcached did not start"
}

start_slapd() {
    SLAPD_CTL_OWNER=$$ "$top/t/ldap/slapd-ctl" start "$var/ldap" \
        >/dev/null || die "slapd did not start"
}

# ------------------------------------------------------------ fixtures
note "fixtures in $var"
mkdir -p "$srv/htdocs/pub" "$srv/run"
for d in basic-dbm basic-ldap digest bearer challenge; do
    mkdir -p "$srv/htdocs/soak/$d"
    printf '%099d\n' 0 >"$srv/htdocs/soak/$d/f.txt"
done
printf '%099d\n' 0 >"$srv/htdocs/pub/f.txt"
create=-c
for u in sally:Sally-Soak-1 tom:Tom-Soak-2 uma:Uma-Soak-3; do
    printf '%s\n' "${u#*:}" | "$htc" $create -i -r Soak \
        "$srv/users.dbm" "${u%%:*}" >/dev/null || die "htchallenge failed"
    create=
done
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$var/rs256.key" 2>/dev/null
openssl pkey -in "$var/rs256.key" -pubout -out "$srv/rs256.pub"
chmod -R a+rX "$srv"
"$htc" -S "$srv/secret" >/dev/null || die "htchallenge -S failed"
chown root:www-data "$srv/secret" && chmod 0640 "$srv/secret"
start_slapd
ldapport=$(cat "$var/ldap/port")
start_memcached
sed -e "s|@VAR@|$srv|g" -e "s|@PORT@|$port|g" -e "s|@PROXYPORT@|$pport|g" \
    -e "s|@LDAPPORT@|$ldapport|g" -e "s|@MCPORT@|$mcport|g" \
    -e "s|@MODULE@|$module|g" "$here/httpd.conf.in" >"$srv/httpd.conf"
"$httpd" -f "$srv/httpd.conf" -t >"$var/configtest.out" 2>&1 ||
    { cat "$var/configtest.out" >&2; die "bad httpd.conf"; }
"$httpd" -f "$srv/httpd.conf" -k start || die "httpd did not start"
for _ in $(seq 100); do
    [ -s "$srv/httpd.pid" ] &&
        curl -s -o /dev/null "http://127.0.0.1:$port/pub/f.txt" && break
    sleep 0.05
done
httpd_pid=$(cat "$srv/httpd.pid") || die "no httpd pid"

# A Bearer RS256 JWT for sally (valid for the whole run).
b64u() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
head=$(printf '{"alg":"RS256","typ":"JWT"}' | b64u)
body=$(printf '{"sub":"sally","aud":"soak","iat":%d,"exp":%d}' \
       "$now" $((now + secs + 3600)) | b64u)
sig=$(printf '%s.%s' "$head" "$body" |
      openssl dgst -sha256 -sign "$var/rs256.key" -binary | b64u)
jwt="$head.$body.$sig"
basic_sally="Basic $(b64 'sally:Sally-Soak-1')"
basic_ldap="Basic $(b64 'alice:alice-pw')"

# ------------------------------------------------------------ memory
# RssAnon (kB) and open files summed over httpd's processes.
footprint() {
    local pids p mem=0 fds=0 n=0
    pids=$(pgrep -P "$httpd_pid"; echo "$httpd_pid")
    for p in $pids; do
        local a
        a=$(awk '/^RssAnon:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
        [ -n "$a" ] || continue
        mem=$((mem + a))
        fds=$((fds + $(ls "/proc/$p/fd" 2>/dev/null | wc -l)))
        n=$((n + 1))
    done
    echo "$mem $fds $n"
}

# ------------------------------------------------------------ load
# label path auth [proxy target] — one wrk each, for the whole run.
declare -a labels
run_wrk() {
    local label=$1 url=$2 hdr=$3 target=${4:-} c=${5:-2}
    labels+=("$label")
    : >"$var/load/$label.counts"
    wrk -t1 -c"$c" -d"${secs}s" --timeout 10s ${hdr:+-H "$hdr"} \
        -s "$here/count.lua" "$url" -- "$var/load/$label.counts" \
        ${target:+"$target"} >"$var/load/$label.wrk" 2>&1 &
    wrk_pids="$wrk_pids $!"
}
base=http://127.0.0.1:$port
run_wrk basic-dbm "$base/soak/basic-dbm/f.txt" "Authorization: $basic_sally"
run_wrk basic-ldap "$base/soak/basic-ldap/f.txt" "Authorization: $basic_ldap"
run_wrk bearer "$base/soak/bearer/f.txt" "Authorization: Bearer $jwt"
run_wrk challenge "$base/soak/challenge/f.txt" "Authorization: Bearer $jwt"
run_wrk proxy "http://127.0.0.1:$pport/" "Proxy-Authorization: $basic_sally" \
    "$base/pub/f.txt"
labels+=(digest)
: >"$var/load/digest.counts"
wrk -t1 -c1 -d"${secs}s" --timeout 10s -s "$here/digest.lua" \
    "$base/soak/digest/f.txt" -- "$var/load/digest.counts" sally \
    Sally-Soak-1 Soak /soak/digest/f.txt >"$var/load/digest.wrk" 2>&1 &
wrk_pids="$wrk_pids $!"
t0=$(date +%s)

# ------------------------------------------------------------ faults
# at FRACTION: sleep until that point of the run.
at() {
    local when
    when=$(awk -v t0="$t0" -v s="$secs" -v f="$1" \
           'BEGIN { printf "%d", t0 + s * f }')
    while [ "$(date +%s)" -lt "$when" ]; do sleep 0.2; done
}
faults=$var/faults.tsv
: >"$faults"
# fault NAME START END: a window, with the schemes it may touch
window() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$faults"; }
edits_ok=0

at 0.05
read -r mem0 fds0 n0 <<<"$(footprint)"
at 0.10
note "slapd stopped"
s=$(date +%s); "$top/t/ldap/slapd-ctl" stop "$var/ldap" >/dev/null
at 0.16; start_slapd
window slapd-stop "$s" "$(($(date +%s) + 3))" basic-ldap
at 0.22
note "slapd SIGSTOPped"
s=$(date +%s); kill -STOP "$(cat "$var/ldap/slapd.pid")"
sleep 4
kill -CONT "$(cat "$var/ldap/slapd.pid")"
window slapd-sigstop "$s" "$(($(date +%s) + 4))" basic-ldap
at 0.34
note "memcached restarted"
s=$(date +%s); kill "$mc_pid"; wait "$mc_pid" 2>/dev/null; start_memcached
window memcached-restart "$s" "$(($(date +%s) + 3))" digest
at 0.46
note "memcached flushed"
s=$(date +%s)
printf 'flush_all\r\nquit\r\n' >/dev/tcp/127.0.0.1/$mcport 2>/dev/null ||
    (exec 3<>/dev/tcp/127.0.0.1/$mcport; printf 'flush_all\r\n' >&3)
window memcached-flush "$s" "$(($(date +%s) + 3))" digest
at 0.55
note "DBM edits"
edit() { printf '%s\n' "$3" | "$htc" -i -r Soak "$srv/users.dbm" "$1" \
         >/dev/null 2>&1 && chmod a+r "$srv"/users.dbm*; }
code() { curl -s -o /dev/null -w '%{http_code}' -u "$1" \
         "$base/soak/basic-dbm/f.txt"; }
edit victor x Victor-Soak-4
edit tom x Tom-Soak-5
"$htc" -D "$srv/users.dbm" uma >/dev/null 2>&1
[ "$(code victor:Victor-Soak-4)" = 200 ] && [ "$(code tom:Tom-Soak-5)" = 200 ] &&
    [ "$(code tom:Tom-Soak-2)" = 401 ] && [ "$(code uma:Uma-Soak-3)" = 401 ] &&
    edits_ok=1
for f in 0.62 0.72 0.82; do
    at "$f"
    s=$(date +%s)
    if [ "$f" = 0.72 ]; then
        # secret rotation (docs/operations.md): a new secret, the old one
        # kept as the previous; a Digest nonce of the old secret still
        # works, so no client sees a 401 for it
        note "secret rotated, apachectl -k graceful"
        "$htc" -S "$srv/secret2" >/dev/null || die "htchallenge -S failed"
        chown root:www-data "$srv/secret2" && chmod 0640 "$srv/secret2"
        sed -i "s|^AuthChallengeSecretFile .*|AuthChallengeSecretFile \"$srv/secret2\" \"$srv/secret\"|" \
            "$srv/httpd.conf"
        "$httpd" -f "$srv/httpd.conf" -k graceful
        window secret-rotation "$s" "$(($(date +%s) + 2))" all
        continue
    fi
    note "apachectl -k graceful"
    "$httpd" -f "$srv/httpd.conf" -k graceful
    window graceful "$s" "$(($(date +%s) + 2))" all
done

# ------------------------------------------------------------ the end
wait $wrk_pids 2>/dev/null
wrk_pids=
sleep 1
read -r mem1 fds1 n1 <<<"$(footprint)"
t1=$(date +%s)
note "load done; checking"

# Per scheme: requests, 2xx, and the other answers inside and outside
# the windows that may touch the scheme (a second either side: wrk's
# clock has whole seconds).
report=$var/report.tsv
: >"$report"
fail=0
for label in "${labels[@]}"; do
    awk -v label="$label" -v faults="$faults" '
        BEGIN {
            while ((getline l < faults) > 0) {
                split(l, f, "\t")
                if (f[4] == label || f[4] == "all" ||
                    (f[4] == "basic-ldap" && label == "basic-ldap")) {
                    n++; ws[n] = f[2] - 1; we[n] = f[3] + 1
                }
            }
        }
        function inside(t,   i) {
            for (i = 1; i <= n; i++) if (t >= ws[i] && t <= we[i]) return 1
            return 0
        }
        {
            t = $1; st = $2; c = $3; total += c
            if (st >= 200 && st < 300) { ok += c; next }
            if (inside(t)) {
                if (st == 500) in500 += c
                else if (st == 1401) stale += c
                else inbad += c
            }
            else out += c
        }
        END {
            printf "%s\t%d\t%d\t%d\t%d\t%d\t%d\n", label, total, ok,
                in500, stale, inbad, out
        }' "$var/load/$label.counts" >>"$report"
done
while IFS=$'\t' read -r label total ok in500 stale inbad outbad; do
    [ "$total" -gt 0 ] && [ "$inbad" -eq 0 ] && [ "$outbad" -eq 0 ] || fail=1
done <"$report"
# a 401 with stale=true only where the shared cache lost its state
crashes=$(grep -c -E 'exit signal|Segmentation|AddressSanitizer' \
          "$srv/error_log")
[ "$crashes" -eq 0 ] || fail=1
grow() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a ? (b - a) * 100 / a : 0 }'; }
memg=$(grow "$mem0" "$mem1"); fdg=$(grow "$fds0" "$fds1")
awk -v m="$memg" -v f="$fdg" -v g="$growth_max" \
    'BEGIN { exit !(m <= g && f <= g) }' || fail=1
[ "$edits_ok" = 1 ] || fail=1

# Outages in the log: per process and kind (the back-ends; the shared
# cache), the lines that start one (one per outage it saw: an error, or
# a warning when the process first saw the cache's outage where it costs
# only speed: the credential cache, the failure limit) and the notices
# (one per end it saw, or learnt of at its next request).
logcheck=$var/outages.txt
perl -ne '
    next unless /\[pid (\d+)/; my $pid = $1;
    my $kind = /replay store|shared (?:cache|state)/ ? "cache" : "back-ends";
    if (/\[authchallenge:error\].*AC01004/) { $err{"$pid $kind"}++ }
    if (/\[authchallenge:warn\].*AC01008/) { $err{"$pid cache"}++ }
    if (/\[authchallenge:notice\].*AC01010/) { $end{"$pid back-ends"}++ }
    if (/\[authchallenge:notice\].*AC01011/) { $end{"$pid cache"}++ }
    END {
        my $bad = 0;
        for my $k (sort keys %err) {
            my $e = $err{$k}; my $n = $end{$k} // 0;
            # two LDAP outages, two of the cache: at most one error line
            # each; every end said but perhaps the last (no request came
            # in that process after it)
            $bad++ if $e > 2 || $n < $e - 1 || $n > $e;
            print "pid $k: $e start line(s), $n notice(s)\n";
        }
        print "outage logging: ", ($bad ? "WRONG" : "ok"), "\n";
        exit($bad ? 1 : 0);
    }' "$srv/error_log" >"$logcheck" || fail=1

# ------------------------------------------------------------ results
{
    echo "# make soak results"
    echo
    echo "Written by t/soak/run.sh ($(date -u '+%Y-%m-%d %H:%M UTC')):"
    echo "$secs s of load, $(nproc) CPUs, load average at the end" \
         "$(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "| scheme | requests | 2xx | 500 in a fault window | 401 stale=true after the cache lost its state | other non-2xx in a window | non-2xx outside every window |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    while IFS=$'\t' read -r label total ok in500 stale inbad outbad; do
        echo "| $label | $total | $ok | $in500 | $stale | $inbad | $outbad |"
    done <"$report"
    echo
    echo "| fault | from | to (window end) |"
    echo "|---|---|---|"
    while IFS=$'\t' read -r name s e who; do
        echo "| $name | +$((s - t0)) s | +$((e - t0)) s ($who) |"
    done <"$faults"
    echo
    echo "- child crashes: $crashes"
    echo "- RssAnon of httpd's processes: $mem0 kB ($n0 processes) after" \
         "the warm-up, $mem1 kB ($n1) at the end: ${memg} %"
    echo "- open files: $fds0 after the warm-up, $fds1 at the end: ${fdg} %"
    echo "- DBM edits under load (add, change, delete) took effect at once:" \
         "$([ "$edits_ok" = 1 ] && echo yes || echo NO)"
    echo "- outages in the error log, per process:"
    sed 's/^/  - /' "$logcheck"
    echo
    echo "Result: $([ "$fail" = 0 ] && echo PASS || echo FAIL)"
} >"$out"
cat "$out"
exit $fail
