#!/usr/bin/env bash
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# make bench: throughput of mod_authchallenge side by side with httpd's
# own modules, as a ratio to an unauthenticated static file
# (docs/performance.md, "Measuring").  One httpd (mpm_event) with every row on its own
# <Location>, a throw-away slapd for the LDAP rows, wrk for the load.
# Writes t/bench/results.md and t/bench/bench.png.
#
# This machine's speed moves by 10-20% from one second to the next and
# more over a minute (other guests on its host), so static runs between
# every two rows and each row's ratio is to the static just before and
# just after it (paired, as in an A/B test); and many short samples
# (BENCH_ROUNDS rounds of 1 s each) make the median steadier than a few
# long ones.  A row whose first ratio is under BENCH_REPEAT_MIN (0.7) is
# far from the 0.9 line and measured in the first round only.
#
# Environment: BENCH_SECONDS (1) per row, BENCH_ROUNDS (5),
# BENCH_REPEAT_MIN (0.7), BENCH_CONNECTIONS (20),
# BENCH_BCRYPT_COST (5, htpasswd's default), BENCH_VAR (t/bench/var),
# BENCH_DIGEST_N (lines of Digest headers; default sized from the
# warm-up), BENCH_ROWS (regex: run only matching "table label cN" rows),
# BENCH_LOGLEVEL (warn), BENCH_PIN (1: httpd on CPU 0, wrk on CPU 1, so
# that req/s is one CPU's worth of httpd; default: both share the
# machine, as docs/performance.md's method has it), BUILDDIR (build).
# wrk's reports: var/wrk/.  Exits non-zero when a row failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
var=${BENCH_VAR:-$here/var}
# The httpd children (www-data) read the fixtures: when they cannot
# reach the checkout (a clone in /root, mode 0700), t/bench/var is a
# symbolic link to a world-searchable directory in $TMPDIR or /tmp,
# kept for the next run and make bench-profile (t/lib/www-data.sh).
. "$top/t/lib/www-data.sh"
if [ -z "${BENCH_VAR:-}" ] && [ -n "$(ac_unsearchable www-data "$here")" ]
then
    var=$(ac_stage_link ac-bench www-data "$here/var") || exit 1
    echo "bench: www-data cannot reach $here: t/bench/var is $var" >&2
fi
srv=$var/srv                # server root, rebuilt every run
keep=$var/keep              # slow-to-make files kept between runs
ldapdir=$var/ldap
dur=${BENCH_SECONDS:-1}
rounds=${BENCH_ROUNDS:-5}
repeat_min=${BENCH_REPEAT_MIN:-0.7}
round=1
pin_httpd= pin_wrk=
if [ "${BENCH_PIN:-0}" = 1 ]; then
    pin_httpd="taskset -c 0" pin_wrk="taskset -c 1"
fi
conns=${BENCH_CONNECTIONS:-20}
cost=${BENCH_BCRYPT_COST:-5}
httpd=/usr/sbin/apache2
module=$top/${BUILDDIR:-build}/mod_authchallenge.so
htc=$top/${BUILDDIR:-build}/htchallenge
# a partial run (BENCH_ROWS) leaves the checked-in results alone
if [ -n "${BENCH_ROWS:-}" ]; then outdir=$var; else outdir=$here; fi
rows=$var/rows.tsv  # table label conns users rps p99 status cpu-us/req round
agg=$var/agg.tsv    # the same, one line a row: medians over the rounds
started=$(date +%s)

die() { echo "bench: $*" >&2; exit 1; }
. "$here/lib.sh"
note() { printf '%s\n' "$*" >&2; }

for tool in "$httpd" wrk curl openssl python3 perl gnuplot htpasswd \
    htdbm htdigest; do
    command -v "$tool" >/dev/null || die "$tool not found (make deps)"
done
[ -f "$module" ] || die "$module not built (make module)"
[ -x "$htc" ] || die "$htc not built (make htchallenge)"

