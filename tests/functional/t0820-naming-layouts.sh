#!/bin/sh
# Naming (issue 14): the common layouts of folder (pattern) and file (name)
# templates give the files, sidecars beside their main files, and the dry
# run shows the same names before anything is copied.
. "$TOP/tests/lib/common.sh"

cp -r "$TOP/tests/sample-card" "$T/card"
set_mtimes "$T/card"

# layout PATTERN NAME: a config with these (NAME may be empty: the default).
layout() {
	printf 'settle = 0\npattern = %s\n' "$1" >"$T/c.conf"
	[ -z "$2" ] || printf 'name = %s\n' "$2" >>"$T/c.conf"
	rm -rf "$LIB"
}

# run_layout NAME: a dry run, then the import; the files in the library
# are stdin, and the dry run named each of them.
run_layout() {
	sb -c "$T/c.conf" import --dry-run --no-progress "$T/card"
	expect_rc 0
	sed -n 's/^would: [a-z]* *[^ ].* -> \(.*\) (.*$/\1/p' "$T/out" |
	    LC_ALL=C sort >"$T/planned"
	sb -c "$T/c.conf" import --no-progress "$T/card"
	expect_rc 0
	libfiles >"$T/out"
	expect_out "$1"
	diff -u "$T/planned" "$T/out" >&2 || fail "$1: the dry run said otherwise"
}

layout '%Y/%Y-%m-%d/' ''
run_layout "pattern = %Y/%Y-%m-%d/" <<'EOF2'
2003/2003-09-25/IMG_0004.JPG
2004/2004-06-21/IMG_0002.JPG
2006/2006-08-02/IMG_0001.JPG
2006/2006-08-02/IMG_0001.JPG.xmp
2019/2019-12-31/MVI_0005.MOV
2020/2020-04-17/IMG_3578.HEIC
2021/2021-05-12/IMG_0003.CR3
2021/2021-05-12/IMG_0003.xmp
2021/2021-07-04/C0001.MP4
2021/2021-07-04/C0001M01.XML
EOF2

layout '{model}/%Y/%m' ''
run_layout "pattern = {model}/%Y/%m" <<'EOF2'
Canon EOS 20D/2006/08/IMG_0001.JPG
Canon EOS 20D/2006/08/IMG_0001.JPG.xmp
Canon EOS 300D DIGITAL/2003/09/IMG_0004.JPG
Canon EOS R6/2021/05/IMG_0003.CR3
Canon EOS R6/2021/05/IMG_0003.xmp
NIKON D1X/2004/06/IMG_0002.JPG
Unknown/2019/12/MVI_0005.MOV
Unknown/2021/07/C0001.MP4
Unknown/2021/07/C0001M01.XML
iPhone XR/2020/04/IMG_3578.HEIC
EOF2

layout '%Y/%m/%d' '%Y%m%d-%H%M%S_{name}'
run_layout "name = %Y%m%d-%H%M%S_{name}" <<'EOF2'
2003/09/25/20030925-201850_IMG_0004.JPG
2004/06/21/20040621-233753_IMG_0002.JPG
2006/08/02/20060802-215301_IMG_0001.JPG
2006/08/02/20060802-215301_IMG_0001.JPG.xmp
2019/12/31/20191231-235958_MVI_0005.MOV
2020/04/17/20200417-100340_IMG_3578.HEIC
2021/05/12/20210512-122121_IMG_0003.CR3
2021/05/12/20210512-122121_IMG_0003.xmp
2021/07/04/20210704-183015_C0001.MP4
2021/07/04/20210704-183015_C0001M01.XML
EOF2
# The catalogue knows the files by their new names, and a second run finds
# every one already imported.
[ "$(q "SELECT count(*) FROM files WHERE path LIKE '%/20060802-215301_IMG_0001.JPG'")" = 1 ] ||
    fail "catalogue: $(q 'SELECT path FROM files')"
sb -c "$T/c.conf" import --no-progress "$T/card"
expect_rc 0
grep -q ' 0 imported.* 11 already imported' "$T/out" || fail "second run: $(cat "$T/out")"

# Kind, make, and the extension lower-cased (sidecars' too); a template
# without an extension keeps the file's own.
layout '{kind}/{make:lower}' '{stem}.{ext:lower}'
run_layout "pattern = {kind}/{make:lower}, name = {stem}.{ext:lower}" <<'EOF2'
image/apple/IMG_3578.heic
image/canon/IMG_0001.jpg
image/canon/IMG_0001.jpg.xmp
image/canon/IMG_0004.jpg
image/nikon corporation/IMG_0002.jpg
raw/canon/IMG_0003.cr3
raw/canon/IMG_0003.xmp
video/unknown/C0001.mp4
video/unknown/C0001M01.xml
video/unknown/MVI_0005.mov
EOF2
layout '%Y' '%m%d_{stem:upper}'
run_layout "name without an extension" <<'EOF2'
2003/0925_IMG_0004.JPG
2004/0621_IMG_0002.JPG
2006/0802_IMG_0001.JPG
2006/0802_IMG_0001.JPG.xmp
2019/1231_MVI_0005.MOV
2020/0417_IMG_3578.HEIC
2021/0512_IMG_0003.CR3
2021/0512_IMG_0003.xmp
2021/0704_C0001.MP4
2021/0704_C0001M01.XML
EOF2
exit 0
