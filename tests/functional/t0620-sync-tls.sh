#!/bin/sh
# WebDAV over TLS (rclone serve webdav with a self-signed certificate the
# test makes for 127.0.0.1): refused without ca_file, with the hint to set
# it; sent and read back with ca_file = that certificate; and with this
# machine's clock ten years behind or ahead (a NAS booted without NTP;
# tests/lib/skew.c shifts time(), which OpenSSL's check reads) refused
# with a hint at the clock, not at the certificate's issuer, exit 2, the
# files left queued for a sync with the clock right.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
command -v openssl >/dev/null || sb_skip "openssl not installed"
command -v cc >/dev/null || sb_skip "no C compiler for tests/lib/skew.c"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$W/key.pem" -out "$W/cert.pem" -days 30 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 2>"$W/openssl.err" ||
    sb_skip "cannot make a certificate: $(cat "$W/openssl.err")"
cc -shared -fPIC -o "$W/skew.so" "$TOP/tests/lib/skew.c" -ldl ||
    sb_fail "cannot build skew.c"
sb_serve_webdav dav --cert "$W/cert.pem" --key "$W/key.pem"
cat >"$CFG" <<EOF2
[remote plain]
type = webdav
url = https://127.0.0.1:$DAV_PORT/

[remote nas]
type = webdav
url = https://127.0.0.1:$DAV_PORT/
ca_file = $W/cert.pem
EOF2
sb_add_set

pending() {
	[ "$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT count(*) FROM upload_jobs
	    WHERE remote_id = (SELECT id FROM remotes WHERE name = '$1') AND
	    status = 'pending'")" = "$NFILES" ]
}

sb_expect plain 2 "HEAD: SSL certificate problem: self-signed certificate (self-signed? set ca_file =, or tls_verify = no)"

export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
export LD_PRELOAD="$W/skew.so" SB_SKEW=-315360000
sb_expect nas 2 "HEAD: SSL certificate problem: certificate is not yet valid (is this machine's clock right? set it (NTP, systemd-timesyncd))"
pending nas || sb_fail "a clock behind: the files should stay queued"
SB_SKEW=315360000
sb_expect nas 2 "HEAD: SSL certificate problem: certificate has expired (the server's certificate has expired, or this machine's clock is ahead)"
pending nas || sb_fail "a clock ahead: the files should stay queued"
unset LD_PRELOAD SB_SKEW

sb_sync nas >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "sync with ca_file"; }
grep -q "^remote nas: $NFILES files: $NFILES uploaded" "$W/out" ||
    sb_fail "with ca_file: $(cat "$W/out")"
sb_check "$W/dav"
exit 0
