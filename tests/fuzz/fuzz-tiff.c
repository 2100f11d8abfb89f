/* fuzz-tiff.c: meta_tiff() on arbitrary bytes, at offset 0 and embedded. */
#include <string.h>

#include "shoebox.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_src		s;
	struct meta		m;
	struct tiff_info	ti;

	src_mem(&s, data, size);
	memset(&m, 0, sizeof m);
	meta_tiff(&s, 0, &m, &ti);
	if (size > 16) {
		memset(&m, 0, sizeof m);
		meta_tiff(&s, data[0] % 16, &m, NULL);
	}
	return 0;
}
