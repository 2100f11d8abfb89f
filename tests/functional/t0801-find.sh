#!/bin/sh
# shoebox find: by capture day, month, year and range, camera (make and
# model, any case; --camera as either or both), kind, type, name and
# source, and by upload state; the
# exact paths expected (diff), as plain lines, -0 and --json; exit 0 found,
# 1 none, 2 usage. Files from tests/sample-card only.
. "$TOP/tests/lib/common.sh"

sample_library

# check NAME EXPECTED-RELATIVE-PATHS... -- ARGS: find ARGS lists exactly those.
check() {
	name=$1
	shift
	: >"$T/expected"
	while [ "$1" != -- ]; do
		echo "$L/$1" >>"$T/expected"
		shift
	done
	shift
	sb find "$@"
	if [ -s "$T/expected" ]; then
		expect_rc 0
	else
		expect_rc 1
	fi
	diff -u "$T/expected" "$T/out" || fail "$name: find $* listed otherwise"
}

check 'one day' 2004/03/30/DSC_0100.JPG -- --date 2004-03-30
check 'a range of days' 2004/03/30/DSC_0100.JPG 2004/06/21/IMG_0002.JPG \
    -- --date 2004-03-01..2004-06-21
check 'range end is inclusive' 2004/06/21/IMG_0002.JPG -- --date 2004-04..2004-06-21
check 'a month' 2004/06/21/IMG_0002.JPG -- --date 2004-06
check 'a year, sidecar with its main' 2006/08/02/IMG_0001.JPG \
    2006/08/02/IMG_0001.JPG.xmp -- --date 2006
check 'open start' 2003/09/25/IMG_0004.JPG 2004/03/30/DSC_0100.JPG \
    -- --date ..2004-03-30
check 'open end' 2021/05/12/IMG_0003.CR3 2021/05/12/IMG_0003.xmp \
    2021/07/04/C0001.MP4 2021/07/04/C0001M01.XML -- --date 2021..
check 'no such day' -- --date 2005-01-01
check 'make, any case' 2003/09/25/IMG_0004.JPG 2006/08/02/IMG_0001.JPG \
    2021/05/12/IMG_0003.CR3 -- --make cAnOn
check 'model substring' 2006/08/02/IMG_0001.JPG -- --model 'eos 20'
check 'make and model' 2004/03/30/DSC_0100.JPG -- --make nikon --model d70
check 'camera and date' 2004/06/21/IMG_0002.JPG -- --make NIKON --date 2004-06
check 'camera: make and model as one' 2020/04/17/IMG_3578.HEIC -- --camera 'apple IPHONE xr'
check 'camera: the model' 2004/03/30/DSC_0100.JPG -- --camera 'Nikon D70'
check 'camera: the make' 2004/03/30/DSC_0100.JPG 2004/06/21/IMG_0002.JPG \
    -- --camera nikon
check 'camera, kind and date range' 2021/05/12/IMG_0003.CR3 \
    -- --camera 'canon eos' --kind raw --date 2020..2021-06
check 'camera with no such date' -- --camera 'canon eos r6' --date 2004
check 'kind video' 2019/12/31/MVI_0005.MOV 2021/07/04/C0001.MP4 -- --kind video
check 'kind raw' 2021/05/12/IMG_0003.CR3 -- --kind raw
check 'kind sidecar' 2006/08/02/IMG_0001.JPG.xmp 2021/05/12/IMG_0003.xmp \
    2021/07/04/C0001M01.XML -- --kind sidecar
check 'kind and year' 2004/03/30/DSC_0100.JPG 2004/06/21/IMG_0002.JPG \
    -- --kind image --date 2004
check 'mime glob' 2019/12/31/MVI_0005.MOV 2021/07/04/C0001.MP4 -- --mime 'video/*'
check 'mime exact' 2020/04/17/IMG_3578.HEIC -- --mime image/heif
check 'mime alias (shared-mime-info)' 2020/04/17/IMG_3578.HEIC -- --mime image/heic
check 'name glob' 2004/06/21/IMG_0002.JPG 2006/08/02/IMG_0001.JPG \
    2006/08/02/IMG_0001.JPG.xmp -- --name 'IMG_000[12]*'
check 'name is the last part only' -- --name '2004*'
check 'source glob (a duplicate source counts)' 2004/06/21/IMG_0002.JPG \
    2020/04/17/IMG_3578.HEIC -- --source '*/101CANON/*'

# Upload state: every file was queued for usb; mark one done, one failed.
[ "$(q "SELECT count(*) FROM upload_jobs WHERE remote_id = (SELECT id FROM remotes WHERE name = 'usb') AND status = 'pending'")" = 11 ] ||
    fail "import did not queue every file"
