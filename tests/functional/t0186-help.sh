#!/bin/sh
# Help comes from the command table: 'shoebox CMD --help', 'shoebox help CMD'
# and 'shoebox CMD -h' print the same full help (usage line, summary, each
# option with a line of help); every option of every command is documented
# in shoebox(1) in that command's section, every global option under
# OPTIONS; global options work before and after the command.
. "$TOP/tests/lib/common.sh"

# The man page as text: \- is -, fonts dropped, .BR a ", " b is "a, b".
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\e/\\/g' -e 's/ ", " /, /g' "$TOP/man/shoebox.1" >"$T/man"
section() {	# section NAME: the man page's ".SS NAME" or ".SH NAME" part
	awk -v s="$1" '$0 == ".SS " s || $0 == ".SH " s { on = 1; next }
	    on && /^\.S[HS] / { exit } on' "$T/man"
}

sb help; expect_rc 0
cmds=$(sed -n 's/^  \([a-z]*\)  .*/\1/p' "$T/out")
[ "$(echo $cmds)" = "import probe sync status watch find verify adopt restore forget config help" ] || fail "commands: $cmds"
for c in $cmds; do
	sb "$c" --help; expect_rc 0
	cp "$T/out" "$T/help.$c"
	sb help "$c"; expect_rc 0
	diff "$T/help.$c" "$T/out" || fail "shoebox help $c differs from $c --help"
	sb "$c" -h; expect_rc 0
	diff "$T/help.$c" "$T/out" || fail "$c -h differs from $c --help"
	head -1 "$T/help.$c" | grep -q "^usage: shoebox $c" || fail "$c: no usage line"
	# the options, from the help, each with a line of help
	sed -n '/^options:$/,/^$/p' "$T/help.$c" |
	    grep -E '^  (-[a-zA-Z],|   ) --' >"$T/opts.$c" || true
	section "$c" >"$T/man.$c"
	[ -s "$T/man.$c" ] || fail "shoebox.1 has no section for $c"
	while read -r line; do
		long=$(echo "$line" | sed -n 's/^\(-[a-zA-Z], \)\{0,1\}\(--[a-z-]*\).*/\2/p')
		[ -n "$long" ] || fail "$c: option line without a long name: $line"
		help=$(echo "$line" | sed 's/^\(-[a-zA-Z], \)\{0,1\}--[a-z-]*\( [A-Z]*\)\{0,1\} *//')
		[ -n "$help" ] || fail "$c $long: no help text"
		grep -q -- "$long" "$T/man.$c" || fail "shoebox.1 ($c) does not document $long"
		case $line in
		-?,*)	short=$(echo "$line" | cut -c1-2)
			grep -q -- "$short, $long" "$T/man.$c" ||
			    fail "shoebox.1 ($c) does not document $short with $long" ;;
		esac
	done <"$T/opts.$c"
	# the global options are in every help
	grep -q '^global options (before or after the command):$' "$T/help.$c" ||
	    fail "$c --help: no global options"
done
# The global options, each under OPTIONS (with --version and -n's peers).
section OPTIONS >"$T/man.options"
sed -n '/^global options/,/^$/p' "$T/help.import" | grep '^  -' | while read -r line; do
	short=$(echo "$line" | cut -c1-2)
	long=$(echo "$line" | sed -n 's/^-., \(--[a-z]*\).*/\1/p')
	grep -q -- "$short, $long" "$T/man.options" || fail "OPTIONS lacks $short, $long"
done || exit 1
grep -q -- '-V, --version' "$T/man.options" || fail "--version not under OPTIONS"
grep -q -- '-n, --dry-run' "$T/man.import" || fail "-n not documented"

# One whole help, as it is.
sb help status; expect_rc 0
cat >"$T/want" <<'EOF'
usage: shoebox status [-j|--json]

show the library by year, kind and camera, the upload queues and the last runs

options:
  -j, --json              one JSON object for the library, one per remote, one
                          with the last runs

global options (before or after the command):
  -L, --library DIR       the library (else $SHOEBOX_LIBRARY, else library = in
                          the config)
  -c, --config FILE       the config file (else $SHOEBOX_CONFIG, else
                          ~/.config/shoebox/config, else /etc/shoebox.conf)
  -v, --verbose           say more: each file and why it was skipped (twice:
                          more still)
  -q, --quiet             no summary and no information: errors only
  -h, --help              show this help
  -V, --version           print shoebox's version

See shoebox(1) for more.
EOF
diff "$T/want" "$T/out" || fail "help status"
sb help help; expect_rc 0
grep -q '^usage: shoebox help \[COMMAND\]$' "$T/out" || fail "help help"
sb help frobnicate; expect_rc 2
grep -q 'unknown command: frobnicate' "$T/err" || fail "help of an unknown command"
sb --help import; expect_rc 0
diff "$T/help.import" "$T/out" || fail "--help before the command"

# Usage errors: one message, the usage line, exit 2.
sb import --settle; expect_rc 2
cat >"$T/want" <<'EOF'
shoebox: import: --settle needs an argument (DURATION)
usage: shoebox import [-n|--dry-run] [-m|--move] [--settle DURATION]
                      [-j|--json] [--progress|--no-progress]
                      [-s|--sync|--no-sync] SOURCE...
'shoebox help import' describes each option.
EOF
diff "$T/want" "$T/err" || fail "missing argument"
sb status extra; expect_rc 2
grep -q '^shoebox: status: unexpected argument: extra$' "$T/err" || fail "extra operand"
sb probe --move x; expect_rc 2
grep -q '^shoebox: probe: unknown option --move$' "$T/err" || fail "another command's option"
sb import --move=yes x; expect_rc 2
grep -q '^shoebox: import: --move takes no argument$' "$T/err" || fail "argument to a switch"
sb --json watch "$T"; expect_rc 2
grep -q '^shoebox: watch has no --json$' "$T/err" || fail "--json before a command without it"

# Global options after the command: -L, -q, -v, -c; and --json before.
mkdir -p "$T/card"
cp "$FIX/Reagan.jpg" "$T/card/"
printf 'Holiday notes, day one.\n' >"$T/card/notes.txt"
sb import --no-progress "$T/card" -L "$T/lib2" -q; expect_rc 0
[ -f "$T/lib2/2004/06/21/Reagan.jpg" ] || fail "-L after the command"
[ ! -s "$T/out" ] || fail "-q after the command: $(cat "$T/out")"
sb import --no-progress "$T/card" -L "$T/lib3" -v -c "$T/config"; expect_rc 0
grep -q "^skipped   $T/card/notes.txt: not media (text/plain)$" "$T/out" ||
    fail "-v after the command, or the skip reason: $(cat "$T/out")"
sb --json probe "$FIX/Reagan.jpg"; expect_rc 0
grep -q '^{"path":' "$T/out" || fail "--json before probe"
sb -v --version; expect_rc 0
grep -q '^shoebox [0-9]' "$T/out" || fail "--version"
exit 0
