#!/bin/sh
# The card script as the unit runs it (installed, as root), on real
# filesystems on loop devices, importing as the unprivileged user who owns
# the library (nobody):
#  - ext4: a library with no catalogue yet (its disk not mounted) is not
#    made by the card script: exit 2, nothing filed;
#    a normal import with a damaged JPEG (filed with a warning: exit
#    0), files owned by the library's user, the card unmounted before the
#    sync unit is asked for; a file that fails (unreadable to that user):
#    exit 1; a card something else mounted: used, left mounted; SIGTERM in
#    the middle of the import: exit 1, unmounted, nothing partial, and the
#    next insertion finishes the job;
#  - FAT (mkfs.vfat), mounted by the kernel's vfat or, without it, fusefat:
#    imported with the times the camera wrote, unmounted.
. "$TOP/tests/lib/common.sh"

[ "$(id -u)" = 0 ] || { echo "needs root for loop devices and mounts"; exit 77; }
for c in losetup mkfs.ext4 setpriv findmnt blkid cc; do
	command -v $c >/dev/null || { echo "no $c"; exit 77; }
done
id nobody >/dev/null 2>&1 || { echo "no user nobody"; exit 77; }

P=$T/prefix
make -s -C "$TOP" install PREFIX="$P" UDEVDIR="$T/udev" UNITDIR="$T/units" \
    SYSCONFDIR="$T/etc" >"$T/log" 2>&1 || { cat "$T/log"; fail "make install"; }
shim hook

# The library belongs to nobody; shoebox must run as nobody to write it.
chmod 755 "$T"
mkdir "$LIB"
chown nobody: "$LIB"
chmod 644 "$T/config"

# A systemctl that notes what it was asked and whether the card was still
# mounted then.
mkdir "$T/bin"
cat >"$T/bin/systemctl" <<EOF
#!/bin/sh
echo "\$* mounted=\$(grep -c " \$CARD_MNT " /proc/mounts)" >>"$T/systemctl.log"
EOF
chmod 755 "$T/bin/systemctl"

loops=""
auto2=""
release() {
	for m in "$T/auto" "$auto2" "$T/fatfill"; do
		umount "$m" 2>/dev/null || fusermount -u "$m" 2>/dev/null
	done
	for l in $loops; do
		umount "/run/shoebox/card-${l##*/}" 2>/dev/null
		losetup -d "$l" 2>/dev/null
	done
}
cleanup_hooks="release"

# attach IMAGE: a loop device for it, in $dev.
attach() {
	dev=$(losetup -f --show "$1") || { echo "loop devices unavailable"; exit 77; }
	loops="$loops $dev"
	export CARD_MNT="/run/shoebox/card-${dev##*/}"
}

# card [ENV=VALUE...]: the installed script on $dev, as the unit runs it.
card() {
	crc=0
	rm -f "$T/systemctl.log"
	env SHOEBOX_BIN="$SHOEBOX" SHOEBOX_CARD_WAIT=0 SHOEBOX_SYNC=yes \
	    PATH="$T/bin:$PATH" "$@" "$P/lib/shoebox/shoebox-card" "$dev" \
	    >"$T/card.out" 2>&1 || crc=$?
	cat "$T/card.out"
}

released() {
	grep -q " $CARD_MNT " /proc/mounts && fail "card left mounted: $1"
	[ -d "$CARD_MNT" ] && fail "mount point left behind: $1"
	return 0
}

# A damaged JPEG: cut inside its EXIF segment (a card pulled mid-write).
damage() {
	head -c 3000 "$1" >"$2"
}

S=$TOP/tests/sample-card/DCIM/100CANON
d=$T/c1/DCIM/100CANON
mkdir -p "$d"
cp "$S/IMG_0001.JPG" "$S/IMG_0001.JPG.xmp" "$S/IMG_0002.JPG" "$d/"
damage "$S/IMG_0001.JPG" "$d/BAD.JPG"
set_mtimes "$T/c1"
truncate -s 16M "$T/c1.img"
mkfs.ext4 -q -d "$T/c1" "$T/c1.img" || fail mkfs
attach "$T/c1.img"

# 0. A library with no catalogue (its disk not mounted: an empty mount
# point): the units make no new library there (SHOEBOX_NEW_LIBRARY=no from
# shoebox-run), so nothing is filed beneath the mount point: exit 2, said,
# the card released. A first import by hand starts the library.
card
[ $crc = 2 ] || fail "a library with no catalogue: exit $crc"
grep -q "no catalogue there (is its disk mounted?)" "$T/card.out" ||
	fail "a library with no catalogue: not said"
