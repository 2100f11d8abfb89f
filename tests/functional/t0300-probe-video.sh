#!/bin/sh
# t0300-probe-video: `shoebox probe --json` on every corpus video and on the
# HEIC, AVIF and CR3 images: the container's date (UTC for video, the
# camera's wall clock for Exif) against expected.tsv, the date source, and
# the fallback to the mtime for files without a date. One video is probed
# again in America/New_York to show the UTC instant turning into wall clock.
# Needs the outside corpus (CORPUS).
. "$TOP/tests/lib/common.sh"
need_corpus
tmp=$T
fail=0
mtime="2000-01-02T03:04:05Z"

# probe FILE [TZ]: probe FILE; p_taken, p_utc, p_src and p_mime from its
# JSON ("" for null).
probe() {
	TZ=${2:-UTC} "$SHOEBOX" probe --json "$1" >"$tmp/out.json" \
	    2>"$tmp/err" || { echo "probe failed on $1:"; cat "$tmp/err"; }
	IFS='|' read -r p_taken p_utc p_src p_mime <<EOF
$(python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
print("|".join("" if j.get(k) is None else str(j[k])
               for k in ("taken", "taken_utc", "date_source", "mime")))' "$tmp/out.json")
EOF
}

bad() {
	echo "FAIL: $*"
	fail=1
}

# Video: expected.tsv gives the UTC instant, or nothing for *_nodate*.
tail -n +2 "$CORPUS/video/expected.tsv" | { while IFS="	" read -r f mime utc; do
	cp "$CORPUS/video/$f" "$tmp/$f" && chmod u+w "$tmp/$f"
	touch -d "$mtime" "$tmp/$f"
	probe "$tmp/$f"
	got=$p_utc src=$p_src gmime=$p_mime
	if [ -n "$utc" ]; then
		want=$utc
		case "$src" in quicktime*|matroska*) ;;
		*) bad "$f: date_source $src" ;; esac
	else
		want=$mtime
		[ "$src" = mtime ] || bad "$f: date_source $src, expected mtime"
	fi
	[ "$got" = "$want" ] || bad "$f: taken_utc $got, expected $want"
	echo "$f: $gmime $got ($src), expected $want"
done; exit $fail; } || fail=1

# Images: expected.tsv has ExifTool's DateTimeOriginal, wall clock.
for f in 2021-02-13-1929.heic IMG_3578.heic Stonehenge.heic heic.heic \
    avif.avif Canon-R6-pruned.CR3; do
	line=$(grep "^$f	" "$CORPUS/exiv2/expected.tsv") ||
	    { bad "$f not in expected.tsv"; continue; }
	dto=$(echo "$line" | cut -f3)
	cp "$CORPUS/exiv2/$f" "$tmp/$f" && chmod u+w "$tmp/$f"
	touch -d "$mtime" "$tmp/$f"
	probe "$tmp/$f"
	got=$p_taken src=$p_src gmime=$p_mime
	echo "$f: $gmime $got ($src), expected ${dto:-mtime}"
	if [ "$f" = Canon-R6-pruned.CR3 ] && [ "$gmime" != image/x-canon-cr3 ]
	then
		# Identification of CR3 is another module's work; until it
		# lands libmagic calls it $gmime and no parser runs.
		echo "note: $f identified as $gmime, date not checked"
		continue
	fi
	if [ -z "$dto" ]; then
		[ "$src" = mtime ] || bad "$f: date_source $src, expected mtime"
		continue
	fi
	want=$(echo "$dto" | sed 's/^\(....\):\(..\):\(..\) /\1-\2-\3T/')
	case "$got" in "$want"*) ;; *) bad "$f: taken $got, expected $want" ;;
	esac
	[ "$src" = exif ] || bad "$f: date_source $src, expected exif"
done

# The same instant, seen from New York: the wall clock moves, UTC stays.
f=mov_utc_2019-12-31T235958Z.mov
probe "$tmp/$f" America/New_York
got=$p_taken utc=$p_utc
echo "$f in America/New_York: $got ($utc)"
[ "$got" = "2019-12-31T18:59:58-05:00" ] || bad "$f: New York taken $got"
[ "$utc" = "2019-12-31T23:59:58Z" ] || bad "$f: New York taken_utc $utc"

exit $fail
