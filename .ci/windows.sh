#!/usr/bin/env bash
# The Windows build of hnsim, proven on Linux: cross-compiles for
# x86_64-pc-windows-gnu (MinGW), lints that build, and runs hnsim.exe under Wine:
#   1. `hnsim.exe sim FILE --format json` prints byte for byte what the Linux binary
#      prints, with the same exit code, for every bundled scenario;
#   2. the probe agent serves TCP and UDP and answers a batch of ICMP, TCP and UDP
#      probes on loopback (ICMP through IcmpSendEcho2), read from a file path and
#      from standard input, and a closed TCP port is `refused`.
# Called by test.sh; needs the target, MinGW and Wine (test.sh installs them as root).
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-pc-windows-gnu
dir="${CARGO_TARGET_DIR:-target}"
wine=$(command -v wine64 || command -v wine || echo /usr/lib/wine/wine64)
wineserver=$(command -v wineserver || echo /usr/lib/wine/wineserver)

echo "== cargo clippy --target $target"
cargo clippy --target "$target" --workspace -- -D warnings
echo "== cargo build --target $target (hnsim.exe)"
cargo build --target "$target" -p hnsim
cargo build -p hnsim
exe="$dir/$target/debug/hnsim.exe"
linux="$dir/debug/hnsim"
# Wine 8 has no bcryptprimitives.dll: a forwarding stand-in goes next to the test
# executable (the loader looks in the executable's directory first).
x86_64-w64-mingw32-gcc -shared -O2 -o "$dir/$target/debug/bcryptprimitives.dll" \
  .ci/wine/bcryptprimitives.c -ladvapi32

prefix=$(mktemp -d -t hnsim-wine.XXXXXX)
export WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
serve_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
  "$wineserver" -k 2>/dev/null || true
  rm -rf "$prefix"
}
trap cleanup EXIT
# One wine server for every run below: starting one per process costs seconds.
"$wineserver" -p || true
"$wine" wineboot -i >/dev/null 2>&1 || true

echo "== hnsim.exe sim under Wine: the same JSON as the Linux binary"
out=$(mktemp -d -t hnsim-wine-out.XXXXXX)
trap 'cleanup; rm -rf "$out"' EXIT
# One scenario: the same exit code and the same bytes from both binaries. Run four at a
# time: each Wine process spends most of its life starting up, not computing.
compare() {
  local f=$1 dir lc wc
  dir=$(mktemp -d "$out/one.XXXXXX")
  set +e
  "$linux" sim "$f" --format json >"$dir/linux.json" 2>/dev/null
  lc=$?
  "$wine" "$exe" sim "$f" --format json >"$dir/windows.json" 2>/dev/null
  wc=$?
  set -e
  if [ "$lc" != "$wc" ] || ! cmp -s "$dir/linux.json" "$dir/windows.json"; then
    echo "DIFFERENT: $f (exit $lc on Linux, $wc under Wine)"
    diff <(head -c 2000 "$dir/linux.json") <(head -c 2000 "$dir/windows.json") | head -20 || true
    return 1
  fi
  rm -rf "$dir"
}
export -f compare
export linux exe wine out
n=$(find scenarios -type f \( -name '*.yaml' -o -name '*.compose' \) | wc -l)
find scenarios -type f \( -name '*.yaml' -o -name '*.compose' \) -print0 | sort -z |
  xargs -0 -P 4 -n 1 bash -c 'compare "$1"' _ ||
  { echo "hnsim.exe and hnsim disagree"; exit 1; }
echo "$n scenarios: identical"

echo "== the probe agent under Wine: ICMP, TCP and UDP on loopback"
port() { echo $((40000 + RANDOM % 20000)); }
tcp=$(port)
udp=$(port)
closed=$(port)
"$wine" "$exe" probe serve --tcp "$tcp" --udp "$udp" >"$out/serve.out" 2>&1 &
serve_pid=$!
for _ in $(seq 1 100); do
  grep -q ready "$out/serve.out" 2>/dev/null && break
  sleep 0.1
done
grep -q ready "$out/serve.out" || { cat "$out/serve.out"; echo "agent did not start"; exit 1; }
cat >"$out/batch.json" <<JSON
{"timing":{"timeout_ms":1000,"retries":1,"workers":4},"probes":[
 {"id":0,"probe":"icmp","ip":"127.0.0.1"},
 {"id":1,"probe":"tcp/$tcp","ip":"127.0.0.1"},
 {"id":2,"probe":"udp/$udp","ip":"127.0.0.1"},
 {"id":3,"probe":"tcp/$closed","ip":"127.0.0.1"}]}
JSON
expect='^\[\{"id":0,"outcome":\{"result":"reply"\}.*\{"id":1,"outcome":\{"result":"reply"\}.*\{"id":2,"outcome":\{"result":"reply"\}.*\{"id":3,"outcome":\{"result":"refused"\}'
from_file=$("$wine" "$exe" probe run --batch "$out/batch.json")
from_stdin=$("$wine" "$exe" probe run --batch - <"$out/batch.json")
linux_to_wine=$("$linux" probe run --batch "$out/batch.json")
for r in "$from_file" "$from_stdin"; do
  echo "$r"
  [[ "$r" =~ $expect ]] || { echo "the Windows agent did not answer as expected"; exit 1; }
done
# The Linux agent probing the Windows one checks the serving side alone (its ICMP
# goes through a ping socket, which this namespace may forbid: not judged here).
echo "$linux_to_wine"
[[ "$linux_to_wine" =~ \{\"id\":1,\"outcome\":\{\"result\":\"reply\"\} ]] &&
  [[ "$linux_to_wine" =~ \{\"id\":2,\"outcome\":\{\"result\":\"reply\"\} ]] ||
  { echo "the Windows agent's listeners did not answer the Linux agent"; exit 1; }
echo "Windows agent: icmp, tcp and udp answered; closed tcp port refused"
