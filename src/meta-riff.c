/* meta-riff.c (stub: to be written) */
#include "shoebox.h"

int meta_riff(const struct sb_src *s, struct meta *m) { (void)s; (void)m; return 0; }
