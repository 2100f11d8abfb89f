/* fuzz-mpegts.c: meta_mpegts() on arbitrary bytes: MPEG-TS / M2TS packets and the H.264 SEI inside. */
#include "fuzz.h"

FUZZ_PARSER(meta_mpegts)
