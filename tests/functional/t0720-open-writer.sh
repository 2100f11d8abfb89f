#!/bin/sh
# A file a program still holds open for writing is still arriving, whatever
# its mtime says: a writer that paused for longer than the settle time (a
# stalled upload) would otherwise have its half file filed and, with
# --move, removed while it goes on writing into the removed file. The
# kernel refuses a read lease on a file open for writing; shoebox asks it
# (on local filesystems, as the file's owner or root).
# - A writer puts half a JPEG at the source and holds it open: import
#   --move --settle 0 neither files nor removes it, names it, exits 0.
#   Once the writer has finished and closed it, the next run files it whole.
# - A program opens the source for writing after it was copied (hook at the
#   copy's first sync, before --move removes): the source is kept, named.
# - A program holds a lease on the source (Samba's oplocks): the import
#   does not wait for it; the file is left for the next run, named.
. "$TOP/tests/functional/safety-lib.sh"

case $(stat -f -c %t "$T") in
ef53|58465342|9123683e|2fc12fc1|f2f52010|4d44|2011bab0|7366746e|65735546|1021994|794c7630) ;;
*) echo "the scratch filesystem ($(stat -f -c %T "$T")) is not one shoebox asks for leases on"
   exit 77 ;;
esac

# Does this kernel refuse a read lease on a file open for writing (a
# sandboxed kernel may not do leases at all)?
python3 - "$T/probe" <<'PY' || { echo "this kernel does not refuse leases to files open for writing"; exit 77; }
import errno, fcntl, os, sys
w = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o600)
r = os.open(sys.argv[1], os.O_RDONLY)
try:
    fcntl.fcntl(r, fcntl.F_SETLEASE, fcntl.F_RDLCK)
except OSError as e:
    sys.exit(0 if e.errno == errno.EAGAIN else 1)
sys.exit(1)
PY

S=$T/drop
mkdir -p "$S"
cp "$CARD/IMG_0002.JPG" "$T/full.jpg"
size=$(stat -c %s "$T/full.jpg")
half=$((size / 2))

# The writer: half, held open until told to go, then the rest.
(
	exec 3>"$S/IMG_0002.JPG"
	head -c $half "$T/full.jpg" >&3
	touch -d '1 hour ago' "$S/IMG_0002.JPG"
	: >"$T/half-written"
	wait_for "$T/go" 300
	tail -c +$((half + 1)) "$T/full.jpg" >&3
) &
writer=$!
cleanup_hooks="stop_writer"
wait_for "$T/half-written" 100

csb import --move --settle 0 --no-progress "$S"
cat "$T/out" "$T/err"
expect_rc 0
[ -f "$S/IMG_0002.JPG" ] || fail "a file still open for writing was removed"
[ "$(stat -c %s "$S/IMG_0002.JPG")" = $half ] || fail "the source changed"
[ -z "$(libfiles)" ] || fail "a file still open for writing was filed: $(libfiles)"
named IMG_0002.JPG
grep -q 'open for writing' "$T/err" || fail "no reason given"

stop_writer
cmp -s "$S/IMG_0002.JPG" "$T/full.jpg" || fail "the writer's file is not whole"
csb import --move --settle 0 --no-progress "$S"
expect_rc 0
[ ! -e "$S/IMG_0002.JPG" ] || fail "the finished file was not moved"
[ "$(lib_count "$T/full.jpg")" = 1 ] || fail "the finished file was not filed whole"

# Opened for writing after the copy, before the removal.
rm -rf "$S" "$LIB" "$T/go"
mkdir -p "$S"
cp "$CARD/IMG_0001.JPG" "$S/IMG_0001.JPG"
export SB_HOOK_ON=fsync
export SB_HOOK_CMD="(exec 3>>'$S/IMG_0001.JPG'; : >'$T/holding';
    n=0; while [ ! -e '$T/go' ] && [ \$n -lt 300 ]; do sleep 0.1; n=\$((n + 1)); done
    ) >/dev/null 2>&1 </dev/null &
    n=0; while [ ! -e '$T/holding' ] && [ \$n -lt 100 ]; do sleep 0.1; n=\$((n + 1)); done"
hsb import --move --no-progress "$S"
hook_fired
cat "$T/out" "$T/err"
touch "$T/go"
expect_rc 0
[ "$(lib_count "$CARD/IMG_0001.JPG")" = 1 ] || fail "the file read was not filed"
[ -f "$S/IMG_0001.JPG" ] || fail "a source opened for writing after its copy was removed"
cmp -s "$S/IMG_0001.JPG" "$CARD/IMG_0001.JPG" || fail "the kept source changed"
named IMG_0001.JPG
grep -q 'open for writing' "$T/err" || fail "no reason given for the kept source"

# A file another program holds a lease on (Samba's oplocks): opening it
# would wait for the lease to be given up; it is left for the next run at
# once instead, and taken once the lease is gone.
unset SB_HOOK_ON SB_HOOK_CMD
rm -rf "$S" "$LIB" "$T/leased" "$T/go"
mkdir -p "$S"
cp "$CARD/IMG_0004.JPG" "$S/IMG_0004.JPG"
python3 - "$S/IMG_0004.JPG" "$T/leased" "$T/go" <<'PY' &
import fcntl, os, signal, sys, time
signal.signal(signal.SIGIO, signal.SIG_IGN)   # the lease's break: kept
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
open(sys.argv[2], "w").close()
for _ in range(300):
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.1)
PY
holder=$!
wait_for "$T/leased" 100
[ -e "$T/leased" ] || fail "could not take a lease"
start=$(date +%s)
csb import --move --settle 0 --no-progress "$S"
cat "$T/out" "$T/err"
expect_rc 0
[ $(($(date +%s) - start)) -lt 30 ] || fail "the import waited for the lease"
[ -f "$S/IMG_0004.JPG" ] || fail "a leased file was removed"
named IMG_0004.JPG
grep -q 'lease' "$T/err" || fail "no reason given for the leased file"
touch "$T/go"
wait $holder
csb import --move --settle 0 --no-progress "$S"
expect_rc 0
[ "$(lib_count "$CARD/IMG_0004.JPG")" = 1 ] || fail "the file was not filed once the lease was gone"
exit 0
