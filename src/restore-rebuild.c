/*
 * restore-rebuild.c: "shoebox restore --rebuild --remote NAME --to DIR":
 * the library and its catalogue lost, get both back from a remote alone.
 * The remote is listed (remote_ops.list: a page or a folder at a time) and
 * every file under its prefix is downloaded into the empty DIR at the
 * same path, as restore brings any file back (straight to disk, hashed as
 * it arrives, linked into place only when whole and checked), checked
 * against its listed size and the SHA-256 the remote keeps (S3's
 * x-amz-meta-sha256) where it keeps one, with the mtime the remote keeps.
 * Shoebox's own temporaries and dot-files are skipped. Then DIR is
 * catalogued as adopt does it (its entry point, called as a command), and
 * the remote's upload jobs are marked done at those names, so that the
 * next sync uploads nothing again.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shoebox.h"
#include "catalog.h"
#include "restore.h"
#include "store.h"

/* A listing being restored. */
struct rebuild {
	struct restore	*rs;
	struct rfile	*f;	/* the file at hand */
};

/* Does rel have a part that starts with a dot (a dot-file, .shoebox)? */
static int
rebuild_hidden(const char *rel)
{
	const char	*p = rel;

	for (;;) {
		if (*p == '.')
			return 1;
		if ((p = strchr(p, '/')) == NULL)
			return 0;
		p++;
	}
}

