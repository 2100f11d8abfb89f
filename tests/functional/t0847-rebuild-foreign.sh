#!/bin/sh
# restore --rebuild --to DIR while another program writes into DIR (the
# hook shim, at the first download): a photo copied to a name the remote
# does not hold, and at every name it does, a file of the same size (the
# remote's own bytes for same-*, other bytes for other-*). Before, the
# rebuild took a file of the listed size as the remote's and then marked
# every catalogued file done on the remote: the copied photo was never
# uploaded, and the other-* files were called present. Now a file found
# at a listed name is the remote's only if its SHA-256 is (other-* are
# named, left alone, exit 1), and only what came from the remote, as it
# came, is marked done: the rest stays queued, and sync uploads it.
. "$TOP/tests/lib/common.sh"
shim hook

usb=$T/usb new=$T/new
printf '[remote usb]\ntype = dir\npath = %s\n' "$usb" >>"$SHOEBOX_CONFIG"
card=$TOP/tests/sample-card/DCIM/100CANON
mkdir -p "$usb/2020/01/01" "$usb/2020/01/02" "$usb/2020/01/03" \
    "$usb/2020/01/04"
cp "$card/IMG_0001.JPG" "$usb/2020/01/01/same-a.jpg"
cp "$card/IMG_0002.JPG" "$usb/2020/01/02/other-a.jpg"
cp "$card/IMG_0004.JPG" "$usb/2020/01/03/same-b.jpg"
{ cat "$card/IMG_0001.JPG"; printf 'b'; } >"$usb/2020/01/04/other-b.jpg"

# plant.sh: what the other program does, at the first download
cat >"$T/plant.sh" <<EOF
cd "$usb" || exit 1
for f in 2020/01/0*/*.jpg; do
	[ -e "$new/\$f" ] && continue
	mkdir -p "$new/\${f%/*}"
	case \$f in
	*same-*) cp "\$f" "$new/\$f" ;;
	*) { head -c -1 "\$f"; printf 'Z'; } >"$new/\$f" ;;
	esac
	echo "\$f" >>"$T/planted"
done
mkdir -p "$new/2010/01/01"
{ cat "$card/IMG_0002.JPG"; printf 'foreign'; } >"$new/2010/01/01/x.jpg"
EOF
rc=0
LD_PRELOAD="$T/hook.so" SB_HOOK_LOG="$T/hook.log" SB_HOOK_ON=open:.jpg \
    SB_HOOK_CMD="sh $T/plant.sh" "$SHOEBOX" restore --rebuild --remote usb \
    --to "$new" --no-progress >"$T/out" 2>"$T/err" || rc=$?
cat "$T/out" "$T/err"
[ -s "$T/hook.log" ] || fail "the hook did not fire"
[ "$(wc -l <"$T/planted")" = 4 ] || fail "planted: $(cat "$T/planted")"
[ $rc = 1 ] || fail "rebuild exited $rc, not 1"
first=$(sed -n 's/^fired open //p' "$T/hook.log")
# the one being downloaded when the hook fired: its place taken meanwhile
grep -q "/$first: a file appeared there meanwhile; not replaced" "$T/err" ||
    fail "$first: not said taken meanwhile"
job() {
	sqlite3 -batch "$new/.shoebox/catalog.db" "SELECT j.status FROM
	    upload_jobs j JOIN files f ON f.id = j.file_id WHERE f.path = '$1'"
}
for f in $(cat "$T/planted"); do
	base=${f##*/}
	[ "$base" = "$first" ] && { [ "$(job "$f")" = done ] &&
	    fail "$f: marked done, though not what came"; continue; }
	case $base in
	same-*)
		[ "$(job "$f")" = done ] || fail "$f: the remote's bytes, not done"
		cmp -s "$usb/$f" "$new/$f" || fail "$f: changed" ;;
	other-*)
		grep -q "^shoebox: $f: not restored: another file holds its name (SHA-256 [0-9a-f]*, the remote's [0-9a-f]*); left alone$" \
		    "$T/err" || fail "$f: not named"
		grep -q "^different  $f: " "$T/out" || fail "$f: not counted different"
		cmp -s "$usb/$f" "$new/$f" && fail "$f: replaced"
		[ "$(job "$f")" = done ] && fail "$f: marked done on the remote" ;;
	esac
done
grep -q "^4 files on remote usb: 0 restored, [12] present, [23] different, 0 failed" \
    "$T/out" || fail "summary"
[ "$(job 2010/01/01/x.jpg)" = pending ] ||
    fail "the foreign photo's job: '$(job 2010/01/01/x.jpg)'"
grep -q "did not come from remote usb as .*queued for upload to it" "$T/err" ||
    fail "not said what stays queued"

# the next sync sends the foreign photo; nothing is lost
sb -L "$new" sync --no-progress
expect_rc 0
cmp -s "$usb/2010/01/01/x.jpg" "$new/2010/01/01/x.jpg" ||
    fail "the foreign photo was not uploaded"
echo ok
