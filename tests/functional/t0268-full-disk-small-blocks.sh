#!/bin/sh
# A library on a small ext4 (mkfs.ext4 gives it 1 KiB blocks below 512 MB)
# that another program fills while an import reads its sources: sqlite
# grows its shared memory file by one byte per 4 KiB page, which there
# allocates a quarter of each page, and a write to the rest on a full disk
# killed shoebox with SIGBUS as it recorded the run, and verify too,
# without a word. Now a SIGBUS is said ("the library's disk is most likely
# full") with exit 1: the run ends with disk-full messages, verify is
# never killed silently, nothing is lost, and with room made the re-run
# files everything. (Allocating the file ahead was tried: the descriptor
# it takes drops sqlite's locks on the file when closed.)
. "$TOP/tests/functional/safety-lib.sh"
[ "$(id -u)" = 0 ] || { echo "skipped: needs root for a loop device"; exit 77; }
command -v mkfs.ext4 >/dev/null || { echo "skipped: no mkfs.ext4"; exit 77; }
D=$T/disk
mkdir -p "$D" "$T/src"
truncate -s 40M "$T/img"
lo=$(losetup -f --show "$T/img") || { echo "skipped: no loop device"; exit 77; }
detach() { umount "$D" 2>/dev/null; losetup -d "$lo"; }
cleanup_hooks="detach"
mkfs.ext4 -q "$lo" && mount "$lo" "$D" || fail "cannot make the disk"
# The corpus's exiv2 JPEGs (odd sizes, broken headers) when it is there:
# with them the old code died every time; else photos made here.
if [ -n "${CORPUS:-}" ] && [ -d "$CORPUS/exiv2" ]; then
	cp "$CORPUS"/exiv2/*.jpg "$T/src/"
else
	dated_jpegs "$T/src" 100
fi
LIB=$D/lib
first=$T/src/DSC_3079.jpg
[ -f "$first" ] || first=$(ls -d "$T"/src/* | head -1)
csb -L "$LIB" import --no-progress "$first"
expect_rc 0
export SB_HOOK_ON=read:/src/ SB_HOOK_NTH=5
export SB_HOOK_CMD="dd if=/dev/zero of='$D/filler' bs=4k 2>/dev/null; sync"
hsb -L "$LIB" import --no-progress "$T/src"
hook_fired
cat "$T/out" "$T/err"
[ $rc = 1 ] || fail "import on a full disk: exit $rc"
grep -q "No space left on device\|disk is full\|no room" "$T/err" || fail "the full disk not said"
rc=0
"$SHOEBOX" -c "$CFG" -L "$LIB" verify --no-progress >"$T/out" 2>"$T/err" || rc=$?
cat "$T/out" "$T/err"
[ $rc -lt 128 ] || fail "verify on a full disk: killed ($rc)"
[ $rc = 0 ] || grep -q "disk is\|No space" "$T/err" || fail "verify: $(cat "$T/err")"
rm -f "$D/filler"
csb -L "$LIB" import --no-progress "$T/src"
expect_rc 0
catalog_matches_lib "after room was made"
exit 0
