# remote-lib.sh: shared by the sync tests (t05NN, t06NN). Sourced, not run.
# Gives each test its own directory, library and config, servers on
# 127.0.0.1 that stop when the test exits, and helpers to fill a library's
# catalogue and compare a remote with it.
#
#   . "$TOP/tests/functional/remote-lib.sh"
#   sb_init				W, LIB, CFG; cleanup on exit
#   sb_add SRC RELPATH [MTIME_NS]	put a file in the library and catalogue
#   sb_sync ARGS...			shoebox -L LIB -c CFG sync ARGS
#   sb_start_s3rver BUCKET [N]		S3_PORT[N] (key AKTEST, secret SKTEST)
#   sb_start_s3sink			S3_PORT: an S3 that keeps nothing
#   sb_start_proxy UPSTREAM_PORT FAULTS	PROXY_PORT; requests in $W/proxy.log
#   sb_wait_tcp PORT			wait until 127.0.0.1:PORT accepts
#   sb_serve_webdav DIR [OPTION...]	rclone serve webdav of $W/DIR: DAV_PORT
#   sb_serve_sftp [OPTION...]		rclone serve sftp of $W/sftp, keys and
#					known_hosts in $W/ssh: SFTP_PORT, SFTP_PID
#   sb_dav_secret PASSWORD		$W/dav.secret (mode 600)
#   sb_s3_section NAME [PORT [BUCKET]]	print a [remote NAME] for s3rver
#   sb_webdav_section NAME [PORT]	print a [remote NAME] for WebDAV
#   sb_sftp_section NAME		print a [remote NAME] for sb_serve_sftp
#   sb_serve_openssh TYPE...		Debian's sshd, host keys $S/host_TYPE:
#					SSH_PORT
#   sb_add_full_set			a 3 MB video, then ten 200 kB photos
#   sb_unattempted STATUS		upload jobs in STATUS with no attempt
#   sb_remote_whole DIR			every file in DIR is the library's
#   sb_full_remote DIR WHERE NOINODES	remote bk too small, then full, then not
#   sb_expect NAME RC PATTERN		one sync of remote NAME exits RC with one
#					message for it, "shoebox: remote NAME:
#					PATTERN" (a whole line)

set -u
: "${SHOEBOX:?}" "${TOP:?}"
SB_PIDS=""

sb_skip() { echo "$*"; exit 77; }
sb_fail() { echo "FAIL: $*"; exit 1; }

# sb_stop: stop the test's servers (before unmounting what they serve).
sb_stop() {
	for p in $SB_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $SB_PIDS; do
		wait "$p" 2>/dev/null
	done
	SB_PIDS=""
}

sb_cleanup() {
	sb_stop
	[ -n "${W:-}" ] && [ -z "${SB_KEEP:-}" ] && rm -rf "$W"
}

sb_init() {
	W=$(mktemp -d "${TMPDIR:-/tmp}/shoebox-sync.XXXXXX")
	trap sb_cleanup EXIT
	trap 'exit 1' INT TERM
	LIB=$W/lib
	CFG=$W/config
	mkdir -p "$LIB"
	: >"$CFG"
	chmod 600 "$CFG"
	command -v sqlite3 >/dev/null || sb_skip "sqlite3 not installed"
	# hermetic: no credentials or CA bundles from the caller
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN \
	    AWS_CA_BUNDLE AWS_PROFILE AWS_CONFIG_FILE
}

sb_sync() {
	"$SHOEBOX" -L "$LIB" -c "$CFG" sync --no-progress "$@"
}

sb_expect() {
	sb_sync "$1" >"$W/out" 2>"$W/err"
	rc=$?
	cat "$W/err"
	[ $rc = "$2" ] || sb_fail "$1: exit $rc, expected $2"
	[ "$(grep -c "^shoebox: remote $1: " "$W/err")" = 1 ] ||
	    sb_fail "$1: one message"
	grep -q "^shoebox: remote $1: $3$" "$W/err" || sb_fail "$1: the message"
}

# Create the catalogue (a sync with nothing to do does it).
sb_catalog() {
	[ -f "$LIB/.shoebox/catalog.db" ] && return 0
	sb_sync >/dev/null 2>"$W/catalog.err" ||
	    { cat "$W/catalog.err"; sb_fail "could not create the catalogue"; }
}

