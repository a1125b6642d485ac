#!/usr/bin/env bash
# The whole hnsim test suite, on a fresh machine: installs what the tests need (Debian
# packages: Chromium for the HTML report test, iproute2 and nftables for the netns
# conformance backend), then formatting, lints and every test of every crate.
#
# The netns and swarm conformance tests need root and the Docker tests an engine: where
# they cannot run they fail, unless HNSIM_SKIP_ROOT=1 / HNSIM_SKIP_DOCKER=1 skip them.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium fonts-dejavu-core)
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
command -v sysctl >/dev/null 2>&1 || need+=(procps)
# The Docker and swarm conformance backends: the docker client and dockerd (the swarm
# tests start their own daemons), strip for a small probe image.
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v strip >/dev/null 2>&1 || need+=(binutils)
# The Windows build, proven under Wine (.ci/windows.sh): MinGW links it, Wine 8 runs it.
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need+=(gcc-mingw-w64-x86-64)
command -v wine64 >/dev/null 2>&1 || [ -x /usr/lib/wine/wine64 ] || need+=(wine64)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
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

windows_target=x86_64-pc-windows-gnu
if ! rustup target list --installed 2>/dev/null | grep -qx "$windows_target"; then
  echo "== rustup target add $windows_target"
  rustup target add "$windows_target" || true
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test --workspace
echo "== hnsim test scenarios"
cargo run --quiet -- test scenarios

# The Windows build under Wine: cross-build, clippy for Windows, `hnsim.exe sim`
# against the Linux binary on every bundled scenario, the agent on loopback.
# HNSIM_SKIP_WINE=1 skips it where MinGW or Wine cannot be installed.
if [ "${HNSIM_SKIP_WINE:-}" = 1 ]; then
  echo "== Windows cross-build and Wine: skipped (HNSIM_SKIP_WINE=1)"
else
  echo "== Windows cross-build and Wine"
  start=$(date +%s)
  ./.ci/windows.sh
  echo "== Windows cross-build and Wine: $(($(date +%s) - start)) s"
fi
