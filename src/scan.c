/*
 * scan.c: walk the sources a directory at a time. Each directory's regular
 * files (dot-files, dot-directories and the temporary names of uploads and
 * sync tools left alone; FIFOs, devices and symbolic links skipped, never
 * followed) are collected, sidecars paired with the main file they belong
 * to (scan-group.c), and the lot handed to the caller before the
 * directory is left; a directory of very many names is read in slices of
 * them: memory follows a slice of the largest directory, not the size of
 * the tree.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "shoebox.h"
#include "scan.h"
#include "store.h"

#define SCAN_MAXDEPTH	64
#define SCAN_SHARE	16	/* roots looked at for a folder to share */

/*
 * A scan that hands each directory's files, grouped, to fn as it is read;
 * with fn NULL it only counts them (files, bytes).
 */
struct scan *
scan_new(scan_fn fn, void *arg)
{
	struct scan	*sc = xcalloc(1, sizeof *sc);

	sc->fn = fn;
	sc->arg = arg;
	return sc;
}

/* Paths are kept in 64 kB chunks: no allocation overhead per file. */
#define ARENA_CHUNK	(64 * 1024)

struct scan_arena {
	struct scan_arena	*next;
	size_t			 used;
	size_t			 size;
	char			 buf[];
};

/* A copy of s that lives as long as its directory's frame. */
static char *
scan_strdup(struct scan *sc, const char *s)
{
	struct scan_arena	*a = sc->arena;
	size_t			 n = strlen(s) + 1, size;

	if (a == NULL || a->size - a->used < n) {
		size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		a = xmalloc(sizeof *a + size);
		a->next = sc->arena;
		a->used = 0;
		a->size = size;
		sc->arena = a;
	}
	memcpy(a->buf + a->used, s, n);
	a->used += n;
	return a->buf + a->used - n;
}

/* Free a list of arena chunks. */
static void
arena_free(struct scan_arena *a)
{
	struct scan_arena	*next;

	for (; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
}

void
scan_free(struct scan *sc)
{
	size_t	 i;

	if (sc == NULL)
		return;
	arena_free(sc->arena);
	for (i = 0; i < sc->nroots; i++) {
		if (sc->roots[i].fd != -1 && !sc->roots[i].shared)
			close(sc->roots[i].fd);
		free(sc->roots[i].path);
	}
	free(sc->roots);
	for (i = 0; i < sc->nfences; i++) {
		free(sc->fences[i].what);
		free(sc->fences[i].path);
	}
	free(sc->fences);
	free(sc->e);
	free(sc);
}

/*
 * A copy of e that owns its path (one allocation), for what outlives the
 * directory's turn: a copy in flight, a source to remove after a commit.
 */
struct scan_entry *
scan_entry_dup(const struct scan_entry *e)
{
	struct scan_entry	*d;
	size_t			 n = strlen(e->path) + 1;

	d = xmalloc(sizeof *d + n);
	*d = *e;
	d->path = (char *)(d + 1);
	memcpy(d->path, e->path, n);
	d->name = d->path + (e->name - e->path);
	d->rel = d->path + (e->rel - e->path);
	d->main = d->next = d->first = -1;
	return d;
}

/* What import needs of an entry's stat, as a struct stat. */
void
scan_entry_stat(const struct scan_entry *e, struct stat *sb)
{
	memset(sb, 0, sizeof *sb);
	sb->st_dev = e->dev;
	sb->st_ino = e->ino;
	sb->st_size = e->size;
	sb->st_mtim = e->mtime;
	sb->st_ctim = e->ctime;
	sb->st_mode = S_IFREG;
}

/*
 * Names that are never taken, files or folders: what uploads, browsers,
 * office programs, sync tools and NAS systems write while a file is still
 * arriving, or keep for themselves. (Dot-files are left alone anyway.)
 */
static const char *const ignored_suffixes[] = {
	".part", ".partial", ".crdownload", ".download", ".tmp", ".temp",
	".filepart", ".!qb", ".!ut", ".opdownload", ".inprogress", NULL
};
/*
 * THMBNL: a Sony card's thumbnail of each clip (PRIVATE/M4ROOT/THMBNL/
 * C0001T01.JPG), made again by the camera; not a photo.
 */
static const char *const ignored_dirs[] = {
	"@eaDir", "#recycle", "#snapshot", "@Recycle", "@Recently-Snapshot",
	"$RECYCLE.BIN", "System Volume Information", "lost+found", "THMBNL",
	NULL
};

/* True if a file (dir 0) or folder (dir 1) of this name is never taken. */
int
scan_ignored_name(const char *name, int dir)
{
	const char	*dot;
	size_t		 n, k;
	int		 i;

	if (name[0] == '.' || (name[0] == '~' && name[1] == '$'))
		return 1;
	if (dir) {
		for (i = 0; ignored_dirs[i] != NULL; i++)
			if (strcasecmp(name, ignored_dirs[i]) == 0)
				return 1;
		return 0;
	}
	/* Each suffix is one '.' and what follows: the name's last one's. */
	if ((dot = strrchr(name, '.')) == NULL)
		return 0;
	n = strlen(dot);
	for (i = 0; ignored_suffixes[i] != NULL; i++) {
		k = strlen(ignored_suffixes[i]);
		if (n == k && strcasecmp(dot, ignored_suffixes[i]) == 0)
			return 1;
	}
	return 0;
}

/*
 * Note a regular file of the directory being read: kept (path as found,
 * rel its tail below the root), or with no fn only counted.
 */
static void
scan_push(struct scan *sc, const char *path, size_t rellen, unsigned root,
    const struct stat *sb)
{
	struct scan_entry	*e;
	const char		*slash;

	sc->files++;
	sc->bytes += (uint64_t)sb->st_size;
	if (sc->fn == NULL)
		return;
	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? sc->cap * 2 : 256;
		sc->e = xreallocarray(sc->e, sc->cap, sizeof *sc->e);
	}
	e = &sc->e[sc->n++];
	e->path = scan_strdup(sc, path);
	slash = strrchr(e->path, '/');
	e->name = slash != NULL ? slash + 1 : e->path;
	e->rel = e->path + strlen(e->path) - rellen;
	e->root = root;
	e->dev = sb->st_dev;
	e->ino = sb->st_ino;
	e->size = sb->st_size;
	e->mtime = sb->st_mtim;
	e->ctime = sb->st_ctim;
	e->main = e->next = e->first = -1;
}