# sb_add SRC RELPATH [MTIME_NS]: as import would: the file in the tree, a
# row in files (MTIME_NS may be before 1970). The queue jobs come from
# sync's backfill.
sb_add() {
	sb_catalog
	dst="$LIB/$2"
	mkdir -p "$(dirname "$dst")"
	cp "$1" "$dst"
	mt=${3:-1562249460123456789}
	sb_a=${mt#-}	# touch -d @-0.5: the sign is the whole number's
	touch -d "@${mt%%[0-9]*}$((sb_a / 1000000000)).$(printf %09d \
	    $((sb_a % 1000000000)))" "$dst"
	sha=$(openssl dgst -sha256 -r "$dst" | cut -d' ' -f1)
	size=$(stat -c %s "$dst")
	rel=$(printf %s "$2" | sed "s/'/''/g")
	sqlite3 "$LIB/.shoebox/catalog.db" "INSERT OR IGNORE INTO types (mime,
	    kind) VALUES ('image/jpeg', 'image');
	    INSERT INTO files (path, sha256, size, mtime_ns, type_id,
	    date_source, imported_at) VALUES ('$rel', '$sha', $size, $mt,
	    (SELECT id FROM types WHERE mime = 'image/jpeg' AND kind = 'image'),
	    'test', '2024-01-01T00:00:00Z')" || sb_fail "sqlite3 insert"
}

# A small set of files with awkward names, and a photo; sets NFILES.
sb_add_set() {
	head -c 1000 /dev/urandom >"$W/r1"
	head -c 300000 /dev/urandom >"$W/r2"
	: >"$W/empty"
	sb_add "$W/r1" "2019/07/04/IMG 0001.JPG"
	sb_add "$W/r2" "2019/07/04/Ünïcödé été+plus~1.jpg" 1562249460000000001
	sb_add "$W/empty" "2020/01/01/empty.jpg"
	sb_add "$TOP/tests/fixtures/exiv2-nikon-d70.jpg" "2004/03/30/DSC_0001.JPG"
	NFILES=4
}

# Wait for a server's first line (its port) in FILE; print it.
sb_wait_port() {
	i=0
	while [ $i -lt 100 ]; do
		p=$(head -n 1 "$1" 2>/dev/null)
		case "$p" in [0-9]*) echo "$p"; return 0 ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# A free TCP port on 127.0.0.1.
sb_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

sb_start_s3rver() {
	command -v node >/dev/null || sb_skip "node not installed"
	[ -d "$TOP/tests/node/node_modules/@20minutes/s3rver" ] ||
	    sb_skip "tests/node: run 'make deps' (npm ci) first"
	mkdir -p "$W/s3data${2:-}"
	rm -f "$W/s3rver${2:-}.port"
	node "$TOP/tests/node/s3rver.js" "$W/s3data${2:-}" "$1" AKTEST SKTEST \
	    >"$W/s3rver${2:-}.port" 2>"$W/s3rver${2:-}.log" &
	SB_PIDS="$SB_PIDS $!"
	port=$(sb_wait_port "$W/s3rver${2:-}.port") || sb_fail "s3rver did not start"
	eval "S3_PORT${2:-}=\$port"
}

# An S3 endpoint that keeps no data, for gigabytes (tests/functional/
# s3-sink.py): S3_PORT; "OBJECT KEY SIZE PARTS" lines in $W/s3sink.log.
sb_start_s3sink() {
	python3 "$TOP/tests/functional/s3-sink.py" >"$W/s3sink.port" \
	    2>"$W/s3sink.log" &
	SB_PIDS="$SB_PIDS $!"
	S3_PORT=$(sb_wait_port "$W/s3sink.port") || sb_fail "s3-sink did not start"
}

