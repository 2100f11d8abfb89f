#!/bin/sh
# make bench: shoebox against ExifTool, cp and rclone on synthetic cards
# built from ../shared/corpus. Prints a Markdown table of medians, ratios
# and peak memory. Sizes and runs: see scripts/bench/bench.py (BENCH_*).
set -e
cd "$(dirname "$0")/.."
for t in python3 exiftool cp find sync; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "bench: $t is missing (make deps)" >&2
		exit 2
	}
done
[ -x ./shoebox ] || { echo "bench: build ./shoebox first (make)" >&2; exit 2; }
exec python3 scripts/bench/bench.py
