# Sourced by functional tests: a scratch directory, helpers, and the
# environment tests/run.sh gives (SHOEBOX, TOP; CORPUS when the outside
# sample corpus is there). Files the tests copy come from tests/fixtures
# ($FIX) and tests/sample-card, so a clone with nothing beside it passes.
set -u
: "${SHOEBOX:?run through tests/run.sh (SHOEBOX unset)}"
: "${TOP:?run through tests/run.sh (TOP unset)}"
FIX=$TOP/tests/fixtures
T=$(mktemp -d "${TMPDIR:-/tmp}/shoebox-t.XXXXXX")
cleanup_hooks=""
cleanup() {
	for h in $cleanup_hooks; do $h; done
	chmod -R u+w "$T" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
LIB=$T/library
export SHOEBOX_LIBRARY=$LIB
# Nothing of the machine's: no user's HOME or config, no system config.
# The test's own config takes files at once (settle = 0); tests that check
# the settle time say --settle or write their own.
export HOME="$T/home" XDG_CONFIG_HOME="$T/home/.config"
export SHOEBOX_CONFIG="$T/config"
mkdir -p "$HOME"
printf 'settle = 0\n' >"$SHOEBOX_CONFIG"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# shim NAME: build tests/lib/NAME.c into $T/NAME.so, to be preloaded
# (LD_PRELOAD); the test is skipped when there is no C compiler. ASan wants
# to come first among preloaded libraries; ours need not.
shim() {
	command -v cc >/dev/null || { echo "skipped: no C compiler for $1.c"; exit 77; }
	cc -shared -fPIC -o "$T/$1.so" "$TOP/tests/lib/$1.c" -ldl ||
	    fail "cannot build tests/lib/$1.c"
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
}

# catalog_to_schema_10: take the test's catalogue ($LIB) from schema 11
# back to 10 by hand (a file's type, camera and capture time as text in its
# row, an upload's remote by name), as a shoebox before 11 left it, so that
# a test can check what migration 11 makes of it. The views and triggers
# are stand-ins: the migration makes them anew.
catalog_to_schema_10() {
	q "CREATE TEMP TABLE t AS SELECT f.id AS id, c.mime AS mime, c.kind AS kind,
	   c.taken AS taken, c.make AS make, c.model AS model
	   FROM files f JOIN catalog c ON c.path = f.path;
	   DROP VIEW catalog; DROP TRIGGER files_count_add; DROP TRIGGER files_count_del;
	   DROP TRIGGER files_count_upd; DROP INDEX files_taken; DROP INDEX files_camera;
	   DROP INDEX files_type; ALTER TABLE files DROP COLUMN type_id;
	   ALTER TABLE files DROP COLUMN camera_id; ALTER TABLE files DROP COLUMN taken;
	   DROP TABLE types; DROP TABLE cameras;
	   ALTER TABLE files ADD COLUMN mime TEXT; ALTER TABLE files ADD COLUMN kind TEXT;
	   ALTER TABLE files ADD COLUMN taken TEXT; ALTER TABLE files ADD COLUMN make TEXT;
	   ALTER TABLE files ADD COLUMN model TEXT;
	   UPDATE files SET (mime, kind, taken, make, model) = (SELECT mime, kind, taken,
	   make, model FROM temp.t WHERE t.id = files.id);
	   CREATE INDEX files_taken ON files(taken); CREATE INDEX files_kind ON files(kind);
	   CREATE INDEX files_model ON files(model, make, path);
	   CREATE TRIGGER files_count_add AFTER INSERT ON files BEGIN
	   INSERT INTO file_counts VALUES (coalesce(substr(NEW.taken, 1, 4), ''), NEW.kind,
	   coalesce(NEW.make, ''), coalesce(NEW.model, ''), 1, NEW.size)
	   ON CONFLICT DO UPDATE SET files = files + 1, bytes = bytes + excluded.bytes; END;
	   CREATE TRIGGER files_count_del AFTER DELETE ON files BEGIN
	   UPDATE file_counts SET files = files - 1, bytes = bytes - OLD.size
	   WHERE year = coalesce(substr(OLD.taken, 1, 4), '') AND kind = OLD.kind AND
	   make = coalesce(OLD.make, '') AND model = coalesce(OLD.model, '');
	   DELETE FROM file_counts WHERE files <= 0; END;
	   CREATE TRIGGER files_count_upd AFTER UPDATE OF taken, kind, make, model, size ON files
	   BEGIN SELECT 1; END;
	   CREATE VIEW catalog AS SELECT 1;
	   CREATE TEMP TABLE j AS SELECT j.*, r.name AS remote FROM upload_jobs j
	   JOIN remotes r ON r.id = j.remote_id;
	   DROP VIEW uploads; DROP TABLE upload_jobs; DROP TABLE remotes;
	   CREATE TABLE upload_jobs (id INTEGER PRIMARY KEY, remote TEXT NOT NULL,
	   file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
	   status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
	   last_error TEXT, skipped INTEGER NOT NULL DEFAULT 0, upload_id TEXT,
	   part_size INTEGER, claimed_by TEXT, lease_until INTEGER, remote_path TEXT,
	   tmp_path TEXT, verify_status TEXT, queued_at INTEGER, done_at INTEGER,
	   verified_at INTEGER, UNIQUE (remote, file_id));
	   INSERT INTO upload_jobs SELECT id, remote, file_id, status, attempts,
	   last_error, skipped, upload_id, part_size, claimed_by, lease_until,
	   remote_path, tmp_path, verify_status, queued_at, done_at, verified_at FROM temp.j;
	   CREATE TRIGGER upload_jobs_same_name AFTER UPDATE OF remote_path ON upload_jobs
	   BEGIN SELECT 1; END;
	   CREATE INDEX upload_jobs_renamed ON upload_jobs(remote) WHERE remote_path IS NOT NULL;
	   CREATE INDEX upload_jobs_verified ON upload_jobs(remote, status, verified_at);
	   CREATE VIEW uploads AS SELECT 1;
	   PRAGMA user_version = 10" || fail "catalogue back to schema 10"
}

# catalog_matches_lib WHAT: every file the catalogue names is in the
# library, holding the SHA-256 recorded for it; else the test fails, saying
# WHAT.
catalog_matches_lib() {
	q "SELECT lower(hex(sha256)) || ' ' || path FROM files" |
	while read -r _h _p; do
		[ -f "$LIB/$_p" ] ||
		    { echo "FAIL: $1: catalogued $_p is not in the library" >&2; exit 1; }
		[ "$(openssl dgst -sha256 -r "$LIB/$_p" | cut -d' ' -f1)" = "$_h" ] ||
		    { echo "FAIL: $1: $_p is not its catalogue SHA-256" >&2; exit 1; }
	done || exit 1
}

# import_badcopy N PATTERN: import --move $T/card with the badcopy shim
# (shim badcopy) flipping a byte in the Nth write to a copy; the import
# must exit 1, say PATTERN on stderr and count one file failed.
import_badcopy() {
	_rc=0
	BADCOPY_NTH=$1 LD_PRELOAD="$T/badcopy.so" "$SHOEBOX" import \
	    --no-progress --move "$T/card" >"$T/out" 2>"$T/err" || _rc=$?
	[ $_rc = 1 ] || { cat "$T/out" "$T/err"; fail "nth=$1: exit $_rc, expected 1"; }
	grep -q "$2" "$T/err" || fail "nth=$1: no read-back error: $(cat "$T/err")"
	grep -q ', 1 failed$' "$T/out" || fail "nth=$1: summary: $(cat "$T/out")"
}

# rss_run WHAT RC BIN ARGS...: run shoebox BIN with ARGS (stdout in
# $T/out, stderr in $T/err), expecting exit status RC, else fail saying
# WHAT; its peak RSS (kB, /usr/bin/time) in $rss.
rss_run() {
	_what=$1 _want=$2 _exe=$3
	shift 3
	_rc=0
	/usr/bin/time -f %M -o "$T/rss" "$_exe" "$@" >"$T/out" 2>"$T/err" ||
	    _rc=$?
	[ "$_rc" = "$_want" ] || { tail -n 5 "$T/out" "$T/err" >&2
	    fail "$_what: shoebox $* exited $_rc, not $_want"; }
	rss=$(tail -n 1 "$T/rss")
}

# rss_flat NAME...: memory that does not grow with the number of files.
# The test's own `measure BIN N` writes a peak RSS (kB) a line to $T/rss.N,
# one line for each NAME. Measured at 2,000 files, and under ASan only
# there (it keeps freed memory in quarantine: its checks are what count);
# else at 20,000 too, and the test fails if a NAME's peak there is more
# than $margin kB above the same at 2,000.
rss_flat() {
	case "$SHOEBOX" in
	*asan*)
		measure "$SHOEBOX" 2000
		return 0 ;;
	esac
	measure "$SHOEBOX" 2000
	measure "$SHOEBOX" 20000
	paste "$T/rss.2000" "$T/rss.20000" | while read -r _small _big; do
		echo "$1: peak RSS $_small kB at 2,000 files, $_big kB at 20,000"
		[ "$_big" -le $((_small + margin)) ] ||
		    fail "$1: peak RSS grows with the files: $_small kB at 2,000, $_big kB at 20,000"
		shift
	done || exit 1
}

