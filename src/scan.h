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
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
	long		 main;		/* index of our main file, or -1 */
	long		 next;		/* next sidecar of the same main, or -1 */
	long		 first;		/* our first sidecar, or -1 */
};

struct scan_arena;

struct scan {
	struct scan_entry	*e;
	size_t			 n;
	size_t			 cap;
	uint64_t		 bytes;		/* of regular files found */
	unsigned		 failed;	/* unreadable directories */
	unsigned		 skipped;	/* FIFOs, devices, stray links */
	dev_t			 skip_dev;	/* the library: never a source */
	ino_t			 skip_ino;
	struct scan_arena	*arena;		/* where the paths live */
};

struct scan	*scan_new(void);
void		 scan_free(struct scan *);
int		 scan_add(struct scan *, const char *);
void		 scan_group(struct scan *);
void		 scan_entry_stat(const struct scan_entry *, struct stat *);

#endif /* SCAN_H */
