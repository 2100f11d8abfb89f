#!/bin/sh
# shoebox verify reads every library file again: an intact library exits 0;
# a flipped byte (same size, same mtime) and a truncated file are changed, a
# deleted file is missing, a file the catalogue does not know is untracked
# (dot-files and .shoebox are not looked at), all with exit 1. Each file's
# verification is recorded; the catalogue's hashes and the library's files
# are never changed by it. Files from tests/sample-card only.
. "$TOP/tests/lib/common.sh"

card=$T/card
mkdir -p "$card"
cp -R "$TOP/tests/sample-card/DCIM" "$TOP/tests/sample-card/PRIVATE" "$card/"
set_mtimes "$card"
sb import --no-progress "$card"
expect_rc 0
q "SELECT path, lower(hex(sha256)), size FROM files ORDER BY path" >"$T/cat.before"
n=$(q "SELECT count(*) FROM files")
[ "$n" = 10 ] || fail "imported $n files"

sb verify
expect_rc 0
grep -q '^10 files verified: 10 intact, 0 changed, 0 missing, 0 unreadable; 0 untracked ' "$T/out" ||
    fail "intact library: $(cat "$T/out")"
[ "$(q "SELECT count(*) FROM files WHERE verified_at IS NOT NULL AND verify_status = 'ok'")" = 10 ] ||
    fail "verifications not recorded"

# Damage the library, as time and people do.
flip=2004/06/21/IMG_0002.JPG
python3 - "$LIB/$flip" <<'EOF'
import os, sys
p = sys.argv[1]
st = os.stat(p)
with open(p, "r+b") as f:
    f.seek(st.st_size // 2)
    b = f.read(1)
    f.seek(st.st_size // 2)
    f.write(bytes([b[0] ^ 0x10]))
os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))	# bit rot keeps the mtime
EOF
short=2020/04/17/IMG_3578.HEIC
truncate -s 1000 "$LIB/$short"
gone=2019/12/31/MVI_0005.MOV
rm "$LIB/$gone"
extra=2019/12/31/stray.jpg
cp "$card/DCIM/100CANON/IMG_0004.JPG" "$LIB/$extra"
: >"$LIB/2019/12/31/.DS_Store"
: >"$LIB/.shoebox/notes"
libfiles >"$T/lib.before"
(cd "$LIB" && find . -type f -not -path './.shoebox/*' -exec sha256sum {} + | sort) >"$T/sums.before"

sb verify
expect_rc 1
cat >"$T/expected" <<EOF
changed $flip:
changed $short:
missing $gone
untracked $extra
EOF
awk '/^(changed|missing|untracked|unreadable) /{print $1, $2}' "$T/out" | sort >"$T/got"
diff -u "$T/expected" "$T/got" || fail "verify reported otherwise"
grep -q "^changed  *$short: 1000 bytes, catalogued with " "$T/out" || fail "size not said: $(cat "$T/out")"
grep -q "^changed  *$flip: content differs" "$T/out" || fail "hash not said: $(cat "$T/out")"
grep -q '^10 files verified: 7 intact, 2 changed, 1 missing, 0 unreadable; 1 untracked ' "$T/out" ||
    fail "summary: $(tail -n 1 "$T/out")"

# What was found is recorded; what was catalogued is not touched.
[ "$(q "SELECT verify_status FROM files WHERE path = '$flip'")" = changed ] || fail "changed not recorded"
[ "$(q "SELECT verify_status FROM files WHERE path = '$gone'")" = missing ] || fail "missing not recorded"
q "SELECT path, lower(hex(sha256)), size FROM files ORDER BY path" | cmp -s - "$T/cat.before" ||
    fail "verify changed the catalogue's record"
libfiles | cmp -s - "$T/lib.before" || fail "verify changed the library's files"
(cd "$LIB" && find . -type f -not -path './.shoebox/*' -exec sha256sum {} + | sort) |
    cmp -s - "$T/sums.before" || fail "verify changed a file's content"

# --json: one object per problem, then the summary.
sb verify --json
expect_rc 1
python3 - "$T/out" "$flip" "$short" "$gone" "$extra" <<'EOF' || fail "--json: $(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
summary = rows.pop()["summary"]
got = sorted((r["status"], r["path"]) for r in rows)
flip, short, gone, extra = sys.argv[2:]
assert got == sorted([("changed", flip), ("changed", short), ("missing", gone),
    ("untracked", extra)]), got
assert summary["checked"] == 10 and summary["intact"] == 7, summary
assert summary["changed"] == 2 and summary["missing"] == 1, summary
assert summary["untracked"] == 1 and summary["unreadable"] == 0, summary
for r in rows:
    assert r["file"].endswith("/" + r["path"]), r
    if r["status"] != "untracked":
        assert len(r["sha256"]) == 64 and r["size"] > 0, r
EOF

# Mended (from the card), the library is intact again.
cp -p "$card/DCIM/100CANON/IMG_0002.JPG" "$LIB/$flip"
cp -p "$card/DCIM/101CANON/IMG_3578.HEIC" "$LIB/$short"
cp -p "$card/DCIM/100CANON/MVI_0005.MOV" "$LIB/$gone"
rm "$LIB/$extra"
sb verify
expect_rc 0
grep -q '^10 files verified: 10 intact, 0 changed, 0 missing, 0 unreadable; 0 untracked ' "$T/out" ||
    fail "mended library: $(cat "$T/out")"

# A file replaced by a symbolic link is not followed: changed.
mv "$LIB/$flip" "$T/moved.jpg"
ln -s "$T/moved.jpg" "$LIB/$flip"
sb verify
expect_rc 1
grep -q "^changed  *$flip: no longer a regular file (a symbolic link)" "$T/out" ||
    fail "link: $(cat "$T/out")"

# Usage and a library without a catalogue: 2, nothing created.
for bad in "--sample 0" "--sample 101" "--sample x" "--since never" \
    "--since ..2004" "stray"; do
	sb verify $bad
	expect_rc 2
done
SHOEBOX_LIBRARY=$T/nolib sb verify
expect_rc 2
[ -e "$T/nolib" ] && fail "verify created a library"
exit 0