# check NAME CMD...: run CMD; if it fails, so does the test, saying NAME.
check() {
	_name=$1
	shift
	"$@" || fail "$_name"
}

# wait_for FILE TENTHS: wait until FILE exists, for at most TENTHS tenths
# of a second; then go on either way (the caller checks what it needs).
wait_for() {
	_n=0
	while [ ! -e "$1" ] && [ $_n -lt "$2" ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
}

# wait_until SECONDS COMMAND...: poll until COMMAND succeeds; 1 if it
# never did.
wait_until() {
	_w=$(($1 * 10))
	shift
	while ! "$@" 2>/dev/null; do
		_w=$((_w - 1))
		[ $_w -gt 0 ] || return 1
		sleep 0.1
	done
}

# moved_safely ORIG SRC: after an import --move of SRC (a copy of ORIG),
# every source still in SRC is as it was in ORIG, and every one removed
# has its content in the catalogue.
moved_safely() {
	find "$2" -type f | while read -r _f; do
		cmp -s "$_f" "$1/${_f#"$2"/}" || fail "source changed: $_f"
	done || exit 1
	(cd "$1" && find . -type f -exec openssl dgst -sha256 -r {} +) | sort >"$T/orig.sums"
	(cd "$2" && find . -type f -exec openssl dgst -sha256 -r {} +) | sort >"$T/left.sums"
	q 'SELECT lower(hex(sha256)) FROM files' | sort -u >"$T/cat.sha"
	# orig.sums less left.sums: the sources --move removed.
	comm -23 "$T/orig.sums" "$T/left.sums" | cut -d' ' -f1 | sort -u |
	    comm -23 - "$T/cat.sha" >"$T/lost"
	[ ! -s "$T/lost" ] ||
	    fail "sources removed but their content is not in the library: $(cat "$T/lost")"
}

# same_text NAME FILE TEXT: fail with NAME unless FILE holds TEXT and a
# newline, exactly. (Not "echo TEXT | check NAME diff - FILE": a check in a
# pipeline runs in a subshell, and its fail ends only that.)
same_text() {
	printf '%s\n' "$3" >"$T/same_text.want"
	diff -u "$T/same_text.want" "$2" >&2 || fail "$1"
}

# as_nobody: sb runs shoebox as the user nobody from now on, even as root,
# so that files without read permission cannot be read; the library is
# nobody's. Skips the test (77) when nobody cannot run $SHOEBOX.
as_nobody() {
	[ "$(id -u)" = 0 ] || return 0
	SB_AS="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	chmod 755 "$T"
	mkdir -p "$LIB"
	chown -R nobody:nogroup "$LIB"
	$SB_AS "$SHOEBOX" --version >/dev/null 2>&1 ||
	    { echo "skipped: the user nobody cannot run $SHOEBOX"; exit 77; }
}

# fake_server SCRIPT [ARG...]: start a stand-in server on 127.0.0.1 (a
# python3 SCRIPT that prints the port it listens on, then serves; its
# stderr in $T/srv.log), wait for its port, in $port; it is stopped when
# the test ends.
fake_server() {
	PYTHONPATH="$TOP/tests/functional" python3 "$@" >"$T/port" \
	    2>"$T/srv.log" &
	srv=$!
	cleanup_hooks="$cleanup_hooks stop_fake_server"
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$T/port" ] || fail "the server $1 did not start"
	port=$(cat "$T/port")
}
stop_fake_server() { kill $srv 2>/dev/null; wait $srv 2>/dev/null; }

# need_corpus: skip the test (77) unless CORPUS is the outside corpus.
need_corpus() {
	[ -n "${CORPUS:-}" ] && [ -f "$CORPUS/exiv2/expected.tsv" ] &&
	    [ -f "$CORPUS/video/expected.tsv" ] && return 0
	echo "skipped: no corpus (set CORPUS=...)"
	exit 77
}

# sb ARGS...: run shoebox, keeping stdout in $T/out, stderr in $T/err, $rc
# (run through the command $SB_AS when set, as in "setpriv ...").
SB_AS=""
sb() {
	rc=0
	sb_args="$*"
	$SB_AS "$SHOEBOX" "$@" >"$T/out" 2>"$T/err" || rc=$?
	if [ $rc -gt 2 ]; then
		cat "$T/err" >&2
		fail "shoebox $* exited $rc (crash or signal)"
	fi
	return 0
}

# expect_rc N: the last sb exited N.
expect_rc() {
	[ "$rc" = "$1" ] || { cat "$T/out" "$T/err" >&2
	    fail "shoebox $sb_args: exit status $rc, expected $1"; }
}

# expect_out NAME: the last sb's stdout is exactly stdin; else fail NAME.
expect_out() {
	cat >"$T/want"
	diff -u "$T/want" "$T/out" >&2 || fail "$1"
}

# q SQL: query the test library's catalogue.
q() {
	sqlite3 -batch -noheader "$LIB/.shoebox/catalog.db" "$1"
}

# Files in the library, relative, sorted (the catalogue's own dir left out).
libfiles() {
	(cd "$LIB" && find . -type f -not -path './.shoebox/*' | sed 's|^\./||' | LC_ALL=C sort)
}

# lib_nonempty: no file in the library is empty.
lib_nonempty() {
	while read -r _p; do
		[ -z "$_p" ] || [ -s "$LIB/$_p" ] || fail "empty file in the library: $_p"
	done <<EOF
$(libfiles)
EOF
}

# sums DIR: the SHA-256 of each file under DIR, sorted, one a line
# (openssl uses the CPU's SHA instructions; sha256sum does not).
sums() {
	find "$1" -type f -exec openssl dgst -sha256 -r {} + | cut -d' ' -f1 | sort
}

# lib_sums: "SHA-256 *./PATH" for each file in the library, sorted.
lib_sums() {
	(cd "$LIB" && find . -type f -not -path './.shoebox/*' \
	    -exec openssl dgst -sha256 -r {} +) | sort
}

# lib_whole SUMS: every file in the library is whole: its SHA-256 is one
# of those in the file SUMS.
lib_whole() {
	_bad=$(lib_sums | awk 'NR == FNR { ok[$1] = 1; next }
	    !($1 in ok) { sub(/^[^ ]* \*\.\//, ""); print }' "$1" -)
	[ -z "$_bad" ] || fail "partial or foreign file in the library: $_bad"
}

# dated_jpegs DIR N: N distinct camera JPEGs, DIR/IMG_0001.JPG..., made
# from the fixtures: each one's EXIF date strings rewritten in place (same
# length, as scripts/bench/mkcard.py does) to a day of its own, from
# 2015-01-01 on.
dated_jpegs() {
	python3 - "$FIX" "$1" "$2" <<'PY' || fail "cannot make $2 JPEGs in $1"
import os, re, sys, time
fix, dest, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
names = ["Reagan.jpg", "exiv2-canon-eos-20d.jpg", "exiv2-nikon-d70.jpg",
         "exiv2-nikon-e950.jpg", "FurnaceCreekInn3.jpg"]
tmpl = [open(os.path.join(fix, x), "rb").read() for x in names]
date = re.compile(rb"(?:19|20)\d\d:[01]\d:[0-3]\d [0-2]\d:[0-5]\d:[0-5]\d")
os.makedirs(dest, exist_ok=True)
for i in range(n):
    t = time.gmtime(1420070400 + i * 86461)
    data = date.sub(time.strftime("%Y:%m:%d %H:%M:%S", t).encode(),
                    tmpl[i % len(tmpl)])
    open(os.path.join(dest, "IMG_%04d.JPG" % (i + 1)), "wb").write(data)
PY
}

# distinct_jpegs DIR FIRST COUNT TAG [PER_DAY]: IMG_FIRST.JPG and on in
# DIR, COUNT copies of one fixture photo, each made its own by the bytes
# "shoebox TAG i" after the image's end; with PER_DAY, their EXIF dates set
# so that PER_DAY photos share a day (from 2015-01-01), else all the
# fixture's own.
distinct_jpegs() {
	python3 - "$FIX/exiv2-canon-eos-20d.jpg" "$@" <<'PY' ||
import os, re, sys, time
tmpl = open(sys.argv[1], "rb").read()
dest, first, count = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
tag = sys.argv[5].encode()
per_day = int(sys.argv[6]) if len(sys.argv) > 6 else 0
date = re.compile(rb"(?:19|20)\d\d:[01]\d:[0-3]\d [0-2]\d:[0-5]\d:[0-5]\d")
os.makedirs(dest, exist_ok=True)
for i in range(first, first + count):
    data = tmpl
    if per_day:
        t = time.gmtime(1420070400 + (i // per_day) * 86400 + i)
        data = date.sub(time.strftime("%Y:%m:%d %H:%M:%S", t).encode(), tmpl)
    open(os.path.join(dest, "IMG_%04d.JPG" % i), "wb").write(
        data + b"shoebox %s %d\n" % (tag, i))
PY
	    fail "cannot make $3 photos in $1"
}

# set_mtimes DIR: every file under DIR gets the same fixed mtime.
set_mtimes() {
	find "$1" -type f -exec touch -d '2001-02-03 04:05:06 UTC' {} +
}

# sample_library: tests/sample-card copied to $T/card (with the Nikon D70
# photo of 2004-03-30 its .Trashes holds put in DCIM, all at one mtime) and
# imported into $LIB, a dir remote "usb" ($T/usb) configured; sets card and
# L (the library's real path).
sample_library() {
	card=$T/card
	mkdir -p "$card"
	cp -R "$TOP/tests/sample-card/DCIM" "$TOP/tests/sample-card/PRIVATE" "$card/"
	cp "$TOP/tests/sample-card/.Trashes/501/deleted.jpg" "$card/DCIM/100CANON/DSC_0100.JPG"
	set_mtimes "$card"
	cat >>"$T/config" <<EOF
[remote usb]
type = dir
path = $T/usb
EOF
	sb import --no-progress "$card"
	expect_rc 0
	L=$(cd "$LIB" && pwd -P)
}

# padded_video SRC DEST MB: a real MOV/MP4 (SRC) followed by a 64-bit
# 'free' box of MB megabytes of random bytes, so that DEST is a well-formed
# file of its kind, and no two such files are the same.
padded_video() {
	python3 "$TOP/scripts/bench/mkcard.py" pad "$@" || fail "cannot build $2"
}
