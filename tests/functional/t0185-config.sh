#!/bin/sh
# The config: every key of the table documented (shoebox.conf(5)) and in
# the example config; unknown keys and bad values named with file, line and
# what is accepted; the comment rule; ~ in paths; lines of any length;
# 'shoebox config' printing the settings in effect with secrets masked;
# SHOEBOX_MAGIC checked.
. "$TOP/tests/lib/common.sh"

# Every key of the table is in the man page and in the example config.
sb config keys; expect_rc 0
awk '{print $2}' "$T/out" | sort -u >"$T/keys"
[ "$(wc -l <"$T/keys")" -gt 30 ] || fail "config keys: $(cat "$T/out")"
while read -r k; do
	grep -q "^\.BI $k \"" "$TOP/man/shoebox.conf.5" || fail "shoebox.conf.5 lacks $k"
	grep -q "^#$k = " "$TOP/scripts/shoebox.conf.example" || fail "shoebox.conf.example lacks $k"
done <"$T/keys"
# ... and the example, uncommented, is a config shoebox accepts.
sed -n 's/^#\([a-z_]* = \)/\1/p; s/^#\(\[.*\]\)$/\1/p' "$TOP/scripts/shoebox.conf.example" |
    sed -e 's/^type = s3 | webdav | sftp | dir$/type = dir/' >"$T/example.conf"
grep -q '^\[remote b2\]' "$T/example.conf" || fail "example not uncommented: $(cat "$T/example.conf")"
chmod 600 "$T/example.conf"
sb -c "$T/example.conf" config keys; expect_rc 0

# Bad values and unknown keys: every one named, in line order, with what
# is accepted; nothing else done (exit 2).
cat >"$T/bad.conf" <<'EOF'
libary = /srv/photos
settle = soon
verify = maybe   # not a boolean
timezone = Europe/Pari
transfers = 100
bwlimit = 10 mbit
pattern = ../%Y
this line has no equals sign
[remote nas]
type = dir
path = /srv/backup
bucket = photos
[remote cloud]
url = https://cloud.example.org/dav
[remot x]
[camera "X"]
settle = 0
EOF
sb -c "$T/bad.conf" import "$FIX/Reagan.jpg"; expect_rc 2
c="shoebox: config $T/bad.conf"
cat >"$T/want" <<EOF
$c: line 1: libary: unknown key; did you mean library?
$c: line 2: settle: 'soon' is not a duration up to a year, such as 0, 45, 30s, 10m, 2h or 1d
$c: line 3: verify: 'maybe' is not yes or no (yes, no, true, false, on, off, 1, 0)
$c: line 4: timezone: 'Europe/Pari' is not a zone of the tz database, such as Europe/Paris or UTC (see /usr/share/zoneinfo)
$c: line 5: transfers: '100' is not a whole number from 1 to 64
$c: line 6: bwlimit: '10 mbit' is not bytes per second, such as 512k, 10M or 1G
$c: line 7: pattern: '../%Y' is not a relative folder with strftime conversions, such as %Y/%m/%d (no '..', no empty part, no part starting with '.')
$c: line 8: not a 'key = value' line: this line has no equals sign
$c: line 12: bucket: a key of s3 remotes, not of type dir
$c: line 14: [remote cloud] has no 'type =' (s3, webdav, sftp or dir)
$c: line 15: [remot x]: unknown section; sections are [remote NAME] and [camera MODEL], and global keys go before the first one
$c: line 17: settle: not a key of [camera MODEL] sections but of the global section (global keys go before the first [section])
$c: 12 errors (shoebox.conf(5) and 'shoebox config keys' list every key)
EOF
diff "$T/want" "$T/err" || fail "config errors"
[ ! -e "$LIB" ] || fail "a bad config still imported"
sb -c "$T/bad.conf" config; expect_rc 2
diff "$T/want" "$T/err" || fail "config check errors"

# A rate is what sync takes, no more: config check passed "1e999" and
# "inf", which sync then refused (exit 2 every night), and sync took
# "0x10" as 16 bytes a second.
for rate in 1e999 inf 0x10 -1 2P; do
	printf 'bwlimit = %s\n' "$rate" >"$T/rate.conf"
	sb -c "$T/rate.conf" config; expect_rc 2
	grep -q "bwlimit: '$rate' is not bytes per second" "$T/err" ||
		fail "bwlimit = $rate: $(cat "$T/err")"
	: >"$T/empty.conf"
	sb -c "$T/empty.conf" sync --bwlimit "$rate"; expect_rc 2
	grep -q "bwlimit '$rate' not understood" "$T/err" ||
		fail "--bwlimit $rate: $(cat "$T/err")"
