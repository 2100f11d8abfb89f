/* meta-raw.c: CRW, MRW, X3F, RAF. (stub: to be written) */
#include "shoebox.h"

int meta_crw(const struct sb_src *s, struct meta *m) { (void)s; (void)m; return 0; }
int meta_mrw(const struct sb_src *s, struct meta *m) { (void)s; (void)m; return 0; }
int meta_x3f(const struct sb_src *s, struct meta *m) { (void)s; (void)m; return 0; }
int meta_raf(const struct sb_src *s, struct meta *m) { (void)s; (void)m; return 0; }