# FAULTS: comma-separated actions for the matching requests in order, each
# METHOD:ACTION (e.g. PUT:503,PUT:drop,any:stall); ACTION is 500, 503,
# 503ra=SECONDS (Retry-After), 4NN, drop, stall or pass403 (see
# fault-proxy.py).
sb_start_proxy() {
	# a new proxy: the last one's port file must not be read for its port
	rm -f "$W/proxy.port"
	[ -f "$W/proxy.log" ] && mv "$W/proxy.log" "$W/proxy.log.$$.$(date +%s%N)"
	python3 "$TOP/tests/functional/fault-proxy.py" "$1" "$2" \
	    >"$W/proxy.port" 2>"$W/proxy.log" &
	SB_PIDS="$SB_PIDS $!"
	PROXY_PORT=$(sb_wait_port "$W/proxy.port") || sb_fail "proxy did not start"
}

# sb_wait_tcp PORT: wait (10 s at most) until 127.0.0.1:PORT takes a
# connection.
sb_wait_tcp() {
	python3 - "$1" <<'EOP' || sb_fail "server on port $1 did not start"
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOP
}

# sb_serve_webdav DIR [OPTION...]: rclone serve webdav of $W/DIR (made if
# missing) on a free port, DAV_PORT, with the rclone OPTIONs (e.g. --user
# photo --pass secret); its log in $W/DIR.log. Returns once it listens.
sb_serve_webdav() {
	command -v rclone >/dev/null || sb_skip "rclone not installed"
	sb_dir=$1	# no local variables in sh: a name of the library's own
	shift
	mkdir -p "$W/$sb_dir"
	DAV_PORT=$(sb_free_port)
	rclone serve webdav --addr "127.0.0.1:$DAV_PORT" "$@" "$W/$sb_dir" \
	    >"$W/$sb_dir.log" 2>&1 &
	SB_PIDS="$SB_PIDS $!"
	sb_wait_tcp "$DAV_PORT"
}

# sb_serve_sftp [OPTION...]: rclone serve sftp of $W/sftp (made if
# missing) for user photo on a free port, SFTP_PORT (its pid SFTP_PID),
# with the rclone OPTIONs. Keys in $W/ssh: host, client (the only
# authorized key) and known_hosts with the host's ed25519 key; its log in
# $W/sftp.log. Returns once it listens.
sb_serve_sftp() {
	command -v rclone >/dev/null || sb_skip "rclone not installed"
	command -v ssh-keygen >/dev/null ||
	    sb_skip "ssh-keygen not installed (openssh-client)"
	mkdir -p "$W/sftp" "$W/ssh"
	ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/host" || sb_fail ssh-keygen
	ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/client" || sb_fail ssh-keygen
	cp "$W/ssh/client.pub" "$W/ssh/authorized_keys"
	SFTP_PORT=$(sb_free_port)
	rclone serve sftp --addr "127.0.0.1:$SFTP_PORT" --user photo \
	    --key "$W/ssh/host" --authorized-keys "$W/ssh/authorized_keys" \
	    "$@" "$W/sftp" >"$W/sftp.log" 2>&1 &
	SFTP_PID=$!
	SB_PIDS="$SB_PIDS $SFTP_PID"
	echo "[127.0.0.1]:$SFTP_PORT $(cut -d' ' -f1,2 "$W/ssh/host.pub")" \
	    >"$W/ssh/known_hosts"
	sb_wait_tcp "$SFTP_PORT"
}

# sb_serve_openssh TYPE...: Debian's OpenSSH server on 127.0.0.1, on a free
# port (SSH_PORT), with the host keys $S/host_TYPE (made by the caller, as
# $S/authorized_keys), its SFTP in-process (or the command
# SB_SFTP_SUBSYSTEM); its log in $W/sshd.log.
# Returns once ssh-keyscan gets an answer.
sb_serve_openssh() {
	[ -x /usr/sbin/sshd ] || sb_skip "sshd not installed (openssh-server)"
	# sshd wants its privilege separation directory, and absolute paths
	[ -d /run/sshd ] || mkdir -p /run/sshd 2>/dev/null ||
	    sb_skip "no /run/sshd for sshd"
	SSH_PORT=$(sb_free_port)
	{ printf 'ListenAddress 127.0.0.1\nPort %s\n' "$SSH_PORT"
	  for sb_t in "$@"; do printf 'HostKey %s/host_%s\n' "$S" "$sb_t"; done
	  cat <<EOF2
AuthorizedKeysFile $S/authorized_keys
PidFile $S/sshd.pid
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
Subsystem sftp ${SB_SFTP_SUBSYSTEM:-internal-sftp}
EOF2
	} >"$S/sshd_config"
	/usr/sbin/sshd -D -e -f "$S/sshd_config" >"$W/sshd.log" 2>&1 &
	SB_PIDS="$SB_PIDS $!"
	sb_i=0
	until [ -n "$(ssh-keyscan -T 2 -p "$SSH_PORT" 127.0.0.1 2>/dev/null)" ]
	do
		sb_i=$((sb_i + 1))
		[ $sb_i -lt 50 ] ||
		    { cat "$W/sshd.log"; sb_skip "sshd did not start"; }
		sleep 0.1
	done
}