q "UPDATE upload_jobs SET status = 'done' WHERE file_id = (SELECT id FROM files WHERE path = '2004/03/30/DSC_0100.JPG');
   UPDATE upload_jobs SET status = 'failed' WHERE file_id = (SELECT id FROM files WHERE path = '2020/04/17/IMG_3578.HEIC')"
check 'done' 2004/03/30/DSC_0100.JPG -- --remote usb --done
check 'failed, any remote' 2020/04/17/IMG_3578.HEIC -- --failed
check 'other remote' -- --remote s3 --pending
sb find --remote usb --pending
expect_rc 0
[ "$(wc -l <"$T/out")" = 9 ] || fail "pending: $(cat "$T/out")"

# -0: the same paths, NUL-terminated.
sb find -0 --kind sidecar
expect_rc 0
[ "$(tr -cd '\0' <"$T/out" | wc -c)" = 3 ] || fail "-0 gave no 3 NULs"
tr '\0' '\n' <"$T/out" >"$T/nul"
sb find --kind sidecar
cmp -s "$T/out" "$T/nul" || fail "-0 lists other paths"

# --json: one object per file, the catalog view's columns (and the file).
sb find --json --date 2004-03-30
expect_rc 0
q "SELECT name FROM pragma_table_info('catalog')" >"$T/cols"
python3 - "$T/out" "$T/cols" "$L" <<'EOF' || fail "--json: $(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
cols = open(sys.argv[2]).read().split()
assert len(rows) == 1, rows
r = rows[0]
assert sorted(r) == sorted(cols + ["file"]), (sorted(r), cols)
assert r["path"] == "2004/03/30/DSC_0100.JPG", r
assert r["file"] == sys.argv[3] + "/2004/03/30/DSC_0100.JPG", r
assert r["make"] == "NIKON CORPORATION" and r["model"] == "NIKON D70", r
assert r["kind"] == "image" and r["size"] == 44129, r
assert r["taken"].startswith("2004-03-30T10:43:46"), r
assert r["source"].endswith("/DCIM/100CANON/DSC_0100.JPG"), r
EOF
sb find --json --kind sidecar --date 2006
grep -q '"sidecar_of":"2006/08/02/IMG_0001.JPG"' "$T/out" || fail "no sidecar_of: $(cat "$T/out")"

# Names in --json as import prints them, a backslash doubled: a source
# named "a\x0ab" (a backslash, x, 0, a) is not one named "a", newline, "b".
S=$TOP/tests/sample-card/DCIM/100CANON
mkdir "$T/odd" "$T/oddlib"
cp "$S/IMG_0002.JPG" "$T/odd/lit\\x0ab.jpg"
cp "$S/IMG_0004.JPG" "$T/odd/lit
b.jpg"
SHOEBOX_LIBRARY=$T/oddlib sb import --settle 0 --no-progress -q "$T/odd"
expect_rc 0
SHOEBOX_LIBRARY=$T/oddlib sb find --json
expect_rc 0
python3 - "$T/out" "$T/odd" "$T/oddlib" <<'EOF' || fail "--json names: $(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
src = sorted(r["source"] for r in rows)
d = sys.argv[2]
assert src == sorted([d + "/lit\\x0ab.jpg", d + "/lit\\\\x0ab.jpg"]), src
r = [r for r in rows if r["path"].startswith("2004/")][0]
assert r["path"] == "2004/06/21/lit\\\\x0ab.jpg", r
assert r["file"] == sys.argv[3] + "/" + r["path"], r
EOF

# Everything, in library order.
sb find
expect_rc 0
[ "$(wc -l <"$T/out")" = 11 ] || fail "find lists $(wc -l <"$T/out") files"
LC_ALL=C sort "$T/out" | cmp -s - "$T/out" || fail "not in library order"
libfiles | sed "s|^|$L/|" | diff -u - "$T/out" || fail "find and the library disagree"

# Usage errors: 2, nothing on stdout.
for bad in "--date 2004-13" "--date 2004-02-30" "--date 2005..2004" \
    "--date yesterday" "--kind photo" "--json -0" "--pending --done" \
    "stray-argument" "--no-such-option"; do
	sb find $bad
	expect_rc 2
	[ -s "$T/out" ] && fail "find $bad printed: $(cat "$T/out")"
done
# No catalogue: 2, and nothing created.
SHOEBOX_LIBRARY=$T/nolib sb find
expect_rc 2
[ -e "$T/nolib" ] && fail "find created a library"
exit 0
