/* fuzz-dv.c: meta_dv() on arbitrary bytes: DV DIF blocks. */
#include "fuzz.h"

FUZZ_PARSER(meta_dv)