/*
 * The fence that the resolved path real is or lies inside, strict ones only
 * (the library: such a source would be "imported" as duplicates of itself
 * and, with --move, deleted from the library), or NULL.
 */
static const struct scan_fence *
fenced_path(const struct scan *sc, const char *real)
{
	const struct scan_fence	*f = NULL;
	struct stat		 sb;
	char			*p = xstrdup(real), *slash;
	size_t			 i;

	while (sc->nfences > 0 && f == NULL) {
		if (stat(p[0] != '\0' ? p : "/", &sb) == 0)
			for (i = 0; i < sc->nfences && f == NULL; i++)
				if (sc->fences[i].strict &&
				    sc->fences[i].known &&
				    sb.st_dev == sc->fences[i].dev &&
				    sb.st_ino == sc->fences[i].ino)
					f = &sc->fences[i];
		if ((slash = strrchr(p, '/')) == NULL || p[0] == '\0')
			break;
		*slash = '\0';
	}
	free(p);
	return f;
}

/*
 * A directory of the walk: open (its children are opened through it, never
 * following a link), with its files (sorted, grouped) not yet handed over
 * and the names of its folders still to visit. Only the frames from the
 * root down to the directory in hand are kept: at most SCAN_MAXDEPTH + 1
 * descriptors, and what those directories hold.
 */
struct scan_frame {
	int			 fd;
	char			*path;		/* ROOT/sub */
	char			**subs;		/* sorted */
	size_t			 nsubs;
	size_t			 next;		/* the next folder to visit */
	struct scan_entry	*e;		/* its files */
	size_t			 n;
	size_t			 pos;		/* e[0..pos) handed over */
	struct scan_arena	*arena;		/* their paths */
	char			*cursor;	/* the slice read ends here */
	int			 more;		/* names after it to read */
	int			 depth;		/* 0: a root */
	dev_t			 dev;		/* its filesystem */
};

/*
 * Two names as strcmp orders them; for scan_keys' keys (a folder's is its
 * name and a '/'), their place in path order.
 */
static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The fence that sb is (a folder never walked), or NULL. */
static const struct scan_fence *
fenced(const struct scan *sc, const struct stat *sb)
{
	size_t	i;

	for (i = 0; i < sc->nfences; i++)
		if (sc->fences[i].known && sb->st_dev == sc->fences[i].dev &&
		    sb->st_ino == sc->fences[i].ino)
			return &sc->fences[i];
	return NULL;
}

/* Where a fence kept by path is now: a folder there, or none. */
static void
fence_look(struct scan_fence *f)
{
	struct stat	sb;

	f->known = stat(f->path, &sb) == 0 && S_ISDIR(sb.st_mode);
	f->dev = f->known ? sb.st_dev : 0;
	f->ino = f->known ? sb.st_ino : 0;
}

/*
 * The walk meets a folder: the fences kept by path are looked up again
 * first, since one may be a folder they did not know: a backup disk
 * mounted there while the walk went on, a dir remote's folder that a sync
 * made meanwhile (a stat of each, for each folder met: a few for a
 * folder of files).
 */
static void
fences_look(struct scan *sc)
{
	size_t	i;

	for (i = 0; i < sc->nfences; i++)
		if (sc->fences[i].path != NULL)
			fence_look(&sc->fences[i]);
}

/*
 * Is the folder sb (path) a fence, those kept by path looked up again
 * first? Said, unless only counting.
 */
static int
fences_met(struct scan *sc, const struct stat *sb, const char *path)
{
	const struct scan_fence	*f;
	char			 buf[PATH_MAX];

	fences_look(sc);
	if ((f = fenced(sc, sb)) == NULL)
		return 0;
	if (!sc->quiet)
		log_info("%s: is %s, not scanned", log_path(path, buf,
		    sizeof buf), f->what);
	return 1;
}

/* The fence named what (made if new), its path dropped. */
static struct scan_fence *
fence_named(struct scan *sc, const char *what, int strict)
{
	struct scan_fence	*f;
	size_t			 i;

	for (i = 0; i < sc->nfences; i++)
		if (strcmp(sc->fences[i].what, what) == 0)
			break;
	if (i == sc->nfences) {
		sc->fences = xreallocarray(sc->fences, sc->nfences + 1,
		    sizeof *sc->fences);
		memset(&sc->fences[i], 0, sizeof sc->fences[i]);
		sc->fences[sc->nfences++].what = xstrdup(what);
	}
	f = &sc->fences[i];
	free(f->path);
	f->path = NULL;
	f->strict = strict;
	return f;
}

