/*
 * import.h: what the files of the import command share (cmd-import.c, the
 * command and the run's stages; import-file.c, one file's stages;
 * import-plan.c, names and the dry run; import-batch.c, filing copies and
 * committing them; import-library.c, the library's lock and directories).
 * Not for other commands: they call import_run().
 */
#ifndef IMPORT_H
#define IMPORT_H

#include <sys/stat.h>

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "catalog.h"
#include "scan.h"
#include "store.h"

#define DIRCACHE	32	/* library directories kept open */

/* What happened to one source file. */
enum outcome {
	OUT_IMPORTED,
	OUT_DUPLICATE,
	OUT_SIDECAR,
	OUT_ALREADY,
	OUT_SKIPPED,
	OUT_WAITING,	/* still arriving or changed: left for a later run */
	OUT_NOTTRIED,	/* the run stopped first (library full, signal) */
	OUT_FAILED,
	OUT_PENDING,	/* copied, to be filed by batch_flush(): not counted */
	OUT_NEXT	/* import_file: on to the next stage */
};

/*
 * A source to remove once the transaction is committed (--move): the file
 * as it was when read and verified, and the hash of what was read.
 */
struct move {
	struct scan_entry	*e;		/* a copy (scan_entry_dup) */
	struct stat		 id;
	uint64_t		 mnt;		/* its mount when read, or 0 */
	char			 sha256[65];
};

/* A copy this run linked into the library, not yet committed. */
struct filed {
	char		*src;		/* the source, as found */
	char		*rel;		/* the copy, relative to the library */
	int		 dirfd;		/* its folder, as linked in */
	enum outcome	 o;		/* as reported */
	uint64_t	 size;
};

/* Where a main file went: its sidecars follow it there. */
struct placed {
	int64_t		 id;		/* files.id, or 0 */
	char		 dir[PATH_MAX];	/* relative to the library */
	char		 name[STORE_NAME_MAX];
	char		 orig[STORE_NAME_MAX];	/* its name on the source */
	struct meta	 meta;
};

/*
 * A copy made but not yet filed: a batch of these is made durable together
 * (one syncfs()), then each is linked and catalogued, each directory made
 * durable once and the catalogue committed (import-batch.c). Until then it
 * is an unnamed file, so a crash leaves nothing.
 */
struct pending {
	struct scan_entry *e;		/* the source, as scanned: a copy */
	char		*path;
	char		*abspath;
	struct stat	 sb;
	uint64_t	 mnt;		/* its mount when read (--move) */
	struct meta	 meta;
	char		*dir;		/* relative to the library */
	char		*name;		/* the name it wants */
	int		 dirfd;		/* borrowed from the directory cache */
	struct store_file f;
	int64_t		 main_id;
	int		 sidecar;
	char		*main_name;	/* a sidecar's main file's name */
	struct import	*imp;		/* for plan_sidecars_free */
	char		**scpaths;	/* a main file's sidecars, as found */
	int		 nsc;
	int		 cleaned;	/* its name was made clean (said once
					   filed, with the name it got) */
};

/* One source file on its way through import_file's stages. */
struct infile {
	const struct scan_entry	*e;		/* as scanned */
	struct placed		*mp;		/* a sidecar's main file, or NULL */
	struct placed		*out;		/* where it goes */
	char			 abspath[PATH_MAX * 2];	/* as recorded */
	struct stat		 sb;
	uint64_t		 mnt;		/* its mount (--move), or 0 */
	int			 fd;		/* open once read, or -1 */
	struct sb_src		 s;		/* its first bytes, read */
	struct meta		 m;
	char			 name[NAME_MAX * 4 + 1];	/* filed as */
	int			 cleaned;	/* name made clean */
	char			 err[512];	/* why it failed */
};

/* An open library directory, and whether links in it await an fsync. */
struct libdir {
	char		*dir;
	int		 fd;
	int		 dirty;
	int		 foreign;	/* another filesystem: no syncfs */
	dev_t		 dev;		/* what dir was when opened */
	ino_t		 ino;
	int		 moved;		/* not at dir now (lib_dir_moved) */
	unsigned	 checked;	/* the dircheck last checked in */
	char		 why[256];	/* what is at dir now, if said */
};

/* One run of import: its options, its library, and what it did. */
struct import {
	struct sb_ctx	*ctx;
	struct scan	*sc;
	struct catalog	*cat;		/* NULL in a dry run without one */
	const char	*library;
	int		 libfd;
	dev_t		 lib_dev;	/* the library's disk ... */
	int		 lib_dev_known;	/* ... once opened (library_fence) */
	int		 lockfd;
	char		*tmpdir;
	const char	*pattern;
	const char	*names;		/* the name template, or NULL */
	struct seqstate	*seq;		/* {seq}'s numbers (import-plan.c) */
	int		 dry_run;
	int		 move;
	int		 json;
	int		 progress;
	int		 verify;
	int		 sync;
	double		 settle;	/* seconds unchanged before taken */
	char		**beneath;	/* import_opts' */
	int		 nbeneath;
	int		 arriving_quiet;

	uint8_t		*head;
	char		 cwd[PATH_MAX];

