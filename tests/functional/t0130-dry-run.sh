#!/bin/sh
# --dry-run prints what would happen and writes nothing at all.
. "$TOP/tests/lib/common.sh"

cp -r "$TOP/tests/sample-card" "$T/card"
set_mtimes "$T/card"
sb import --dry-run "$T/card"
expect_rc 0
[ ! -e "$LIB" ] || fail "dry run created the library"
grep -q 'would: imported .*IMG_0001.JPG -> 2006/08/02/IMG_0001.JPG' "$T/out" || { cat "$T/out"; fail "plan not printed"; }
grep -q 'would: duplicate .*IMG_0002 copy.JPG' "$T/out" || fail "duplicate not planned"
grep -q '^dry run: ' "$T/out" || fail "no summary"

# Into an existing library: still nothing written, catalogue untouched.
sb import --no-progress "$T/card/DCIM/100CANON"
expect_rc 0
before=$(cd "$LIB" && find . -exec stat -c '%n %s %Y' {} + | sort | sha256sum)
sb import --dry-run --json "$T/card"
expect_rc 0
grep -q '"status":"already"' "$T/out" || fail "already-imported files not reported"
after=$(cd "$LIB" && find . -exec stat -c '%n %s %Y' {} + | sort | sha256sum)
[ "$before" = "$after" ] || fail "dry run changed the library"
exit 0
