#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# One long libFuzzer run of one harness, at the lowest CPU priority:
#
#   t/fuzz/long-run.sh NAME MINUTES        (NAME: records or fuzz_records)
#
# Builds build/fuzz/fuzz_NAME with `make` (clang, -fsanitize=fuzzer,
# address,undefined), copies it into the run directory, then runs it
# `nice -n 19` for MINUTES with -max_total_time and -print_final_stats=1.
# New inputs go to a scratch corpus outside the repository
# ($FUZZ_RUNS/corpus/NAME); t/fuzz/corpus/NAME is only read.  Crash,
# leak, timeout and out-of-memory inputs are written to $FUZZ_RUNS/NAME/.
# UBSan reports stop the run like a crash (halt_on_error=1).
#
# One tab-separated line per run is appended to $FUZZ_RUNS/results.tsv:
#   harness  start  seconds  executions  new-units  findings  commit  log
# where findings lists the crash-/leak-/timeout-/oom- files of the run.
# Merge the scratch corpus into the repository's afterwards with
#   build/fuzz/fuzz_NAME -merge=1 t/fuzz/corpus/NAME $FUZZ_RUNS/corpus/NAME
#
# Environment: FUZZ_RUNS (default /tmp/fuzz-runs), FUZZ_OPTS (more
# libFuzzer flags, e.g. -max_len=8192).
set -eu

[ $# -eq 2 ] || { echo "usage: $0 NAME MINUTES" >&2; exit 2; }
name=${1#fuzz_}
minutes=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
runs=${FUZZ_RUNS:-/tmp/fuzz-runs}
dir=$runs/$name
scratch=$runs/corpus/$name
stamp=$(date +%Y%m%d-%H%M%S)
log=$dir/run-$stamp.log

mkdir -p "$dir" "$scratch"
cd "$top"
[ -f "t/fuzz/fuzz_$name.c" ] || { echo "no t/fuzz/fuzz_$name.c" >&2; exit 2; }
nice -n 19 make -s "build/fuzz/fuzz_$name" >"$dir/build-$stamp.log" 2>&1 \
    || { echo "build failed: $dir/build-$stamp.log" >&2; exit 1; }
bin=$dir/fuzz_$name-$stamp
cp "build/fuzz/fuzz_$name" "$bin"
commit=$(git rev-parse --short HEAD 2>/dev/null || cat .commit 2>/dev/null \
         || echo unknown)

touch "$dir/.start-$stamp"
start=$(date +%s)
rc=0
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
nice -n 19 "$bin" -max_total_time=$((minutes * 60)) -print_final_stats=1 \
    -timeout=60 -rss_limit_mb=2048 -artifact_prefix="$dir/" \
    ${FUZZ_OPTS:-} "$scratch" "t/fuzz/corpus/$name" >"$log" 2>&1 || rc=$?
end=$(date +%s)

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
findings=$(cd "$dir" && find . -maxdepth 1 -newer ".start-$stamp" \
           \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
              -o -name 'oom-*' \) | sed 's|^\./||' | sort | tr '\n' ' ')
rm -f "$dir/.start-$stamp"
[ $rc -eq 0 ] || [ -n "$findings" ] || findings="exit-$rc"
line=$(printf 'fuzz_%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$name" "$stamp" \
       $((end - start)) "${execs:-?}" "${units:-?}" "${findings:-none}" \
       "$commit" "$log")
( flock 9; echo "$line" >>"$runs/results.tsv" ) 9>>"$runs/.lock"
echo "$line"
[ $rc -eq 0 ]
