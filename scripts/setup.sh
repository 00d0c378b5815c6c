#!/usr/bin/env bash
# Installs the Debian packages that building and testing hopfield needs, and only if one is
# missing (a machine that has them all is left alone, without touching the network).
set -euo pipefail

packages=(g++ cmake make libeigen3-dev libxsimd-dev catch2 libbenchmark-dev)

if ! command -v dpkg >/dev/null 2>&1; then
    echo "setup.sh: not a Debian-based system; install these yourself (or their equivalents):" >&2
    echo "  ${packages[*]}" >&2
    exit 0
fi

# `dpkg -s` also succeeds for a removed package whose config files remain: read its Status.
is_installed() {
    local status
    status="$(dpkg -s "$1" 2>/dev/null)" || return 1
    grep -q '^Status: install ok installed$' <<<"$status"
}

missing=()
for p in "${packages[@]}"; do
    is_installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "setup.sh: all required packages are installed"
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "setup.sh: missing packages (${missing[*]}); run as root or install sudo" >&2
        exit 1
    fi
fi

echo "setup.sh: installing ${missing[*]}"
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
