/*
 * import-plan.c: where import files things: the library directory and
 * the name from the pattern and name templates (template.c), or the file's
 * own name made safe, with {seq} numbered per folder; a sidecar's name
 * following its main file's; and the dry run, which says
 * where each file would go, and which are duplicates, without copying.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
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

#define SEQ_MAX	1000000000UL	/* {seq} numbers stay below */

/*
 * The name a file is filed under: its own, with bytes that are not UTF-8,
 * control characters (C0, DEL, C1) and the bidi controls that make a name
 * read in another order than it is (U+202E: "GPJ.exe.JPG") replaced by
 * '_', byte for byte: what log_path() escapes, as \xNN or \uNNNN. The
 * name keeps its length, so a sidecar's name still starts with its main
 * file's, cleaned or not (sidecar_rename). Returns 1 if it had to change.
 */
int
clean_name(const char *name, char *out, size_t size)
{
	char		buf[NAME_MAX * 4 + 1];
	size_t		i, o = 0;
	unsigned long	c;
	int		n, changed = 0;

	log_path(name, buf, sizeof buf);
	/* Each escape log_path() made, \xNN or \uNNNN, is filed as '_'. */
	for (i = 0; buf[i] != '\0' && o + 1 < size; i++) {
		if (buf[i] == '\\' && buf[i + 1] == 'x' && buf[i + 2] &&
		    buf[i + 3]) {
			out[o++] = '_';
			i += 3;
			changed = 1;
		} else if (buf[i] == '\\' && buf[i + 1] == 'u' &&
		    strspn(buf + i + 2, "0123456789abcdef") >= 4) {
			/* A C1 control is 2 bytes of UTF-8, a bidi one 3. */
			c = 0;
			sscanf(buf + i + 2, "%4lx", &c);
			for (n = c < 0x800 ? 2 : 3; n > 0 && o + 1 < size; n--)
				out[o++] = '_';
			i += 5;
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

static int	planned(struct import *, const char *, int);

/* The values templates read for a file with meta m and name name. */
static void
plan_vals(const struct meta *m, const char *name, struct tmpl_vals *v)
{
	memset(v, 0, sizeof *v);
	v->t = &m->taken;
	v->make = m->make;
	v->model = m->model;
	v->kind = m->kind;
	v->name = name;
	v->seq = 1;
}

/*
 * The library directory for a file (meta m, named name): the pattern
 * template (template.c) with its capture time, camera and name.
 */
int
dest_dir(const char *pattern, const struct meta *m, const char *name,
    char *out, size_t size)
{
	struct tmpl_vals	v;

	plan_vals(m, name, &v);
	return tmpl_expand(pattern, TMPL_DIR, &v, out, size, NULL);
}

/* {seq}: the next number for a folder and the text before it in a name. */
struct seqnext {
	char		*key;		/* DIR/TEXT */
	unsigned long	 next;
};

/*
 * {seq}'s state in a run: the next numbers (an open-addressing table,
 * emptied when it reaches SEQ_KEYS so that a run's memory stays bounded),
 * and the sorted names of the last folder looked at.
 */
struct seqstate {
	struct seqnext	*tab;
	size_t		 n;
	size_t		 cap;
	char		*dir;
	char		**names;
	size_t		 nnames;
};
#define SEQ_KEYS	65536

/* The slot of key in the table of next numbers: its, or a free one. */
static struct seqnext *
seq_slot(struct seqstate *ss, const char *key)
{
	uint64_t	 h = 1469598103934665603ULL;	/* FNV-1a */
	const char	*k;
	size_t		 i;

	for (k = key; *k != '\0'; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	for (i = h % ss->cap; ss->tab[i].key != NULL; i = (i + 1) % ss->cap)
		if (strcmp(ss->tab[i].key, key) == 0)
			break;
	return &ss->tab[i];
}

/* Empty the table of next numbers. */
static void
seq_clear(struct seqstate *ss)
{
	size_t	i;

	for (i = 0; i < ss->cap; i++)
		free(ss->tab[i].key);
	free(ss->tab);
	ss->tab = NULL;
	ss->n = ss->cap = 0;
}

/* The entry for key in the table of next numbers, made (next 0) if new. */
static struct seqnext *
seq_find(struct seqstate *ss, const char *key)
{
	struct seqnext	*old, *sn;
	size_t		 i, cap;

	if (ss->n >= SEQ_KEYS)
		seq_clear(ss);	/* the folders on disk say the rest */
	if ((ss->n + 1) * 2 > ss->cap) {
		/* Grow to keep it at most half full, and put back what was. */
		old = ss->tab;
		cap = ss->cap;
		ss->cap = cap ? cap * 2 : 64;
		ss->tab = xcalloc(ss->cap, sizeof *ss->tab);
		for (i = 0; i < cap; i++)
			if (old[i].key != NULL)
				*seq_slot(ss, old[i].key) = old[i];
		free(old);
	}
	sn = seq_slot(ss, key);
	if (sn->key == NULL) {
		sn->key = xstrdup(key);
		sn->next = 0;
		ss->n++;
	}
	return sn;
}

/* Forget the folder listing. */
static void
seq_unlist(struct seqstate *ss)
{
	size_t	i;

	for (i = 0; i < ss->nnames; i++)
		free(ss->names[i]);
	free(ss->names);
	free(ss->dir);
	ss->names = NULL;
	ss->dir = NULL;
	ss->nnames = 0;
}

/* List library folder dir (sorted) unless it is the one listed already. */
static void
seq_list(struct import *imp, struct seqstate *ss, const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 cap = 0;
	int		 fd;

	if (ss->dir != NULL && strcmp(ss->dir, dir) == 0)
		return;
	seq_unlist(ss);
	ss->dir = xstrdup(dir);
	if (imp->libfd == -1 || (fd = openat(imp->libfd, dir, O_RDONLY |
	    O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (ss->nnames == cap) {
			cap = cap ? cap * 2 : 64;
			ss->names = xreallocarray(ss->names, cap,
			    sizeof *ss->names);
		}
		ss->names[ss->nnames++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(ss->names, ss->nnames, sizeof *ss->names, strp_cmp);
}

/* Free the run's {seq} state. */
void
seq_free(struct import *imp)
{
	if (imp->seq == NULL)
		return;
	seq_clear(imp->seq);
	seq_unlist(imp->seq);
	free(imp->seq);
	imp->seq = NULL;
}

/*
 * The highest number N among the names in library folder dir that are
 * prefix, N, then the character after; 0 if there is none. Folders are
 * read once while their files come one after the other.
 */
static unsigned long
seq_highest(struct import *imp, const char *dir, const char *prefix,
    char after)
{
	struct seqstate	*ss = imp->seq;
	unsigned long	 n, max = 0;
	size_t		 plen = strlen(prefix), lo = 0, hi, mid;
	char		*end;

	seq_list(imp, ss, dir);
	for (hi = ss->nnames; lo < hi; ) {	/* the first >= prefix */
		mid = lo + (hi - lo) / 2;
		if (strcmp(ss->names[mid], prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ss->nnames && strncmp(ss->names[lo], prefix, plen) == 0;
	    lo++) {
		if (!isdigit((unsigned char)ss->names[lo][plen]))
			continue;
		errno = 0;
		n = strtoul(ss->names[lo] + plen, &end, 10);
		if (errno == 0 && *end == after && n > max && n < SEQ_MAX)
			max = n;
	}
	return max;
}

/*
 * The name a main file (meta m, its own name name) is filed under in dir
 * by the name template. {seq} counts per folder and per text before it:
 * one more than the highest number such a name has in the folder, then
 * one more than the run's last; a name already taken (or planned) takes
 * the next. 0, or -1 if the template gives no usable name.
 */
static int
dest_name(struct import *imp, const char *dir, const struct meta *m,
    const char *name, char *out, size_t size)
{
	struct tmpl_vals	 v;
	struct seqnext		*sn;
	char			 key[PATH_MAX * 2], rel[PATH_MAX * 2];
	size_t			 at, digits;
	int			 i;

	plan_vals(m, name, &v);
	if (tmpl_expand(imp->names, 0, &v, out, size, &at) == -1)
		return -1;
	if (at == (size_t)-1 || at > strlen(out))
		return 0;
	snprintf(key, sizeof key, "%s/%.*s", dir, (int)at, out);
	if (imp->seq == NULL)
		imp->seq = xcalloc(1, sizeof *imp->seq);
	sn = seq_find(imp->seq, key);
	if (sn->next == 0) {
		digits = strspn(out + at, "0123456789");
		sn->next = seq_highest(imp, dir, key + strlen(dir) + 1,
		    out[at + digits]) + 1;
	}
	for (i = 0; i < STORE_NAMES && sn->next < SEQ_MAX; i++) {
		v.seq = sn->next++;
		if (tmpl_expand(imp->names, 0, &v, out, size, NULL) == -1)
			return -1;
		snprintf(rel, sizeof rel, "%s/%s", dir, out);
		if ((imp->libfd == -1 || faccessat(imp->libfd, rel, F_OK,
		    AT_SYMLINK_NOFOLLOW) == -1) && !planned(imp, rel, 0))
			break;
	}
	return 0;	/* still taken: filing adds a -N */
}

/*
 * A sidecar's name (sc) following its main file's, in out: the main file's
 * new stem, and its own extension in the case the name template asks for.
 */
static void
plan_sidecar(struct import *imp, const char *sc, const struct placed *mp,
    char *out, size_t size)
{
	const char	*ndot = strrchr(mp->name, '.');
	char		*p;
	int		 lower, upper;

	/* Renamed as the main file was (its name there against its own). */
	sidecar_rename(sc, mp->orig, mp->name, out, size);
	if (imp->names == NULL || ndot == NULL)
		return;
	lower = strstr(imp->names, "{ext:lower}") != NULL;
	upper = strstr(imp->names, "{ext:upper}") != NULL;
	if (strncmp(out, mp->name, (size_t)(ndot - mp->name)) != 0)
		return;
	if ((p = strchr(out + (ndot - mp->name), '.')) == NULL)
		return;
	for (; *p != '\0'; p++)
		if (lower)
			*p = (char)tolower((unsigned char)*p);
		else if (upper)
			*p = (char)toupper((unsigned char)*p);
}

/*
 * The name the sidecar named src on the card gets (in out) if its main
 * file, orig on the card, is filed as name.
 */
static void
plan_sidecar_as(struct import *imp, const char *orig, const char *name,
    const char *src, char *out, size_t size)
{
	struct placed	*mp = xmalloc(sizeof *mp);
	char		 sc[NAME_MAX * 4 + 1];

	strlcpy_sb(mp->orig, orig, sizeof mp->orig);
	strlcpy_sb(mp->name, name, sizeof mp->name);
	clean_name(src, sc, sizeof sc);
	plan_sidecar(imp, sc, mp, out, size);
	free(mp);
}

#define SIDECAR_CMP_MAX	(4 << 20)	/* sidecars compared bytewise */

/* Does the file at name in dirfd hold what path (size bytes) holds? */
static int
same_bytes(const char *path, int dirfd, const char *name, off_t size)
{
	char	a[8192], b[8192];
	ssize_t	n;
	off_t	at = 0;
	int	fa, fb, same = 0;

	if (size > SIDECAR_CMP_MAX ||
	    (fa = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return 0;
	if ((fb = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1) {
		close(fa);
		return 0;
	}
	for (;;) {
		if ((n = pread(fa, a, sizeof a, at)) < 0 ||
		    pread(fb, b, sizeof b, at) != n || memcmp(a, b,
		    (size_t)n) != 0)
			break;
		if (n == 0) {
			same = at == size;
			break;
		}
		at += n;
	}
	close(fa);
	close(fb);
	return same;
}

/*
 * store_dest.name_ok for a main file with sidecars (arg: its pending): is
 * name, in the folder dirfd, a name its sidecars can follow (plan_sidecar)
 * without one landing on another file's? IMG_0001.JPG whose IMG_0001.XMP
 * is already another camera's goes as IMG_0001-1.JPG with IMG_0001-1.XMP,
 * so that no photo is paired by name with another's sidecar. A sidecar's
 * name holding the same bytes (filed by an interrupted run) is no other
 * file's. 1 if so, 0 if not.
 */
/*
 * Does the catalogue hold the library name dir/name (a file deleted by hand
 * keeps its name there until forget)? 1 or 0.
 */
int
plan_catalogued(struct import *imp, const char *dir, const char *name)
{
	struct cat_file	f;
	char		rel[PATH_MAX];
	int		n;

	if (imp->cat == NULL)
		return 0;
	n = snprintf(rel, sizeof rel, "%s/%s", dir, name);
	return n > 0 && (size_t)n < sizeof rel &&
	    catalog_file_at(imp->cat, rel, &f) == 1;
}

int
plan_sidecars_free(void *arg, int dirfd, const char *name)
{
	struct pending	*p = arg;
	struct stat	 sb;
	const char	*base;
	char		 out[NAME_MAX * 4 + 1];
	int		 i, ok = 1;

	for (i = 0; ok && i < p->nsc; i++) {
		base = strrchr(p->scpaths[i], '/');
		plan_sidecar_as(p->imp, p->e->name, name, base != NULL ?
		    base + 1 : p->scpaths[i], out, sizeof out);
		if (strcmp(out, name) == 0)
			continue;
		if (fstatat(dirfd, out, &sb, AT_SYMLINK_NOFOLLOW) == 0)
			ok = S_ISREG(sb.st_mode) && same_bytes(p->scpaths[i],
			    dirfd, out, sb.st_size);
		else
			ok = !plan_catalogued(p->imp, p->dir, out);
	}
	return ok;
}

/*
 * The name a sidecar filed as name takes when that is taken, for its main
 * file filed as main: the main file's whole name and the sidecar's own
 * extension (IMG_0001.JPG.XMP, as darktable names them), then
 * IMG_0001.JPG.1.XMP ... (store_name_nth). IMG_0001-1.XMP would pair by
 * name with another photo, IMG_0001-1.JPG (restore --rebuild, other
 * programs); these pair with its own main file only. NULL (name-1 ...)
 * when that would be too long a name. Free it.
 */
char *
plan_sidecar_alt(const char *main, const char *name)
{
	const char	*ext = strrchr(name, '.');
	size_t		 n = main != NULL ? strlen(main) : 0;
	char		*alt;

	if (main == NULL || ext == NULL || n + strlen(ext) > NAME_MAX)
		return NULL;
	xasprintf(&alt, "%s%s", main, ext);
	return alt;
}

/*
 * A file whose name was made clean (clean_name), filed as name (after any
 * -N its collisions took): said, with the name it has now.
 */
void
plan_cleaned(struct import *imp, const char *path, const char *name)
{
	say(imp, path, "name is not valid UTF-8 or has control characters; "
	    "filed as %s", name);
	imp->warnings++;
}

/*
 * Stage 4 of import_file: the directory and the name f is filed under, in
 * f->out->dir and f->name: its own name made safe, or the name template's;
 * a sidecar's follows its main file's. 0, or -1 with f->err set.
 */
int
plan_place(struct import *imp, struct infile *f)
{
	char		 tmp[sizeof f->name], own[NAME_MAX + 1];
	const char	*name = f->e->name;
	int		 changed;

	/*
	 * A source another --move was removing (renamed aside, its unlink
	 * killed or still to come) is filed under its own name, not ours.
	 */
	if (source_aside_name(name, own, sizeof own))
		name = own;
	changed = clean_name(name, f->name, sizeof f->name);
	if (f->mp != NULL) {
		plan_sidecar(imp, f->name, f->mp, tmp, sizeof tmp);
		strlcpy_sb(f->name, tmp, sizeof f->name);
		strlcpy_sb(f->out->dir, f->mp->dir, sizeof f->out->dir);
	} else if (dest_dir(imp->pattern, &f->m, name, f->out->dir,
	    sizeof f->out->dir) == -1) {
		snprintf(f->err, sizeof f->err, "pattern '%s' gives no usable "
		    "directory", imp->pattern);
		return -1;
	} else if (imp->names != NULL && dest_name(imp, f->out->dir, &f->m,
	    name, f->name, sizeof f->name) == -1) {
		snprintf(f->err, sizeof f->err, "name '%s' gives no usable "
		    "name", imp->names);
		return -1;
	}
	f->cleaned = changed;	/* said once filed (plan_cleaned) */
	return 0;
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

/* Dry run: is the library name rel (dir/name) free, and not planned? */
static int
plan_free(struct import *imp, const char *dir, const char *name)
{
	char	rel[PATH_MAX * 2];

	snprintf(rel, sizeof rel, "%s/%s", dir, name);
	return (imp->libfd == -1 || faccessat(imp->libfd, rel, F_OK,
	    AT_SYMLINK_NOFOLLOW) == -1) && !planned(imp, rel, 0) &&
	    !plan_catalogued(imp, dir, name);
}

/*
 * Dry run: the name the file f would get in dir, taking collisions; a main
 * file's sidecars' names are to be free too (plan_sidecars_free).
 */
static void
plan_name(struct import *imp, const struct infile *f, const char *dir,
    const char *name, char *out, size_t size)
{
	const struct scan_entry	*se;
	char			 rel[PATH_MAX * 2], scout[NAME_MAX * 4 + 1];
	char			*alt;
	long			 j;
	int			 i, ok = 0;

	/* A sidecar's later names: as import_finish (plan_sidecar_alt). */
	alt = f->mp != NULL ? plan_sidecar_alt(f->mp->name, name) : NULL;
	for (i = 0; i < STORE_NAMES && !ok; i++) {
		if (store_name_nth(name, alt, i, out, size) == -1)
			break;
		if (!(ok = plan_free(imp, dir, out)))
			continue;
		for (j = f->mp == NULL ? f->e->first : -1; ok && j != -1;
		    j = se->next) {
			se = &imp->sc->e[j];
			plan_sidecar_as(imp, f->e->name, out, se->name, scout,
			    sizeof scout);
			ok = strcmp(scout, out) == 0 ||
			    plan_free(imp, dir, scout);
		}
	}
	free(alt);
	if (ok) {
		snprintf(rel, sizeof rel, "%s/%s", dir, out);
		planned(imp, rel, 1);
	}
}

/*
 * Dry run: is f (content sha, size bytes) a duplicate? As import_finish
 * says: a main file of a catalogued or planned one (a catalogued one is
 * where its sidecars go), a sidecar only of a catalogued sidecar of its
 * own main file.
 */
static int
plan_duplicate(struct import *imp, struct infile *f, const char *sha,
    uint64_t size)
{
	struct cat_file	dup;

	if (f->mp != NULL)
		return f->mp->id != 0 && imp->cat != NULL &&
		    catalog_find_sha(imp->cat, sha, size, f->mp->id, &dup) == 1;
	if (imp->cat != NULL && catalog_find_sha(imp->cat, sha, size, 0,
	    &dup) == 1) {
		placed_at(f->out, dup.id, dup.path);
		return 1;
	}
	return planned(imp, sha, 1);
}

/*
 * Dry run: report where the file f (read and placed) would go, or that it
 * is a duplicate of a catalogued or planned file. Returns the outcome.
 */
enum outcome
import_plan(struct import *imp, struct infile *f)
{
	char		 sha[65], err[512], rel[PATH_MAX * 2];
	char		 final[STORE_NAME_MAX];
	uint64_t	 size = (uint64_t)f->sb.st_size;
	enum outcome	 o;

	if (store_hash_fd(f->fd, size, sha, err, sizeof err) == -1) {
		say(imp, f->e->path, "%s", err);
		report(imp, f->e->path, OUT_FAILED, NULL, NULL, NULL, err);
		return OUT_FAILED;
	}
	if (plan_duplicate(imp, f, sha, size)) {
		report(imp, f->e->path, OUT_DUPLICATE, NULL, &f->m, sha, NULL);
		return OUT_DUPLICATE;
	}
	plan_name(imp, f, f->out->dir, f->name, final, sizeof final);
	if (f->cleaned)
		plan_cleaned(imp, f->e->path, final);
	snprintf(rel, sizeof rel, "%s/%s", f->out->dir, final);
	strlcpy_sb(f->out->name, final, sizeof f->out->name);
	o = f->mp != NULL ? OUT_SIDECAR : OUT_IMPORTED;
	report(imp, f->e->path, o, rel, &f->m, sha, NULL);
	return o;
}
