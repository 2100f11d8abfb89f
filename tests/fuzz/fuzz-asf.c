/* fuzz-asf.c: meta_asf() on arbitrary bytes: ASF header objects. */
#include "fuzz.h"

FUZZ_PARSER(meta_asf)
