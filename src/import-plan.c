/*
 * import-plan.c: where import files things: the library directory from
 * the capture time and the pattern, the file's own name made safe, a
 * sidecar's name following its main file's; and the dry run, which says
 * where each file would go, and which are duplicates, without copying.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "shoebox.h"
#include "import.h"

/*
 * The name a file is filed under: its own, with bytes that are not UTF-8
 * and control characters replaced by '_'. Returns 1 if it had to change.
 */
int
clean_name(const char *name, char *out, size_t size)
{
	char	buf[NAME_MAX * 4 + 1];
	size_t	i, o = 0;
	int	changed = 0;

	log_path(name, buf, sizeof buf);
	/* log_path escaped the bad bytes as \xNN; file them as '_'. */
	for (i = 0; buf[i] != '\0' && o + 1 < size; i++) {
		if (buf[i] == '\\' && buf[i + 1] == 'x' && buf[i + 2] &&
		    buf[i + 3]) {
			out[o++] = '_';
			i += 3;
			changed = 1;
		} else if (buf[i] == '\\' && buf[i + 1] == '\\') {
			out[o++] = '\\';
			i++;
		} else
			out[o++] = buf[i];
	}
	out[o] = '\0';
	return changed;
}

/* The library directory for a capture time: PATTERN through strftime. */
int
dest_dir(const char *pattern, const struct sb_time *t, char *out,
    size_t size)
{
	struct tm	 tm;
	char		*p, *comp_end;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = t->year - 1900;
	tm.tm_mon = t->mon - 1;
	tm.tm_mday = t->day;
	tm.tm_hour = t->hour;
	tm.tm_min = t->min;
	tm.tm_sec = t->sec;
	tm.tm_wday = (int)((date_days_from_civil(t->year, t->mon, t->day) %
	    7 + 11) % 7);
	tm.tm_yday = (int)(date_days_from_civil(t->year, t->mon, t->day) -
	    date_days_from_civil(t->year, 1, 1));
	if (strftime(out, size, pattern, &tm) == 0)
		return -1;
	if (out[0] == '/')
		return -1;
	/*
	 * No component may be empty, "." or "..", or start with a dot: the
	 * library's own .shoebox (tmp, catalogue) is emptied and rewritten
	 * by every run, and hidden folders are what scans leave alone.
	 */
	for (p = out; *p != '\0'; p = *comp_end ? comp_end + 1 : comp_end) {
		comp_end = strchr(p, '/');
		if (comp_end == NULL)
			comp_end = p + strlen(p);
		if (comp_end == p || *p == '.')
			return -1;
	}
	for (p = out; *p != '\0'; p++)
		if (*p == '\\' || (unsigned char)*p < 0x20)
			*p = '_';
	return 0;
}

/*
 * The name of a sidecar filed beside its main file, renamed as the main
 * file was (IMG_0001-1.JPG takes IMG_0001-1.XMP; a duplicate filed as
 * IMG_5555.JPG takes IMG_5555.XMP): the main file's new stem replaces the
 * old one at the start of the sidecar's name.
 */
void
sidecar_name(const char *sc, const struct placed *mp, char *out, size_t size)
{
	const char	*odot = strrchr(mp->orig, '.');
	const char	*ndot = strrchr(mp->name, '.');
	size_t		 ostem, nstem, olen = strlen(mp->orig);

	if (strcmp(mp->orig, mp->name) == 0 || odot == NULL || ndot == NULL) {
		strlcpy_sb(out, sc, size);
		return;
	}
	ostem = (size_t)(odot - mp->orig);
	nstem = (size_t)(ndot - mp->name);
	if (strncasecmp(sc, mp->orig, olen) == 0 && sc[olen] == '.')
		snprintf(out, size, "%.900s%.100s", mp->name, sc + olen);
	else if (strlen(sc) > ostem)
		snprintf(out, size, "%.*s%.100s", (int)nstem, mp->name,
		    sc + ostem);
	else
		strlcpy_sb(out, sc, size);
}

/* Dry run: was this content or library name already planned? */
static int
planned(struct import *imp, const char *key, int add)
{
	uint64_t	 h = 1469598103934665603ULL;	/* FNV-1a */
	const char	*k;
	size_t		 i, j, cap;
	char		**old;

	for (k = key; *k != '\0'; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	for (i = imp->capplanned ? h % imp->capplanned : 0;
	    imp->capplanned && imp->planned[i] != NULL;
	    i = (i + 1) % imp->capplanned)
		if (strcmp(imp->planned[i], key) == 0)
			return 1;
	if (!add)
		return 0;
	if ((imp->nplanned + 1) * 2 > imp->capplanned) {
		/* Grow to keep it at most half full, and put back what was. */
		old = imp->planned;
		cap = imp->capplanned;
		imp->capplanned = cap ? cap * 2 : 256;
		imp->planned = xcalloc(imp->capplanned, sizeof *imp->planned);
		imp->nplanned = 0;
		for (j = 0; j < cap; j++)
			if (old[j] != NULL) {
				planned(imp, old[j], 1);
				free(old[j]);
			}
		free(old);
	}
	for (i = h % imp->capplanned; imp->planned[i] != NULL;
	    i = (i + 1) % imp->capplanned)
		;
	imp->planned[i] = xstrdup(key);
	imp->nplanned++;
	return 0;
}

/* Dry run: the name the file would get in dir, taking collisions. */
static void
plan_name(struct import *imp, const char *dir, const char *name, char *out,
    size_t size)
{
	char	rel[PATH_MAX * 2];
	int	i;

	for (i = 0; i < STORE_NAMES; i++) {
		if (store_name_candidate(name, i, out, size) == -1)
			break;
		snprintf(rel, sizeof rel, "%s/%s", dir, out);
		if ((imp->libfd == -1 || faccessat(imp->libfd, rel, F_OK,
		    AT_SYMLINK_NOFOLLOW) == -1) && !planned(imp, rel, 0)) {
			planned(imp, rel, 1);
			return;
		}
	}
}

/*
 * Dry run: report where the file f (read and placed) would go, or that it
 * is a duplicate of a catalogued or planned file. Returns the outcome.
 */
enum outcome
import_plan(struct import *imp, struct infile *f)
{
	struct cat_file	 dup;
	char		 sha[65], err[512], rel[PATH_MAX * 2];
	char		 final[STORE_NAME_MAX];
	uint64_t	 size = (uint64_t)f->sb.st_size;
	enum outcome	 o;

	if (store_hash_fd(f->fd, size, sha, err, sizeof err) == -1) {
		say(imp, f->e->path, "%s", err);
		report(imp, f->e->path, OUT_FAILED, NULL, NULL, NULL, err);
		return OUT_FAILED;
	}
	if ((imp->cat != NULL && catalog_find_sha(imp->cat, sha, size,
	    &dup) == 1) || planned(imp, sha, 1)) {
		report(imp, f->e->path, OUT_DUPLICATE, NULL, &f->m, sha, NULL);
		return OUT_DUPLICATE;
	}
	plan_name(imp, f->out->dir, f->name, final, sizeof final);
	snprintf(rel, sizeof rel, "%s/%s", f->out->dir, final);
	strlcpy_sb(f->out->name, final, sizeof f->out->name);
	o = f->mp != NULL ? OUT_SIDECAR : OUT_IMPORTED;
	report(imp, f->e->path, o, rel, &f->m, sha, NULL);
	return o;
}
