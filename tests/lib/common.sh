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

# check NAME CMD...: run CMD; if it fails, so does the test, saying NAME.
check() {
	_name=$1
	shift
	"$@" || fail "$_name"
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
