/*
 * restore-rebuild.c: "shoebox restore --rebuild --remote NAME --to DIR":
 * the library and its catalogue lost, get both back from a remote alone.
 * The remote is listed (remote_ops.list: a page or a folder at a time) and
 * every file under its prefix is downloaded into the empty DIR at the
 * same path, as restore brings any file back (straight to disk, hashed as
 * it arrives, linked into place only when whole and checked), checked
 * against its listed size and the SHA-256 the remote keeps (S3's
 * x-amz-meta-sha256) where it keeps one, with the mtime the remote keeps.
 * Shoebox's own temporaries and dot-files are skipped. A file already at
 * a listed name (listed twice, or put there meanwhile) is the remote's
 * only if its SHA-256 is that of the remote's copy, downloaded to see.
 * Then DIR is catalogued as adopt does it (its entry point, called as a
 * command, under the lock held from the start), and the upload jobs of
 * the files that came from the remote, as they came (their SHA-256 noted
 * in .shoebox/tmp/rebuilt), are marked done at those names, so that the
 * next sync uploads nothing again. Anything else adopt found (a file
 * copied into DIR meanwhile) stays queued for upload: marked done, it
 * would have no copy anywhere but there.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
	FILE		*got;	/* "SHA-256 PATH\0" for each file that
				   came, or is there, as the remote has it */
	char		*gotpath;
	int		 goterr;	/* errno of a failed write to got */
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

/*
 * Note that f's place holds the remote's copy, of SHA-256 sha: only the
 * files noted are marked done on the remote (rebuild_mark).
 */
static void
rebuild_note(struct rebuild *rb, const struct rfile *f, const char *sha)
{
	if (rb->goterr == 0 && (fprintf(rb->got, "%s %s", sha, f->path) < 0 ||
	    putc('\0', rb->got) == EOF))
		rb->goterr = errno != 0 ? errno : EIO;
}

/*
 * A file is at f's place already (sb): listed twice (a page boundary), or
 * put there by another program meanwhile. It is the remote's copy only
 * if its SHA-256 is the one of what the remote holds there (downloaded to
 * see): R_PRESENT, noted. Anything else is left alone: R_DIFFERENT, or
 * R_FAILED (a folder; the download failed), with why.
 */