# sb_add_full_set: a remote with 1 MB free gets a 3 MB video first (by
# name), 2019/07/04/A_BIG.MOV, then ten photos of 200 kB, P_0.JPG ... P_9.
sb_add_full_set() {
	head -c 3000000 /dev/urandom >"$W/big"
	sb_add "$W/big" "2019/07/04/A_BIG.MOV"
	sb_i=0
	while [ $sb_i -lt 10 ]; do
		head -c 200000 /dev/urandom >"$W/p$sb_i"
		sb_add "$W/p$sb_i" "2019/07/04/P_$sb_i.JPG"
		sb_i=$((sb_i + 1))
	done
}

# sb_unattempted STATUS: how many upload jobs are in STATUS, no attempt
# counted.
sb_unattempted() {
	sqlite3 "$LIB/.shoebox/catalog.db" "SELECT count(*) FROM upload_jobs
	    WHERE status = '$1' AND attempts = 0"
}

# sb_remote_whole DIR: every file in DIR (a remote's folder) is the
# library's, byte for byte, and no temporary is left.
sb_remote_whole() {
	(cd "$1" && find . -type f) | while read -r sb_f; do
		cmp -s "$1/$sb_f" "$LIB/$sb_f" || { echo "$sb_f"; break; }
	done >"$W/bad"
	[ -s "$W/bad" ] && sb_fail "not whole on the remote: $(cat "$W/bad")"
	[ -z "$(find "$1" -name '.*' ! -name . | head -n 1)" ] ||
	    sb_fail "a temporary left: $(find "$1" -name '.*')"
}

# sb_full_remote DIR WHERE NOINODES: sync remote bk (its folder DIR, a 1 MB
# tmpfs) after sb_add_full_set: the files too big for what is free are not
# tried, the smaller after them go, one message ("... free on WHERE" with
# -v), exit 1, queued with no attempt counted; then with no inode left the
# remote stops (its message ends with NOINODES and "make room there"),
# then with room the rest goes. Every file there is whole throughout.
sb_full_remote() {
	sb_sync >"$W/out" 2>"$W/err"
	sb_rc=$?
	cat "$W/out" "$W/err"
	[ $sb_rc = 1 ] || sb_fail "too small: exit $sb_rc, expected 1"
	[ -f "$1/2019/07/04/A_BIG.MOV" ] && sb_fail "3 MB on a 1 MB disk"
	# Which photos fit depends on which finish first (transfers at once).
	[ -n "$(find "$1" -name 'P_*.JPG' | head -n 1)" ] ||
	    sb_fail "the photos after the big file did not go"
	sb_sent=$(find "$1" -type f | wc -l)
	[ "$sb_sent" -ge 3 ] || sb_fail "only $sb_sent photos fitted"
	sb_left=$((11 - sb_sent))
	[ "$(grep -c '^shoebox: remote bk: ' "$W/err")" = 1 ] ||
	    sb_fail "not one message"
	grep -q "^shoebox: remote bk: $sb_left files ([0-9.]* [kM]B) bigger than what is free on its disk (-v names them): make room there; they stay queued$" "$W/err" ||
	    sb_fail "the message"
	grep -q "^remote bk: 11 files: $sb_sent uploaded ([0-9.]* [kM]B), 0 already there, 0 failed, $sb_left too big for what is free there$" "$W/out" ||
	    sb_fail "the summary"
	[ "$(sb_unattempted pending)" = "$sb_left" ] ||
	    sb_fail "the files left should be pending, no attempt counted"
	sb_remote_whole "$1"

	# -v names each, with its size and what is free.
	sb_sync -v >"$W/out" 2>"$W/err"
	grep -q "^shoebox: remote bk: 2019/07/04/A_BIG.MOV: does not fit: 3.0 MB, and [0-9.]* [kM]\{0,1\}B free on $2$" "$W/err" ||
	    sb_fail "-v does not name the file: $(cat "$W/err")"

	# No inodes left: the remote stops.
	sb_used=$(df --output=iused "$1" | tail -n 1)
	mount -o remount,size=64m,nr_inodes=$((sb_used + 2)) "$1" ||
	    sb_fail "remount"
	sb_sync >"$W/out" 2>"$W/err"
	sb_rc=$?
	cat "$W/out" "$W/err"
	[ $sb_rc = 1 ] || sb_fail "no inodes: exit $sb_rc, expected 1"
	[ "$(grep -c '^shoebox: remote bk: ' "$W/err")" = 1 ] ||
	    sb_fail "no inodes: not one message"
	grep -q "^shoebox: remote bk: .*$3.*: make room there; the files left stay queued$" "$W/err" ||
	    sb_fail "no inodes: the message"
	grep -q "not attempted (the remote is full)$" "$W/out" ||
	    sb_fail "no inodes: the summary"
	sb_remote_whole "$1"

	# Room: the rest goes, each copy whole.
	mount -o remount,size=64m,nr_inodes=1000 "$1" || sb_fail "grow"
	sb_sync >"$W/out" 2>"$W/err" || sb_fail "room again: $(cat "$W/err")"
	[ "$(find "$1" -type f | wc -l)" = 11 ] ||
	    sb_fail "room again: not every file there"
	sb_remote_whole "$1"
}

