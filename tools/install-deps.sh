#!/usr/bin/env bash
# Installs the Debian 12 packages doelpoort needs, if any is missing (apt-get; sudo when not root).
#   tools/install-deps.sh            the build, test and demo set
#   tools/install-deps.sh --bench    and what bench/compare runs: nginx (the peer), siege, perf
set -euo pipefail

packages=(
  build-essential cmake pkg-config openssl curl
  gsoap libgsoap-dev libssl-dev libxml2-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libhiredis-dev prometheus-cpp-dev redis-server prometheus
  googletest libgtest-dev libbenchmark-dev chromium
  python3 python3-zeep python3-requests python3-lxml
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(nginx siege linux-perf)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
