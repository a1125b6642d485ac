#!/bin/sh
# Side by side, in one run: Mininet's `pingall` and hnsim's netns probing on the same
# topology — N hosts on one Linux bridge, ICMP between every ordered pair — for
# N = 20, 50, 100 (HNSIM_BENCH_SIZES), at the machine's neighbour-table limits (run it
# at the kernel defaults, 128/512/1024, to compare what a user's machine does).
#
#   sudo conformance/benches/mininet.sh
#
# Mininet comes from Debian (`mininet`, `bridge-utils`, installed when missing) and runs
# as `mn --switch lxbr --controller none` would, in a network namespace of its own: in
# the root namespace Docker's FORWARD policy drops bridged traffic. Nothing else of the
# machine is touched (no `mn -c`); the namespace is deleted at the end.
#
# Prints one row per N: Mininet's build+teardown time and pings/s (median of
# MININET_BENCH_RUNS runs, default 1: its pingall takes minutes at N=100), hnsim's
# realize+teardown time and probes/s (median of HNSIM_BENCH_RUNS runs, default 3), and
# the ratio of the two rates. Figures are noisy on a shared machine.
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
sizes=${HNSIM_BENCH_SIZES:-20,50,100}
runs=${HNSIM_BENCH_RUNS:-3}
# Mininet's pingall takes minutes at N=100: one run unless asked for more.
mininet_runs=${MININET_BENCH_RUNS:-1}

if [ "$(id -u)" != 0 ]; then
    echo "run as root (network namespaces)" >&2
    exit 2
fi
if ! command -v mn >/dev/null || ! command -v brctl >/dev/null || ! command -v ping >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q mininet bridge-utils iputils-ping >/dev/null
fi

limits=$(cat /proc/sys/net/ipv4/neigh/default/gc_thresh1 /proc/sys/net/ipv4/neigh/default/gc_thresh2 /proc/sys/net/ipv4/neigh/default/gc_thresh3 | paste -sd/)
echo "neighbour table limits (gc_thresh1/2/3): $limits"

ns="mnbench-$$"
script=$(mktemp /tmp/mnbench-XXXXXX.py)
cleanup() {
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
    rm -f "$script"
}
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip -n "$ns" link set lo up

cat >"$script" <<'PY'
import statistics, sys, time
from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.nodelib import LinuxBridge
from mininet.topo import SingleSwitchTopo

setLogLevel("error")
n, runs = int(sys.argv[1]), int(sys.argv[2])
build, stop, rate, lost = [], [], [], 0.0
for _ in range(runs):
    t = time.time()
    # `mn --switch lxbr --controller none --topo single,N`
    net = Mininet(topo=SingleSwitchTopo(n), switch=LinuxBridge, controller=None)
    net.start()
    build.append(time.time() - t)
    t = time.time()
    lost = max(lost, net.pingAll(timeout=1))
    rate.append(n * (n - 1) / (time.time() - t))
    t = time.time()
    net.stop()
    stop.append(time.time() - t)
med = statistics.median
print(f"mininet N={n} build={med(build):.3f} teardown={med(stop):.3f} rate={med(rate):.0f} lost={lost:.0f}%")
PY

# Mininet's own interpreter (the Debian package's), whatever `python3` is on PATH.
py=$(sed -n '1s/^#! *//p' "$(command -v mn)")
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
printf "%5s  %16s %12s  %16s %12s  %7s  %s\n" N "mininet b+t (s)" "pings/s" "hnsim r+t (s)" "probes/s" ratio "notes"
for n in $(echo "$sizes" | tr , ' '); do
    m=$(ip netns exec "$ns" $py "$script" "$n" "$mininet_runs")
    h=$(cd "$here" && HNSIM_BENCH_SIZES=$n HNSIM_BENCH_RUNS=$runs cargo bench -q -p hnsim-conformance --bench mesh 2>/dev/null | grep '^hnsim ')
    field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
    mb=$(field "$m" build); mt=$(field "$m" teardown); mr=$(field "$m" rate); ml=$(field "$m" lost)
    hr=$(field "$h" realize); ht=$(field "$h" teardown); hp=$(field "$h" rate); hd=$(field "$h" disagree)
    printf "%5s  %16.2f %12s  %16.3f %12s  %6.1fx  mininet lost %s, hnsim %s disagreements\n" \
        "$n" "$(calc "$mb + $mt")" "$mr" "$(calc "$hr + $ht")" "$hp" \
        "$(calc "$hp / $mr")" "$ml" "$hd"
done