/*
 * Never walk the folder sb, what it is (a fence): strict, never take it as
 * a source either. A fence of the same name is replaced (the library, once
 * this run made it).
 */
void
scan_fence(struct scan *sc, const struct stat *sb, const char *what,
    int strict)
{
	struct scan_fence	*f = fence_named(sc, what, strict);

	f->dev = sb->st_dev;
	f->ino = sb->st_ino;
	f->known = 1;
}

/*
 * The same for the folder at path, whatever is there when the walk meets
 * another filesystem (a disk mounted there meanwhile), or none yet.
 */
void
scan_fence_path(struct scan *sc, const char *path, const char *what,
    int strict)
{
	struct scan_fence	*f = fence_named(sc, what, strict);

	f->path = xstrdup(path);
	fence_look(f);
}

/* Say that the folder path is the source other, met again. */
static void
same_folder_say(const struct scan *sc, const char *path, const char *other)
{
	char	a[PATH_MAX], b[PATH_MAX];

	if (!sc->quiet)
		log_info("%s: the same folder as %s (mounted there too); "
		    "taken from there, once", log_path(path, a, sizeof a),
		    log_path(other, b, sizeof b));
}

/*
 * Is the folder sb (path) a folder source given, met again by another way
 * (a bind mount of it below another source, or of a source inside
 * itself)? Then it is walked as that source, once. Said, unless only
 * counting.
 */
static int
roots_met(const struct scan *sc, const struct stat *sb, const char *path)
{
	const struct scan_root	*r;
	size_t			 i;

	for (i = 0; i < sc->nroots; i++) {
		r = &sc->roots[i];
		if (r->file != NULL || r->ino == 0 || r->dev != sb->st_dev ||
		    r->ino != sb->st_ino)
			continue;
		same_folder_say(sc, path, r->path);
		return 1;
	}
	return 0;
}

/*
 * Look at one name of the directory fr: a file is kept (scan_push), a
 * folder noted for later; links, devices, temporary names left alone.
 */
static void
scan_name(struct scan *sc, unsigned root, size_t rootlen,
    struct scan_frame *fr, const char *name, int isdir, size_t *capsubs)
{
	struct stat	 sb;
	char		*path, pbuf[PATH_MAX], buf[PATH_MAX];
	size_t		 dl = strlen(fr->path), nl = strlen(name);

