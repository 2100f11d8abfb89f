/*
 * util.c: small helpers more than one command shares.
 */
#include <stdint.h>
#include <stdio.h>

#include "shoebox.h"

/*
 * A byte count for people, in decimal units: "980 B", "12.3 MB" (powers
 * of 1000, as df -H; 999960 is "1.0 MB", not "1000.0 kB").
 */
void
fmt_size(uint64_t n, char *buf, size_t size)
{
	static const char *units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	double		   v = (double)n;
	int		   u = 0;

	while (v >= 999.95 && u < 5) {
		v /= 1000;
		u++;
	}
	snprintf(buf, size, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}
