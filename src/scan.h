/*
 * scan.h: walking sources a directory at a time (scan.c), for import,
 * adopt and verify; pairing sidecars (scan-group.c); opening and removing
 * what was found (source.c).
 */
#ifndef SCAN_H
#define SCAN_H

#include <sys/stat.h>

#define SCAN_GONE_MAX	8	/* disks found gone that a run remembers */

/*
 * One file found. Kept small (a directory can hold 100,000 files and a NAS
 * has little memory): the few stat fields import needs, the path in the
 * scan's arena, valid until the directory's turn is over (scan_entry_dup
 * makes a copy that lasts).
 */
struct scan_entry {
	char		*path;		/* as found: ROOT/sub/name */
	const char	*name;		/* last component of path */
	const char	*rel;		/* below its root: sub/name */
	unsigned	 root;		/* index in scan.roots */
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
	struct timespec	 ctime;
	long		 main;		/* index of our main file, or -1 */
	long		 next;		/* next sidecar of the same main, or -1 */
	long		 first;		/* our first sidecar, or -1 */
};

struct scan_arena;

/* A source as given, and its directory opened once (links resolved). */
struct scan_root {
	char		*path;		/* as given */
	int		 fd;		/* the directory its entries are below */
	const char	*file;		/* a single file: its name, in fd */
	int		 keep;		/* read-only: --move removes nothing */
	int		 shared;	/* fd is another root's: not closed */
	int		 frozen;	/* on a read-only local filesystem:
					   nothing there is still arriving */
	dev_t		 dev;		/* the folder's, or a file's folder's */
	ino_t		 ino;
};

struct scan;

/*
 * Called with a directory's files in sc->e[0..n), sorted and grouped, to
 * take those in [from, to) (sidecars may lie outside: they go with their
 * main file); a directory comes in turns between its folders, so that the
 * files come in the order of their paths. -1 stops the walk.
 */
typedef int	(*scan_fn)(struct scan *, size_t, size_t, void *);

/*
 * A folder never walked, nor taken as a source: the library, and each dir
 * remote's folder (its copies are backups, not new photos; --move would
 * delete them as duplicates of the library's). A strict fence is refused
 * as a source even when given by name; another only when met in a walk.
 */
struct scan_fence {
	dev_t			 dev;
	ino_t			 ino;
	int			 known;		/* dev, ino: a folder is there */
	char			*path;		/* looked up again, or NULL */
	char			*what;		/* "the library", ... */
	int			 strict;
};

struct scan {
	struct scan_entry	*e;		/* the directory in hand */
	size_t			 n;
	size_t			 cap;
	uint64_t		 files;		/* regular files found so far */
	uint64_t		 bytes;		/* and their bytes */
	unsigned		 failed;	/* unreadable directories */
	unsigned		 skipped;	/* FIFOs, devices, links */
	unsigned		 ignored;	/* temporary names: never taken */
	struct scan_root	*roots;
	size_t			 nroots;
	struct scan_fence	*fences;	/* folders never walked */
	size_t			 nfences;
	struct scan_arena	*arena;		/* where the paths live */
	scan_fn			 fn;		/* NULL: only count */
	void			*arg;
	int			 stop;		/* fn said stop */
	int			 quiet;		/* counting: say nothing */
	dev_t			 gone_dev[SCAN_GONE_MAX]; /* scan_gone */
	int			 gone;
};

struct scan	*scan_new(scan_fn, void *);
void		 scan_free(struct scan *);
void		 scan_fence(struct scan *, const struct stat *, const char *,
		    int);
void		 scan_fence_path(struct scan *, const char *, const char *,
		    int);
int		 scan_source(struct scan *, const char *);
int		 scan_source_below(struct scan *, const char *, const char *);
void		 scan_walk(struct scan *, int);
int		 scan_gone(struct scan *, dev_t, const char *);
int		 scan_dev_gone(const struct scan *, dev_t);
void		 scan_count(struct scan *, int, uint64_t *, uint64_t *);
int		 scan_add(struct scan *, const char *);
void		 scan_entry_stat(const struct scan_entry *, struct stat *);
struct scan_entry *scan_entry_dup(const struct scan_entry *);
int		 scan_ignored_name(const char *, int);
int		 scan_open_real(const char *, char *, size_t);
int		 scan_is_library(int, const char *);
int		 scan_reaches(const struct scan *, const char *, const char *,
		    int);

/* scan-group.c: a directory's files sorted, sidecars paired */
void		 scan_group(struct scan *);
int		 scan_sidecar_of(const char *, const char *);
size_t		 scan_sidecar_prefix(const char *);

/* source.c: scanned files, opened and removed without following links */
int		 source_open(const struct scan *, const struct scan_entry *,
		    struct stat *, char *, size_t);
int		 source_same(const struct stat *, const struct stat *);
int		 source_unchanged(int, const struct stat *);
int		 source_gone(const struct scan *, const struct scan_entry *);
int		 source_aside_name(const char *, char *, size_t);
int		 source_writing(int, dev_t);
int		 source_open_beneath(const struct scan *,
		    const struct scan_entry *, int);
uint64_t	 source_mount(int);
int		 source_remove(const struct scan *, const struct scan_entry *,
		    const struct stat *, uint64_t, const char *, char *, size_t);

#endif /* SCAN_H */