	/* FOLDER/NAME, on the stack unless it is long. */
	path = dl + nl + 2 <= sizeof pbuf ? pbuf : xmalloc(dl + nl + 2);
	memcpy(path, fr->path, dl);
	path[dl] = '/';
	memcpy(path + dl + 1, name, nl + 1);
	if (fstatat(fr->fd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		/*
		 * A file gone since its folder was read (moved, deleted):
		 * not seen. A folder gone (renamed under the walk) holds
		 * files not walked: said, a failure.
		 */
		if (errno == ENOENT && !isdir)
			log_debug("%s: gone as its folder was read",
			    log_path(path, buf, sizeof buf));
		else {
			if (!sc->quiet)
				log_warn("%s", log_path(path, buf,
				    sizeof buf));
			sc->failed++;
		}
	} else if (scan_ignored_name(name, S_ISDIR(sb.st_mode))) {
		log_debug("%s: a temporary or system name, left alone",
		    log_path(path, buf, sizeof buf));
		sc->ignored++;
	} else if (S_ISLNK(sb.st_mode)) {
		log_debug("%s: symbolic link, not followed",
		    log_path(path, buf, sizeof buf));
		sc->skipped++;
	} else if (S_ISDIR(sb.st_mode)) {
		if (!fences_met(sc, &sb, path) &&
		    !roots_met(sc, &sb, path)) {
			if (fr->nsubs == *capsubs) {
				*capsubs = *capsubs ? *capsubs * 2 : 16;
				fr->subs = xreallocarray(fr->subs, *capsubs,
				    sizeof *fr->subs);
			}
			fr->subs[fr->nsubs++] = xstrdup(name);
		}
	} else if (S_ISREG(sb.st_mode))
		scan_push(sc, path, strlen(path) - rootlen - 1, root, &sb);
	else {
		log_debug("%s: %s, not a regular file, left alone",
		    log_path(path, buf, sizeof buf), S_ISFIFO(sb.st_mode) ?
		    "a FIFO" : S_ISSOCK(sb.st_mode) ? "a socket" : "a device");
		sc->skipped++;
	}
	if (path != pbuf)
		free(path);
}

/* The files just read, grouped, become fr's (sc's are left empty). */
static void
scan_take(struct scan *sc, struct scan_frame *fr)
{
	scan_group(sc);
	fr->e = sc->e;
	fr->n = sc->n;
	fr->pos = 0;
	fr->arena = sc->arena;
	sc->e = NULL;
	sc->n = sc->cap = 0;
	sc->arena = NULL;
}

/*
 * A folder is read in slices of at most scan_slice names, in the order of
 * their paths, so that memory follows a slice and not the folder: a flat
 * folder of a million files (a phone app's uploads) is read a slice at a
 * time, each slice one more pass over the folder's names that keeps the
 * next scan_slice of them after the last slice's. A folder of fewer names
 * is one slice, read once. SHOEBOX_SCAN_SLICE sets it (tests). Each open
 * folder of the path holds its slice: one depth d below a root reads
 * slices of scan_slice / (d + 1), so that a tree made to fill memory
 * (64 nested folders of many files each) holds some 4.8 slices in all,
 * not 65.
 */
#define SCAN_SLICE	16384

static size_t
scan_slice(void)
{
	static size_t	 slice;
	const char	*env;
	long		 v;

	if (slice == 0) {
		slice = SCAN_SLICE;
		if ((env = getenv("SHOEBOX_SCAN_SLICE")) != NULL &&
		    (v = strtol(env, NULL, 10)) >= 2)
			slice = (size_t)v;
	}
	return slice;
}

/*
 * The part of a key before its first '.', less a Sony sidecar's "M01"
 * (C0001M01.XML goes with C0001.MP4): a group's files share it, and
 * sort next to each other. (GoPro's GL010001.LRV sorts away from its
 * GX010001.MP4, but a GoPro folder holds at most 999 files: one slice.)
 */
static size_t
key_base(const char *key)
{
	size_t	n = strcspn(key, "./");

	if (n > 3 && (key[n - 3] == 'M' || key[n - 3] == 'm') &&
	    isdigit((unsigned char)key[n - 2]) &&
	    isdigit((unsigned char)key[n - 1]))
		n -= 3;
	return n;
}

/*
 * The names of the directory d after fr->cursor, the first slice of them
 * in path order, as keys (xstrdup'ed, sorted) in *keys; returns how many.
 * Sets fr->more (and fr->cursor to this slice's last key) if there are
 * names after those; then the last names that share the base of the next
 * one are left to the next slice (a main file and its sidecars are read in
 * one). *err is an errno if d could not be read to its end: what was read
 * is then the slice, and the last; else 0.
 */
static size_t
scan_keys(DIR *d, int dfd, struct scan_frame *fr, char ***keys, int *err)
{
	struct dirent	*de;
	struct stat	 sb;
	size_t		 slice = scan_slice() / (size_t)(fr->depth + 1);
	size_t		 n = 0, cap, i, b, l;
	char		**k;
	const char	*bound = NULL;	/* k[slice - 1] once n passed cap */
	char		 key[NAME_MAX + 2];

	if (slice < 2)
		slice = 2;
	cap = 2 * slice;
	k = xreallocarray(NULL, cap, sizeof *k);
	fr->more = 0;
	rewinddir(d);	/* the offset is shared with fr->fd: walked before? */
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || (l = strlen(de->d_name)) > NAME_MAX)
			continue;
		memcpy(key, de->d_name, l + 1);
		if (de->d_type == DT_DIR || (de->d_type == DT_UNKNOWN &&
		    fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(sb.st_mode))) {
			key[l] = '/';
			key[l + 1] = '\0';
		}
		if (fr->cursor != NULL && strcmp(key, fr->cursor) <= 0)
			continue;	/* an earlier slice's */
		if (bound != NULL && strcmp(key, bound) > 0) {
			fr->more = 1;	/* after a whole slice: a later one's */
			continue;
		}
		if (n == cap) {
			/* Keep the first slice of them, sorted. */
			qsort(k, n, sizeof *k, name_cmp);
			for (i = slice; i < n; i++)
				free(k[i]);
			n = slice;
			bound = k[slice - 1];
			fr->more = 1;
		}
		k[n++] = xstrdup(key);
	}
	*err = errno;
	qsort(k, n, sizeof *k, name_cmp);
	if (n > slice) {
		for (i = slice; i < n; i++)
			free(k[i]);
		n = slice;
		fr->more = 1;
	}
	if (*err)
		fr->more = 0;
	if (fr->more) {
		/* k[i..n) share the last key's base: the next slice's. */
		b = key_base(k[n - 1]);
		for (i = n - 1; i > 0 && key_base(k[i - 1]) == b &&
		    strncmp(k[i - 1], k[n - 1], b) == 0; i--)
			;
		for (; i > 0 && n > i; n--)
			free(k[n - 1]);
		free(fr->cursor);
		fr->cursor = xstrdup(k[n - 1]);
	}
	*keys = k;
	return n;
}

/*
 * Read the next slice of the directory fr (scan_keys): its files kept and
 * grouped, its folders noted, sorted. A directory that cannot be read
 * counts as failed.
 */
static void
scan_read(struct scan *sc, unsigned root, struct scan_frame *fr)
{
	DIR		*d;
	size_t		 capsubs = 0, rootlen = strlen(sc->roots[root].path);
	size_t		 i, n, l;
	char		 buf[PATH_MAX], **keys;
	int		 fd, err, isdir;

	if ((fd = dup(fr->fd)) == -1 || (d = fdopendir(fd)) == NULL) {
		err = errno;
		if (!scan_gone(sc, fr->dev, fr->path) && !sc->quiet) {
			errno = err;
			log_warn("%s", log_path(fr->path, buf, sizeof buf));
		}
		sc->failed++;
		if (fd != -1)
			close(fd);
		fr->more = 0;
		return;
	}
	n = scan_keys(d, fd, fr, &keys, &err);
	if (err != 0) {
		if (!scan_gone(sc, fr->dev, fr->path) && !sc->quiet) {
			errno = err;
			log_warn("%s", log_path(fr->path, buf, sizeof buf));
		}
		sc->failed++;
	}
	closedir(d);
	for (i = 0; i < n; i++) {
		l = strlen(keys[i]);
		if ((isdir = keys[i][l - 1] == '/'))
			keys[i][l - 1] = '\0';
		scan_name(sc, root, rootlen, fr, keys[i], isdir, &capsubs);
		free(keys[i]);
	}
	free(keys);
	if (fr->nsubs > 1)
		qsort(fr->subs, fr->nsubs, sizeof *fr->subs, name_cmp);
	scan_take(sc, fr);
}

