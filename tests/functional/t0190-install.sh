#!/bin/sh
# make install / uninstall honour PREFIX and DESTDIR: binary, man pages,
# magic, udev rule, systemd units with the right paths; uninstall removes
# them all.
. "$TOP/tests/lib/common.sh"

make -s -C "$TOP" install DESTDIR="$T/root" PREFIX=/opt/sb >"$T/log" 2>&1 || { cat "$T/log"; fail "make install"; }
for f in /opt/sb/bin/shoebox /opt/sb/share/man/man1/shoebox.1 \
    /opt/sb/share/man/man5/shoebox.conf.5 /opt/sb/share/shoebox/shoebox.mgc \
    /opt/sb/lib/shoebox/shoebox-card /lib/udev/rules.d/99-shoebox.rules \
    /lib/systemd/system/shoebox-card@.service \
    /lib/systemd/system/shoebox-ingest.service \
    /lib/systemd/system/shoebox-ingest.timer; do
	[ -f "$T/root$f" ] || fail "not installed: $f"
done
grep -q 'ExecStart=/opt/sb/lib/shoebox/shoebox-card /dev/%I' "$T/root/lib/systemd/system/shoebox-card@.service" ||
	fail "card unit path not substituted"
grep -q 'ExecStart=/opt/sb/bin/shoebox import' "$T/root/lib/systemd/system/shoebox-ingest.service" ||
	fail "ingest unit path not substituted"
grep -q '@' "$T/root/opt/sb/lib/shoebox/shoebox-card" && grep -q '@BINDIR@' "$T/root/opt/sb/lib/shoebox/shoebox-card" &&
	fail "card script path not substituted"
# The installed binary runs and finds its magic through SHOEBOX_MAGIC.
SHOEBOX_MAGIC="$T/root/opt/sb/share/shoebox/shoebox.mgc" "$T/root/opt/sb/bin/shoebox" probe "$FIX/Reagan.jpg" >/dev/null ||
	fail "installed binary does not run"
make -s -C "$TOP" uninstall DESTDIR="$T/root" PREFIX=/opt/sb >"$T/log" 2>&1 || { cat "$T/log"; fail "make uninstall"; }
left=$(find "$T/root" -type f)
[ -z "$left" ] || fail "left after uninstall: $left"
exit 0
