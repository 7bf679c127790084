#!/usr/bin/env bash
# Tools the tests run for real: hledger (export check) and chromium (renders
# the person statement). Installed from Debian's packages when missing.
set -euo pipefail
missing=()
command -v hledger >/dev/null 2>&1 || missing+=(hledger)
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-liberation fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]} from Debian's packages"
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
