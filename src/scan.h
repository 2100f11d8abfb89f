/*
 * scan.h: walking sources (scan.c), for the import command.
 */
#ifndef SCAN_H
#define SCAN_H

#include <sys/stat.h>

/*
 * One file found. Kept small (a card can hold 100,000 files and a NAS has
 * little memory): the few stat fields import needs, the path in the scan's
 * arena.
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
};

struct scan {
	struct scan_entry	*e;
	size_t			 n;
	size_t			 cap;
	uint64_t		 bytes;		/* of regular files found */
	unsigned		 failed;	/* unreadable directories */
	unsigned		 skipped;	/* FIFOs, devices, links */
	unsigned		 ignored;	/* temporary names: never taken */
	struct scan_root	*roots;
	size_t			 nroots;
	dev_t			 skip_dev;	/* the library: never a source */
	ino_t			 skip_ino;
	struct scan_arena	*arena;		/* where the paths live */
};

struct scan	*scan_new(void);
void		 scan_free(struct scan *);
int		 scan_add(struct scan *, const char *);
void		 scan_group(struct scan *);
void		 scan_entry_stat(const struct scan_entry *, struct stat *);
int		 scan_ignored_name(const char *, int);

/* source.c: scanned files, opened and removed without following links */
int		 source_open(const struct scan *, const struct scan_entry *,
		    struct stat *, char *, size_t);
int		 source_same(const struct stat *, const struct stat *);
int		 source_remove(const struct scan *, const struct scan_entry *,
		    const struct stat *, const char *, char *, size_t);

#endif /* SCAN_H */
