/* fuzz-mxf.c: meta_mxf() on arbitrary bytes: MXF KLV items and local sets. */
#include "fuzz.h"

FUZZ_PARSER(meta_mxf)
