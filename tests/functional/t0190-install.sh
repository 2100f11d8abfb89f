#!/bin/sh
# make install / uninstall honour PREFIX and DESTDIR: binary, man pages,
# magic, udev rule, systemd units and helper scripts with the right paths,
# the example config; install says what to reload and enable; uninstall
# removes them all.
. "$TOP/tests/lib/common.sh"

make -s -C "$TOP" install DESTDIR="$T/root" PREFIX=/opt/sb >"$T/log" 2>&1 || { cat "$T/log"; fail "make install"; }
for f in /opt/sb/bin/shoebox /opt/sb/share/man/man1/shoebox.1 \
    /opt/sb/share/man/man5/shoebox.conf.5 /opt/sb/share/shoebox/shoebox.mgc \
    /opt/sb/lib/shoebox/shoebox-card /opt/sb/lib/shoebox/shoebox-run \
    /lib/udev/rules.d/99-shoebox.rules /etc/shoebox.conf.example \
    /lib/systemd/system/shoebox-card@.service \
    /lib/systemd/system/shoebox-ingest.service \
    /lib/systemd/system/shoebox-ingest.timer \
    /lib/systemd/system/shoebox-sync.service \
    /lib/systemd/system/shoebox-sync.timer \
    /lib/systemd/system/shoebox-watch@.service; do
	[ -f "$T/root$f" ] || fail "not installed: $f"
done
grep -q 'ExecStart=/opt/sb/lib/shoebox/shoebox-card /dev/%I' "$T/root/lib/systemd/system/shoebox-card@.service" ||
	fail "card unit path not substituted"
grep -q 'ExecStart=/opt/sb/lib/shoebox/shoebox-run import' "$T/root/lib/systemd/system/shoebox-ingest.service" ||
	fail "ingest unit path not substituted"
grep -q 'ExecStart=/opt/sb/lib/shoebox/shoebox-run sync' "$T/root/lib/systemd/system/shoebox-sync.service" ||
	fail "sync unit path not substituted"
grep -q 'ExecStart=/opt/sb/lib/shoebox/shoebox-run watch .*%f' "$T/root/lib/systemd/system/shoebox-watch@.service" ||
	fail "watch unit path not substituted"
grep -q '@[A-Z]*@' "$T/root/opt/sb/lib/shoebox/shoebox-card" "$T/root/opt/sb/lib/shoebox/shoebox-run" \
    "$T"/root/lib/systemd/system/* && fail "a path left unsubstituted"
grep -q 'bin=${SHOEBOX_BIN:-/opt/sb/bin/shoebox}' "$T/root/opt/sb/lib/shoebox/shoebox-run" ||
	fail "shoebox-run does not run the installed binary"
for w in 'udevadm control --reload' 'systemctl daemon-reload' \
    'systemctl enable --now shoebox-ingest.timer' 'systemctl enable --now shoebox-sync.timer'; do
	grep -q "$w" "$T/log" || fail "install does not say: $w"
done
# The example config names every key the man page documents.
for k in $(sed -n 's/^\.BI \([a-z_]*\) ".*/\1/p' "$TOP/man/shoebox.conf.5" | sort -u); do
	grep -q "^#$k = " "$TOP/scripts/shoebox.conf.example" || fail "example config lacks $k"
done
# The installed binary runs and finds its magic through SHOEBOX_MAGIC.
SHOEBOX_MAGIC="$T/root/opt/sb/share/shoebox/shoebox.mgc" "$T/root/opt/sb/bin/shoebox" probe "$FIX/Reagan.jpg" >/dev/null ||
	fail "installed binary does not run"
make -s -C "$TOP" uninstall DESTDIR="$T/root" PREFIX=/opt/sb >"$T/log" 2>&1 || { cat "$T/log"; fail "make uninstall"; }
left=$(find "$T/root" -type f)
[ -z "$left" ] || fail "left after uninstall: $left"
exit 0
