/* meta-mpegts.c (stub: to be written) */
#include "shoebox.h"

int meta_mpegts(const struct sb_src *s, struct meta *m) { (void)s; (void)m; return 0; }
