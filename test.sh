#!/usr/bin/env bash
# The whole hnsim test suite, on a fresh machine: installs what the tests need (Debian
# packages: Chromium for the HTML report test, iproute2 and nftables for the netns
# conformance backend), then formatting, lints and every test of every crate.
#
# The netns conformance tests need root; run as an ordinary user they say so and skip.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium fonts-dejavu-core)
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
command -v sysctl >/dev/null 2>&1 || need+=(procps)
if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
  else
    echo "== missing packages: ${need[*]} (run as root, or install them, for the full suite)"
  fi
fi
if [ "$(id -u)" = 0 ]; then
  for m in veth bridge vxlan macvlan nf_tables nft_chain_nat nft_masq nft_fib_ipv4 nf_conntrack; do
    modprobe "$m" 2>/dev/null || true
  done
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test --workspace
echo "== hnsim test scenarios"
cargo run --quiet -- test scenarios
