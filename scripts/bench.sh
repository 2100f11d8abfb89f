#!/bin/sh
# make bench: shoebox against ExifTool, cp, cat, sha256sum and rclone on
# synthetic cards built from ../shared/corpus; its memory curve by the
# number of files; a card on a throttled loop device (as root). Prints
# Markdown tables of medians, ratios and peak memory. Sizes, runs and the
# million-file knob (BENCH_MILLION=1): see scripts/bench/bench.py.
set -e
cd "$(dirname "$0")/.."
for t in python3 exiftool cp find sync xargs cat dd sha256sum; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "bench: $t is missing (make deps)" >&2
		exit 2
	}
done
[ -x ./shoebox ] || { echo "bench: build ./shoebox first (make)" >&2; exit 2; }
exec python3 scripts/bench/bench.py
