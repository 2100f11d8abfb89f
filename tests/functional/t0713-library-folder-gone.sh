#!/bin/sh
# Library folders removed, or removed and made again, while an import has
# copies in flight for them (tests/lib/hook.c at the batch's first sync,
# with 40 day folders: more than the 32 kept open). The copies that lost
# their folder are named and counted failed, their sources kept (--move);
# the others are filed; the catalogue names only files the library holds,
# each with its own SHA-256; a re-run files everything.
. "$TOP/tests/functional/safety-lib.sh"
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }

S=$T/drop
for how in gone again readonly; do
	rm -rf "$S" "$LIB" "$T/orig"
	dated_jpegs "$S" 40
	cp -a "$S" "$T/orig"
	case $how in
	gone)	cmd="rm -rf '$LIB/2015'" ;;
	again)	cmd="rm -rf '$LIB/2015' && mkdir -p '$LIB/2015/01/01' '$LIB/2015/01/02' '$LIB/2015/01/03'" ;;
	readonly) cmd="chmod -R a-w '$LIB/2015'" ;;
	esac
	export SB_HOOK_ON=fsync SB_HOOK_CMD="$cmd"
	if [ $how = readonly ]; then
		[ "$(id -u)" = 0 ] || continue
		chmod 755 "$T"
		mkdir -p "$LIB"
		chown -R nobody:nogroup "$LIB" "$S"
		touch "$T/hook.log"; chmod 666 "$T/hook.log"
		rc=0
		LD_PRELOAD="$T/hook.so" SB_HOOK_LOG="$T/hook.log" setpriv \
		    --reuid=nobody --regid=nogroup --clear-groups "$SHOEBOX" \
		    -c "$CFG" import --move --no-progress "$S" >"$T/out" \
		    2>"$T/err" || rc=$?
		[ $rc -le 2 ] || { cat "$T/err"; fail "$how: exit $rc"; }
	else
		hsb import --move --no-progress "$S"
	fi
	hook_fired
	echo "$how: rc $rc: $(grep 'files seen' "$T/out")"
	cat "$T/err" | grep -v "cannot create 2015/0" | head -8
	catalog_matches_lib "$how"
	# what is left in the source is what was not filed
	for f in "$T/orig"/*; do
		n=${f##*/}
		if [ -e "$S/$n" ]; then
			cmp -s "$f" "$S/$n" || fail "$how: $n changed"
		else
			[ "$(cat_count "$f")" = 1 ] && [ "$(lib_count "$f")" = 1 ] ||
			    fail "$how: $n removed from the source but not filed"
		fi
	done
	[ $how != readonly ] || chmod -R u+w "$LIB"
	csb import --move --no-progress "$S"
	expect_rc 0
	catalog_matches_lib "$how, re-run"
	[ -z "$(ls -A "$S")" ] || fail "$how: re-run left $(ls "$S")"
	[ "$(lib_sums | cut -d' ' -f1 | sort)" = "$(sums "$T/orig")" ] ||
	    fail "$how: the library is not the drop folder"
done
exit 0
