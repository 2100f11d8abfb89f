#!/bin/sh
# Install what building and testing shoebox needs, when it is missing.
# Debian packages through apt-get (as root), npm packages into tests/node.
set -e
cd "$(dirname "$0")/.."

PKGS="build-essential pkg-config file libexif-dev libmagic-dev
libcurl4-openssl-dev libsqlite3-dev libssl-dev libcmocka-dev
libjson-c-dev zlib1g-dev sqlite3 clang rclone libimage-exiftool-perl shared-mime-info
dosfstools fusefat
openssl procps openssh-client python3 time"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"

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
if [ -f tests/node/package.json ] && [ ! -d tests/node/node_modules ]; then
	echo "install-deps: npm packages for tests/node"
	(cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
fi
exit 0
