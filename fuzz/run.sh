#!/bin/sh
# Runs every fuzz target (or the ones named) for SECONDS each and prints, per target,
# the executions, the crashes (panics, hangs over 5 s in the instrumented build, more
# than 512 MB, deaths without a report) and the slowest inputs of its corpus, then the
# totals. Exit status 1 if anything crashed.
#
#   fuzz/run.sh SECONDS [TARGET...]        targets: scenario commands compose daemon_json
#
# Works on stable Rust: cargo-fuzz's instrumentation flags are unlocked with
# RUSTC_BOOTSTRAP=1, and no sanitizer is used (`-s none`), so only the stable toolchain
# and `cargo install cargo-fuzz` are needed. Inputs start from the committed corpus
# (fuzz/corpus/TARGET, seeded from the scenario library) and the inputs that once broke
# hnsim (fuzz/regressions/TARGET); what a run adds stays in the corpus
# (`cargo fuzz cmin TARGET` keeps it small); crashes land in fuzz/artifacts/TARGET.
set -eu

seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
targets=${*:-scenario commands compose daemon_json}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

command -v cargo-fuzz >/dev/null || {
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
    exit 2
}

export RUSTC_BOOTSTRAP=1
cargo fuzz build -s none >/dev/null 2>&1
bin=target/x86_64-unknown-linux-gnu/release

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
total_runs=0
total_crashes=0
printf '%-12s %12s %10s %8s  %s\n' target executions exec/s crashes "slowest inputs of the corpus"
for t in $targets; do
    mkdir -p "corpus/$t" "artifacts/$t"
    before=$(find "artifacts/$t" -type f ! -name 'slow-unit-*' | wc -l)
    # -timeout: the target is 2 s per input in the release binary; the instrumented
    # build runs about 3x slower (a compose file scaling a service to the 100,000
    # replicas limit: 2.6 s here, 0.9 s for `hnsim sim` in release), so an input over
    # 5 s is a crash; so is more than 512 MB.
    # The committed regression inputs are replayed first; new inputs go to corpus/$t.
    # A stack overflow kills the process before libFuzzer can save the input; the
    # target writes each input here first (fuzz/src/lib.rs), so it is kept anyway.
    export HNSIM_FUZZ_LAST_INPUT="$logs/$t.last"
    cargo fuzz run -s none "$t" "corpus/$t" "regressions/$t" -- \
        -max_total_time="$seconds" -timeout=5 -rss_limit_mb=512 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="artifacts/$t/" >"$logs/$t" 2>&1 || true
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t" | tail -1)
    # Without final stats (the process died), the last progress line's count.
    runs=${runs:-$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$logs/$t" | tail -1)}
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logs/$t" | tail -1)
    if ! grep -q '^stat::number_of_executed_units' "$logs/$t" && [ -s "$logs/$t.last" ]; then
        # Died without libFuzzer's report (no final stats): keep what it was running.
        died="artifacts/$t/died-$(sha1sum <"$logs/$t.last" | cut -c1-40)"
        cp "$logs/$t.last" "$died"
        echo "    $t died without a report while running $died" >&2
    fi
    after=$(find "artifacts/$t" -type f ! -name 'slow-unit-*' | wc -l)
    crashes=$((after - before))
    # The slowest inputs of the corpus, each run once more on its own and timed.
    slowest=$(find "corpus/$t" -type f -print0 | xargs -0 -n 500 "$bin/$t" 2>&1 |
        sed -n 's/^Executed \(.*\) in \([0-9]*\) ms$/\2 ms \1/p' | sort -n | tail -3 |
        awk '{printf "%s ms %s; ", $1, $3}')
    printf '%-12s %12s %10s %8s  %s\n' "$t" "${runs:-?}" "${rate:-?}" "$crashes" "$slowest"
    if [ "$crashes" -gt 0 ] || [ -z "${runs:-}" ]; then
        grep -E 'ERROR|panicked|SUMMARY|Test unit written' "$logs/$t" | head -5 | sed 's/^/    /'
    fi
    total_runs=$((total_runs + ${runs:-0}))
    total_crashes=$((total_crashes + crashes))
done
printf '%-12s %12s %10s %8s\n' total "$total_runs" "" "$total_crashes"
[ "$total_crashes" -eq 0 ]
