/*
 * fuzz.h: the harness every single-parser fuzzer shares: the input is a
 * whole file held in memory, and a parser that fails must say why.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <string.h>

#include "shoebox.h"

#define FUZZ_PARSER(fn)							\
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);		\
									\
int									\
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)		\
{									\
	struct sb_src	s;						\
	struct meta	m;						\
									\
	memset(&m, 0, sizeof m);					\
	src_mem(&s, data, size);					\
	if (fn(&s, &m) == -1 && m.error[0] == '\0')			\
		__builtin_trap();	/* every failure must say why */ \
	return 0;							\
}

#endif /* FUZZ_H */
