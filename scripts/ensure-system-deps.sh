#!/usr/bin/env bash
# Debian packages for the browser tests (chromium), the HTTP cache in front of the site (varnish:
# cache tests, `make serve`, benchmarks) and benchmarks (wrk, nginx). Installed only when missing;
# these machines run as root with Debian's registry reachable.
# `ensure-system-deps.sh varnish` checks only the cache (`make serve`).
set -euo pipefail
only="${1:-}"
missing=()
if [ -z "$only" ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
fi
command -v varnishd >/dev/null || [ -x /usr/sbin/varnishd ] || missing+=(varnish)
if [ "${ALSMIS_BENCH:-}" = "1" ]; then
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || missing+=(nginx-light)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "WARNING: missing system packages (${missing[*]}) and cannot apt-get them; browser and cache tests will fail." >&2
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
