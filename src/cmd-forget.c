/*
 * cmd-forget.c: "shoebox forget": drop from the catalogue what the user
 * took away on purpose.
 *
 * forget --remote NAME: everything it records of a remote that was taken
 * out of the config: its upload jobs (pending, done or failed), the
 * multipart uploads in progress and the checks verify --remote made.
 * Nothing on the remote itself is touched, nor any library file. A remote
 * still in the config is refused without --force (its next sync would
 * queue every file again, and find those already there); one a sync is
 * uploading to right now is refused always. It says what it drops first;
 * --dry-run only says it.
 *
 * forget FILE... (or --missing: every catalogued file gone): library
 * files deleted on purpose. Only a file that is gone from the library is
 * forgotten (one still there, or something else at its name, is refused),
 * under the library's lock, so no import or restore is linking it back
 * meanwhile. Its row goes, with its upload jobs (a file a sync is sending
 * now is refused); the sources it came from stay remembered, with no file,
 * so the folder or card it came from does not bring it back; its sidecars
 * gone too are forgotten with it, those still there stay, on their own.
 * Copies on remotes stay where they are: it says which.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json.h>
#include <sqlite3.h>

#include "shoebox.h"
#include "catalog.h"
#include "queue.h"
#include "remote.h"
#include "store.h"

/* What the catalogue holds of a remote. */
struct forget_count {
	int64_t	files, done, pending, failed, busy;
};

/* Count name's jobs by state, and those a live sync holds; 0 or -1. */
static int
forget_count(struct catalog *cat, const char *name, struct forget_count *c)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(c, 0, sizeof *c);
	if ((st = catalog_prepare(cat, "SELECT count(*),"
	    " coalesce(sum(status = 'done'), 0),"
	    " coalesce(sum(status = 'pending'), 0),"
	    " coalesce(sum(status = 'failed'), 0),"
	    " coalesce(sum(lease_until > ?2 AND"
	    " NOT shoebox_owner_gone(claimed_by)), 0)"
	    " FROM upload_jobs WHERE remote_id = " CATALOG_REMOTE("?1"))) ==
	    NULL)
		return -1;
	catalog_bind_text(st, 1, name);
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c->files = sqlite3_column_int64(st, 0);
		c->done = sqlite3_column_int64(st, 1);
		c->pending = sqlite3_column_int64(st, 2);
		c->failed = sqlite3_column_int64(st, 3);
		c->busy = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return catalog_error(cat, "counting a remote's uploads");
	return 0;
}

/* Delete name's jobs and their multipart parts, in one transaction. */
static int
forget_drop(struct catalog *cat, const char *name)
{
	static const char *const sql[] = {
		"DELETE FROM upload_parts WHERE job_id IN"
		" (SELECT id FROM upload_jobs WHERE remote_id = "
		CATALOG_REMOTE("?1") ")",
		"DELETE FROM upload_jobs WHERE remote_id = "
		CATALOG_REMOTE("?1"),
		"DELETE FROM remotes WHERE name = ?1",
	};
	sqlite3_stmt	*st;
	size_t		 i;
	int		 rc = SQLITE_DONE;

	if (catalog_begin(cat) == -1)
		return -1;
	for (i = 0; i < sizeof sql / sizeof sql[0] && rc == SQLITE_DONE;
	    i++) {
		if ((st = catalog_prepare(cat, sql[i])) == NULL) {
			catalog_rollback(cat);
			return -1;
		}
		catalog_bind_text(st, 1, name);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE) {
		catalog_error(cat, "forgetting a remote");
		catalog_rollback(cat);
		return -1;
	}
	return catalog_commit(cat);
}

/*
 * Name the multipart uploads a killed sync left on remote name: the
 * catalogue's record of them is about to go, and S3 keeps their parts,
 * and bills them, until they are aborted. How many, or -1.
 */
static int
forget_remote_mps(struct catalog *cat, const char *name)
{
	sqlite3_stmt	*st;
	int		 rc, n = 0;

	if ((st = catalog_prepare(cat, "SELECT remote_path, upload_id FROM"
	    " upload_jobs WHERE remote_id = " CATALOG_REMOTE("?1")
	    " AND upload_id IS NOT NULL ORDER BY id")) == NULL)
		return -1;
	catalog_bind_text(st, 1, name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && ++n)
		log_warnx("forget: remote %s: the unfinished upload of %s "
		    "(upload id %s) stays there: S3 keeps its parts, and "
		    "bills them, until it is aborted", log_esc(name),
		    log_esc((const char *)sqlite3_column_text(st, 0)),
		    log_esc((const char *)sqlite3_column_text(st, 1)));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_error(cat, "looking up a remote's uploads");
	return n;
}

