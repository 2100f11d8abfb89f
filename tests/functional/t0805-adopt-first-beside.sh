#!/bin/sh
# The first adopt of a tree already in the library, with an import and a
# sync started beside it (a card put in, the hourly timer): for a moment
# after adopt creates the catalogue it is 0 bytes, and both took it for a
# catalogue emptied or lost ("Move it aside ..."), exit 1. Now they wait
# for its header (a second at most) and go on; one really emptied is
# still refused (t0723).
. "$TOP/tests/lib/common.sh"
shim hook
mkdir -p "$LIB/2019/01/01" "$T/usb" "$T/card"
cp "$TOP/tests/sample-card/DCIM/100CANON/IMG_0001.JPG" "$LIB/2019/01/01/"
cp "$TOP/tests/sample-card/DCIM/100CANON/IMG_0002.JPG" \
    "$TOP/tests/sample-card/DCIM/100CANON/IMG_0004.JPG" "$T/card/"
printf '[remote usb]\ntype = dir\npath = %s\n' "$T/usb" >>"$SHOEBOX_CONFIG"

# Paused just after creating the catalogue, adopt starts the other two.
beside="{ \"$SHOEBOX\" import --no-progress \"$T/card\" >\"$T/imp.out\" 2>&1;
    echo \$? >\"$T/imp.rc\"; } &
    { \"$SHOEBOX\" sync --no-progress >\"$T/sync.out\" 2>&1;
    echo \$? >\"$T/sync.rc\"; } & sleep 0.8"
LD_PRELOAD="$T/hook.so" SB_HOOK_ON=open:catalog.db SB_HOOK_WHEN=after \
    SB_HOOK_LOG="$T/hook.log" SB_HOOK_CMD="$beside" sb adopt --no-progress
expect_rc 0
grep -q "fired open .*/catalog.db" "$T/hook.log" || fail "the hook did not fire"
i=0
until [ -s "$T/imp.rc" ] && [ -s "$T/sync.rc" ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "import or sync did not end"
	sleep 0.1
done
for c in imp sync; do
	[ "$(cat "$T/$c.rc")" = 0 ] || fail "$c: exit $(cat "$T/$c.rc"): $(cat "$T/$c.out")"
	grep -q "emptied or lost" "$T/$c.out" && fail "$c: $(cat "$T/$c.out")"
done
sb verify --no-progress
expect_rc 0
grep -q "^3 files verified: 3 intact" "$T/out" || fail "verify: $(cat "$T/out")"
