/*
 * scan-group.c: a directory's files as the walk (scan.c) read them, sorted
 * by name and grouped: each sidecar (.XMP, name.ext.xmp, name.ext.1.xmp,
 * .THM, .AAE, .LRV, Sony's M01.XML ...) attached to the main file it
 * belongs to.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shoebox.h"
#include "scan.h"

static int
entry_cmp(const void *a, const void *b)
{
	const struct scan_entry	*x = a, *y = b;

	return strcmp(x->name, y->name);	/* one directory's */
}

/*
 * A sidecar's main file, of those it pairs with: a RAW (or a video) before
 * a JPEG, and any name of a camera's format before a file of another name
 * (IMG_0001.txt, a note, does not take IMG_0001.XMP from IMG_0001.JPG).
 */
static int
main_rank(const char *name)
{
	const char	*dot = strrchr(name, '.');

	if (dot == NULL || !is_media_name(name))
		return 1;
	if (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0 ||
	    strcasecmp(dot, ".heic") == 0)
		return 2;
	return 3;
}

/* Is [p, end) all decimal digits, and some? */
static int
digits(const char *p, const char *end)
{
	if (p >= end)
		return 0;
	for (; p < end; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return 1;
}

/* Does main (a file name) own sidecar (a file name)? */
static int
pairs(const char *sidecar, const char *main)
{
	const char	*sdot = strrchr(sidecar, '.'), *mdot = strrchr(main, '.');
	size_t		 sstem, mstem, mlen = strlen(main);

	if (sdot == NULL || mdot == NULL || is_sidecar_name(main))
		return 0;
	sstem = (size_t)(sdot - sidecar);
	mstem = (size_t)(mdot - main);
	/* IMG_0001.CR2.xmp, IMG_0001.JPG.json: the full name plus one ext. */
	if (sstem == mlen && strncasecmp(sidecar, main, sstem) == 0)
		return 1;
	/*
	 * IMG_0001.JPG.1.XMP: a later sidecar of that kind, its name taken
	 * (plan_sidecar_alt): the full name, a number, one ext.
	 */
	if (sstem > mlen + 1 && strncasecmp(sidecar, main, mlen) == 0 &&
	    sidecar[mlen] == '.' && digits(sidecar + mlen + 1, sidecar + sstem))
		return 1;
	/* IMG_0001.XMP, IMG_0001.THM, IMG_0001.AAE beside IMG_0001.CR2 */
	if (sstem == mstem && strncasecmp(sidecar, main, sstem) == 0)
		return 1;
	/* Sony: C0001M01.XML beside C0001.MP4 */
	if (sstem == mstem + 3 && strncasecmp(sidecar, main, mstem) == 0 &&
	    toupper((unsigned char)sidecar[mstem]) == 'M' &&
	    isdigit((unsigned char)sidecar[mstem + 1]) &&
	    isdigit((unsigned char)sidecar[mstem + 2]))
		return 1;
	/* GoPro: GL010001.LRV beside GX010001.MP4 or GH010001.MP4 */
	if (sstem == mstem && sstem > 2 && toupper((unsigned char)sidecar[0])
	    == 'G' && toupper((unsigned char)main[0]) == 'G' &&
	    toupper((unsigned char)sidecar[1]) == 'L' &&
	    strncasecmp(sidecar + 2, main + 2, sstem - 2) == 0)
		return 1;
	return 0;
}

/*
 * main_rank for the sidecar named sidecar: an .AAE (Apple's edits of a
 * photo) goes with the photo of a live photo (IMG_0001.HEIC), not its
 * clip (IMG_0001.MOV), which it would take as a video otherwise.
 */
static int
main_rank_for(const char *sidecar, const char *main)
{
	const char	*sdot = strrchr(sidecar, '.'), *mdot = strrchr(main, '.');

	if (sdot != NULL && mdot != NULL && strcasecmp(sdot, ".aae") == 0 &&
	    (strcasecmp(mdot, ".mov") == 0 || strcasecmp(mdot, ".mp4") == 0))
		return 1;
	return main_rank(main);
}

/*
 * Do the sidecar's and main's names (which pair) agree in letter case too,
 * over the part pairs() compares? On a share that tells IMG_1.JPG and
 * img_1.jpg apart, img_1.XMP is the second's.
 */
static int
same_case(const char *sidecar, const char *main)
{
	size_t	sstem = (size_t)(strrchr(sidecar, '.') - sidecar);
	size_t	mstem = (size_t)(strrchr(main, '.') - main);
	size_t	mlen = strlen(main), n, from = 0;

	n = sstem >= mlen ? mlen : mstem < sstem ? mstem : sstem;
	if (toupper((unsigned char)sidecar[0]) == 'G' &&
	    toupper((unsigned char)sidecar[1]) == 'L' &&
	    strncasecmp(sidecar, main, 2) != 0) {
		/* GoPro's GL... and GX...: the letters' case alike. */
		if (n < 2 || sidecar[0] != main[0] ||
		    !isupper((unsigned char)sidecar[1]) !=
		    !isupper((unsigned char)main[1]))
			return 0;
		from = 2;
	}
	return n >= from && strncmp(sidecar + from, main + from, n - from) ==
	    0;
}

/*
 * How well the file named main owns the sidecar named sidecar: 0 not at
 * all, else the higher the better: a name of the same letter case first
 * (same_case), then main_rank_for.
 */
int
scan_sidecar_of(const char *sidecar, const char *main)
{
	if (!pairs(sidecar, main))
		return 0;
	return main_rank_for(sidecar, main) + (same_case(sidecar, main) ? 4 :
	    0);
}

/*
 * How many of the sidecar's first bytes every main file it can pair with
 * begins with (letter case aside): the stem, less Sony's "M01", and the
 * "G" of GoPro's GL...LRV (its main is GX... or GH...).
 */
size_t
scan_sidecar_prefix(const char *sidecar)
{
	const char	*dot = strrchr(sidecar, '.');
	size_t		 stem = dot != NULL ? (size_t)(dot - sidecar) : 0;

	if (toupper((unsigned char)sidecar[0]) == 'G' &&
	    toupper((unsigned char)sidecar[1]) == 'L')
		return 1;
	return stem >= 4 ? stem - 3 : stem;
}

/*
 * The main file of the sidecar e[i] among e[0..n), or -1. A main file
 * another --move put aside (NAME~shoebox-PID.EXT, source_aside_name) is
 * tried under its own name once no main pairs by its name as it is: a
 * killed --move of another library leaves it so, its sidecars still at
 * their names.
 */
static long
main_of(const struct scan_entry *e, size_t n, size_t i)
{
	char	own[NAME_MAX + 1];
	size_t	j;
	long	best = -1;
	int	rank = 0, r, aside;

	for (aside = 0; aside < 2 && best == -1; aside++)
		for (j = 0; j < n; j++) {
			if (j == i)
				continue;
			if (!aside)
				r = scan_sidecar_of(e[i].name, e[j].name);
			else if (source_aside_name(e[j].name, own, sizeof own))
				r = scan_sidecar_of(e[i].name, own);
			else
				continue;
			if (r > rank) {
				rank = r;
				best = (long)j;
			}
		}
	return best;
}

/*
 * Sort the directory's files (sc->e, one directory's) and attach each
 * sidecar to its main file. Sidecars that pair with nothing stay
 * ordinary files.
 */
void
scan_group(struct scan *sc)
{
	size_t	 i;
	long	 best, *tail;

	if (sc->n == 0)
		return;
	qsort(sc->e, sc->n, sizeof *sc->e, entry_cmp);
	for (i = 0; i < sc->n; i++) {
		if (!is_sidecar_name(sc->e[i].name) ||
		    (best = main_of(sc->e, sc->n, i)) == -1)
			continue;
		sc->e[i].main = best;
		tail = &sc->e[best].first;
		while (*tail != -1)
			tail = &sc->e[*tail].next;
		*tail = (long)i;
	}
}
