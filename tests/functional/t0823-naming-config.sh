#!/bin/sh
# Naming (issue 14): a template with an unknown placeholder, {seq} in the
# folder, a '/' in the name, or a name starting with a dot is refused when
# the config is read, naming the file, the line and what is accepted; and
# nothing is imported.
. "$TOP/tests/lib/common.sh"

mkdir -p "$T/src"
cp "$TOP/tests/sample-card/DCIM/100CANON/IMG_0002.JPG" "$T/src/"
# refused LINE2 WHY: a config whose second line is LINE2 is refused, saying WHY
refused() {
	printf 'settle = 0\n%s\n' "$1" >"$T/c.conf"
	sb -c "$T/c.conf" import --no-progress "$T/src"
	expect_rc 2
	grep -F "$T/c.conf: line 2: ${1%% *}: " "$T/err" | grep -qF "$2" ||
	    fail "$1: $(cat "$T/err")"
	[ ! -e "$LIB" ] || fail "$1: a library was made"
	sb -c "$T/c.conf" config
	expect_rc 2
	grep -F "$T/c.conf: line 2: ${1%% *}: " "$T/err" | grep -qF "$2" ||
	    fail "config, $1: $(cat "$T/err")"
}
refused 'pattern = {camera}/%Y' \
    "'{camera}/%Y' is not a folder template: unknown placeholder {camera}; it takes strftime %-codes, {make} {model} {kind} {name} {stem} {ext} (each with :lower or :upper), {{ and }} for braces; such as %Y/%m/%d or {model}/%Y/%m"
refused 'name = {Name}' \
    "'{Name}' is not a name template: unknown placeholder {Name}; it takes strftime %-codes, {make} {model} {kind} {name} {stem} {ext} {seq} {seq:N} (each with :lower or :upper)"
refused 'name = {seq:12}' "unknown placeholder {seq:12}"
refused 'name = {ext:title}' "unknown placeholder {ext:title}"
refused 'name = {name' "a '{' with no '}'"
refused 'pattern = %Y/{seq}' "{seq} numbers files, not folders"
refused 'name = %Y/%m_{name}' "a name holds no '/'"
refused 'name = %Q' "'%Q' is no strftime conversion"
refused 'name = .{name}' "'.{name}' is not a relative file name"
refused 'pattern = {model}/../x' "'{model}/../x' is not a relative folder"

# What is accepted is shown as it is in effect.
printf 'settle = 0\npattern = {model}/%%Y\nname = {{%%Y}}_{seq:4}\n' >"$T/c.conf"
sb -c "$T/c.conf" config
expect_rc 0
grep -qxF 'pattern = {model}/%Y' "$T/out" && grep -qxF 'name = {{%Y}}_{seq:4}' "$T/out" ||
    fail "config: $(cat "$T/out")"
sb -c "$T/c.conf" import --no-progress "$T/src"
expect_rc 0
libfiles >"$T/out"
expect_out "braces" <<'EOF2'
NIKON D1X/2004/{2004}_0001.JPG
EOF2
exit 0