done
printf 'bwlimit = 1.5MiB\n' >"$T/rate.conf"
sb -c "$T/rate.conf" config; expect_rc 0

# Comments: '#' or ';' at the start or after a blank; '#' inside a word stays.
# ~ is the home folder. A line longer than 200 bytes is whole.
long=$(printf 'x%.0s' $(seq 1 300))
cat >"$T/good.conf" <<EOF
; a comment
  # another
library = ~/pictures	# where the library is
settle = 0 ; no waiting
verify = on
on_complete = echo $long >/dev/null
on_error = curl -d x https://ntfy.sh/topic#frag
[camera "Canon EOS R6"]
timezone = America/New_York
[remote "b2"]
type = s3
bucket = photos
endpoint = https://s3.example.org
access_key_id = AKID
secret_access_key = hunter2
[remote cloud]
type = webdav
url = https://anne:pa55@cloud.example.org/dav
[remote usb]
type = dir
path = ~/backup
EOF
mkdir -p "$T/home/backup"
chmod 644 "$T/good.conf"
HOME=$T/home sb -c "$T/good.conf" config; expect_rc 2
grep -q "chmod 600 $T/good.conf" "$T/err" || fail "secret in a readable config: $(cat "$T/err")"
chmod 600 "$T/good.conf"
unset SHOEBOX_LIBRARY
HOME=$T/home sb -c "$T/good.conf" config; expect_rc 0
cat >"$T/want" <<EOF
# $T/good.conf: no errors
library = $T/home/pictures
pattern = %Y/%m/%d                      # default
# name: not set
settle = 0
# timezone: not set
date_from_name = yes                    # default
date_from_folder = no                   # default
verify = on
import_unrecognised = no                # default
auto_sync = no                          # default
transfers = 4                           # default
# bwlimit: not set
on_complete = echo $long >/dev/null
on_error = curl -d x https://ntfy.sh/topic#frag

[camera "Canon EOS R6"]
timezone = America/New_York

[remote "b2"]
type = s3
# prefix: not set
retries = 5                             # default
retry_delay = 1                         # default
timeout = 60                            # default
connect_timeout = 30                    # default
tls_verify = yes                        # default
# ca_file: not set
# secret_file: not set
bucket = photos
region = us-east-1                      # default
endpoint = https://s3.example.org
# url_style: not set
access_key_id = AKID
secret_access_key = ********
# session_token: not set
# storage_class: not set
multipart_threshold = 64M               # default
part_size = 16M                         # default
upload_concurrency = 4                  # default

[remote "cloud"]
type = webdav
# prefix: not set
retries = 5                             # default
retry_delay = 1                         # default
timeout = 60                            # default
connect_timeout = 30                    # default
tls_verify = yes                        # default
# ca_file: not set
# secret_file: not set
url = https://anne:********@cloud.example.org/dav
# user: not set
# password: not set

[remote "usb"]
type = dir
# prefix: not set
retries = 5                             # default
retry_delay = 1                         # default
timeout = 60                            # default
connect_timeout = 30                    # default
tls_verify = yes                        # default
# ca_file: not set
# secret_file: not set
path = $T/home/backup
EOF
diff "$T/want" "$T/out" || fail "config check output"
grep -q 'hunter2\|pa55' "$T/out" "$T/err" && fail "a secret printed"
# Where the library comes from is said.
HOME=$T/home sb -c "$T/good.conf" -L "$T/lib2" config; expect_rc 0
grep -qx "library = $T/lib2 *# from -L" "$T/out" || fail "library from -L: $(head -3 "$T/out")"
# A remote that cannot be used (its folder missing) fails the check.
rmdir "$T/home/backup"
HOME=$T/home sb -c "$T/good.conf" config; expect_rc 2
grep -q 'remote usb' "$T/err" || fail "unusable remote not named: $(cat "$T/err")"
export SHOEBOX_LIBRARY=$LIB

# The config's values are used: settle = 0 with a comment after it, and ~.
printf 'library = ~/lib   # mine\nsettle = 0 ; at once\n' >"$T/tilde.conf"
unset SHOEBOX_LIBRARY
HOME=$T/home sb -c "$T/tilde.conf" import --no-progress "$FIX/Reagan.jpg"; expect_rc 0
[ -f "$T/home/lib/2004/06/21/Reagan.jpg" ] || fail "~/lib not used: $(cat "$T/out" "$T/err")"
export SHOEBOX_LIBRARY=$LIB