[ -z "$(ls -A "$LIB")" ] || fail "something was made in the library: $(ls -A "$LIB")"
released "no catalogue"
mkdir "$T/nothing"
setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
    "$SHOEBOX" import --no-progress "$T/nothing" >"$T/out" 2>&1 ||
	fail "the first import by hand: $(cat "$T/out")"

# 1. A normal import, one damaged JPEG: filed with a warning, exit 0.
card
[ $crc = 0 ] || fail "damaged header made the card fail (exit $crc)"
grep -q 'BAD.JPG' "$T/card.out" || fail "damaged file not named"
grep -q 'damaged headers' "$T/card.out" || fail "warnings not told apart"
[ -f "$LIB/2006/08/02/IMG_0001.JPG" ] && [ -f "$LIB/2001/02/03/BAD.JPG" ] ||
	fail "card not imported: $(libfiles)"
[ "$(stat -c %U "$LIB/2006/08/02/IMG_0001.JPG")" = nobody ] ||
	fail "imported as $(stat -c %U "$LIB/2006/08/02/IMG_0001.JPG"), not the library's owner"
[ "$(stat -c %U "$LIB/.shoebox/catalog.db")" = nobody ] || fail "catalogue not the library owner's"
released "normal import"
grep -q '^start --no-block shoebox-sync.service mounted=0$' "$T/systemctl.log" ||
	fail "sync unit not asked for after the card was released: $(cat "$T/systemctl.log" 2>&1)"
[ "$(q "SELECT exit_status, outcome, warnings FROM runs ORDER BY id DESC LIMIT 1")" = "0|complete|1" ] ||
	fail "run not recorded as complete with warnings: $(q 'SELECT * FROM runs')"

# 2. Mounted by something else (an automounter): used, and left mounted.
mkdir "$T/auto"
mount -o ro "$dev" "$T/auto" || fail "mount for the automounter case"
card
[ $crc = 0 ] || fail "already mounted card: exit $crc"
grep -q "already mounted at $T/auto" "$T/card.out" || fail "existing mount not used"
grep -q "4 already imported" "$T/card.out" || fail "not imported from the existing mount"
grep -q " $T/auto " /proc/mounts || fail "unmounted a mount it did not make"
[ -d "$CARD_MNT" ] && fail "mounted it again"
umount "$T/auto"
# ... where its label put a space or a quote (udisks mounts a FAT card
# labelled "NO NAME" at /media/USER/NO NAME): findmnt -r writes those as
# \xNN, which are no folder.
auto2="$T/auto NO NAME \\ '\$(x)"
mkdir "$auto2"
mount -o ro "$dev" "$auto2" || fail "mount for the label with a space"
card
[ $crc = 0 ] || fail "card mounted at a name with a space: exit $crc"
grep -q "4 already imported" "$T/card.out" ||
	fail "card mounted at a name with a space: not imported"
umount "$auto2"

# 3. A file the library's user cannot read fails: exit 1, the unit fails.
d=$T/c2/DCIM/100CANON
mkdir -p "$d"
cp "$S/IMG_0004.JPG" "$d/IMG_0004.JPG"
cp "$S/IMG_0002.JPG" "$d/LOCKED.JPG"
printf 'x' >>"$d/LOCKED.JPG"
chmod 000 "$d/LOCKED.JPG"
set_mtimes "$T/c2"
truncate -s 16M "$T/c2.img"
mkfs.ext4 -q -d "$T/c2" "$T/c2.img" || fail mkfs
attach "$T/c2.img"
card
[ $crc = 1 ] || fail "a failed file gave exit $crc, expected 1"
grep -q 'LOCKED.JPG' "$T/card.out" || fail "failed file not named"
[ -f "$LIB/2003/09/25/IMG_0004.JPG" ] || fail "the rest not imported"
released "failed file"
[ "$(q "SELECT outcome FROM runs ORDER BY id DESC LIMIT 1")" = error ] ||
	fail "failed run not recorded as such"

# 4. SIGTERM (the card pulled) in the middle: the import stops between two
# files, the card is unmounted, nothing partial; inserted again, the rest.
d=$T/c3/DCIM/101CANON
mkdir -p "$d"
for i in 1 2 3 4 5 6; do
	cp "$S/IMG_0002.JPG" "$d/PIC_000$i.JPG"
	printf 'card3 %s' "$i" >>"$d/PIC_000$i.JPG"
