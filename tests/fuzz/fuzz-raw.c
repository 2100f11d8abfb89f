/*
 * fuzz-raw.c: the classic RAW parsers (CRW, MRW, X3F, RAF, Kyocera, PMP) on
 * arbitrary bytes; the first byte picks the parser and each gets its magic
 * forced in so that the fuzzer spends its time past the signature checks.
 */
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_src	 s;
	struct meta	 m;
	uint8_t		*buf;
	int		 which;

	if (size < 2)
		return 0;
	which = data[0] % 7;
	size--;
	buf = xmalloc(size);
	memcpy(buf, data + 1, size);
	switch (which) {
	case 0:
		if (size >= 14)
			memcpy(buf + 6, "HEAPCCDR", 8);
		break;
	case 1:
		if (size >= 4)
			memcpy(buf, "\0MRM", 4);
		break;
	case 2:
		if (size >= 4)
			memcpy(buf, "FOVb", 4);
		break;
	case 3:
		if (size >= 16)
			memcpy(buf, "FUJIFILMCCD-RAW ", 16);
		break;
	case 4:
		if (size >= 32)
			memcpy(buf + 25, "ARECOYK", 7);
		break;
	case 5:
		if (size >= 126) {
			memcpy(buf + 8, "\0\0\0\x7c", 4);
			memcpy(buf + 124, "\xff\xd8", 2);
		}
		break;
	default:
		break;	/* as it is: every parser, unforced */
	}
	src_mem(&s, buf, size);
	memset(&m, 0, sizeof m);
	if (which == 0 || which == 6)
		meta_crw(&s, &m);
	if (which == 1 || which == 6)
		meta_mrw(&s, &m);
	if (which == 2 || which == 6)
		meta_x3f(&s, &m);
	if (which == 3 || which == 6)
		meta_raf(&s, &m);
	if (which == 4 || which == 6)
		meta_kyocera(&s, &m);
	if (which == 5 || which == 6)
		meta_pmp(&s, &m);
	free(buf);
	return 0;
}