/* Download one file of the listing into the new library. */
static int
rebuild_one(void *arg, const struct remote_entry *e)
{
	struct rebuild	*rb = arg;
	struct restore	*rs = rb->rs;
	struct rfile	*f = rb->f;
	struct stat	 sb;
	enum rstate	 s;
	char		 why[PATH_MAX + 512];

	if (stop_requested || rs->stop)
		return -1;
	memset(f, 0, sizeof *f);
	rs->files++;
	meter_show(&rs->meter, rs->files, rs->bytes, 0);
	why[0] = '\0';
	snprintf(f->path, sizeof f->path, "%s", e->name);
	snprintf(f->remote_path, sizeof f->remote_path, "%s", e->name);
	f->size = (int64_t)e->size;
	if (e->error != NULL) {
		/* a folder not listed: its files are not restored */
		meter_clear(&rs->meter);
		log_warnx("%s: %s", f->remote_path, e->error);
		restore_report(rs, R_FAILED, f, e->error);
		return 0;
	}
	if (remote_is_tmp(e->name) || rebuild_hidden(e->name)) {
		restore_report(rs, R_SKIPPED, f, remote_is_tmp(e->name) ?
		    "a temporary file of an upload" : "a dot-file");
		return 0;
	}
	if (strlen(e->name) >= sizeof f->path || !restore_path_ok(e->name)) {
		restore_report(rs, R_FAILED, f, "not a path a library can "
		    "hold");
		return 0;
	}
	if (rs->dry_run)
		s = R_MISSING;
	else if (fstatat(rs->libfd, f->path, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		/*
		 * Listed twice (a page boundary): present. But a folder there
		 * is another object's: S3 holds NAME and NAME/x side by side,
		 * a disk cannot. NAME is not restored, and the run says so.
		 */
		s = R_PRESENT;
		if (!S_ISREG(sb.st_mode) || sb.st_size != f->size) {
			snprintf(why, sizeof why, "not restored: %s holds its "
			    "name (the remote also has objects under %s/)",
			    S_ISDIR(sb.st_mode) ? "a folder" : "another file",
			    e->name);
			s = R_FAILED;
		}
	} else if ((s = restore_file(rs, f, why, sizeof why)) == R_FAILED &&
	    rs->absent && e->alt != NULL) {
		/* s3rver's doubly escaped key: its second reading */
		snprintf(f->path, sizeof f->path, "%s", e->alt);
		snprintf(f->remote_path, sizeof f->remote_path, "%s", e->alt);
		if (restore_path_ok(f->path))
			s = restore_file(rs, f, why, sizeof why);
	}
	if (s == R_FAILED) {
		meter_clear(&rs->meter);
		log_warnx("%s: %s", f->remote_path, why);
	}
	restore_report(rs, s, f, why[0] != '\0' ? why : NULL);
	return 0;
}

/* Make dir (absent or empty) a library to fill: .shoebox, tmp. 0 or -1. */
static int
rebuild_prepare(struct restore *rs, const char *dir)
{
	char	err[PATH_MAX + 64];

	switch (restore_empty(dir)) {
	case -1:
		return -1;
	case 0:
		log_warnx("restore: --to %s: not empty (a new or empty "
		    "directory becomes the library)", dir);
		return -1;
	}
	xasprintf(&rs->tmpdir, "%s/.shoebox/tmp", dir);
	if (store_mkdirs(AT_FDCWD, rs->tmpdir, err, sizeof err) == -1) {
		log_warnx("restore: %s", err);
		return -1;
	}
	if ((rs->libfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		log_warn("restore: %s", dir);
		return -1;
	}
	rs->library = dir;
	return 0;
}

/* Catalogue dir as "shoebox adopt" would; adopt's exit status. */
static int
rebuild_adopt(struct sb_ctx *ctx, const char *dir)
{
	static char	 a0[] = "adopt", a1[] = "--settle", a2[] = "0";
	static char	 a3[] = "--no-progress";
	char		*argv[] = { a0, a1, a2, a3, NULL };
	struct sb_ctx	 actx = *ctx;
	struct cmd_args	 args;

	actx.library = dir;
	actx.rebuild = 1;
	if (cmd_parse(&cmd_adopt_entry, 4, argv, 0, &args) == -1)
		return EXIT_USAGE;
	return cmd_adopt_entry.exec(&actx, &args);
}

/*
 * Every file now catalogued in dir is on remote at its own path: its
 * upload job for remote done there (made if adopt did not). 0 or -1.
 */
static int
rebuild_mark(const char *dir, const char *remote)
{
	struct catalog	*cat;
	sqlite3_stmt	*st;
	int		 rc = -1, i;
	static const char *const sql[] = {
		"INSERT OR IGNORE INTO upload_jobs (remote_id, file_id,"
		" queued_at) SELECT " CATALOG_REMOTE("?1") ", id, ?2 FROM"
		" files",
		"UPDATE upload_jobs SET status = 'done', skipped = 1,"
		" done_at = ?2, last_error = NULL, remote_path ="
		" (SELECT path FROM files WHERE id = file_id)"
		" WHERE remote_id = " CATALOG_REMOTE("?1") " AND status !="
		" 'done'"
	};
#define NSQL	(int)(sizeof sql / sizeof sql[0])

	if ((cat = catalog_open(dir, CATALOG_NEW)) == NULL)
		return -1;
	if (catalog_begin(cat) == -1)
		goto out;
	if (catalog_add_remote(cat, remote) == -1) {
		catalog_rollback(cat);
		goto out;
	}
	for (i = 0; i < NSQL; i++) {
		if ((st = catalog_prepare(cat, sql[i])) == NULL)
			break;
		catalog_bind_text(st, 1, remote);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
		if (sqlite3_step(st) != SQLITE_DONE) {
			catalog_error(cat, "marking the remote's files done");
			sqlite3_finalize(st);
			break;
		}
		sqlite3_finalize(st);
	}
	if (i < NSQL)
		catalog_rollback(cat);
	else
		rc = catalog_commit(cat);
out:
	catalog_close(cat);
	return rc;
}

/* After the files: the catalogue (adopt), the jobs; exit status. */
static int
rebuild_catalogue(struct restore *rs, struct sb_ctx *ctx, const char *dir)
{
	int	rc;

	rc = rebuild_adopt(ctx, dir);
	if (rebuild_mark(dir, rs->r->name) == -1) {
		log_warnx("restore: %s: the catalogue could not record that "
		    "the files are on remote %s (a sync would look for each "
		    "there again, and upload none)", dir, rs->r->name);
		return EXIT_SOMEFAILED;
	}
	return rc;
}

/* restore --rebuild: see the top of this file. The exit status. */
int
restore_rebuild(struct restore *rs, struct sb_ctx *ctx, const char *dir)
{
	struct rebuild	 rb;
	int		 lockfd = -1, rc = EXIT_USAGE, lrc;

	if (rs->r->ops->list == NULL) {
		log_warnx("restore: --rebuild cannot list a remote of type "
		    "%s yet (remote %s)", rs->r->ops->type, rs->r->name);
		return EXIT_USAGE;
	}
	if (remote_emptied(rs->r, "restore"))
		return EXIT_SOMEFAILED;	/* nothing to rebuild from */
	if (!rs->dry_run && (rebuild_prepare(rs, dir) == -1 ||
	    (lockfd = lock_library(dir, "restore")) == -1))
		return EXIT_USAGE;
	rb.rs = rs;
	rb.f = xmalloc(sizeof *rb.f);
	lrc = rs->r->ops->list(&rs->x, rebuild_one, &rb);
	meter_show(&rs->meter, rs->files, rs->bytes, 1);
	meter_clear(&rs->meter);
	free(rb.f);
	rc = EXIT_SOMEFAILED;
	if (stop_requested || rs->stop) {
		log_warnx("restore %s; run it again into a new directory",
		    stop_requested ? "interrupted" : restore_stopped(rs));
		goto out;
	}
	if (lrc != REMOTE_OK) {
		log_warnx("restore: listing remote %s: %s", rs->r->name,
		    rs->x.error);
		goto out;
	}
	restore_summary(rs);
	if (rs->count[R_FAILED] + rs->count[R_DIFFERENT] +
	    rs->count[R_NOTTRIED] == 0)
		rc = EXIT_ALLGOOD;
	if (rs->dry_run)
		goto out;
	close(lockfd);	/* adopt takes it */
	lockfd = -1;
	if ((lrc = rebuild_catalogue(rs, ctx, dir)) != EXIT_ALLGOOD)
		rc = lrc;
out:
	if (lockfd != -1)
		close(lockfd);
	return rc;
}
