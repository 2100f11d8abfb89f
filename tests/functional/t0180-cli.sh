#!/bin/sh
# The command line: help, version, usage errors and their exit codes, the
# library from -L / SHOEBOX_LIBRARY / config, probe's output, config errors.
. "$TOP/tests/lib/common.sh"

sb --version; expect_rc 0
grep -q '^shoebox [0-9]' "$T/out" || fail "--version"
sb --help; expect_rc 0
grep -q 'import' "$T/out" || fail "--help lists no commands"
sb help import; expect_rc 0
grep -q 'usage: shoebox import .*--dry-run' "$T/out" || fail "help import"
sb frobnicate; expect_rc 2
grep -q 'unknown command: frobnicate' "$T/err" || fail "unknown command"
sb imp --no-such-option x; expect_rc 2
grep -q 'usage: shoebox import' "$T/err" || fail "bad option gives no usage"
sb import; expect_rc 2
sb probe; expect_rc 2

# No library anywhere: a usage error naming the three ways to give one.
unset SHOEBOX_LIBRARY
sb import "$FIX/Reagan.jpg"; expect_rc 2
same_text "missing library message" "$T/err" \
    "shoebox: import: no library given (use -L DIR, SHOEBOX_LIBRARY or 'library =' in the config)"
# From the config file.
printf 'settle = 0\nlibrary = %s\npattern = %%Y/%%Y-%%m-%%d\n' "$T/fromconf" >"$T/conf"
sb -c "$T/conf" import --no-progress "$FIX/Reagan.jpg"; expect_rc 0
[ -f "$T/fromconf/2004/2004-06-21/Reagan.jpg" ] || fail "library or pattern from config not used"
# -L wins over the environment, which wins over the config.
SHOEBOX_LIBRARY=$T/fromenv "$SHOEBOX" -c "$T/conf" import --no-progress "$FIX/Reagan.jpg" >/dev/null 2>&1
[ -f "$T/fromenv/2004/2004-06-21/Reagan.jpg" ] || fail "SHOEBOX_LIBRARY not used"
SHOEBOX_LIBRARY=$T/fromenv "$SHOEBOX" -c "$T/conf" -L "$T/fromflag" import --no-progress "$FIX/Reagan.jpg" >/dev/null 2>&1
[ -f "$T/fromflag/2004/2004-06-21/Reagan.jpg" ] || fail "-L not used"

# Which config is read: -c, else SHOEBOX_CONFIG, else the user's
# ($XDG_CONFIG_HOME/shoebox/config, else ~/.config/shoebox/config).
printf 'library = %s\n' "$T/fromsbconf" >"$T/sb.conf"
mkdir -p "$T/xdg/shoebox" "$HOME/.config/shoebox"
printf 'library = %s\n' "$T/fromxdg" >"$T/xdg/shoebox/config"
printf 'library = %s\n' "$T/fromhome" >"$HOME/.config/shoebox/config"
XDG_CONFIG_HOME=$T/xdg
SHOEBOX_CONFIG=$T/sb.conf
sb import --no-progress "$FIX/Reagan.jpg"; expect_rc 0
check "SHOEBOX_CONFIG's library used" [ -f "$T/fromsbconf/2004/06/21/Reagan.jpg" ]
check "no other config read with SHOEBOX_CONFIG" [ ! -e "$T/fromxdg" ]
check "no other config read with SHOEBOX_CONFIG" [ ! -e "$T/fromhome" ]
rm -rf "$T/fromconf"
sb -c "$T/conf" import --no-progress "$FIX/Reagan.jpg"; expect_rc 0
check "-c wins over SHOEBOX_CONFIG" [ -f "$T/fromconf/2004/2004-06-21/Reagan.jpg" ]
SHOEBOX_CONFIG=$T/missing.conf
sb import --no-progress "$FIX/Reagan.jpg"; expect_rc 2
same_text "SHOEBOX_CONFIG naming no file" "$T/err" \
    "shoebox: config $T/missing.conf: No such file or directory"
SHOEBOX_CONFIG=""
sb import --no-progress "$FIX/Reagan.jpg"; expect_rc 0
check "XDG_CONFIG_HOME's config used" [ -f "$T/fromxdg/2004/06/21/Reagan.jpg" ]
unset XDG_CONFIG_HOME
sb import --no-progress "$FIX/Reagan.jpg"; expect_rc 0
check "~/.config/shoebox/config used" [ -f "$T/fromhome/2004/06/21/Reagan.jpg" ]
export XDG_CONFIG_HOME="$HOME/.config" SHOEBOX_CONFIG="$T/config"
export SHOEBOX_LIBRARY=$LIB

# Config errors are exit 2 with a message naming the file.
printf 'this is not ini\n' >"$T/bad.conf"
sb -c "$T/bad.conf" probe "$FIX/Reagan.jpg"; expect_rc 2
grep -q "bad.conf: line 1" "$T/err" || fail "bad config line not named"
sb -c "$T/missing.conf" probe "$FIX/Reagan.jpg"; expect_rc 2
printf 'pattern = ../escape\n' >"$T/pat.conf"
sb -c "$T/pat.conf" import "$FIX/Reagan.jpg"; expect_rc 2
grep -q "pattern" "$T/err" || fail "bad pattern not reported"
# A secret others can read is refused, as ssh does.
printf '[remote x]\ntype = s3\nsecret_access_key = hunter2\n' >"$T/secret.conf"
chmod 644 "$T/secret.conf"
sb -c "$T/secret.conf" probe "$FIX/Reagan.jpg"; expect_rc 2
grep -q "chmod 600 $T/secret.conf" "$T/err" || fail "no chmod hint: $(cat "$T/err")"
grep -q hunter2 "$T/err" && fail "secret printed"
chmod 600 "$T/secret.conf"
sb -c "$T/secret.conf" probe "$FIX/Reagan.jpg"; expect_rc 0

# probe: one line each, tab separated; --json with the documented keys.
sb probe "$FIX/Reagan.jpg" "$FIX/exiv2-empty.jpg"; expect_rc 0
[ "$(wc -l <"$T/out")" = 2 ] || fail "probe lines"
printf '%s\timage\timage/jpeg\t2004-06-21T23:37:53\texif\tNIKON CORPORATION\tNIKON D1X\n' "$FIX/Reagan.jpg" >"$T/want"
head -1 "$T/out" | diff "$T/want" - || fail "probe line"
sb probe --json "$FIX/Reagan.jpg" "$FIX/IMG_1361.dng"; expect_rc 0
python3 - "$T/out" <<'PY' || exit 1
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for r in rows:
    for k in ("path", "kind", "mime", "taken", "date_source", "make", "model"):
        assert k in r, (k, r)
assert rows[0]["taken"] == "2004-06-21T23:37:53" and rows[0]["date_source"] == "exif", rows[0]
assert rows[0]["kind"] == "image" and rows[0]["make"] == "NIKON CORPORATION", rows[0]
PY
# probe writes nothing and reports an unreadable path.
sb probe "$T/none.jpg"; expect_rc 1
grep -q 'none.jpg: No such file or directory' "$T/err" || fail "probe missing file"
[ ! -e "$LIB" ] || fail "probe created something"

# A progress line when asked for (on a terminal by default).
mkdir -p "$T/card"
cp "$FIX/Reagan.jpg" "$FIX/smiley2.jpg" "$T/card/"
sb import --progress "$T/card"; expect_rc 0
grep -q 'files .*/s .*left' "$T/err" || fail "no progress line: $(cat "$T/err")"
exit 0
