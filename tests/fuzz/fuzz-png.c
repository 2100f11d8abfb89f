/* fuzz-png.c: meta_png() on arbitrary bytes: PNG chunks. */
#include "fuzz.h"

FUZZ_PARSER(meta_png)