/* Free fr's slice: its files and their paths, its folders' names. */
static void
scan_drop_slice(struct scan_frame *fr)
{
	size_t	i;

	for (i = 0; i < fr->nsubs; i++)
		free(fr->subs[i]);
	free(fr->subs);
	fr->subs = NULL;
	fr->nsubs = fr->next = 0;
	free(fr->e);
	fr->e = NULL;
	fr->n = fr->pos = 0;
	arena_free(fr->arena);
	fr->arena = NULL;
}

/* Drop fr's slice (handed over) and read its next one. */
static void
scan_next_slice(struct scan *sc, unsigned root, struct scan_frame *fr)
{
	scan_drop_slice(fr);
	scan_read(sc, root, fr);
}

/* Does the folder sub come before the file name, as paths sort? */
static int
sub_first(const char *sub, const char *name)
{
	size_t	n = strlen(sub);
	int	c = strncmp(sub, name, n);

	if (c != 0)
		return c < 0;
	return (unsigned char)'/' < (unsigned char)name[n];
}

/*
 * Hand fr's files over to the scan's fn, those not handed over yet that
 * sort before the folder sub (all of them if sub is NULL): the files of a
 * tree come in the order of their paths, as sorted.
 */
static void
scan_hand(struct scan *sc, struct scan_frame *fr, const char *sub)
{
	size_t	end = fr->pos;

	while (end < fr->n && (sub == NULL || !sub_first(sub,
	    fr->e[end].name)))
		end++;
	if (end > fr->pos && sc->fn != NULL && !sc->stop) {
		sc->e = fr->e;
		sc->n = fr->n;
		if (sc->fn(sc, fr->pos, end, sc->arg) == -1)
			sc->stop = 1;
		sc->e = NULL;
		sc->n = 0;
	}
	fr->pos = end;
}

/*
 * Does the folder dfd (or its folder name, when not NULL) hold a library:
 * a .shoebox folder, not a link, with a catalog.db file? A .shoebox link
 * is not looked through: it would have the walk stat whatever it names.
 */
