/* fuzz-dv.c: meta_dv() on arbitrary bytes: DV DIF blocks. */
#include <string.h>

#include "shoebox.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Parse data as a whole file held in memory; always returns 0. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_src	s;
	struct meta	m;

	memset(&m, 0, sizeof m);
	src_mem(&s, data, size);
	if (meta_dv(&s, &m) == -1 && m.error[0] == '\0')
		__builtin_trap();	/* every failure must say why */
	return 0;
}
