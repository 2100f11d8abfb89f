/* meta-tiff.c: TIFF-based files. (stub: to be written) */
#include "shoebox.h"

int
meta_tiff(const struct sb_src *s, uint64_t base, struct meta *m,
    struct tiff_info *ti)
{
	(void)s; (void)base; (void)m; (void)ti;
	return 0;
}
