/* fuzz-riff.c: meta_riff() on arbitrary bytes: RIFF chunks (AVI, WebP). */
#include "fuzz.h"

FUZZ_PARSER(meta_riff)
