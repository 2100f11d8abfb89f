/* fuzz-red.c: meta_red() on arbitrary bytes: R3D headers and RED directories. */
#include "fuzz.h"

FUZZ_PARSER(meta_red)