int
scan_is_library(int dfd, const char *name)
{
	struct stat	sb;
	char		path[PATH_MAX];
	int		n;

	n = snprintf(path, sizeof path, "%s%s.shoebox", name != NULL ? name :
	    "", name != NULL ? "/" : "");
	if (n < 0 || (size_t)n + sizeof "/catalog.db" > sizeof path ||
	    fstatat(dfd, path, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISDIR(sb.st_mode))
		return 0;
	memcpy(path + n, "/catalog.db", sizeof "/catalog.db");
	return fstatat(dfd, path, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(sb.st_mode);
}

/*
 * Is the folder child another shoebox library (a .shoebox/catalog.db of
 * its own) met below a source? Its files are what its catalogue lists:
 * taken from inside it, they would be catalogued twice, and --move would
 * empty it under its catalogue. Not walked, said; a library named as a
 * source itself (a merge of an old library) is walked as any folder.
 */
static int
scan_other_library(const struct scan *sc, const struct scan_frame *child)
{
	char	buf[PATH_MAX];

	if (!scan_is_library(child->fd, NULL))
		return 0;
	if (!sc->quiet)
		log_info("%s: is another shoebox library, not scanned (name "
		    "it as a source to import from it)", log_path(child->path,
		    buf, sizeof buf));
	return 1;
}

/*
 * Open the next folder to visit below fr, through fr's descriptor and
 * without following a link (a folder swapped for a link meanwhile is not
 * entered). Fills child and returns 0; -1 if it cannot be entered (said
 * and counted).
 */
static int
scan_enter(struct scan *sc, struct scan_frame *fr, int depth,
    struct scan_frame *child)
{
	struct stat	 sb;
	const char	*name = fr->subs[fr->next++];
	char		 buf[PATH_MAX];

	memset(child, 0, sizeof *child);
	xasprintf(&child->path, "%s/%s", fr->path, name);
	if (depth > SCAN_MAXDEPTH) {
		if (!sc->quiet)
			log_warnx("%s: directories nested too deep, not "
			    "entered", log_path(child->path, buf, sizeof buf));
		goto fail;
	}
	if ((child->fd = openat(fr->fd, name, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (!sc->quiet && (errno == ELOOP || errno == ENOTDIR))
			log_warnx("%s: no longer a folder (a link now?); not "
			    "followed", log_path(child->path, buf, sizeof buf));
		else if (!sc->quiet)
			log_warn("%s", log_path(child->path, buf, sizeof buf));
		goto fail;
	}
	if (fstat(child->fd, &sb) == -1)
		sb.st_dev = fr->dev;
	else if (fences_met(sc, &sb, child->path) ||
	    scan_other_library(sc, child)) {
		/* Mounted or swapped since it was read: not walked. */
		close(child->fd);
		free(child->path);
		return -1;
	}
	child->dev = sb.st_dev;
	return 0;
fail:
	sc->failed++;
	free(child->path);
	return -1;
}

/* Close a frame of the walk, and free what it holds. */
static void
scan_leave(struct scan_frame *fr)
{
	if (fr->fd != -1)
		close(fr->fd);
	scan_drop_slice(fr);
	free(fr->path);
	free(fr->cursor);
}

/*
 * Walk the directory open as fd (the root's path, dup'ed; closed here) a
 * directory at a time, depth first, in the order of the paths: each
 * directory is read a slice at a time (scan_keys; most in one), its
 * sidecars paired, and its files are handed over, in turns between its
 * folders, before the next slice or the directory is left. Only the open
 * frames are kept, so memory follows a slice and the depth, never the
 * number of files.
 */
static void
scan_tree(struct scan *sc, unsigned root, int fd, const char *path)
{
	struct scan_frame	 st[SCAN_MAXDEPTH + 2];
	struct scan_frame	*fr;
	struct stat		 sb;
	const char		*sub;
	int			 depth = 0;

	memset(&st[0], 0, sizeof st[0]);
	st[0].fd = fd;
	st[0].path = xstrdup(path);
	if (fstat(fd, &sb) == 0)
		st[0].dev = sb.st_dev;
	scan_read(sc, root, &st[0]);
	while (depth >= 0) {
		fr = &st[depth];
		sub = fr->next < fr->nsubs ? fr->subs[fr->next] : NULL;
		scan_hand(sc, fr, sub);
		if (!sc->stop && sub == NULL && fr->more &&
		    !scan_dev_gone(sc, fr->dev)) {
			scan_next_slice(sc, root, fr);
			continue;
		}
		if (sc->stop || sub == NULL || scan_dev_gone(sc, fr->dev)) {
			scan_leave(&st[depth--]);
			continue;
		}
		if (scan_enter(sc, fr, depth + 1, &st[depth + 1]) == 0) {
			st[depth + 1].depth = depth + 1;
			scan_read(sc, root, &st[++depth]);
		}
	}
}

/*
 * The size in sectors /sys/dev/block gives the block device dev: 0 when it
 * has none (a card reader without its card), -1 when the device is not
 * there (removed, or never shown), -2 when it cannot be read.
 */
static long long
blk_size(dev_t dev)
{
	char	path[64], buf[32];
	ssize_t	n;
	int	fd;

	snprintf(path, sizeof path, "/sys/dev/block/%u:%u/size", major(dev),
	    minor(dev));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? -1 : -2;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -2;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

/* Has the device dev been found gone (scan_gone)? */
int
scan_dev_gone(const struct scan *sc, dev_t dev)
{
	int	i;

	for (i = 0; i < sc->gone; i++)
		if (sc->gone_dev[i] == dev)
			return 1;
	return 0;
}

/*
 * After a file or folder at path, on the device dev, could not be read:
 * is the disk or card it is on gone (the device removed, or its medium
 * taken out: no size)? Then it is said once, naming the source on it (or
 * else where it is mounted), and what is on it is left: the walk goes no
 * further there, and what it did not reach counts as not tried, where
 * each file would otherwise fail on its own. Only a block device the
 * kernel shows is judged (not tmpfs, NFS, btrfs's devices of their own,
 * nor any without /sys). 1 if gone, else 0.
 */
int
scan_gone(struct scan *sc, dev_t dev, const char *path)
{
	const char	*name = NULL;
	struct stat	 sb;
	char		 buf[PATH_MAX], *dir = NULL, *slash;
	long long	 size;
	size_t		 i;

	if (scan_dev_gone(sc, dev))
		return 1;
	if (major(dev) == 0 || (size = blk_size(dev)) > 0 || size == -2 ||
	    (size == -1 && access("/sys/dev/block", F_OK) == -1) ||
	    sc->gone == SCAN_GONE_MAX)
		return 0;
	sc->gone_dev[sc->gone++] = dev;
	for (i = 0; i < sc->nroots && name == NULL; i++)
		if (sc->roots[i].dev == dev)
			name = sc->roots[i].path;
	if (name == NULL) {
		/* Its mount point, as far as the path shows it. */
		dir = xstrdup(path);
		while ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
			*slash = '\0';
			if (stat(dir, &sb) == -1 || sb.st_dev != dev) {
				*slash = '/';
				break;
			}
		}
		name = dir;
	}
	log_warnx("%s: the card or disk it is on is gone (device %u:%u "
	    "removed, or its medium taken out); what was not imported from "
	    "it is left for the next run", log_path(name != NULL ? name : path,
	    buf, sizeof buf), major(dev), minor(dev));
	free(dir);
	return 1;
}

/* Remember a root: its path as given and its directory, opened. */
static int
scan_root(struct scan *sc, const char *path, int fd, const char *file)
{
	struct scan_root	*r;
	struct stat		 sb;

	sc->roots = xreallocarray(sc->roots, sc->nroots + 1,
	    sizeof *sc->roots);
	r = &sc->roots[sc->nroots];
	r->path = xstrdup(path);
	r->fd = fd;
	r->file = file != NULL ? r->path + strlen(path) - strlen(file) : NULL;
	r->keep = 0;
	r->frozen = 0;
	r->shared = 0;
	r->dev = 0;
	r->ino = 0;
	if (file == NULL && fstat(fd, &sb) == 0) {
		r->dev = sb.st_dev;	/* roots_met, scan_gone */
		r->ino = sb.st_ino;
	}
	return (int)sc->nroots++;
}

/*
 * Remember a single file's root, its directory open as fd. Files of a
 * folder one of the last SCAN_SHARE roots is in (a shell's IMG_*.JPG)
 * share that root's descriptor: one for each file would run out of them
 * (1024 by default) on a card's worth of names.
 */
static int
scan_root_file(struct scan *sc, const char *path, int fd, const char *file)
{
	struct stat	sb;
	size_t		i;
	int		r, shared = -1;

	if (fstat(fd, &sb) == -1)
		memset(&sb, 0, sizeof sb);
	for (i = sc->nroots; i > 0 && sc->nroots - i < SCAN_SHARE; i--)
		if (sc->roots[i - 1].file != NULL && sb.st_ino != 0 &&
		    sc->roots[i - 1].dev == sb.st_dev &&
		    sc->roots[i - 1].ino == sb.st_ino) {
			shared = sc->roots[i - 1].fd;
			close(fd);
			break;
		}
	r = scan_root(sc, path, shared != -1 ? shared : fd, file);
	sc->roots[r].shared = shared != -1;
	sc->roots[r].dev = sb.st_dev;
	sc->roots[r].ino = sb.st_ino;
	return r;
}

/*
 * A single file given as a source: its directory opened as the root, its
 * name not followed. The root, or -1 after saying why.
 */
static int
scan_source_file(struct scan *sc, const char *root, const char *clean)
{
	struct stat	 sb;
	const char	*base;
	char		*dir, buf[PATH_MAX];
	int		 fd;

	base = strrchr(clean, '/');
	if (base == NULL) {
		dir = xstrdup(".");
		base = clean;
	} else {
		xasprintf(&dir, "%.*s", base == clean ? 1 :
		    (int)(base - clean), clean);
		base++;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd == -1 || fstatat(fd, base, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(sb.st_mode)) {
		if (fd != -1 && S_ISLNK(sb.st_mode))
			log_warnx("%s: a symbolic link, not followed: give the "
			    "file it points to", log_path(root, buf,
			    sizeof buf));
		else
			log_warn("%s", log_path(root, buf, sizeof buf));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return scan_root_file(sc, clean, fd, base);
}

/*
 * Would the walk of the folder top reach path below it (both real paths;
 * path a folder if dir)? Not when a name on the way (or path's own) is one
 * the walk leaves alone, a fence is on the way or is path, a folder on the
 * way cannot be listed, or path lies deeper than the walk goes. For
 * import's overlapping sources.
 */
int
scan_reaches(const struct scan *sc, const char *top, const char *path,
    int dir)
{
	struct stat	 sb;
	const char	*p = path + strlen(top), *end;
	char		 comp[NAME_MAX + 1], *up, *slash;
	size_t		 n;
	int		 depth = 0, last, ok = 1;

	for (; *p != '\0'; p = end) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		end = p + strcspn(p, "/");
		if ((n = (size_t)(end - p)) >= sizeof comp)
			return 0;
		memcpy(comp, p, n);
		comp[n] = '\0';
		last = end[strspn(end, "/")] == '\0';
		if (scan_ignored_name(comp, !last || dir) ||
		    (!last || dir ? ++depth : depth) > SCAN_MAXDEPTH)
			return 0;
	}
	/*
	 * path and each folder above it, up to top: none a fence; each above
	 * it one the walk can list (not a folder it may only pass through).
	 */
	up = xstrdup(path);
	while (ok && strlen(up) > strlen(top)) {
		if (stat(up, &sb) == 0 && fenced(sc, &sb) != NULL)
			ok = 0;
		if ((slash = strrchr(up, '/')) == NULL)
			break;
		*slash = '\0';
		if (faccessat(AT_FDCWD, up[0] != '\0' ? up : "/",
		    R_OK | X_OK, AT_EACCESS) == -1)
			ok = 0;
	}
	free(up);
	return ok;
}

/*
 * Open a source: a directory or a single file. The source itself may be
 * reached through links (a card mounted at /media/x, linked from
 * /mnt/card); nothing below it is. Returns its root for scan_walk, or -1
 * after saying why it is unusable.
 */
int
scan_source(struct scan *sc, const char *root)
{
	const struct scan_fence	*f;
	struct stat		 sb;
	char			*real, *clean, buf[PATH_MAX];
	size_t			 n;
	int			 fd, r;

	if (stat(root, &sb) == -1) {
		log_warn("%s", log_path(root, buf, sizeof buf));
		return -1;
	}
	if ((real = realpath(root, NULL)) != NULL &&
	    (f = fenced_path(sc, real)) != NULL) {
		log_warnx("%s: is %s or inside it, not a source",
		    log_path(root, buf, sizeof buf), f->what);
		free(real);
		return -1;
	}
	free(real);
	if (!S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode)) {
		log_warnx("%s: not a file or directory",
		    log_path(root, buf, sizeof buf));
		return -1;
	}
	clean = xstrdup(root);
	n = strlen(clean);
	while (n > 1 && clean[n - 1] == '/')
		clean[--n] = '\0';
	if (S_ISREG(sb.st_mode))
		r = scan_source_file(sc, root, clean);
	else if ((fd = open(clean, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		log_warn("%s", log_path(root, buf, sizeof buf));
		r = -1;
	} else
		r = scan_root(sc, clean, fd, NULL);
	free(clean);
	return r;
}

/*
 * Walk the source opened as root: each directory's files are handed to
 * the scan's fn as the directory is read (a single file, alone). Once fn
 * asked to stop, nothing more is walked or handed over.
 */
void
scan_walk(struct scan *sc, int root)
{
	struct scan_root	*r = &sc->roots[root];
	struct scan_frame	 fr;
	struct stat		 sb;
	char			 buf[PATH_MAX];
	size_t			 i;
	int			 fd;

	if (sc->stop || scan_dev_gone(sc, r->dev))
		return;
	for (i = 0; r->file == NULL && i < (size_t)root; i++)
		if (sc->roots[i].file == NULL && sc->roots[i].ino != 0 &&
		    sc->roots[i].dev == r->dev && sc->roots[i].ino == r->ino) {
			same_folder_say(sc, r->path, sc->roots[i].path);
			return;
		}
	if (r->file != NULL) {
		if (fstatat(r->fd, r->file, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(sb.st_mode)) {
			if (!sc->quiet)
				log_warnx("%s: no longer a regular file",
				    log_path(r->path, buf, sizeof buf));
			sc->failed++;
			return;
		}
		memset(&fr, 0, sizeof fr);
		fr.fd = -1;
		scan_push(sc, r->path, strlen(r->file), (unsigned)root, &sb);
		scan_take(sc, &fr);
		scan_hand(sc, &fr, NULL);
		scan_leave(&fr);
	} else if ((fd = dup(r->fd)) == -1) {
		if (!sc->quiet)
			log_warn("%s", log_path(r->path, buf, sizeof buf));
		sc->failed++;
	} else
		scan_tree(sc, (unsigned)root, fd, r->path);
}

/*
 * How many files, and bytes, the source opened as root holds: a walk that
 * keeps nothing and says nothing (for a progress line's totals).
 */
void
scan_count(struct scan *sc, int root, uint64_t *files, uint64_t *bytes)
{
	struct scan	save = *sc;

	sc->fn = NULL;
	sc->quiet = 1;
	sc->files = sc->bytes = 0;
	scan_walk(sc, root);
	*files = sc->files;
	*bytes = sc->bytes;
	sc->fn = save.fn;
	sc->quiet = save.quiet;
	sc->files = save.files;
	sc->bytes = save.bytes;
	sc->failed = save.failed;
	sc->skipped = save.skipped;
	sc->ignored = save.ignored;
	sc->stop = save.stop;
}

/*
 * Open the folder at the real path abs from / down, one folder at a time,
 * never through a link (a folder on the way swapped for one since abs was
 * found real). Its descriptor, or -1 with err set and errno (ELOOP: a link
 * on the way; see store_opendirs).
 */
int
scan_open_real(const char *abs, char *err, size_t errlen)
{
	int	rfd, fd, e;

	if (abs[0] != '/') {
		if ((fd = open(abs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC)) == -1)
			snprintf(err, errlen, "%s", strerror(errno));
		return fd;
	}
	if ((rfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "/: %s", strerror(errno));
		return -1;
	}
	fd = store_opendirs(rfd, abs, 0, "folder", err, errlen);
	e = errno;
	close(rfd);
	errno = e;
	return fd;
}

/*
 * A source folder path at or below the folder top (watch's DIR, its real
 * path as the watch began): opened from / one folder at a time, never
 * through a link, top and the folders above it included, so that a
 * folder swapped for a link since its files arrived (to a private folder
 * holding the same names) is not walked. Returns its root for scan_walk,
 * or -1 after saying why.
 */
int
scan_source_below(struct scan *sc, const char *top, const char *path)
{
	const struct scan_fence	*f;
	struct stat		 sb;
	const char		*rel = path + strlen(top);
	char			 err[PATH_MAX + 100], buf[PATH_MAX];
	int			 tfd, fd;

	while (*rel == '/')
		rel++;
	if ((tfd = scan_open_real(top, err, sizeof err)) == -1) {
		log_warnx("%s: %s", log_path(top, buf, sizeof buf), err);
		return -1;
	}
	if (*rel == '\0')
		fd = tfd;
	else {
		fd = store_opendirs(tfd, rel, 0, "folder", err, sizeof err);
		close(tfd);
	}
	if (fd == -1) {
		log_warnx("%s: %s", log_path(top, buf, sizeof buf), err);
		return -1;
	}
	if (fstat(fd, &sb) == 0 && (f = fenced(sc, &sb)) != NULL) {
		log_warnx("%s: is %s, not a source", log_path(path, buf,
		    sizeof buf), f->what);
		close(fd);
		return -1;
	}
	return scan_root(sc, path, fd, NULL);
}

/* Open the source root and walk it (scan_source, scan_walk); 0 or -1. */
int
scan_add(struct scan *sc, const char *root)
{
	int	r;

	if ((r = scan_source(sc, root)) == -1)
		return -1;
	scan_walk(sc, r);
	return 0;
}