# ------------------------------------------------------------ servers
httpd_pid= as_pid=
cleanup() {
    local rc=$?
    if [ -n "$as_pid" ]; then
        kill -TERM "$as_pid" 2>/dev/null || true
    fi
    if [ -n "$httpd_pid" ] && kill -0 "$httpd_pid" 2>/dev/null; then
        kill -TERM "$httpd_pid" 2>/dev/null || true
        for _ in $(seq 100); do
            kill -0 "$httpd_pid" 2>/dev/null || break
            sleep 0.05
        done
        kill -KILL "$httpd_pid" 2>/dev/null || true
    fi
    "$top/t/ldap/slapd-ctl" stop "$ldapdir" >/dev/null 2>&1 || true
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_httpd() {
    local port=$1 ldapport=$2
    sed -e "s|@VAR@|$srv|g" -e "s|@PORT@|$port|g" \
        -e "s|@LDAPPORT@|$ldapport|g" -e "s|@MODULE@|$module|g" \
        -e "s|@ASPORT@|$asport|g" \
        -e "s|@LOGLEVEL@|${BENCH_LOGLEVEL:-warn}|g" \
        "$here/httpd.conf.in" >"$srv/httpd.conf"
    "$httpd" -f "$srv/httpd.conf" -t >"$var/configtest.out" 2>&1 \
        || { cat "$var/configtest.out" >&2; die "bad httpd.conf"; }
    $pin_httpd "$httpd" -f "$srv/httpd.conf" -k start \
        || die "httpd did not start (see $srv/error_log)"
    for _ in $(seq 100); do
        [ -s "$srv/httpd.pid" ] && \
            curl -s -o /dev/null "http://127.0.0.1:$port/static/f.txt" \
            && break
        sleep 0.05
    done
    httpd_pid=$(cat "$srv/httpd.pid" 2>/dev/null) \
        || die "httpd did not start (see $srv/error_log)"
}

# ------------------------------------------------------------ fixtures

make_docs() {
    local d
    mkdir -p "$srv/htdocs" "$srv/run"
    for d in static stock-file-apr1 stock-file-bcrypt stock-dbm-apr1 \
        stock-digest-md5 ac-basic-dbm ac-basic-dbm-nocache ac-basic-ldap \
        ac-basic-ldap-nocache ac-basic-ldap-group ac-digest-md5 \
        ac-digest-sha256 ac-bearer-hs256 ac-bearer-rs256 \
        ac-bearer-rs256-nocache ac-bearer-jwksuri ac-bearer-introspect \
        ac-dbm-10 ac-dbm-10-nocache ac-dbm-10k ac-dbm-1m \
        ac-dbm-1m-nocache; do
        mkdir -p "$srv/htdocs/$d"
        # 100 bytes
        printf '%099d\n' 0 >"$srv/htdocs/$d/f.txt"
    done
}

make_users() {
    local hash
    htpasswd -c -b -m "$srv/apr1.htpasswd" alice alice-pw 2>/dev/null
    htpasswd -c -b -B -C "$cost" "$srv/bcrypt.htpasswd" alice alice-pw \
        2>/dev/null
    htdbm -c -b -m "$srv/apr1.dbm" alice alice-pw >/dev/null 2>&1
    # htdigest reads the password from the terminal only
    printf 'alice:Bench:%s\n' \
        "$(printf 'alice:Bench:alice-pw' | md5sum | cut -d' ' -f1)" \
        >"$srv/digest.htdigest"
    printf 'alice-pw\n' | "$htc" -c -i -C "$cost" -r Bench \
        "$srv/users.dbm" alice >/dev/null 2>&1
    hash=$(htpasswd -n -b -B -C "$cost" alice alice-pw | cut -d: -f2-)
    perl "$here/mkdbm.pl" "$srv/users-10.dbm" 10 "$hash"
    perl "$here/mkdbm.pl" "$srv/users-10k.dbm" 10000 "$hash"
    # a million users take a while: keep the file between runs
    if [ ! -s "$keep/users-1m.dbm" ] || \
        [ "$(cat "$keep/users-1m.cost" 2>/dev/null)" != "$cost" ]; then
        note "writing a DBM file of 1 000 000 users (kept for next runs)"
        perl "$here/mkdbm.pl" "$keep/users-1m.dbm" 1000000 "$hash"
        echo "$cost" >"$keep/users-1m.cost"
    fi
    ln -sf "$keep/users-1m.dbm" "$srv/users-1m.dbm"
}

make_keys() {
    openssl rand -hex 32 | tr -d '\n' >"$srv/hs256.key"
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
        -out "$srv/rs256.key" 2>/dev/null
    openssl pkey -in "$srv/rs256.key" -pubout -out "$srv/rs256.pub"
    # the same key as an authorization server publishes it (t/bench/as.py)
    local n
    n=$(openssl rsa -in "$srv/rs256.key" -noout -modulus 2>/dev/null |
        sed 's/^Modulus=//' | python3 -c 'import base64, sys
print(base64.urlsafe_b64encode(bytes.fromhex(sys.stdin.read().strip()))
      .rstrip(b"=").decode())')
    printf '{"keys":[{"kty":"RSA","kid":"bench-k1","use":"sig","alg":"RS256","n":"%s","e":"AQAB"}]}\n' \
        "$n" >"$srv/jwks.json"
    openssl rand -hex 24 >"$srv/introspect.secret"
    chmod 600 "$srv/hs256.key" "$srv/rs256.key" "$srv/introspect.secret"
}

# ------------------------------------------------------------ measuring
# row TABLE LABEL PATH CONNS USERS AUTH [always]
#   AUTH: "" (none), "H:<Authorization value>" (fixed header) or
#   "L:<file>" (one line per request, rotate.lua; line 1 is the check).
#   ran=1 when it ran (BENCH_ROWS may leave it out, unless "always").
row() {
    local table=$1 label=$2 path=$3 c=$4 users=$5 auth=$6
    local url="http://127.0.0.1:$port$path" out check t0 t1
    # Digest: this round's own slice of the file (a used nc is refused);
    # its first line is the check request's
    local first=$(( 1 + (round - 1) * digest_per_round ))
    ran=0
    [ "${7:-}" = always ] || [[ "$table $label c$c" =~ ${BENCH_ROWS:-.} ]] \
        || return 0
    ran=1
    prev_label="$table $label"
    nrow=$((nrow + 1))
    out=$var/wrk/$nrow.out
    local -a hdr=() wrkargs=()
    case $auth in
    H:*) hdr=(-H "Authorization: ${auth#H:}")
         wrkargs=(-H "Authorization: ${auth#H:}") ;;
    L:*) hdr=(-H "Authorization: $(sed -n "${first}p" "${auth#L:}")")
         wrkargs=(-s "$here/rotate.lua") ;;
    esac
    check=$(curl -s -o /dev/null -w '%{http_code}' "${hdr[@]}" "$url") \
        || check=000
    if [ "$check" != 200 ]; then
        note "FAIL $label: check request got $check, not 200"
        printf '%s\t%s\t%s\t%s\t0\t-\tFAIL (check: %s)\t-\t%s\t%s\n' \
            "$table" "$label" "$c" "$users" "$check" "$round" "$nrow" \
            >>"$rows"
        return 0
    fi
    settle
    t0=$(server_ticks)
    if [ "${auth:0:2}" = L: ]; then
        $pin_wrk wrk -t1 -c"$c" -d"${dur}s" --latency "${wrkargs[@]}" "$url" \
            -- "${auth#L:}" $((first + 1)) $((digest_per_round - 1)) \
            >"$out" 2>&1 || true
    else
        $pin_wrk wrk -t1 -c"$c" -d"${dur}s" --latency "${wrkargs[@]}" "$url" \
            >"$out" 2>&1 || true
    fi
    t1=$(server_ticks)
    { echo "# $table / $label / c$c / $url"; cat "$out"
      echo "server CPU ticks: $((t1 - t0)) (CLK_TCK $(getconf CLK_TCK))"
    } >"$out.tmp"
    mv "$out.tmp" "$out"
    parse_wrk "$table" "$label" "$c" "$users" <"$out" |
        sed "s/\$/\t$round\t$nrow/" >>"$rows"
    tail -n1 "$rows" | awk -F'\t' '{ printf "  %-50s %6s req/s  p99 %7s ms  %5s us CPU/req  %s\n", $2 " (c" $3 ")", $5, $6, $8, $7 }' >&2
}

# wrk's report -> one TSV line.  Anything but 200 makes the row FAIL.
parse_wrk() {
    awk -F'\t' -v table="$1" -v label="$2" -v c="$3" -v users="$4" \
        -v hz="$(getconf CLK_TCK)" '
    function ms(v) {
        if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
        if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
        if (v ~ /m$/)  return substr(v, 1, length(v) - 1) * 60000
        if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
        return v
    }
    { split($0, f, " ") }
    /requests in/            { total = f[1] }
    /^Requests\/sec:/        { rps = f[2] }
    f[1] == "99%"            { p99 = ms(f[2]) }
    /Non-2xx or 3xx/         { bad = f[5] }
    /^server CPU ticks:/     { ticks = f[4] }
    /Socket errors:/ {
        n = split($0, e, /[^0-9]+/)
        for (i = 1; i <= n; i++) errs += e[i]
    }
    END {
        status = "ok"
        if (rps == "" || total == 0) status = "FAIL (wrk: no result)"
        else if (bad + 0 > 0)
            status = sprintf("FAIL (%d of %d not 200)", bad, total)
        else if (errs + 0 > 0)
            status = sprintf("FAIL (%d socket errors)", errs)
        if (p99 == "") p99 = "-"; else p99 = sprintf("%.2f", p99)
        cpu = total > 0 ? sprintf("%.0f", ticks * 1e6 / hz / total) : "-"
        printf "%s\t%s\t%s\t%s\t%.0f\t%s\t%s\t%s\n",
            table, label, c, users, rps, p99, status, cpu
    }'
}

# CPU time (clock ticks) used so far by httpd (parent and children) and
# slapd: a noise-resistant cost per request next to the throughput,
# which other jobs on the machine disturb more.
server_ticks() {
    local p files=()
    for p in $httpd_pid $(ps -o pid= --ppid "$httpd_pid" 2>/dev/null) \
        $(cat "$ldapdir/slapd.pid" 2>/dev/null || true); do
        [ -r "/proc/$p/stat" ] && files+=("/proc/$p/stat")
    done
    # fields after the command name, which ends with ") "
    awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }' \
        "${files[@]}" 2>/dev/null || echo 0
}

# Wait (at most 3 s) until httpd and slapd are idle: a row after a
# CPU-bound one (bcrypt, LDAP binds) must not pay for its stragglers.
settle() {
    local a b
    for _ in $(seq 30); do
        a=$(server_ticks); sleep 0.1; b=$(server_ticks)
        [ $((b - a)) -le 1 ] && return 0
    done
}

digest_lines() {    # PATH FILE: precomputed Authorization values
    python3 "$here/digest.py" "http://127.0.0.1:$port$1" alice alice-pw \
        "$digest_n" "$conns" "$2"
}

# ------------------------------------------------------------ output
# rows.tsv -> agg.tsv: one line a row (table label conns users), with
# the medians over its rounds of req/s, p99, CPU per request, the ratio
# to static and the CPU over static, plus the lowest and highest ratio.
# Each sample's ratio is to the mean of the static samples just before
# and just after it (same table and connections); static's own samples
# are shown against the mean of them all, so their range is the drift
# over the run.
aggregate() {
    awk -F'\t' -v OFS='\t' '
    function med(a, n,   i, j, v) {
        for (i = 2; i <= n; i++) {
            v = a[i]
            for (j = i - 1; j > 0 && a[j] > v; j--) a[j + 1] = a[j]
            a[j + 1] = v
        }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    # pass 1: the static samples of each table and connections
    NR == FNR {
        if ($2 == "static" && $7 == "ok") {
            g = $1 "/" $3; j = ++ns[g]
            sslot[g, j] = $10; srps[g, j] = $5; scpu[g, j] = $8
            all[g] += $5; allc[g] += $8
        }
        next
    }
    # pass 2: every sample, with the static to compare it with
    {
        k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4
        if (!(k in m)) order[++nk] = k
        i = ++m[k]
        r[k, i] = $5; p[k, i] = $6; st[k, i] = $7; cpu[k, i] = $8
        g = $1 "/" $3
        if (!ns[g]) g = "main/" $3
        b = c0 = n = 0
        if ($2 == "static") {
            if (ns[g]) { b = all[g] / ns[g]; c0 = allc[g] / ns[g] }
        } else {
            bi = ai = 0
            for (j = 1; j <= ns[g]; j++) {
                if (sslot[g, j] < $10) bi = j
                else if (!ai) ai = j
            }
            if (bi) { b += srps[g, bi]; c0 += scpu[g, bi]; n++ }
            if (ai) { b += srps[g, ai]; c0 += scpu[g, ai]; n++ }
            if (n) { b /= n; c0 /= n }
        }
        base[k, i] = b; cbase[k, i] = c0
    }
    END {
        for (x = 1; x <= nk; x++) {
            k = order[x]; split(k, f, SUBSEP); n = m[k]
            status = "ok"; nr = np = nc = no = nq = 0
            lo = hi = ""
            for (i = 1; i <= n; i++) {
                if (st[k, i] != "ok") { if (status == "ok") status = st[k, i]; continue }
                R[++nr] = r[k, i]
                if (p[k, i] != "-") P[++np] = p[k, i]
                if (cpu[k, i] != "-") {
                    C[++nc] = cpu[k, i]
                    if (cbase[k, i] > 0) O[++no] = cpu[k, i] - cbase[k, i]
                }
                if (base[k, i] > 0) {
                    Q[++nq] = r[k, i] / base[k, i]
                    if (lo == "" || Q[nq] < lo) lo = Q[nq]
                    if (hi == "" || Q[nq] > hi) hi = Q[nq]
                }
            }
            printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n",
                f[1], f[2], f[3], f[4],
                nr ? sprintf("%.0f", med(R, nr)) : 0,
                np ? sprintf("%.2f", med(P, np)) : "-", status,
                nc ? sprintf("%.0f", med(C, nc)) : "-",
                nq ? sprintf("%.2f", med(Q, nq)) : "-",
                lo == "" ? "-" : sprintf("%.2f", lo),
                hi == "" ? "-" : sprintf("%.2f", hi),
                (no && f[2] != "static") ? sprintf("%+.0f", med(O, no)) : "",
                n
            delete R; delete P; delete C; delete O; delete Q
        }
    }' "$rows" "$rows" >"$agg"
}

# The first round's ratio of each main row, "label<TAB>ratio": which
# rows are near enough to the line to be measured again.
first_ratios() {
    aggregate
    awk -F'\t' '$1 == "main" && $2 != "static" { print $2 "\t" $9 }' "$agg"
}

# The two tables as markdown, from agg.tsv.
tables_md() {
    awk -F'\t' -v rounds="$rounds" -v conns="$conns" '
    { t[NR] = $1; l[NR] = $2; c[NR] = $3; u[NR] = $4; r[NR] = $5
      p[NR] = $6; s[NR] = $7; cpu[NR] = $8; q[NR] = $9; lo[NR] = $10
      hi[NR] = $11; o[NR] = $12; n[NR] = $13 }
    function status(i) { return s[i] == "ok" ? "ok" : "**" s[i] "**" }
    function range(i) {
        return (n[i] > 1 && lo[i] != "-") ? " (" lo[i] "–" hi[i] ")" : ""
    }
    END {
        print "### Main table (wrk -t1 -c" conns ", medians of up to " rounds " rounds)"
        print ""
        print "| row | samples | req/s | ratio to the static runs beside it (lowest–highest) | p99 latency (ms) | server CPU per request (µs) | CPU over static (µs) | status |"
        print "|---|---:|---:|---:|---:|---:|---:|---|"
        for (i = 1; i <= NR; i++) if (t[i] == "main")
            printf "| %s | %s | %s | %s%s | %s | %s | %s | %s |\n",
                l[i] == "static" ? "static (before and after every row)" : l[i],
                n[i], r[i], q[i], range(i), p[i], cpu[i], o[i], status(i)
        print ""
        print "### Scaling: Basic + DBM bcrypt (this module, one round)"
        print ""
        print "| row | connections | users in DBM | req/s | ratio to the static runs beside it (same connections) | p99 latency (ms) | server CPU per request (µs) | status |"
        print "|---|---:|---:|---:|---:|---:|---:|---|"
        for (i = 1; i <= NR; i++) if (t[i] == "scale")
            printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", l[i],
                c[i], u[i], r[i], q[i], p[i], cpu[i], status(i)
    }' "$agg"
}

plot() {
    local dat=$var/plot.dat n
    awk -F'\t' '
        $1 == "main" && $2 !~ /^static/ {
            l[++m] = $2; r[m] = ($7 == "ok" && $9 != "-") ? $9 : 0
            s[m] = $7
        }
        END {
            if (m) printf "\"static (no auth)\"\t1.000\t2\n"
            for (i = 1; i <= m; i++) {
                lab = (s[i] == "ok") ? l[i] : l[i] " FAILED"
                gsub(/"/, "", lab)
                printf "\"%s\"\t%.3f\t%d\n", lab, r[i], (lab ~ /^authchallenge/)
            }
        }' "$agg" >"$dat"
    n=$(wc -l <"$dat")
    [ "$n" -gt 0 ] || return 0      # BENCH_ROWS left out the main table
    # horizontal bars, first row on top
    gnuplot <<GP
set terminal pngcairo size 1000,$((120 + 32 * n)) font "sans,10" noenhanced
set output "$outdir/bench.png"
set title "make bench: requests/s relative to a static file\nwrk -t1 -c$conns, ${dur} s a row, each against the static runs beside it, median of up to $rounds rounds"
set xlabel "ratio to static"
set xrange [0:1.25]
set yrange [-0.7:$n - 0.3]
set ytics scale 0
set grid xtics
set style fill solid 0.85 border -1
set key below horizontal
set arrow from 0.9, graph 0 to 0.9, graph 1 nohead dt 2 lc rgb "red"
set label "target 0.9" at 0.9, graph 1 offset -3,0.7 tc rgb "red"
f(c, w) = (c == w) ? 1 : 1/0
y(i) = $n - 1 - i
plot "$dat" using (\$2/2):(y(\$0)):(\$2/2):(0.35*f(\$3,0)):ytic(1) \
        with boxxyerror lc rgb "#999999" title "httpd's own modules", \
     "" using (\$2/2):(y(\$0)):(\$2/2):(0.35*f(\$3,1)) \
        with boxxyerror lc rgb "#2b6cb0" title "mod_authchallenge", \
     "" using (\$2/2):(y(\$0)):(\$2/2):(0.35*f(\$3,2)) \
        with boxxyerror lc rgb "#38a169" notitle, \
     "" using (\$2 + 0.01):(y(\$0)):(sprintf("%.2f", \$2)) \
        with labels left notitle
GP
}

write_results() {
    local cpu mem
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
    {
        echo "# make bench results"
        echo
        echo "Written by t/bench/run.sh ($(date -u '+%Y-%m-%d %H:%M UTC'))."
        echo "Ratios matter, not absolute numbers: other jobs may share"
        echo "this machine (load average at the start: $load_start)."
        echo
        echo "- machine: $(nproc) CPUs, $cpu, $mem RAM, $(uname -sr)"
        echo "- $("$httpd" -v | head -n1 | sed 's/^Server version: //'), mpm_event, 2 children x 128 threads, no access log"
        echo "- $(curl --version | head -n1 | cut -d' ' -f1-2), $(openssl version | cut -d' ' -f1-2), $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2), $(/usr/sbin/slapd -VV 2>&1 | grep -o 'slapd [0-9.]*' | head -n1)"
        echo "- wrk -t1 -c$conns -d${dur}s --latency per row, a 100-byte file;"
        if [ -n "$pin_httpd" ]; then
            echo "  httpd pinned to CPU 0, wrk to CPU 1 (BENCH_PIN=1);"
        else
            echo "  httpd and wrk share the CPUs;"
        fi
        echo "  bcrypt cost $cost (htpasswd's default) for every bcrypt row;"
        echo "  Digest rows send a fresh precomputed Authorization per request:"
        echo "  $conns clients, each with its own nonce and nc = 1, 2, ...,"
        echo "  interleaved ($digest_per_round values per row and round);"
        echo "  JWTs carry sub, iat, exp; RSA 2048."
        echo "- the main table: static runs before and after every row, and a"
        echo "  row's ratio is to the mean of the two static runs beside it"
        echo "  (this machine's speed moves by 10-20% from one second to the"
        echo "  next and more over a minute; a row and its neighbours are"
        echo "  seconds apart); $rounds rounds"
        echo "  of the rows at or over ${repeat_min}x in the first round, one of"
        echo "  the others; medians shown, lowest and highest in brackets"
        echo "- static: $static_note"
        echo "- server CPU per request: user + system time of httpd (all"
        echo "  processes) and slapd during the row, divided by the requests;"
        echo "  less disturbed by other jobs than req/s (wrk runs on the same"
        echo "  CPUs, and its share is not counted); \"CPU over static\" is the"
        echo "  row's CPU per request minus that of the static runs beside it:"
        echo "  what authentication costs"
        echo "- run time: $(( $(date +%s) - started )) s"
        echo
        tables_md
        echo
        echo "![ratios](bench.png)"
    } >"$outdir/results.md"
}

# ------------------------------------------------------------ main
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
rm -rf "$srv" "$ldapdir" "$rows" "$var/wrk"
mkdir -p "$srv" "$keep" "$var/wrk"
nrow=0 prev_label=
: >"$rows"

note "bench: fixtures in $var"
make_docs
make_users
make_keys
chmod -R a+rX "$var"
chmod 600 "$srv/hs256.key" "$srv/rs256.key" "$srv/introspect.secret"

# a fixed authorization server for the JWKS URI and introspection rows
asport=$(free_port)
python3 "$here/as.py" "$asport" "$srv/jwks.json" bench-client \
    "$srv/introspect.secret" 2>"$var/as.log" &
as_pid=$!
for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$asport/jwks" && break
    sleep 0.05
done

ldapport=$(SLAPD_CTL_OWNER=$$ "$top/t/ldap/slapd-ctl" start "$ldapdir" | tail -n1)
port=$(free_port)
start_httpd "$port" "$ldapport"
note "bench: httpd on 127.0.0.1:$port (pid $httpd_pid), slapd on $ldapport"

basic=$(b64 alice:alice-pw)
hs256=$(python3 "$here/jwt.py" HS256 "$srv/hs256.key")
rs256=$(python3 "$here/jwt.py" RS256 "$srv/rs256.key")
rs256as=$(python3 "$here/jwt.py" RS256 "$srv/rs256.key" bench-k1 \
    "http://127.0.0.1:$asport" bench)
opaque=$(openssl rand -hex 24)

# Warm up, and size the Digest files: no authenticated row is faster
# than static, so twice static's request count is enough.
wrk -t1 -c"$conns" -d2s "http://127.0.0.1:$port/static/f.txt" \
    >"$var/wrk.out" 2>&1 || true
warm=$(awk '/^Requests\/sec:/ { printf "%d", $2 }' "$var/wrk.out")
digest_per_round=${BENCH_DIGEST_N:-$(( ${warm:-10000} * dur * 2 + 10000 ))}
digest_n=$(( digest_per_round * rounds + 1 ))
note "bench: warm-up $warm req/s; $digest_per_round Digest values per Digest row and round"
digest_lines /stock-digest-md5/f.txt "$srv/stock-digest-md5.auth"
digest_lines /ac-digest-md5/f.txt "$srv/ac-digest-md5.auth"
digest_lines /ac-digest-sha256/f.txt "$srv/ac-digest-sha256.auth"
# the fixtures are 100+ MB (Digest lines, a new 1M-user file): written
# back now, not while the first rounds are measured
sync

S="authchallenge"
main_rows=(
    "stock Basic + authn_file apr1	/stock-file-apr1/f.txt	1	H:Basic $basic"
    "stock Basic + authn_file bcrypt	/stock-file-bcrypt/f.txt	1	H:Basic $basic"
    "stock Basic + authn_dbm apr1	/stock-dbm-apr1/f.txt	1	H:Basic $basic"
    "harness: static, Digest headers rotated by wrk's Lua	/static/f.txt	-	L:$srv/ac-digest-sha256.auth"
    "stock Digest MD5 (auth_digest)	/stock-digest-md5/f.txt	1	L:$srv/stock-digest-md5.auth"
    "$S Basic DBM bcrypt, cache on	/ac-basic-dbm/f.txt	1	H:Basic $basic"
    "$S Basic DBM bcrypt, cache Off	/ac-basic-dbm-nocache/f.txt	1	H:Basic $basic"
    "$S Basic LDAP, cache on	/ac-basic-ldap/f.txt	-	H:Basic $basic"
    "$S Basic LDAP, cache Off	/ac-basic-ldap-nocache/f.txt	-	H:Basic $basic"
    "$S Basic LDAP group, cache on	/ac-basic-ldap-group/f.txt	-	H:Basic $basic"
    "$S Digest MD5, replay check	/ac-digest-md5/f.txt	1	L:$srv/ac-digest-md5.auth"
    "$S Digest SHA-256, replay check	/ac-digest-sha256/f.txt	1	L:$srv/ac-digest-sha256.auth"
    "$S Bearer HS256 JWT	/ac-bearer-hs256/f.txt	-	H:Bearer $hs256"
    "$S Bearer RS256 JWT	/ac-bearer-rs256/f.txt	-	H:Bearer $rs256"
    "$S Bearer RS256 JWT, cache Off	/ac-bearer-rs256-nocache/f.txt	-	H:Bearer $rs256"
    "$S Bearer RS256 JWT via JWKS URI, cache on	/ac-bearer-jwksuri/f.txt	-	H:Bearer $rs256as"
    "$S Bearer opaque token introspected, cache on	/ac-bearer-introspect/f.txt	-	H:Bearer $opaque"
)

# One round of the main table: static, then each row (indexes into
# main_rows) followed by static again.
main_round() {
    local i label path users auth
    # the previous round ended with one
    [ "$prev_label" = "main static" ] \
        || row main static /static/f.txt "$conns" - "" always
    for i in "$@"; do
        IFS=$'\t' read -r label path users auth <<<"${main_rows[$i]}"
        row main "$label" "$path" "$conns" "$users" "$auth"
        [ "$ran" = 0 ] || row main static /static/f.txt "$conns" - "" always
    done
}

round=1
note "bench: main table, round 1 of $rounds"
main_round "${!main_rows[@]}"
again=()
ratios=$(first_ratios)
for i in "${!main_rows[@]}"; do
    label=${main_rows[$i]%%$'\t'*}
    q=$(awk -F'\t' -v l="$label" '$1 == l { print $2 }' <<<"$ratios")
    if [ -n "$q" ] && [ "$q" != - ] && \
        awk -v q="$q" -v m="$repeat_min" 'BEGIN { exit !(q >= m) }'; then
        again+=("$i")
    fi
done
for round in $(seq 2 "$rounds"); do
    note "bench: main table, round $round of $rounds (${#again[@]} rows at or over ${repeat_min}x)"
    main_round "${again[@]}"
done
round=1
static_note=$(awk -F'\t' '$1 == "main" && $2 == "static" && $7 == "ok" {
    n++; s += $5; if (!lo || $5 < lo) lo = $5; if ($5 > hi) hi = $5 }
    END { printf "%d samples, %d to %d req/s (mean %.0f)", n, lo, hi, n ? s / n : 0 }' "$rows")

note "bench: scaling"
for c in 1 10 100; do
    row scale static /static/f.txt "$c" - ""
    row scale "Basic DBM bcrypt, cache on" /ac-basic-dbm/f.txt "$c" 1 "H:Basic $basic"
done
row scale static /static/f.txt "$conns" - ""
row scale "Basic DBM bcrypt, cache on" /ac-dbm-10/f.txt "$conns" 10 "H:Basic $basic"
row scale "Basic DBM bcrypt, cache on" /ac-dbm-10k/f.txt "$conns" 10000 "H:Basic $basic"
row scale static /static/f.txt "$conns" - ""
row scale "Basic DBM bcrypt, cache on" /ac-dbm-1m/f.txt "$conns" 1000000 "H:Basic $basic"
row scale "Basic DBM bcrypt, cache Off" /ac-dbm-10-nocache/f.txt "$conns" 10 "H:Basic $basic"
row scale "Basic DBM bcrypt, cache Off" /ac-dbm-1m-nocache/f.txt "$conns" 1000000 "H:Basic $basic"
row scale static /static/f.txt "$conns" - ""

aggregate
write_results
plot
echo
sed -n '/^### /,$p' "$outdir/results.md" | grep -v '^!\['
echo
echo "results: $outdir/results.md, chart: $outdir/bench.png ($(( $(date +%s) - started )) s)"
if grep -q 'FAIL' "$rows"; then
    echo "bench: some rows FAILED (see the status column)" >&2
    exit 1
fi