static enum rstate
rebuild_present(struct rebuild *rb, const struct stat *sb, char *why,
    size_t size)
{
	struct restore	*rs = rb->rs;
	struct rfile	*f = rb->f;
	enum rstate	 s;
	char		 mine[65], err[256];
	int		 fd, rc;

	/*
	 * A folder there is another object's: S3 holds NAME and NAME/x side
	 * by side, a disk cannot. NAME is not restored, and the run says so.
	 */
	if (!S_ISREG(sb->st_mode)) {
		snprintf(why, size, "not restored: %s holds its name (the "
		    "remote also has objects under %s/)", S_ISDIR(sb->st_mode) ?
		    "a folder" : "another file", f->remote_path);
		return R_FAILED;
	}
	if (sb->st_size != f->size) {
		snprintf(why, size, "not restored: another file holds its "
		    "name (%lld bytes, the remote's %lld); left alone",
		    (long long)sb->st_size, (long long)f->size);
		return R_DIFFERENT;
	}
	if ((fd = store_open_below(rs->libfd, f->path, err, sizeof err)) ==
	    -1) {
		snprintf(why, size, "%s", err);
		return R_FAILED;
	}
	rc = store_hash_fd(fd, (uint64_t)f->size, mine, err, sizeof err);
	close(fd);
	if (rc == -1) {
		snprintf(why, size, "%s", err);
		return R_FAILED;
	}
	if ((s = restore_peek(rs, f, why, size)) != R_RESTORED)
		return s;
	if (strcmp(mine, rs->sha256) != 0) {
		snprintf(why, size, "not restored: another file holds its "
		    "name (SHA-256 %s, the remote's %s); left alone", mine,
		    rs->sha256);
		return R_DIFFERENT;
	}
	rebuild_note(rb, f, mine);
	return R_PRESENT;
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
	else if (fstatat(rs->libfd, f->path, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		s = rebuild_present(rb, &sb, why, sizeof why);
	else if ((s = restore_file(rs, f, why, sizeof why)) == R_FAILED &&
	    rs->absent && e->alt != NULL) {
		/* s3rver's doubly escaped key: its second reading */
		snprintf(f->path, sizeof f->path, "%s", e->alt);
		snprintf(f->remote_path, sizeof f->remote_path, "%s", e->alt);
		if (restore_path_ok(f->path))
			s = restore_file(rs, f, why, sizeof why);
	}
	if (s == R_RESTORED)
		rebuild_note(rb, f, rs->sha256);
	if (s == R_FAILED || s == R_DIFFERENT) {
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

	if (restore_to_empty(dir, NULL) == -1)
		return -1;
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
	actx.locked = 1;
	if (cmd_parse(&cmd_adopt_entry, 4, argv, 0, &args) == -1)
		return EXIT_USAGE;
	return cmd_adopt_entry.exec(&actx, &args);
}

/* The file a file's SHA-256 and path are noted in (rebuild_note). */
static int
rebuild_got_open(struct rebuild *rb, const char *dir)
{
	int	fd;

	xasprintf(&rb->gotpath, "%s/.shoebox/tmp/rebuilt", dir);
	if ((fd = open(rb->gotpath, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1 || (rb->got = fdopen(fd, "w+")) == NULL) {
		log_warn("restore: %s", rb->gotpath);
		if (fd != -1)
			close(fd);
		return -1;
	}
	return 0;
}

/* Done with the notes: closed and removed. */
static void
rebuild_got_close(struct rebuild *rb)
{
	if (rb->got != NULL) {
		fclose(rb->got);
		unlink(rb->gotpath);
	}
	rb->got = NULL;
	free(rb->gotpath);
	rb->gotpath = NULL;
}

/* Mark f's job on remote done where f is catalogued with sha. 0 or -1. */
static int
rebuild_mark_one(struct catalog *cat, sqlite3_stmt *const *st,
    const char *remote, const char *sha, const char *path)
{
	int	i, rc = 0;

	for (i = 0; i < 2 && rc == 0; i++) {
		catalog_bind_text(st[i], 1, remote);
		sqlite3_bind_int64(st[i], 2, (sqlite3_int64)time(NULL));
		catalog_bind_text(st[i], 3, path);
		catalog_bind_text(st[i], 4, sha);
		if (sqlite3_step(st[i]) != SQLITE_DONE)
			rc = catalog_error(cat, "marking the remote's files "
			    "done");
		sqlite3_reset(st[i]);
	}
	return rc;
}

/*
 * Every file noted (rebuild_note) and catalogued in dir at its path with
 * that SHA-256 is on remote there: its upload job for remote done (made
 * if adopt did not). A file catalogued otherwise (copied into dir
 * meanwhile, or changed since it came) stays queued. How many stay in
 * *left; 0 or -1.
 */
static int
rebuild_mark(struct rebuild *rb, const char *dir, const char *remote,
    long long *left)
{
	struct catalog	*cat;
	sqlite3_stmt	*st[3] = { NULL, NULL, NULL };
	char		*rec = NULL, *sp;
	size_t		 cap = 0;
	ssize_t		 n;
	int		 rc = -1, i;
#define REBUILT_FILE	" (SELECT id FROM files WHERE path = ?3 AND " \
	CATALOG_SHA_HEX("sha256") " = ?4)"
	static const char *const sql[3] = {
		"INSERT OR IGNORE INTO upload_jobs (remote_id, file_id,"
		" queued_at) SELECT " CATALOG_REMOTE("?1") ", id, ?2 FROM"
		" files WHERE id =" REBUILT_FILE,
		"UPDATE upload_jobs SET status = 'done', skipped = 1,"
		" done_at = ?2, last_error = NULL, remote_path = ?3"
		" WHERE remote_id = " CATALOG_REMOTE("?1") " AND status !="
		" 'done' AND file_id =" REBUILT_FILE,
		"SELECT count(*) FROM files f WHERE NOT EXISTS (SELECT 1"
		" FROM upload_jobs j WHERE j.file_id = f.id AND j.remote_id ="
		" " CATALOG_REMOTE("?1") " AND j.status = 'done')"
	};

	*left = 0;
	if (rb->goterr != 0 || fflush(rb->got) == EOF || ferror(rb->got) ||
	    fseeko(rb->got, 0, SEEK_SET) == -1) {
		errno = rb->goterr != 0 ? rb->goterr : errno;
		log_warn("restore: %s", rb->gotpath);
		return -1;
	}
	if ((cat = catalog_open(dir, CATALOG_NEW)) == NULL)
		return -1;
	if (catalog_begin(cat) == -1)
		goto out;
	if (catalog_add_remote(cat, remote) == -1)
		goto fail;
	for (i = 0; i < 3; i++)
		if ((st[i] = catalog_prepare(cat, sql[i])) == NULL)
			goto fail;
	while ((n = getdelim(&rec, &cap, '\0', rb->got)) > 0) {
		if ((sp = strchr(rec, ' ')) == NULL || sp - rec != 64)
			continue;	/* cannot be: we wrote it */
		*sp = '\0';
		if (rebuild_mark_one(cat, st, remote, rec, sp + 1) == -1)
			goto fail;
	}
	if (ferror(rb->got)) {
		log_warn("restore: %s", rb->gotpath);
		goto fail;
	}
	catalog_bind_text(st[2], 1, remote);
	if (sqlite3_step(st[2]) != SQLITE_ROW) {
		catalog_error(cat, "counting files not from the remote");
		goto fail;
	}
	*left = sqlite3_column_int64(st[2], 0);
	for (i = 0; i < 3; i++)
		sqlite3_finalize(st[i]);
	rc = catalog_commit(cat);
	goto out;
fail:
	for (i = 0; i < 3; i++)
		sqlite3_finalize(st[i]);
	catalog_rollback(cat);
out:
	free(rec);
	catalog_close(cat);
	return rc;
}

/* After the files: the catalogue (adopt), the jobs; exit status. */
static int
rebuild_catalogue(struct rebuild *rb, struct sb_ctx *ctx, const char *dir)
{
	struct restore	*rs = rb->rs;
	long long	 left;
	int		 rc;

	rc = rebuild_adopt(ctx, dir);
	if (rebuild_mark(rb, dir, rs->r->name, &left) == -1) {
		log_warnx("restore: %s: the catalogue could not record that "
		    "the files are on remote %s (a sync would look for each "
		    "there again, and upload none)", dir, rs->r->name);
		return EXIT_SOMEFAILED;
	}
	if (left > 0)
		log_warnx("restore: %s: %lld catalogued file%s did not come "
		    "from remote %s as %s (put there meanwhile, or changed "
		    "since): queued for upload to it", dir, left, left == 1 ?
		    "" : "s", rs->r->name, left == 1 ? "it is" : "they are");
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
	if (rs->dry_run && restore_to_empty(dir, NULL) == -1)
		return EXIT_USAGE;	/* as the real run would */
	memset(&rb, 0, sizeof rb);
	if (!rs->dry_run && (rebuild_prepare(rs, dir) == -1 ||
	    (lockfd = lock_library(dir, "restore")) == -1 ||
	    rebuild_got_open(&rb, dir) == -1))
		goto out;
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
	if (restore_whole(rs))
		rc = EXIT_ALLGOOD;
	if (rs->dry_run)
		goto out;
	/* adopt runs under this lock: nothing else starts in between */
	if ((lrc = rebuild_catalogue(&rb, ctx, dir)) != EXIT_ALLGOOD)
		rc = lrc;
out:
	rebuild_got_close(&rb);
	if (lockfd != -1)
		close(lockfd);
	return rc;
}
