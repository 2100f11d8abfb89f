# Sourced first by a test that mounts or binds over system files: the
# test runs again in a mount namespace of its own (root only, else it is
# skipped), so that nothing it mounts is seen outside it or outlives it.
if [ -z "${SB_IN_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "needs root to mount"; exit 77; }
	command -v unshare >/dev/null || { echo "no unshare"; exit 77; }
	SB_IN_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
