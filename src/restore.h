/*
 * restore.h: what cmd-restore.c (files back from a remote, by the
 * catalogue) and restore-rebuild.c (a library and its catalogue from a
 * remote's listing alone) share.
 */
#ifndef RESTORE_H
#define RESTORE_H

#include <limits.h>
#include <stdint.h>

#include "remote.h"

/* What became of one file. */
enum rstate {
	R_RESTORED, R_PRESENT, R_DIFFERENT, R_FAILED, R_MISSING, R_SKIPPED,
	R_NOTTRIED,	/* does not fit in what is free on the library's disk */
	R_UNSENT,	/* --to: catalogued, never uploaded to the remote */
	R_N
};

/* One file to bring back, as the catalogue (or a listing) has it. */
struct rfile {
	int64_t		 id;
	char		 path[PATH_MAX];	/* relative to the library */
	char		 remote_path[PATH_MAX];	/* its name on the remote */
	char		 sha256[65];		/* or "": a listing's */
	int64_t		 size;
	int64_t		 mtime_ns;
	int		 has_mtime;
};

struct restore {
	struct catalog	*cat;
	struct remote	*r;
	struct xfer	 x;
	const char	*library;
	char		*tmpdir;	/* LIBRARY/.shoebox/tmp */
	int		 libfd;
	const char	*since;		/* imported_at >= this, or NULL */
	int		 json;
	int		 dry_run;
	int		 fresh;		/* --to: the library is empty */
	int		 rebuild;	/* --rebuild: not finished in place */
	unsigned long	 left_out;	/* --to --since: catalogued before */
	int		 stop;		/* the remote refused, or the
					   library's disk is full: stop */
	int		 full;		/* the library's disk is full */
	int		 readonly;	/* or read-only */
	uint64_t	 nofit_bytes;	/* of the R_NOTTRIED files */
	int		 absent;	/* the last get found nothing */
	struct meter	 meter;
	unsigned long	 count[R_N];
	unsigned long	 unchecked;	/* rebuilt without a remote checksum */
	uint64_t	 files;		/* looked at */
	uint64_t	 bytes;		/* downloaded */
	char		 sha256[65];	/* of the last file that came */
};

/* cmd-restore.c */
void		 restore_report(struct restore *rs, enum rstate s,
		    const struct rfile *f, const char *why);
int		 restore_path_ok(const char *rel);
enum rstate	 restore_file(struct restore *rs, const struct rfile *f,
		    char *why, size_t size);
enum rstate	 restore_peek(struct restore *rs, const struct rfile *f,
		    char *why, size_t size);
int		 restore_to_empty(const char *dir, const char *name);
void		 restore_summary(struct restore *rs);
const char	*restore_stopped(const struct restore *rs);
int		 restore_whole(const struct restore *rs);

/* restore-rebuild.c */
int		 restore_rebuild(struct restore *rs, struct sb_ctx *ctx,
		    const char *dir);

#endif /* RESTORE_H */
