/* fuzz-bmff.c: meta_bmff() on arbitrary bytes: ISO-BMFF / QuickTime boxes (MP4, MOV, HEIC, AVIF, CR3). */
#include "fuzz.h"

FUZZ_PARSER(meta_bmff)