# sb_dav_secret PASSWORD: $W/dav.secret, mode 600, for secret_file =.
sb_dav_secret() {
	printf 'password = %s\n' "$1" >"$W/dav.secret"
	chmod 600 "$W/dav.secret"
}

# Config sections, printed for a here-document ("$(sb_s3_section s3)");
# the lines after it add to the section.
# sb_s3_section NAME [PORT [BUCKET]]: S3 at PORT (S3_PORT), bucket BUCKET
# (photos), the keys sb_start_s3rver's server takes.
sb_s3_section() {
	printf '[remote %s]\ntype = s3\nendpoint = http://127.0.0.1:%s\n' \
	    "$1" "${2:-$S3_PORT}"
	printf 'bucket = %s\naccess_key_id = AKTEST\n' "${3:-photos}"
	printf 'secret_access_key = SKTEST\n'
}

# sb_webdav_section NAME [PORT]: WebDAV at PORT (DAV_PORT).
sb_webdav_section() {
	printf '[remote %s]\ntype = webdav\nurl = http://127.0.0.1:%s/\n' \
	    "$1" "${2:-$DAV_PORT}"
}

# sb_sftp_section NAME: the server of sb_serve_sftp, its keys.
sb_sftp_section() {
	printf '[remote %s]\ntype = sftp\nurl = sftp://127.0.0.1:%s/\n' \
	    "$1" "$SFTP_PORT"
	printf 'user = photo\nkey_file = %s\nknown_hosts = %s\n' \
	    "$W/ssh/client" "$W/ssh/known_hosts"
}

# An rclone config with S3 at PORT, for checking what went up.
sb_rclone_s3() {
	cat >"$W/rclone.conf" <<EOR
[s3]
type = s3
provider = Other
access_key_id = AKTEST
secret_access_key = SKTEST
endpoint = http://127.0.0.1:$1
force_path_style = true
region = us-east-1
EOR
}

sb_rclone() {
	rclone --config "$W/rclone.conf" "$@"
}

# Check that the remote tree equals the library's (sizes and contents, by
# downloading); the catalogue directory is excluded.
sb_check() {
	sb_rclone check --fast-list --download --exclude '/.shoebox/**' "$LIB" "$1" \
	    >"$W/check.out" 2>&1 || { cat "$W/check.out"; sb_fail "rclone check $1"; }
}
