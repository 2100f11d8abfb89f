#!/bin/sh
# A video over 4 GiB (a sparse file: no disk, and its zeros read fast):
# probe finds its date in a moov past the 4 GiB mark, behind an mdat with a
# 64-bit size; adopt catalogues its exact size; find shows it; verify reads
# it whole and finds it intact. A 32-bit build without 64-bit file offsets
# (armhf, i386: `make check32`) refused it all with "Value too large for
# defined data type", or wrapped its size and offsets at 2 or 4 GiB.
. "$TOP/tests/lib/common.sh"

rel=2021/07/04/GX010001.MP4
big=$LIB/$rel
size=$((4 * 1024 * 1024 * 1024 + 65536 + 1677))	# the moov's 1677 bytes
mkdir -p "$LIB/2021/07/04"
python3 - "$FIX/mp4_utc_2021-07-04T183015Z.mp4" "$big" "$size" <<'EOF' ||
import struct, sys
src, dst, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = open(src, "rb").read()
ftyp, moov = d[0:32], d[8517:]
assert ftyp[4:8] == b"ftyp" and moov[4:8] == b"moov"
mdat = total - len(ftyp) - len(moov)
with open(dst, "wb") as f:
    f.write(ftyp)
    f.write(struct.pack(">I4sQ", 1, b"mdat", mdat))	# 64-bit largesize
    f.write(b"\x01" * 4096)
    f.seek(len(ftyp) + mdat)
    f.write(moov)
EOF
    fail "cannot build a sparse video"
[ "$(stat -c %s "$big")" = "$size" ] || fail "the video is not $size bytes"
touch -d '2021-07-05 12:00:00 UTC' "$big"

sb probe "$big"
expect_rc 0
printf '%s\tvideo\tvideo/mp4\t2021-07-04T18:30:15+00:00\tquicktime\t-\t-\n' \
    "$big" | expect_out "probe of a 4 GiB video"

# Reading 4 GiB twice takes seconds; the ASan build (64-bit, and the same
# read loops as the small files' of other tests) only probes.
case "$SHOEBOX" in *asan*) exit 0 ;; esac
sb adopt --no-progress
expect_rc 0
grep -q '^1 files seen: 1 adopted, ' "$T/out" || fail "adopt: $(cat "$T/out")"
[ "$(q "SELECT size FROM files WHERE path = '$rel'")" = "$size" ] ||
    fail "catalogued size: $(q "SELECT size FROM files")"

sb find --json
expect_rc 0
grep -q "\"size\":$size," "$T/out" || fail "find --json: $(cat "$T/out")"

sb verify
expect_rc 0
grep -q '^1 files verified: 1 intact, 0 changed, 0 missing, 0 unreadable; ' \
    "$T/out" || fail "verify: $(cat "$T/out")"
exit 0
