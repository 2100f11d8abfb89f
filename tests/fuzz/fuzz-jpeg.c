/* fuzz-jpeg.c: meta_jpeg() (libexif on the APP1 segment) on arbitrary bytes. */
#include <string.h>

#include "shoebox.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_src	s;
	struct meta	m;

	src_mem(&s, data, size);
	memset(&m, 0, sizeof m);
	meta_jpeg(&s, &m);
	memset(&m, 0, sizeof m);
	meta_exif_blob(data, size, &m);
	return 0;
}