	int		 in_txn;
	int		 in_read;	/* a read transaction (read_begin) */
	struct cat_folder *folder;	/* its folder's sources, or NULL */
	unsigned	 txn_files;
	time_t		 txn_start;
	struct move	*moves;		/* sources to delete after commit */
	size_t		 nmoves;
	size_t		 capmoves;
	struct move	*gmoves;	/* the group's, held until it is whole */
	size_t		 ngmoves;
	size_t		 capgmoves;
	int		 group_hold;
	struct filed	*filed;		/* copies linked in this transaction */
	size_t		 nfiled;
	size_t		 capfiled;

	struct pending	**pending;	/* the batch in flight */
	size_t		 batch_max;	/* copies a batch holds (batch_room) */
	size_t		 npending;
	uint64_t	 pending_bytes;
	struct timespec	 batch_start;
	struct pending	**sealed;	/* the batch before: being synced */
	size_t		 nsealed;
	pthread_t	 syncer;	/* its syncfs(), if syncing */
	int		 syncing;	/* syncer runs, or ran: to be joined */
	int		 sync_rc;	/* syncfs()'s return, once joined */
	atomic_int	 sync_done;	/* set by syncer when it returns */
	struct libdir	 dirs[DIRCACHE];
	size_t		 ndirs;
	unsigned	 dircheck;	/* lib_dir_moved: checks this turn */
	const char	*abort_why;	/* txn_abort: why its copies went */

	char		**planned;	/* dry run: hashes and names seen, */
	size_t		 nplanned;	/* an open-addressing set */
	size_t		 capplanned;

	unsigned long	 count[OUT_FAILED + 1];
	unsigned long	 warnings;
	int		 full;		/* the library's disk is full: stop */
	int		 readonly;	/* its filesystem went read-only: stop */
	uint64_t	 inodes;	/* when it was, all its inodes used */
	unsigned long	 nofit;		/* files bigger than what was free */
	uint64_t	 nofit_bytes;	/* their bytes */
	int		 unrecognised;	/* import_unrecognised = yes */
	uint64_t	 expect_files;	/* the progress line's counting walk */
	uint64_t	 expect_bytes;
	uint64_t	 bytes_done;
	uint64_t	 bytes_copied;
	struct timespec	 started;
	struct timespec	 last_progress;
	int		 progress_shown;
};

/* cmd-import.c: the command, the run's stages, messages */
extern volatile sig_atomic_t import_interrupted;
double		 elapsed(const struct timespec *since);
void		 progress_clear(struct import *imp);
void		 say(struct import *imp, const char *path, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
void		 library_full(struct import *imp);
void		 library_read_only(struct import *imp);

/*
 * The run stops taking files: the library's disk is full or read-only, or
 * sqlite found the catalogue damaged (catalog_error). What it does not
 * reach is counted as not attempted.
 */
static inline int
import_halted(const struct import *imp)
{
	return imp->full || imp->readonly || (imp->cat != NULL &&
	    imp->cat->damaged);
}
/* Does --move remove e once filed (not a dry run, nor a read-only root)? */
static inline int
import_moves(const struct import *imp, const struct scan_entry *e)
{
	return imp->move && !imp->dry_run && !imp->sc->roots[e->root].keep;
}
void		 say_failed(struct import *imp, const char *path,
		    const char *err);
void		 report(struct import *imp, const char *src, enum outcome o,
		    const char *dest, const struct meta *m, const char *sha,
		    const char *error);

/* import-file.c: one file's stages */
void		 import_group(struct import *imp, struct scan *sc, size_t i);

/* import-plan.c: the names files are filed under; the dry run */
int		 clean_name(const char *name, char *out, size_t size);
int		 dest_dir(const char *pattern, const struct meta *m,
		    const char *name, char *out, size_t size);
int		 plan_place(struct import *imp, struct infile *f);
void		 plan_cleaned(struct import *, const char *, const char *);
int		 plan_sidecars_free(void *, int, const char *);
int		 plan_catalogued(struct import *, const char *, const char *);
char		*plan_sidecar_alt(const char *, const char *);
void		 seq_free(struct import *imp);
enum outcome	 import_plan(struct import *imp, struct infile *f);

/* import-batch.c: copies filed in batches, catalogued in transactions */
void		 read_begin(struct import *imp);
void		 read_end(struct import *imp);
int		 txn_need(struct import *imp, int may_commit);
int		 txn_commit(struct import *imp);
void		 move_later(struct import *imp, const struct scan_entry *e,
		    const struct stat *id, uint64_t mnt, const char *sha,
		    const char *rel);
void		 group_end(struct import *imp, const struct scan_entry *main,
		    int whole);
void		 placed_at(struct placed *out, int64_t id, const char *rel);
enum outcome	 import_finish(struct import *imp, struct pending *p,
		    int dirsync, struct placed *out);
void		 batch_push(struct import *imp, struct pending *p);
void		 batch_flush(struct import *imp);
void		 pending_free(struct pending *p);

/* import-library.c: the library opened (locked), its directories and copies */
int		 import_open(struct import *imp);
void		 import_close(struct import *imp);
int		 lib_dir_foreign(const struct import *imp, int fd);
int		 lib_dir_moved(struct import *imp, int fd, char *err,
		    size_t errlen);
int		 lib_dir(struct import *imp, const char *dir, char *err,
		    size_t errlen);
int		 lib_check(struct import *imp, const struct cat_file *f,
		    char *why, size_t whylen);

#endif /* IMPORT_H */
