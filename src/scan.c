/*
 * scan.c: walk the sources. Collects regular files (dot-files, dot-directories
 * and the temporary names of uploads and sync tools left alone; FIFOs,
 * devices and symbolic links skipped, never followed), then pairs sidecars (.XMP, name.ext.xmp, .THM, .AAE, .LRV, Sony's
 * M01.XML ...) with the main file they belong to.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "shoebox.h"
#include "scan.h"

#define SCAN_MAXDEPTH	64

struct scan *
scan_new(void)
{
	struct scan	*sc = xcalloc(1, sizeof *sc);

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

/* A copy of s that lives as long as the scan. */
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

void
scan_free(struct scan *sc)
{
	struct scan_arena	*a, *next;
	size_t			 i;

	if (sc == NULL)
		return;
	for (a = sc->arena; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
	for (i = 0; i < sc->nroots; i++) {
		if (sc->roots[i].fd != -1)
			close(sc->roots[i].fd);
		free(sc->roots[i].path);
	}
	free(sc->roots);
	free(sc->e);
	free(sc);
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
static const char *const ignored_dirs[] = {
	"@eaDir", "#recycle", "#snapshot", "@Recycle", "@Recently-Snapshot",
	"$RECYCLE.BIN", "System Volume Information", "lost+found", NULL
};

/* True if a file (dir 0) or folder (dir 1) of this name is never taken. */
int
scan_ignored_name(const char *name, int dir)
{
	size_t	n = strlen(name), k;
	int	i;

	if (name[0] == '.' || strncmp(name, "~$", 2) == 0)
		return 1;
	if (dir) {
		for (i = 0; ignored_dirs[i] != NULL; i++)
			if (strcasecmp(name, ignored_dirs[i]) == 0)
				return 1;
		return 0;
	}
	for (i = 0; ignored_suffixes[i] != NULL; i++) {
		k = strlen(ignored_suffixes[i]);
		if (n > k && strcasecmp(name + n - k, ignored_suffixes[i]) == 0)
			return 1;
	}
	return 0;
}

static void
scan_push(struct scan *sc, const char *path, const char *rel,
    unsigned root, const struct stat *sb)
{
	struct scan_entry	*e;
	const char		*slash;

	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? sc->cap * 2 : 256;
		sc->e = xreallocarray(sc->e, sc->cap, sizeof *sc->e);
	}
	e = &sc->e[sc->n++];
	e->path = scan_strdup(sc, path);
	slash = strrchr(e->path, '/');
	e->name = slash != NULL ? slash + 1 : e->path;
	/* Below a directory root, rel is the tail of path: no copy. */
	e->rel = rel == NULL ? e->path + strlen(sc->roots[root].path) + 1 :
	    scan_strdup(sc, rel);
	e->root = root;
	e->dev = sb->st_dev;
	e->ino = sb->st_ino;
	e->size = sb->st_size;
	e->mtime = sb->st_mtim;
	e->ctime = sb->st_ctim;
	e->main = e->next = e->first = -1;
	sc->bytes += (uint64_t)sb->st_size;
}

/*
 * True if the resolved path real is the library or lies inside it: such a
 * source would be "imported" as duplicates of itself and, with --move,
 * deleted from the library.
 */
static int
in_library(const struct scan *sc, const char *real)
{
	struct stat	 sb;
	char		*p = xstrdup(real), *slash;
	int		 in = 0;

	if (sc->skip_dev == 0 && sc->skip_ino == 0)
		goto out;
	for (;;) {
		if (stat(p[0] != '\0' ? p : "/", &sb) == 0 &&
		    sb.st_dev == sc->skip_dev && sb.st_ino == sc->skip_ino) {
			in = 1;
			break;
		}
		if ((slash = strrchr(p, '/')) == NULL || p[0] == '\0')
			break;
		*slash = '\0';
	}
out:
	free(p);
	return in;
}

/*
 * Walk the directory open as dfd (its path dir, below root), adding what
 * it holds; dfd is closed. Every name is looked at and entered through its
 * directory's descriptor, never following a link: a folder swapped for a
 * link while the walk goes on is not entered.
 */
static void
scan_dir(struct scan *sc, unsigned root, int dfd, const char *dir,
    int depth)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	char		*path, buf[PATH_MAX];
	int		 cfd;

	if (depth > SCAN_MAXDEPTH) {
		log_warnx("%s: directories nested too deep, not entered",
		    log_path(dir, buf, sizeof buf));
		sc->failed++;
		close(dfd);
		return;
	}
	if ((d = fdopendir(dfd)) == NULL) {
		log_warn("%s", log_path(dir, buf, sizeof buf));
		sc->failed++;
		close(dfd);
		return;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		xasprintf(&path, "%s/%s", dir, de->d_name);
		if (fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
			log_warn("%s", log_path(path, buf, sizeof buf));
			sc->failed++;
		} else if (scan_ignored_name(de->d_name, S_ISDIR(sb.st_mode))) {
			log_debug("%s: a temporary or system name, left alone",
			    log_path(path, buf, sizeof buf));
			sc->ignored++;
		} else if (S_ISLNK(sb.st_mode)) {
			log_debug("%s: symbolic link, not followed",
			    log_path(path, buf, sizeof buf));
			sc->skipped++;
		} else if (S_ISDIR(sb.st_mode)) {
			if (sb.st_dev == sc->skip_dev &&
			    sb.st_ino == sc->skip_ino)
				log_info("%s: is the library, not scanned",
				    log_path(path, buf, sizeof buf));
			else if ((cfd = openat(dfd, de->d_name, O_RDONLY |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
				log_warn("%s", log_path(path, buf,
				    sizeof buf));
				sc->failed++;
			} else
				scan_dir(sc, root, cfd, path, depth + 1);
		} else if (S_ISREG(sb.st_mode))
			scan_push(sc, path, NULL, root, &sb);
		else
			sc->skipped++;	/* FIFO, device, socket */
		free(path);
	}
	if (errno != 0) {
		log_warn("%s", log_path(dir, buf, sizeof buf));
		sc->failed++;
	}
	closedir(d);
}

/* Remember a root: its path as given and its directory, opened. */
static unsigned
scan_root(struct scan *sc, const char *path, int fd)
{
	sc->roots = xreallocarray(sc->roots, sc->nroots + 1,
	    sizeof *sc->roots);
	sc->roots[sc->nroots].path = xstrdup(path);
	sc->roots[sc->nroots].fd = fd;
	return (unsigned)sc->nroots++;
}

/*
 * Add a source: a directory (walked) or a single file. The source itself
 * may be reached through links (a card mounted at /media/x, linked from
 * /mnt/card); nothing below it is. -1 if unusable.
 */
int
scan_add(struct scan *sc, const char *root)
{
	struct stat	 sb;
	char		*real, *clean, *dir, buf[PATH_MAX];
	const char	*base;
	size_t		 n;
	int		 fd;

	if (stat(root, &sb) == -1) {
		log_warn("%s", log_path(root, buf, sizeof buf));
		return -1;
	}
	if ((real = realpath(root, NULL)) != NULL && in_library(sc, real)) {
		log_warnx("%s: is the library or inside it, not a source",
		    log_path(root, buf, sizeof buf));
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
	if (S_ISREG(sb.st_mode)) {
		/* A file: its directory is the root, its name not followed. */
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
		if (fd == -1 || fstatat(fd, base, &sb,
		    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISREG(sb.st_mode)) {
			if (fd != -1 && S_ISLNK(sb.st_mode))
				log_warnx("%s: a symbolic link, not followed: "
				    "give the file it points to",
				    log_path(root, buf, sizeof buf));
			else
				log_warn("%s", log_path(root, buf, sizeof buf));
			if (fd != -1)
				close(fd);
			free(clean);
			return -1;
		}
		scan_push(sc, clean, base, scan_root(sc, clean, fd), &sb);
		free(clean);
		return 0;
	}
	if ((fd = open(clean, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_warn("%s", log_path(root, buf, sizeof buf));
		free(clean);
		return -1;
	}
	/* The walk closes its fd: keep the root's own for opening later. */
	scan_dir(sc, scan_root(sc, clean, fd), dup(fd), clean, 0);
	free(clean);
	return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct scan_entry	*x = a, *y = b;

	return strcmp(x->path, y->path);
}

/* Length of the directory part of path (up to the last '/'). */
static size_t
dir_len(const char *path)
{
	const char	*s = strrchr(path, '/');

	return s != NULL ? (size_t)(s - path) : 0;
}

/* Extensions a sidecar may pair by; preference for mains: RAW over JPEG. */
static int
main_rank(const char *name)
{
	const char	*dot = strrchr(name, '.');

	if (dot == NULL)
		return 1;
	if (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0 ||
	    strcasecmp(dot, ".heic") == 0)
		return 1;
	return 2;
}

/* Does main (a file name) own sidecar (a file name)? */
static int
pairs(const char *sidecar, const char *main)
{
	const char	*sdot = strrchr(sidecar, '.'), *mdot = strrchr(main, '.');
	size_t		 sstem, mstem;

	if (sdot == NULL || mdot == NULL || is_sidecar_name(main))
		return 0;
	sstem = (size_t)(sdot - sidecar);
	mstem = (size_t)(mdot - main);
	/* IMG_0001.CR2.xmp, IMG_0001.JPG.json: the full name plus one ext. */
	if (sstem == strlen(main) && strncasecmp(sidecar, main, sstem) == 0)
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
 * Sort what was found and attach each sidecar to its main file in the same
 * directory. Sidecars that pair with nothing stay ordinary files.
 */
void
scan_group(struct scan *sc)
{
	size_t	 i, j, start, end, dl;
	long	 best, *tail;
	int	 rank, r;

	if (sc->n == 0)
		return;
	qsort(sc->e, sc->n, sizeof *sc->e, entry_cmp);
	for (start = 0; start < sc->n; start = end) {
		dl = dir_len(sc->e[start].path);
		for (end = start + 1; end < sc->n; end++)
			if (dir_len(sc->e[end].path) != dl ||
			    strncmp(sc->e[end].path, sc->e[start].path, dl) !=
			    0)
				break;
		for (i = start; i < end; i++) {
			if (!is_sidecar_name(sc->e[i].name))
				continue;
			best = -1;
			rank = 0;
			for (j = start; j < end; j++) {
				if (j == i || !pairs(sc->e[i].name,
				    sc->e[j].name))
					continue;
				r = main_rank(sc->e[j].name);
				if (r > rank) {
					rank = r;
					best = (long)j;
				}
			}
			if (best == -1)
				continue;
			sc->e[i].main = best;
			tail = &sc->e[best].first;
			while (*tail != -1)
				tail = &sc->e[*tail].next;
			*tail = (long)i;
		}
	}
}