# SHOEBOX_MAGIC: missing, or not a compiled magic file, is an error naming it.
SHOEBOX_MAGIC=$T/none.mgc sb probe "$FIX/Reagan.jpg"; expect_rc 2
grep -qx "shoebox: SHOEBOX_MAGIC=$T/none.mgc: No such file or directory" "$T/err" ||
    fail "missing SHOEBOX_MAGIC: $(cat "$T/err")"
SHOEBOX_MAGIC=$TOP/magic/10-raw.magic sb probe "$FIX/Reagan.jpg"; expect_rc 2
grep -q "^shoebox: SHOEBOX_MAGIC=$TOP/magic/10-raw.magic: not a compiled magic file" "$T/err" ||
    fail "SHOEBOX_MAGIC not a magic file: $(cat "$T/err")"
SHOEBOX_MAGIC=$TOP/magic/shoebox.mgc sb probe "$FIX/Reagan.jpg"; expect_rc 0

# POSIX zones: an offset past 24 hours (glibc clamps UTC+25 to a day and
# files a video two days off) or 60 minutes is refused; real ones pass.
# A summer time rule glibc cannot read (month 13, day 400) drops the summer
# time without a word: an hour off half the year.
for z in UTC+25 XYZ+167 ABC+0:99 EST5EDT6:60 UTC+ 'CET-1CEST,M13.5.0,M10.5.0/3' \
    'CET-1CEST,J400,J300' 'CET-1CEST,M3.5.9,M10.5.0' 'CET-1CEST,M3.5.0' \
    'UTC0,M3.5.0,M10.5.0' 'CET-1CEST,M3.5.0/168,M10.5.0' \
    'CET-1CEST,M3.5.0/2:60,M10.5.0'; do
	printf 'timezone = %s\n' "$z" >"$T/z.conf"
	sb -c "$T/z.conf" config; expect_rc 2
	grep -q "timezone: '$z' is not a zone" "$T/err" || fail "zone $z: $(cat "$T/err")"
done
for z in UTC+24 'CET-1CEST,M3.5.0,M10.5.0/3' '<+0545>-5:45' IST-5:30 EST5EDT \
    'EST5EDT4,M3.2.0/2,M11.1.0' '<-03>3<-02>,M3.5.0/-2,M10.5.0/-1' \
    'CET-1CEST,J60/167:59:59,300' 'CET-1CEST,0,365'; do
	printf 'timezone = %s\n' "$z" >"$T/z.conf"
	sb -c "$T/z.conf" config; expect_rc 0
done

# A user's config that cannot be reached (its folder mode 000) is an
# error naming it, not a silent fall back to /etc/shoebox.conf.
if [ "$(id -u)" = 0 ] && setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
	mkdir -p "$T/xdg/shoebox"
	printf 'library = %s\n' "$T/nolib" >"$T/xdg/shoebox/config"
	chmod 755 "$T" "$T/xdg"
	chmod 000 "$T/xdg/shoebox"
	rc=0
	env -u SHOEBOX_CONFIG XDG_CONFIG_HOME="$T/xdg" HOME="$T" setpriv --reuid=nobody \
	    --regid=nogroup --clear-groups "$SHOEBOX" config >"$T/out" 2>"$T/err" || rc=$?
	chmod 755 "$T/xdg/shoebox"
	[ $rc = 2 ] || fail "unreachable config: exit $rc"
	grep -q "config $T/xdg/shoebox/config: Permission denied" "$T/err" ||
	    fail "unreachable config: $(cat "$T/err")"
fi

# A key given twice (globally, or in a section opened twice) is an error
# naming both lines: the second [remote a] silently changed the first's.
printf 'library = %s\nlibrary = %s\n[remote a]\ntype = dir\npath = %s\n[remote a]\npath = %s\n' \
    "$T/l1" "$T/l2" "$T" "$T/home" >"$T/dup.conf"
sb -c "$T/dup.conf" config; expect_rc 2
grep -q "line 2: library: given again (line 1 sets it); keep one" "$T/err" ||
    fail "duplicate key: $(cat "$T/err")"
grep -q "line 7: path: given again (line 5 sets it in the same \[remote a\]); keep one" "$T/err" ||
    fail "duplicate key in a section: $(cat "$T/err")"

# Sections are named without regard to case: the same key in [camera
# "Canon EOS 20D"] and [camera "canon eos 20d"] is given twice too.
printf '[camera "Canon EOS 20D"]\ntimezone = UTC\n[camera "canon eos 20d"]\ntimezone = Asia/Tokyo\n' >"$T/dupc.conf"
sb -c "$T/dupc.conf" config; expect_rc 2
grep -q "line 4: timezone: given again (line 2" "$T/err" || fail "duplicate in a section of another case: $(cat "$T/err")"
exit 0
