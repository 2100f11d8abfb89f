#!/bin/sh
# The data-safety torture (tests/torture/torture.py, "make torture" for the
# long run) in short: every scenario (kills, sources changed under import
# --move, concurrent imports and syncs, a pre-seeded remote, inode reuse,
# watch --move on a drop folder changed under it)
# with a few runs of a few files. Nothing lost, duplicated, overwritten or
# half-written, no canary deleted or filed, catalogue and library agree,
# and no crash or hang. TORTURE_SEED picks another seed.
. "$TOP/tests/lib/common.sh"

command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
python3 "$TOP/tests/torture/torture.py" --shoebox "$SHOEBOX" --tmp "$T" \
    --seed "${TORTURE_SEED:-790}" --runs 2 --files 8 --seconds 30 --strict ||
    fail "torture (seed ${TORTURE_SEED:-790}): see the figures above"
exit 0