/* Is name a [remote NAME] of the config? */
static int
forget_configured(const struct config *cfg, const char *name)
{
	const char	**names;
	int		  i, n;

	n = config_sections(cfg, "remote", &names);
	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/* Say what is (or would be) forgotten. */
static void
forget_say(struct sb_ctx *ctx, const char *name, const struct forget_count *c,
    int dry_run)
{
	struct json_object	*o;

	if (ctx->json) {
		o = json_object_new_object();
		json_add_str(o, "remote", name);
		json_object_object_add(o, "files",
		    json_object_new_int64(c->files));
		json_object_object_add(o, "done",
		    json_object_new_int64(c->done));
		json_object_object_add(o, "pending",
		    json_object_new_int64(c->pending));
		json_object_object_add(o, "failed",
		    json_object_new_int64(c->failed));
		json_object_object_add(o, "dry_run",
		    json_object_new_boolean(dry_run));
		json_print(o);
	} else if (!log_quiet)
		printf("%s remote %s: %lld files (%lld done, %lld pending, "
		    "%lld failed)\n", dry_run ? "would forget" : "forgetting",
		    log_esc(name), (long long)c->files, (long long)c->done,
		    (long long)c->pending, (long long)c->failed);
}

/* forget --remote NAME. */
static int
forget_remote(struct sb_ctx *ctx, struct cmd_args *args, const char *name)
{
	struct forget_count	 c;
	struct catalog		*cat;
	int			 dry_run, rc = EXIT_USAGE;

	dry_run = cmd_has(args, "dry-run");
	if (forget_configured(ctx->cfg, name) && !cmd_has(args, "force")) {
		log_warnx("forget: remote %s is still in the config (%s): take "
		    "its [remote %s] section out first, or --force (its next "
		    "sync would queue every file again)", log_esc(name),
		    log_esc(config_path(ctx->cfg)), log_esc(name));
		return EXIT_USAGE;
	}
	if (catalog_present(ctx->library, "forget") == -1)
		return EXIT_USAGE;
	if ((cat = catalog_open(ctx->library, dry_run)) == NULL)
		return catalog_open_damaged ? EXIT_SOMEFAILED : EXIT_USAGE;
	if (queue_init(cat) == -1) {	/* a killed sync's lease: not busy */
		catalog_close(cat);
		return EXIT_USAGE;
	}
	if (forget_count(cat, name, &c) == -1) {
		rc = EXIT_SOMEFAILED;
		goto out;
	}
	if (c.files == 0) {
		log_warnx("forget: the catalogue has nothing of a remote "
		    "called %s", log_esc(name));
		goto out;
	}
	if (c.busy > 0) {
		log_warnx("forget: a sync is uploading to %s now; try again "
		    "when it is over", log_esc(name));
		rc = EXIT_SOMEFAILED;
		goto out;
	}
	forget_say(ctx, name, &c, dry_run);
	rc = forget_remote_mps(cat, name) == 0 ? EXIT_ALLGOOD :
	    EXIT_SOMEFAILED;
	if (!dry_run && forget_drop(cat, name) == -1)
		rc = EXIT_SOMEFAILED;
out:
	catalog_close(cat);
	return rc;
}

/* forget FILE... and forget --missing: where they are. */
struct forget_files {
	struct sb_ctx	*ctx;
	struct catalog	*cat;
	int		 libfd;
	char		*libreal;	/* the library's real path */
	char		*cwdrel;	/* the cwd's path in it, or NULL */
	int		 dry_run;
	int		 dirfd;		/* the last folder looked in ... */
	char		 dir[PATH_MAX];	/* ... its path in the library */
	unsigned long	 forgotten, sidecars, refused, missing;
	struct forget_mp *mps;		/* multipart uploads left */
	size_t		 nmps;		/* by the files forgotten */
	unsigned long	 unaborted;	/* of them, not aborted */
};

/* A multipart upload a killed sync left (S3), of a file forgotten. */
struct forget_mp {
	char	*remote, *name, *upload_id;
};

/*
 * The folder ff->dir is not in the library: is the nearest folder above it
 * that is there empty (not the library's top)? That is what a disk
 * mounted inside the library (a year on a disk of its own) looks like
 * unmounted: its mount point, empty, the folders that held the files gone
 * with it. 1 with why saying so, else 0. Emptied on purpose, the folder
 * is removed and forget runs again.
 */
static int
forget_unmounted(struct forget_files *ff, char *why, size_t whylen)
{
	char	up[PATH_MAX], err[PATH_MAX + 128], *slash;
	int	fd, empty;

	strlcpy_sb(up, ff->dir, sizeof up);
	for (;;) {
		if ((slash = strrchr(up, '/')) == NULL)
			return 0;	/* the library's top: not a disk */
		*slash = '\0';
		if ((fd = store_opendirs(ff->libfd, up, 0, "library folder",
		    err, sizeof err)) != -1)
			break;
		if (errno != ENOENT)
			return 0;
	}
	empty = folder_empty(fd) == 1;
	close(fd);
	if (empty)
		snprintf(why, whylen, "folder %.200s is there, empty, and "
		    "the folders below it that held this file are not: is a "
		    "disk mounted there? (if it was emptied on purpose, remove "
		    "that folder and run forget again)", log_path(up, err,
		    sizeof err));
	return empty;
}

/*
 * Is the catalogued file at rel gone from the library? 1 gone; 0 not, a
 * file is there; 2 something else is there (a link), or it cannot be told
 * (a folder on the way is a link, or cannot be read, or is an empty
 * folder a disk may be meant to be mounted on: forget_unmounted). why
 * says which. A folder on the way that is gone means the file is gone.
 */
static int
forget_gone(struct forget_files *ff, const char *rel, char *why,
    size_t whylen)
{
	struct stat	 sb;
	const char	*base = strrchr(rel, '/');
	size_t		 dlen = base == NULL ? 0 : (size_t)(base - rel);
	char		 buf[PATH_MAX * 2];
	int		 e;

	base = base == NULL ? rel : base + 1;
	/* Most files are in the same folder as the one before. */
	if (ff->dirfd == -1 || strlen(ff->dir) != dlen ||
	    strncmp(ff->dir, rel, dlen) != 0) {
		if (ff->dirfd != -1)
			close(ff->dirfd);
		snprintf(ff->dir, sizeof ff->dir, "%.*s", (int)dlen, rel);
		if ((ff->dirfd = store_opendirs(ff->libfd, ff->dir, 0,
		    "library folder", why, whylen)) == -1)
			return errno != ENOENT || forget_unmounted(ff, why,
			    whylen) ? 2 : 1;
	}
	if (fstatat(ff->dirfd, base, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		/*
		 * A folder at the library's top, empty: with pattern = %Y a
		 * year's own folder, which a disk of its own is mounted on.
		 */
		if ((e = errno) == ENOENT && ff->dir[0] != '\0' &&
		    strchr(ff->dir, '/') == NULL &&
		    folder_empty(ff->dirfd) == 1) {
			snprintf(why, whylen, "folder %.200s, at the library's "
			    "top, is there and empty: is a disk mounted there? "
			    "(if it was emptied on purpose, remove that folder "
			    "and run forget again)", log_path(ff->dir, buf,
			    sizeof buf));
			return 2;
		}
		if (e == ENOENT)
			return 1;
		errno = e;
		snprintf(why, whylen, "%s", strerror(errno));
		return 2;
	}
	if (S_ISREG(sb.st_mode)) {
		snprintf(why, whylen, "it is still in the library: delete it "
		    "first (forget drops only files that are gone)");
		return 0;
	}
	snprintf(why, whylen, "something else is at its name (a link or a "
	    "folder): take it away first");
	return 2;
}

/*
 * Is a sync sending f (or one of its sidecars) right now? 1, 0, or -1
 * after saying why.
 */
static int
forget_busy(struct catalog *cat, int64_t id)
{
	sqlite3_stmt	*st;
	int		 rc, busy = 0;

	if ((st = catalog_prepare(cat, "SELECT count(*) FROM upload_jobs"
	    " WHERE lease_until > ?2 AND NOT shoebox_owner_gone(claimed_by)"
	    " AND (file_id = ?1 OR file_id IN"
	    " (SELECT id FROM files WHERE main_id = ?1))")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		busy = sqlite3_column_int64(st, 0) > 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return catalog_error(cat, "looking up a file's uploads");
	return busy;
}

/*
 * The remotes that hold a copy of file id, into copies ("bk, s3", "" for
 * none) and, if not NULL, the JSON array remotes. 0 or -1.
 */
static int
forget_copies(struct catalog *cat, int64_t id, char *copies, size_t size,
    struct json_object *remotes)
{
	sqlite3_stmt	*st;
	const char	*name;
	size_t		 len = 0;
	int		 rc;

	copies[0] = '\0';
	if ((st = catalog_prepare(cat, "SELECT r.name FROM upload_jobs j"
	    " JOIN remotes r ON r.id = j.remote_id WHERE j.file_id = ?1"
	    " AND j.status = 'done' ORDER BY r.name")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		if (name == NULL)
			continue;
		if (remotes != NULL)
			json_object_array_add(remotes,
			    json_object_new_string(name));
		if (len < size)
			len += (size_t)snprintf(copies + len, size - len,
			    "%s%s", len > 0 ? ", " : "", log_esc(name));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_error(cat, "looking up a file's uploads");
	return 0;
}

/*
 * Drop file id's row: its upload jobs go with it (ON DELETE CASCADE), the
 * sources it came from stay, with no file and marked forgotten, and
 * sidecars still pointing at it (main_id) stand alone. 0 or -1.
 */
static int
forget_drop_file(struct catalog *cat, int64_t id)
{
	static const char *const sql[] = {
		("UPDATE source_files SET file_id = NULL, status ="
		" 'forgotten' WHERE file_id = ?1"),
		"UPDATE files SET main_id = NULL WHERE main_id = ?1",
		"DELETE FROM files WHERE id = ?1",
	};
	sqlite3_stmt	*st;
	size_t		 i;
	int		 rc = SQLITE_DONE;

	for (i = 0; i < sizeof sql / sizeof sql[0] && rc == SQLITE_DONE;
	    i++) {
		if ((st = catalog_prepare(cat, sql[i])) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE)
		return catalog_error(cat, "forgetting a file");
	return 0;
}

/* Say that f was (or would be) forgotten, or was refused (why). */
static void
forget_said(struct forget_files *ff, const char *path, const char *main,
    const char *why, int64_t id)
{
	struct json_object	*o, *remotes = NULL;
	char			 copies[512];

	if (why != NULL) {
		ff->refused++;
		if (id != 0)
			log_warnx("forget: %s/%s: %s",
			    log_esc(ff->ctx->library), log_esc(path), why);
		else	/* an operand not catalogued, as given */
			log_warnx("forget: %s: %s", log_esc(path), why);
	} else if (main != NULL)
		ff->sidecars++;
	else
		ff->forgotten++;
	if (ff->ctx->json) {
		o = json_object_new_object();
		json_add_str(o, "path", path);
		json_add_str(o, "status", why != NULL ? "refused" :
		    ff->dry_run ? "would_forget" : "forgotten");
		if (main != NULL)
			json_add_str(o, "sidecar_of", main);
		if (why != NULL)
			json_add_str(o, "error", why);
		else {
			remotes = json_object_new_array();
			json_object_object_add(o, "copies_on", remotes);
		}
		if (remotes != NULL)
			forget_copies(ff->cat, id, copies, sizeof copies,
			    remotes);
		json_print(o);
		return;
	}
	if (why != NULL || log_quiet ||
	    forget_copies(ff->cat, id, copies, sizeof copies, NULL) == -1)
		return;
	printf("%s %s%s%s%s%s%s\n", ff->dry_run ? "would forget" : "forgot",
	    log_esc(path), main != NULL ? " (sidecar of " : "",
	    main != NULL ? log_esc(main) : "", main != NULL ? ")" : "",
	    copies[0] != '\0' ? "; its copy stays on " : "", copies);
}

/*
 * Keep the multipart uploads file id's jobs hold (a sync killed or
 * stopped while it sent the file in parts), to abort them once it is
 * forgotten: the catalogue's record of them goes with the file, and S3
 * keeps the parts, and bills them, until the upload is aborted. 0 or -1.
 */
static int
forget_keep_mp(struct forget_files *ff, int64_t id)
{
	sqlite3_stmt	 *st;
	struct forget_mp *m;
	int		  rc;

	if ((st = catalog_prepare(ff->cat, "SELECT r.name, j.remote_path,"
	    " j.upload_id FROM upload_jobs j JOIN remotes r"
	    " ON r.id = j.remote_id WHERE j.file_id = ?1"
	    " AND j.upload_id IS NOT NULL AND j.remote_path IS NOT NULL"))
	    == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ff->mps = xreallocarray(ff->mps, ff->nmps + 1,
		    sizeof *ff->mps);
		m = &ff->mps[ff->nmps++];
		m->remote = xstrdup((const char *)sqlite3_column_text(st, 0));
		m->name = xstrdup((const char *)sqlite3_column_text(st, 1));
		m->upload_id = xstrdup((const char *)
		    sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_error(ff->cat, "looking up a file's uploads");
	return 0;
}

/*
 * Abort the multipart uploads of the files forgotten (forget_keep_mp),
 * once that is committed (forgotten, else they are only let go of): each
 * is said, and one that cannot be (its remote out of the config, or not
 * answering) is named with its upload id, for the user to abort (or for
 * the bucket's lifecycle rule to). A dry run names those whose remote is
 * out of the config too: it must not promise an abort the run cannot do.
 */
static void
forget_abort(struct forget_files *ff, int forgotten)
{
	struct forget_mp	*m;
	struct remote		*r;
	struct xfer		 x;
	size_t			 i;
	int			 rc, configured;

	for (i = 0; i < ff->nmps && (forgotten || ff->dry_run); i++) {
		m = &ff->mps[i];
		configured = forget_configured(ff->ctx->cfg, m->remote);
		rc = REMOTE_FAIL;
		xfer_init(&x, NULL);
		snprintf(x.error, sizeof x.error, "not in the config");
		if (ff->dry_run && configured) {
			if (!log_quiet && !ff->ctx->json)
				printf("  would abort its unfinished upload to "
				    "%s (%s)\n", log_esc(m->remote),
				    log_esc(m->name));
			continue;
		}
		if (!ff->dry_run && configured) {
			snprintf(x.error, sizeof x.error, "it could not be "
			    "opened, see above");
			r = remote_open(ff->ctx->cfg, m->remote);
			if (r != NULL) {
				xfer_init(&x, r);
				snprintf(x.error, sizeof x.error, "the remote "
				    "cannot");
				if (r->ops->abort != NULL)
					rc = r->ops->abort(&x, m->name,
					    m->upload_id);
				xfer_free(&x);
				remote_close(r);
			}
		}
		if (rc == REMOTE_OK) {
			if (!log_quiet && !ff->ctx->json)
				printf("aborted the unfinished upload of %s to "
				    "%s\n", log_esc(m->name),
				    log_esc(m->remote));
			continue;
		}
		/* A dry run as the run would: not aborted, named, exit 1. */
		ff->unaborted++;
		log_warnx("forget: remote %s: the unfinished upload of %s "
		    "(upload id %s) %s be aborted (%s): S3 keeps its parts, "
		    "and bills them, until it is", log_esc(m->remote),
		    log_esc(m->name), log_esc(m->upload_id), ff->dry_run ?
		    "would not" : "could not", x.error);
	}
	for (i = 0; i < ff->nmps; i++) {
		free(ff->mps[i].remote);
		free(ff->mps[i].name);
		free(ff->mps[i].upload_id);
	}
	free(ff->mps);
	ff->mps = NULL;
	ff->nmps = 0;
}

/*
 * The sidecars of file id: *n of them into *sides (ids and paths; to be
 * freed), read whole before any is dropped. 0 or -1.
 */
static int
forget_sidecars(struct catalog *cat, int64_t id, struct cat_file **sides,
    size_t *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	*sides = NULL;
	*n = 0;
	if ((st = catalog_prepare(cat, "SELECT id, path FROM files"
	    " WHERE main_id = ?1 ORDER BY id")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*sides = xreallocarray(*sides, *n + 1, sizeof **sides);
		memset(&(*sides)[*n], 0, sizeof **sides);
		(*sides)[*n].id = sqlite3_column_int64(st, 0);
		strlcpy_sb((*sides)[*n].path, (const char *)
		    sqlite3_column_text(st, 1), sizeof (*sides)[*n].path);
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_error(cat, "looking up sidecars");
	return 0;
}

/*
 * Forget the catalogued file f if it is gone (inside a transaction): its
 * sidecars gone too with it, after it is said. 0 (forgotten or refused, and
 * said), or -1 if the catalogue failed.
 */
static int
forget_one(struct forget_files *ff, const struct cat_file *f)
{
	struct cat_file	*sides;
	char		 why[512];
	size_t		 i, n;
	int		 rc = 0, busy;

	why[0] = '\0';
	if (forget_gone(ff, f->path, why, sizeof why) != 1) {
		forget_said(ff, f->path, NULL, why, f->id);
		return 0;
	}
	if ((busy = forget_busy(ff->cat, f->id)) != 0) {
		if (busy == 1)
			forget_said(ff, f->path, NULL, "a sync is sending it "
			    "(or its sidecar) now; try again when it is over",
			    f->id);
		return busy == 1 ? 0 : -1;
	}
	if (forget_sidecars(ff->cat, f->id, &sides, &n) == -1 ||
	    forget_keep_mp(ff, f->id) == -1)
		return -1;
	forget_said(ff, f->path, NULL, NULL, f->id);
	for (i = 0; i < n && rc == 0; i++) {
		if (forget_gone(ff, sides[i].path, why, sizeof why) != 1) {
			if (!log_quiet && !ff->ctx->json)
				printf("  its sidecar %s stays in the library, "
				    "on its own\n", log_esc(sides[i].path));
			continue;
		}
		forget_said(ff, sides[i].path, f->path, NULL, sides[i].id);
		if (!ff->dry_run)
			rc = forget_drop_file(ff->cat, sides[i].id);
	}
	free(sides);
	if (rc == 0 && !ff->dry_run)
		rc = forget_drop_file(ff->cat, f->id);
	return rc;
}

/*
 * The catalogue's path of the FILE operand arg, into rel: a path in the
 * library (as find and verify print them), its full path, or a path from
 * the current folder when that is inside the library. 1 and rel, 0 (not
 * catalogued, or both readings are, as different files: said), or -1.
 */
static int
forget_lookup(struct forget_files *ff, const char *arg, struct cat_file *f)
{
	const char	*lib = ff->ctx->library, *tries[2];
	char		 rel[PATH_MAX], *p, *q, *cand = NULL, *why;
	struct cat_file	*other = NULL;
	size_t		 n, i;
	int		 rc = 0, found = 0;

	tries[0] = arg;
	tries[1] = NULL;
	if (arg[0] == '/') {
		n = strlen(ff->libreal);
		if (strncmp(arg, ff->libreal, n) == 0 && arg[n] == '/')
			tries[0] = arg + n + 1;
		else if (strncmp(arg, lib, (n = strlen(lib))) == 0 &&
		    arg[n] == '/')
			tries[0] = arg + n + 1;
		else {
			forget_said(ff, arg, NULL, "not inside the library "
			    "(its full path, or a path in it)", 0);
			return 0;
		}
	} else if (ff->cwdrel != NULL) {
		xasprintf(&cand, "%s/%s", ff->cwdrel, arg);
		tries[1] = cand;
	}
	for (i = 0; i < 2 && tries[i] != NULL && rc != -1; i++) {
		/* Lexically clean: no "", "." or ".." components. */
		strlcpy_sb(rel, tries[i], sizeof rel);
		for (p = q = rel; *p != '\0'; ) {
			n = strcspn(p, "/");
			if ((n == 0) || (n == 1 && p[0] == '.')) {
				p += n + (p[n] == '/');
				continue;
			}
			if (n == 2 && p[0] == '.' && p[1] == '.') {
				rel[0] = '\0';
				break;
			}
			if (q != rel)
				*q++ = '/';
			memmove(q, p, n);
			q += n;
			p += n + (p[n] == '/');
		}
		if (rel[0] != '\0')
			*q = '\0';
		if (rel[0] == '\0')
			continue;
		if (found && other == NULL)
			other = xmalloc(sizeof *other);
		if ((rc = catalog_file_at(ff->cat, rel, found ? other : f)) ==
		    1 && found && other->id != f->id) {
			/* "x.jpg" in LIB/2004, with LIB/x.jpg catalogued too */
			xasprintf(&why, "both %s and %s are catalogued (one "
			    "from the library, one from this folder); name it "
			    "by its full path", f->path, other->path);
			forget_said(ff, arg, NULL, why, 0);
			free(why);
			free(other);
			free(cand);
			return 0;
		}
		found |= rc == 1;
	}
	free(other);
	free(cand);
	if (rc != -1)
		rc = found;
	if (rc == 0)
		forget_said(ff, arg, NULL, "the catalogue has no such file "
		    "(name it as find and verify print it, or by its full "
		    "path)", 0);
	return rc;
}

/* forget FILE...: each named file, in one transaction. 0 or -1. */
static int
forget_named(struct forget_files *ff, struct cmd_args *args)
{
	struct cat_file	*f = xmalloc(sizeof *f);
	int		 i, rc = 0;

	if (!ff->dry_run && catalog_begin(ff->cat) == -1) {
		free(f);
		return -1;
	}
	for (i = 0; i < args->argc && rc == 0; i++)
		if ((rc = forget_lookup(ff, args->argv[i], f)) == 1)
			rc = forget_one(ff, f);
	free(f);
	if (ff->dry_run) {
		forget_abort(ff, 0);
		return rc;
	}
	if (rc != 0) {
		catalog_rollback(ff->cat);
		forget_abort(ff, 0);
		return -1;
	}
	rc = catalog_commit(ff->cat);
	forget_abort(ff, rc == 0);
	return rc;
}

#define FORGET_PAGE	512	/* files looked at in one transaction */

/*
 * The next page of catalogued files after id *after: ids and paths into
 * fs, the ids of their main files into mains (0: none); at most
 * FORGET_PAGE. How many, or -1.
 */
static int
forget_page(struct catalog *cat, int64_t *after, struct cat_file *fs,
    int64_t *mains)
{
	sqlite3_stmt	*st;
	int		 rc, n = 0;

	if ((st = catalog_prepare(cat, "SELECT id, path, coalesce(main_id,"
	    " 0) FROM files WHERE id > ?1 ORDER BY id LIMIT ?2")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, *after);
	sqlite3_bind_int(st, 2, FORGET_PAGE);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fs[n].id = *after = sqlite3_column_int64(st, 0);
		strlcpy_sb(fs[n].path, (const char *)sqlite3_column_text(st,
		    1), sizeof fs[n].path);
		mains[n++] = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_error(cat, "reading the catalogue");
	return n;
}

/*
 * Is fs, a sidecar of file main, to be forgotten with its main file (gone
 * too) rather than on its own? 1, 0 or -1.
 */
static int
forget_with_main(struct forget_files *ff, int64_t main, struct cat_file *mf)
{
	char	why[512];
	int	rc;

	if (main == 0 || (rc = catalog_file(ff->cat, main, mf)) == 0)
		return 0;
	if (rc == -1)
		return -1;
	return forget_gone(ff, mf->path, why, sizeof why) == 1;
}

/*
 * forget --missing: first count the catalogued files gone (refusing all
 * if every one is: a library not mounted whole, or not the library), then
 * forget them, a page per transaction; a sidecar whose main file is gone
 * too goes with it. 0, 1 refused, or -1.
 */
static int
forget_missing(struct forget_files *ff)
{
	struct cat_file	*fs = xreallocarray(NULL, FORGET_PAGE + 1, sizeof *fs);
	int64_t		 mains[FORGET_PAGE], after = 0;
	unsigned long	 total = 0, gone = 0, unsure = 0;
	char		 why[512];
	int		 i, n = 0, rc = 0, g;

	while (!stop_requested &&
	    (n = forget_page(ff->cat, &after, fs, mains)) > 0)
		for (i = 0; i < n; i++, total++) {
			g = forget_gone(ff, fs[i].path, why, sizeof why);
			gone += g == 1;
			unsure += g == 2;
		}
	if (n == -1 || stop_requested) {
		free(fs);
		return -1;
	}
	ff->missing = gone;
	if (gone > 0 && gone == total && total > 1) {
		log_warnx("forget: every file the catalogue lists (%lu) is "
		    "missing from %s: is that the library, and is its disk "
		    "mounted whole? nothing forgotten", total,
		    log_esc(ff->ctx->library));
		free(fs);
		return 1;
	}
	after = 0;
	while (gone + unsure > 0 && rc == 0 && !stop_requested &&
	    (n = forget_page(ff->cat, &after, fs, mains)) > 0) {
		if (!ff->dry_run && catalog_begin(ff->cat) == -1) {
			rc = -1;
			break;
		}
		for (i = 0; i < n && rc == 0; i++) {
			/* Gone, or not to be told: refused (forget_one). */
			if (forget_gone(ff, fs[i].path, why, sizeof why) == 0)
				continue;
			/* Still catalogued (not gone with its main file)? */
			if ((rc = catalog_file_at(ff->cat, fs[i].path,
			    &fs[i])) != 1) {
				rc = rc == 0 ? 0 : -1;
				continue;
			}
			/* fs[FORGET_PAGE]: room for its main file. */
			if ((rc = forget_with_main(ff, mains[i],
			    &fs[FORGET_PAGE])) != 0) {
				rc = rc == 1 ? 0 : -1;
				continue;
			}
			rc = forget_one(ff, &fs[i]);
		}
		if (!ff->dry_run && (rc == 0 ? catalog_commit(ff->cat) :
		    catalog_rollback(ff->cat)) == -1)
			rc = -1;
		forget_abort(ff, rc == 0);
	}
	free(fs);
	return n == -1 || stop_requested ? -1 : rc;
}

/* Say how many files were (or would be) forgotten, and refused. */
static void
forget_files_summary(struct forget_files *ff, int missing)
{
	struct json_object	*o;

	if (ff->ctx->json) {
		o = json_object_new_object();
		json_add_str(o, "summary", "forget");
		json_object_object_add(o, "forgotten",
		    json_object_new_int64((int64_t)ff->forgotten));
		json_object_object_add(o, "sidecars",
		    json_object_new_int64((int64_t)ff->sidecars));
		json_object_object_add(o, "refused",
		    json_object_new_int64((int64_t)ff->refused));
		json_object_object_add(o, "dry_run",
		    json_object_new_boolean(ff->dry_run));
		json_print(o);
		return;
	}
	if (log_quiet)
		return;
	if (missing && ff->missing == 0 && ff->refused == 0) {
		printf("nothing catalogued is missing from the library; "
		    "nothing forgotten\n");
		return;
	}
	printf("%s%lu file%s %s", ff->dry_run ? "dry run: " : "",
	    ff->forgotten, ff->forgotten == 1 ? "" : "s", ff->dry_run ?
	    "would be forgotten" : "forgotten");
	if (ff->sidecars > 0)
		printf(", and %lu sidecar%s with %s", ff->sidecars,
		    ff->sidecars == 1 ? "" : "s", ff->forgotten == 1 ? "it" :
		    "them");
	if (ff->refused > 0)
		printf("; %lu refused", ff->refused);
	printf("\n");
}

/* forget FILE... or forget --missing. */
static int
forget_files(struct sb_ctx *ctx, struct cmd_args *args)
{
	struct forget_files	 ff;
	char			*cwd;
	size_t			 n;
	int			 lockfd = -1, rc = -1, missing;
	int			 code = EXIT_USAGE;

	missing = cmd_has(args, "missing");
	if (missing == (args->argc > 0) || cmd_has(args, "force")) {
		log_warnx("forget: FILE..., --missing or --remote NAME (one of "
		    "them; --force goes with --remote)");
		return EXIT_USAGE;
	}
	if (catalog_present(ctx->library, "forget") == -1)
		return EXIT_USAGE;
	memset(&ff, 0, sizeof ff);
	ff.ctx = ctx;
	ff.dry_run = cmd_has(args, "dry-run");
	ff.libfd = ff.dirfd = -1;
	if ((ff.libreal = realpath(ctx->library, NULL)) == NULL) {
		log_warn("forget: library %s", log_esc(ctx->library));
		return EXIT_USAGE;
	}
	if ((cwd = getcwd(NULL, 0)) != NULL) {
		n = strlen(ff.libreal);
		if (strncmp(cwd, ff.libreal, n) == 0 && cwd[n] == '/')
			ff.cwdrel = xstrdup(cwd + n + 1);
		free(cwd);
	}
	if ((ff.libfd = open(ff.libreal, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		log_warn("forget: library %s", log_esc(ctx->library));
		goto out;
	}
	/* No import, adopt or restore linking files meanwhile. */
	if (!ff.dry_run && (lockfd = lock_library(ctx->library, "forget")) ==
	    -1)
		goto out;
	if ((ff.cat = catalog_open(ctx->library, ff.dry_run)) == NULL) {
		if (catalog_open_damaged)
			code = EXIT_SOMEFAILED;
		goto out;
	}
	if (queue_init(ff.cat) == -1)	/* a killed sync's lease: not busy */
		goto out;
	rc = missing ? forget_missing(&ff) : forget_named(&ff, args);
	if (rc != -1)
		forget_files_summary(&ff, missing);
	code = rc == 1 || rc == -1 || ff.refused > 0 || ff.unaborted > 0 ?
	    EXIT_SOMEFAILED : EXIT_ALLGOOD;
out:
	if (ff.cat != NULL)
		catalog_close(ff.cat);
	if (ff.dirfd != -1)
		close(ff.dirfd);
	if (ff.libfd != -1)
		close(ff.libfd);
	if (lockfd != -1)
		close(lockfd);
	free(ff.libreal);
	free(ff.cwdrel);
	return code;
}

static int
cmd_forget(struct sb_ctx *ctx, struct cmd_args *args)
{
	const char	*name;

	if ((name = cmd_get(args, "remote")) != NULL) {
		if (args->argc > 0 || cmd_has(args, "missing")) {
			log_warnx("forget: --remote NAME forgets a remote; "
			    "files are forgotten without it");
			return EXIT_USAGE;
		}
		return forget_remote(ctx, args, name);
	}
	return forget_files(ctx, args);
}

static const struct cmd_option forget_options[] = {
	{ "remote", 'r', "NAME", "forget a remote taken out of the config" },
	{ "missing", 0, NULL, "forget every catalogued file gone from the "
	    "library" },
	{ "force", 'f', NULL, "with --remote: even though NAME is still in "
	    "the config" },
	{ "dry-run", 'n', NULL, "only say what would be forgotten" },
	{ "json", 'j', NULL, "say it as JSON" },
	{ NULL, 0, NULL, NULL }
};

const struct cmd_entry cmd_forget_entry = {
	"forget", "[FILE...]", 0, -1,
	"drop files deleted on purpose, or a remote, from the catalogue",
	forget_options, CMD_LIBRARY, cmd_forget
};
