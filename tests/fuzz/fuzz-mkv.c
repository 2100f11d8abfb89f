/* fuzz-mkv.c: meta_mkv() on arbitrary bytes: Matroska / WebM EBML elements. */
#include "fuzz.h"

FUZZ_PARSER(meta_mkv)
