#!/bin/sh
# t0410-magic-vs-system: what the system's libmagic database alone names the
# corpus RAW and video files, what it names them with our magic/shoebox.mgc
# loaded first, and what "shoebox probe" says (which also reads IFD0 for the
# TIFF-based RAWs). Prints the table; fails where ours is not right. The
# expected types are the file's real format, checked by hand against
# ExifTool (corpus expected.tsv) and shared-mime-info names.
# Needs the outside corpus (CORPUS).
. "$TOP/tests/lib/common.sh"
need_corpus
command -v file >/dev/null || { echo "file(1) is needed"; exit 77; }
mgc=$TOP/magic/shoebox.mgc
[ -f "$mgc" ] || { echo "no $mgc (make)"; exit 77; }
sysdb=/usr/share/misc/magic.mgc
[ -f "$sysdb" ] || { echo "no system magic database"; exit 77; }

tmp=$T

# file<TAB>expected type
cat >"$tmp/expect" <<'LIST'
exiv2/Canon-R6-pruned.CR3	image/x-canon-cr3
exiv2/IMG_1361.dng	image/x-adobe-dng
exiv2/exiv2-canon-powershot-s40.crw	image/x-canon-crw
exiv2/issue_1097_poc.crw	image/x-canon-crw
exiv2/issue_1887_poc.crw	image/x-canon-crw
exiv2/issue_839_poc.rw2	image/x-panasonic-rw2
exiv2/Reagan.tiff	image/tiff
exiv2/2021-02-13-1929.heic	image/heif
exiv2/IMG_3578.heic	image/heif
exiv2/heic.heic	image/heif
exiv2/avif.avif	image/avif
video/3gp_utc_2016-02-29T120000Z.3gp	video/3gpp
video/avi_nodate.avi	video/x-msvideo
video/m2ts_nodate.mts	video/mp2t
video/mkv_utc_2018-08-08T080808Z.mkv	video/x-matroska
video/mov_utc_2019-12-31T235958Z.mov	video/quicktime
video/mp4_nodate.mp4	video/mp4
video/mp4_utc_2021-07-04T183015Z.mp4	video/mp4
LIST

# A RAF header (the corpus has only damaged RAFs), built here.
printf 'FUJIFILMCCD-RAW 0201FF393101FinePix S5Pro' >"$tmp/built.raf"
head -c 200 /dev/zero >>"$tmp/built.raf"
printf 'built.raf\timage/x-fuji-raf\n' >>"$tmp/expect"

fail=0 fixed=0
printf '%-40s %-26s %-26s %-26s %s\n' FILE SYSTEM OURS+SYSTEM PROBE EXPECTED
while IFS='	' read -r f want; do
	case "$f" in
	built.*) cp "$tmp/$f" "$tmp/in.$$" ;;
	*) cp "$CORPUS/$f" "$tmp/in.$$" ;;
	esac
	in=$tmp/${f##*/}
	mv "$tmp/in.$$" "$in"
	sys=$(file -m "$sysdb" --mime-type -b "$in")
	ours=$(file -m "$mgc:$sysdb" --mime-type -b "$in")
	probe=$("$SHOEBOX" probe "$in" 2>/dev/null | cut -f 3)
	mark=
	[ "$sys" != "$want" ] && mark=" (system wrong)"
	printf '%-40s %-26s %-26s %-26s %s%s\n' "${f##*/}" "$sys" "$ours" \
	    "$probe" "$want" "$mark"
	if [ "$probe" != "$want" ]; then
		echo "FAIL ${f##*/}: shoebox probe says $probe, expected $want"
		fail=1
	fi
	# Where libmagic alone can tell, our database must be right; the
	# TIFF-based RAWs (DNG) need IFD0, which only probe reads.
	case "$want" in
	image/x-adobe-dng|image/tiff) ;;
	*)	if [ "$ours" != "$want" ]; then
			echo "FAIL ${f##*/}: our magic says $ours, expected $want"
			fail=1
		fi ;;
	esac
	[ "$sys" != "$want" ] && [ "$probe" = "$want" ] && fixed=$((fixed + 1))
done <"$tmp/expect"
echo "$fixed files the system database names wrongly are named right"
[ $fixed -gt 0 ] || { echo "FAIL: expected the system database to miss some"; fail=1; }
exit $fail
