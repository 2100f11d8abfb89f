#!/bin/sh
# Install what shoebox needs, when it is missing: Debian packages through
# apt-get (as root), npm packages into tests/node.
#
#   sh scripts/install-deps.sh --build	what `make` and `make demo` need
#   sh scripts/install-deps.sh		that, and what the tests and
#					benchmarks need (`make check`)
set -e
cd "$(dirname "$0")/.."

# Building ./shoebox and its magic file; sqlite3 shows the demo's catalogue.
BUILD="build-essential pkg-config file libexif-dev libmagic-dev
libcurl4-openssl-dev libsqlite3-dev libssl-dev libjson-c-dev
zlib1g-dev libxxhash-dev sqlite3"
# Unit tests (cmocka), fuzzers (clang), functional tests (servers, file
# systems, python3, setpriv and losetup from util-linux), benchmarks.
TEST="libcmocka-dev clang rclone libimage-exiftool-perl shared-mime-info
dosfstools fusefat e2fsprogs util-linux openssl procps openssh-client openssh-server python3 time"

build_only=0
case "${1:-}" in
--build) build_only=1 ;;
"") ;;
*) echo "usage: sh scripts/install-deps.sh [--build]" >&2; exit 2 ;;
esac
pkgs=$BUILD
[ $build_only = 1 ] || pkgs="$BUILD $TEST"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ $build_only = 1 ] || command -v npm >/dev/null 2>&1 ||
    missing="$missing nodejs npm"

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: missing packages:$missing" >&2
		echo "install-deps: run 'make deps' as root, or apt-get install them" >&2
		exit 1
	fi
	echo "install-deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The S3 test server (checks SigV4 signatures) lives in tests/node.
if [ $build_only = 0 ] && [ -f tests/node/package.json ] &&
    [ ! -d tests/node/node_modules ]; then
	echo "install-deps: npm packages for tests/node"
	(cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
fi
exit 0