done
set_mtimes "$T/c3"
truncate -s 16M "$T/c3.img"
mkfs.ext4 -q -d "$T/c3" "$T/c3.img" || fail mkfs
attach "$T/c3.img"
mkdir -m 777 "$T/hook"	# the hook runs as nobody
SB_HOOK_ON=open:PIC_0003 SB_HOOK_CMD="touch $T/hook/reached; sleep 2" \
    LD_PRELOAD="$T/hook.so" SHOEBOX_BIN="$SHOEBOX" SHOEBOX_CARD_WAIT=0 \
    SHOEBOX_SYNC=no "$P/lib/shoebox/shoebox-card" "$dev" >"$T/card.out" 2>&1 &
pid=$!
i=0
while [ ! -f "$T/hook/reached" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -f "$T/hook/reached" ] || { cat "$T/card.out"; fail "import never reached PIC_0003"; }
kill -TERM $pid
crc=0
wait $pid || crc=$?
cat "$T/card.out"
[ $crc = 1 ] || fail "stopped card: exit $crc, expected 1"
grep -q 'stopped (card pulled' "$T/card.out" || fail "stop not said"
released "SIGTERM"
n=$(libfiles | grep -c PIC_)
[ "$n" -ge 1 ] && [ "$n" -lt 6 ] || fail "$n of 6 filed: the stop did not stop the import"
[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || fail "partial copies left"
libfiles | grep PIC_ | while read -r f; do
	cmp -s "$LIB/$f" "$d/${f##*/}" || fail "$f filed partial or wrong"
done || exit 1
[ "$(q "SELECT count(*) FROM files WHERE path LIKE '%PIC_%'")" = "$n" ] ||
	fail "catalogue and library disagree after the stop"
card
[ $crc = 0 ] || fail "card inserted again: exit $crc"
[ "$(libfiles | grep -c PIC_)" = 6 ] || fail "the rest not imported the second time"
released "second insertion"

# 5. FAT, as cameras write it: through the kernel's vfat, else fusefat.
command -v mkfs.vfat >/dev/null || { echo "no mkfs.vfat: FAT part skipped"; exit 0; }
truncate -s 32M "$T/fat.img"
mkfs.vfat -n CARD "$T/fat.img" >/dev/null || fail mkfs.vfat
mkdir "$T/fatfill"
if mount -o loop,tz=UTC -t vfat "$T/fat.img" "$T/fatfill" 2>/dev/null; then
	how=vfat
elif command -v fusefat >/dev/null && fusefat -o rw+ "$T/fat.img" "$T/fatfill" >/dev/null 2>&1; then
	how=fusefat
else
	echo "neither the kernel's vfat nor fusefat: FAT part skipped"
	exit 0
fi
mkdir -p "$T/fatfill/DCIM/100CANON"
cp "$S/IMG_0001.JPG" "$T/fatfill/DCIM/100CANON/FAT_0001.JPG"
printf 'fat' >>"$T/fatfill/DCIM/100CANON/FAT_0001.JPG"
cp "$S/IMG_0003.CR3" "$T/fatfill/DCIM/100CANON/FAT_0003.CR3"
touch -d '2021-05-12 12:21:20 UTC' "$T/fatfill/DCIM/100CANON/FAT_0001.JPG" \
    "$T/fatfill/DCIM/100CANON/FAT_0003.CR3"
umount "$T/fatfill" 2>/dev/null || fusermount -u "$T/fatfill"
attach "$T/fat.img"
card
[ $crc = 0 ] || fail "FAT card ($how): exit $crc"
[ "$how" = fusefat ] && { grep -q 'through fusefat' "$T/card.out" || fail "fusefat not said"; }
f=$(libfiles | grep FAT_0001.JPG) || fail "FAT card not imported"
[ "$(stat -c %Y "$LIB/$f")" = "$(date -d '2021-05-12 12:21:20 UTC' +%s)" ] ||
	fail "FAT time not kept as written: $(stat -c %y "$LIB/$f")"
libfiles | grep -q FAT_0003.CR3 || fail "CR3 on FAT not imported"
released "FAT ($how)"
grep -q "fuse.* $CARD_MNT " /proc/mounts && fail "fusefat left running"
echo "FAT through $how"
exit 0
