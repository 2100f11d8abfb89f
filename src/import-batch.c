/*
 * import-batch.c: the commit stage of import. Copies (import_copy) are
 * filed in batches (batch_push, batch_flush): each was written to an
 * unnamed file with its writeback started. A full batch is sealed: one
 * syncfs() makes it durable, on a thread of its own while the next batch
 * is copied. Then each copy is read back and checked, linked under its
 * name (or found a duplicate: import_finish) and catalogued, one more
 * syncfs() makes the names durable, and the catalogue's transaction
 * commits. Only then are --move sources removed (txn_settle); a
 * transaction whose commit fails takes back the copies it linked.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shoebox.h"
#include "import.h"
#include "queue.h"

#define TXN_FILES	256	/* commit the catalogue at least this often */
#define TXN_SECONDS	2
#define BATCH_FILES	256	/* copies made durable together ... */
#define FD_RESERVE	128	/* descriptors kept for all but the copies */
#define BATCH_BYTES	(256 * 1024 * 1024)	/* ... up to this much */
#define BATCH_SECONDS	2
#define CHECK_AHEAD	4	/* copies read back ahead of the one filed */

/*
 * After the transaction ended (rc 0 committed, -1 lost): on a loss remove
 * the copies it linked and report them failed, else delete moved sources.
 */
static int
txn_settle(struct import *imp, int rc)
{
	size_t	i;

	/*
	 * A commit that failed lost the rows of the copies this transaction
	 * linked: remove those copies, so the library holds nothing the
	 * catalogue does not. Their sources stay (the moves below are
	 * skipped); a re-run files them. On a full or read-only disk (said
	 * once, library_full_say) they count as not attempted, with the
	 * files left and the room they need; else each failed, said.
	 */
	for (i = 0; i < imp->nfiled; i++) {
		struct filed	*fl = &imp->filed[i];

		if (rc == -1) {
			/* Through the folder it was linked in, moved or not. */
			const char *base = strrchr(fl->rel, '/');

			unlinkat(fl->dirfd, base != NULL ? base + 1 : fl->rel,
			    0);
			imp->count[fl->o]--;
			if (imp->full || imp->readonly) {
				imp->bytes_done -= imp->bytes_done >= fl->size ?
				    fl->size : imp->bytes_done;
				report(imp, fl->src, OUT_NOTTRIED, NULL, NULL,
				    NULL, imp->readonly ? "the catalogue could "
				    "not record it (the library is read-only); "
				    "source kept" : "the catalogue could not "
				    "record it (the library's disk is full); "
				    "source kept");
			} else {
				const char *why = imp->abort_why != NULL ?
				    imp->abort_why : "the catalogue could not "
				    "record it";

				say(imp, fl->src, "copied, but %s; copy "
				    "removed, source kept", why);
				report(imp, fl->src, OUT_FAILED, NULL, NULL,
				    NULL, why);
			}
		}
		free(fl->src);
		free(fl->rel);
	}
	imp->nfiled = 0;
	for (i = 0; i < imp->nmoves; i++) {
		struct move	*mv = &imp->moves[i];
		char		 err[512];

		/* A card gone (said once): its files stay on it. */
		if (rc == 0 && source_remove(imp->sc, mv->e, &mv->id,
		    mv->mnt, mv->sha256, err, sizeof err) == -1 &&
		    !scan_gone(imp->sc, mv->e->dev, mv->e->path)) {
			say(imp, mv->e->path, "filed, but not removed from the "
			    "source: %s", err);
			imp->warnings++;
		}
		free(mv->e);
	}
	imp->nmoves = 0;
	return rc;
}

/*
 * Where sqlite keeps a statement's undo pages (its statement journal)
 * while an import's transaction is open: in memory. Each INSERT into
 * files journals the pages it changes (its triggers and indexes); once one
 * statement passed 64 KiB, every statement after it in the transaction
 * went through a temporary file in /var/tmp, some 20 MB written for 1,000
 * files. One statement here changes one file's rows, a few dozen pages at
 * most. Set back to the default outside the transaction, so that a large
 * sort on the same connection still spills to disk.
 */
static void
txn_temp_store(struct import *imp, int memory)
{
	sqlite3_exec(imp->cat->db, memory ? "PRAGMA temp_store = MEMORY" :
	    "PRAGMA temp_store = DEFAULT", NULL, NULL, NULL);
}

/*
 * Is a library folder that copies of the open transaction were linked in
 * no longer at its name (lib_dir_moved: moved away since)? Then those
 * copies are not where the catalogue would say, or not in the library at
 * all: said for each such folder, and 1.
 */
static int
filed_moved(struct import *imp)
{
	char	err[512];
	size_t	i, j;
	int	moved = 0;

	imp->dircheck++;
	for (i = 0; i < imp->nfiled; i++) {
		for (j = 0; j < i && imp->filed[j].dirfd !=
		    imp->filed[i].dirfd; j++)
			;
		if (j == i && lib_dir_moved(imp, imp->filed[i].dirfd, err,
		    sizeof err)) {
			progress_clear(imp);
			log_warnx("%s, as copies were filed in it: they are "
			    "taken back, their sources kept", err);
			moved = 1;
		}
	}
	return moved;
}

static void	txn_abort(struct import *);

/*
 * Commit what the open transaction holds, then delete moved sources; if a
 * folder its copies were linked in moved away meanwhile, take it all back
 * instead (txn_abort), the sources kept.
 */
int
txn_commit(struct import *imp)
{
	int	rc = 0, e;

	if (imp->in_txn && filed_moved(imp)) {
		imp->abort_why = "its library folder was moved or replaced "
		    "meanwhile";
		txn_abort(imp);
		imp->abort_why = NULL;
		return -1;
	}
	if (imp->in_txn) {
		if (catalog_commit(imp->cat) == -1) {
			e = sqlite3_extended_errcode(imp->cat->db) & 0xff;
			if (e == SQLITE_FULL)
				library_full(imp);
			else if (e == SQLITE_READONLY ||
			    sqlite3_system_errno(imp->cat->db) == EROFS)
				library_read_only(imp);
			/* sqlite may have rolled back already (SQLITE_FULL) */
			if (!sqlite3_get_autocommit(imp->cat->db))
				catalog_rollback(imp->cat);
			rc = -1;
		}
		imp->in_txn = 0;
		txn_temp_store(imp, 0);
	}
	return txn_settle(imp, rc);
}

/*
 * Drop what the open transaction holds: its copies are removed and
 * reported failed, and its --move deletions forgotten (txn_settle).
 */
static void
txn_abort(struct import *imp)
{
	if (imp->in_txn) {
		catalog_rollback(imp->cat);
		txn_temp_store(imp, 0);
	}
	imp->in_txn = 0;
	txn_settle(imp, -1);
}

/*
 * Open a read transaction for the lookups that follow (catalog_seen, one
 * a file), unless a transaction is open: sqlite then takes its locks once
 * for a directory's turn instead of once a query, a fifth of a no-change
 * re-run. read_end() ends it, before any write and at the turn's end.
 */
void
read_begin(struct import *imp)
{
	if (imp->cat == NULL || imp->in_txn || imp->in_read)
		return;
	if (sqlite3_exec(imp->cat->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
		imp->in_read = 1;
}

/* End the read transaction read_begin() opened, if any. */
void
read_end(struct import *imp)
{
	if (!imp->in_read)
		return;
	imp->in_read = 0;
	catalog_folder_free(imp->folder);	/* its scan ends first */
	imp->folder = NULL;
	if (sqlite3_exec(imp->cat->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK &&
	    !sqlite3_get_autocommit(imp->cat->db))
		sqlite3_exec(imp->cat->db, "ROLLBACK", NULL, NULL, NULL);
}

/*
 * Make sure a transaction is open; with may_commit, commit and reopen it
 * when it grew old (never while a batch's links await their directory fsync).
 */
int
txn_need(struct import *imp, int may_commit)
{
	read_end(imp);
	if (may_commit && imp->in_txn && (imp->txn_files >= TXN_FILES ||
	    time(NULL) - imp->txn_start >= TXN_SECONDS))
		if (txn_commit(imp) == -1)
			return -1;
	if (!imp->in_txn) {
		txn_temp_store(imp, 1);
		if (catalog_begin(imp->cat) == -1) {
			txn_temp_store(imp, 0);
			return -1;
		}
		imp->in_txn = 1;
		imp->txn_files = 0;
		imp->txn_start = time(NULL);
	}
	imp->txn_files++;
	return 0;
}

/* Remember a copy linked in the open transaction (see txn_commit). */
static void
filed_later(struct import *imp, const char *src, int dirfd, const char *rel,
    enum outcome o, uint64_t size)
{
	if (imp->nfiled == imp->capfiled) {
		imp->capfiled = imp->capfiled ? imp->capfiled * 2 : 64;
		imp->filed = xreallocarray(imp->filed, imp->capfiled,
		    sizeof *imp->filed);
	}
	imp->filed[imp->nfiled].src = xstrdup(src);
	imp->filed[imp->nfiled].rel = xstrdup(rel);
	imp->filed[imp->nfiled].dirfd = dirfd;
	imp->filed[imp->nfiled].size = size;
	imp->filed[imp->nfiled++].o = o;
}

/* Append a move to a list. */
static void
move_push(struct move **list, size_t *n, size_t *cap, const struct move *mv)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*list = xreallocarray(*list, *cap, sizeof **list);
	}
	(*list)[(*n)++] = *mv;
}

/*
 * Remove the source e (as id, read with hash sha) once the transaction in
 * flight is committed (--move); within a group, once the whole group is
 * filed (group_end). If its library copy rel is the source itself (the
 * same inode: a library folder bind-mounted into the source, or a hard
 * link), removing the source could remove the only copy, so it stays.
 */
void
move_later(struct import *imp, const struct scan_entry *e,
    const struct stat *id, uint64_t mnt, const char *sha, const char *rel)
{
	struct move	mv;
	struct stat	lib;

	if (!import_moves(imp, e))
		return;
	if (fstatat(imp->libfd, rel, &lib, AT_SYMLINK_NOFOLLOW) == 0 &&
	    lib.st_dev == id->st_dev && lib.st_ino == id->st_ino) {
		say(imp, e->path, "is the library's own copy %s (the same "
		    "file, reached through a bind mount or a hard link); not "
		    "removed from the source", rel);
		imp->warnings++;
		return;
	}
	mv.e = scan_entry_dup(e);	/* removed after the directory's turn */
	mv.id = *id;
	mv.mnt = mnt;
	strlcpy_sb(mv.sha256, sha, sizeof mv.sha256);
	if (imp->group_hold)
		move_push(&imp->gmoves, &imp->ngmoves, &imp->capgmoves, &mv);
	else
		move_push(&imp->moves, &imp->nmoves, &imp->capmoves, &mv);
}

/*
 * A group (a main file and its sidecars) is done: its --move removals go
 * ahead only if every file of it was filed, so an interruption or a
 * failure never leaves a sidecar behind without its main file.
 */
void
group_end(struct import *imp, const struct scan_entry *main, int whole)
{
	size_t	i;

	if (whole)
		for (i = 0; i < imp->ngmoves; i++)
			move_push(&imp->moves, &imp->nmoves, &imp->capmoves,
			    &imp->gmoves[i]);
	else if (imp->ngmoves > 0) {
		say(imp, main->path, "kept in the source with its sidecars: "
		    "not all of them were filed");
		imp->warnings++;
		for (i = 0; i < imp->ngmoves; i++)
			free(imp->gmoves[i].e);
	}
	imp->ngmoves = 0;
	imp->group_hold = 0;
}

/* Fill out (if not NULL) with the library file rel and its id. */
void
placed_at(struct placed *out, int64_t id, const char *rel)
{
	const char	*slash = strrchr(rel, '/');

	if (out == NULL)
		return;
	out->id = id;
	strlcpy_sb(out->name, slash ? slash + 1 : rel, sizeof out->name);
	snprintf(out->dir, sizeof out->dir, "%.*s",
	    slash ? (int)(slash - rel) : 0, rel);
}

/* Free a copy in flight, discarding it if it was not filed. */
void
pending_free(struct pending *p)
{
	store_discard(&p->f);
	free(p->e);
	free(p->path);
	free(p->abspath);
	free(p->dir);
	free(p->name);
	free(p->main_name);
	while (p->nsc > 0)
		free(p->scpaths[--p->nsc]);
	free(p->scpaths);
	free(p);
}

/*
 * The copy p has the content of the catalogued file dup. If that file is
 * missing from the library, put this copy in its place (the catalogue
 * already describes it). Returns 0 when the library holds it intact (the
 * source may go), -1 when it does not (the source stays; said why).
 */
static int
dup_check(struct import *imp, struct pending *p, const struct cat_file *dup)
{
	struct store_dest d = { -1, NULL, 0, 1, NULL, NULL, NULL };
	char		  dir[PATH_MAX], err[512], why[512];
	char		 *slash;
	int		  rc = lib_check(imp, dup, why, sizeof why);

	if (rc == 0)
		return 0;
	if (rc == -1) {
		say(imp, p->path, "duplicate of %s, but that library copy %s; "
		    "source kept", dup->path, why);
		return -1;
	}
	/* Rare: its own directory fd, synced at once (not the cache's). */
	strlcpy_sb(dir, dup->path, sizeof dir);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	if ((d.dirfd = store_opendirs(imp->libfd, slash != NULL ? dir : ".",
	    1, "library folder", err, sizeof err)) != -1 &&
	    store_link_at(&p->f, &d, slash != NULL ? slash + 1 : dup->path,
	    err, sizeof err) == -1) {
		close(d.dirfd);
		d.dirfd = -1;
	}
	if (d.dirfd == -1) {
		say(imp, p->path, "duplicate of %s, which is missing from the "
		    "library and could not be restored (%s); source kept",
		    dup->path, err);
		return -1;
	}
	close(d.dirfd);
	say(imp, p->path, "duplicate of %s, which was missing from the "
	    "library: restored from this copy", dup->path);
	return 0;
}

/*
 * store_dest.name_ok for a copy (arg: its pending): is name, in its library
 * folder dirfd, free in the catalogue too (a catalogued file deleted by
 * hand keeps its name there until forget), and, for a main file with
 * sidecars, a name they can follow (plan_sidecars_free)? 1 if so, 0 if not.
 */
static int
name_free(void *arg, int dirfd, const char *name)
{
	struct pending	*p = arg;

	if (plan_catalogued(p->imp, p->dir, name))
		return 0;
	return p->nsc == 0 || plan_sidecars_free(arg, dirfd, name);
}

/*
 * File a durable copy: the same content already catalogued makes it a
 * duplicate; otherwise link it under its name and catalogue it. With
 * dirsync the directory is fsync'ed now (and the transaction may be
 * committed); without, batch_flush() does both once for the batch. Fills
 * out (if not NULL) with where it went. Returns the outcome, reported.
 */
enum outcome
import_finish(struct import *imp, struct pending *p, int dirsync,
    struct placed *out)
{
	struct store_dest d = { -1, NULL, 0, 0, NULL, NULL, NULL };
	struct cat_file	 dup;
	char		 rel[PATH_MAX * 2], err[512], *alt;
	int64_t		 id;
	size_t		 i;
	int		 rc, linked = 0;
	enum outcome	 o;

	if (txn_need(imp, dirsync) == -1) {
		store_discard(&p->f);
		goto failed_catalog;
	}
	/*
	 * The same content is already in the library: remember the source.
	 * A sidecar belongs to its main file: alike sidecars of other files
	 * (a blank XMP, the same edits) are not its duplicates.
	 */
	if ((rc = catalog_find_sha(imp->cat, p->f.sha256, p->f.size,
	    p->sidecar ? p->main_id : 0, &dup)) == -1) {
		store_discard(&p->f);
		goto failed_catalog;
	}
	if (rc == 1) {
		int	intact = dup_check(imp, p, &dup) == 0;

		store_discard(&p->f);
		if (catalog_add_source(imp->cat, p->abspath, &p->sb, dup.id,
		    "duplicate") == -1)
			goto failed_catalog;
		placed_at(out, dup.id, dup.path);
		if (!intact) {
			/* Its content is not safe in the library: a failure. */
			report(imp, p->path, OUT_FAILED, dup.path, &p->meta,
			    p->f.sha256, "duplicate of a library copy that is "
			    "damaged or gone; source kept");
			return OUT_FAILED;
		}
		move_later(imp, p->e, &p->sb, p->mnt, p->f.sha256, dup.path);
		report(imp, p->path, OUT_DUPLICATE, dup.path, &p->meta,
		    p->f.sha256, NULL);
		return OUT_DUPLICATE;
	}

	/*
	 * Its folder, kept open since the copy was placed, moved out from
	 * under its name (lib_dir_moved): filed there, it would be outside
	 * the library, or not where the catalogue says. Looked at once a
	 * batch, and for a file filed on its own (dirsync) just before.
	 */
	if (dirsync)
		imp->dircheck++;
	if (lib_dir_moved(imp, p->dirfd, err, sizeof err)) {
		size_t	n = strlen(err);

		snprintf(err + n, sizeof err - n, "; not filed there, source "
		    "kept");
		store_discard(&p->f);
		goto failed;
	}

	/* STORE_EXISTS: an interrupted run filed it; adopt that copy. */
	d.dirfd = p->dirfd;
	d.dirsync = dirsync;
	d.name_ok = name_free;
	d.name_arg = p;
	p->imp = imp;
	/* A sidecar's name taken: one that pairs with no other file. */
	alt = p->sidecar ? plan_sidecar_alt(p->main_name, p->name) : NULL;
	d.alt = alt;
	rc = store_link_sync(&p->f, &d, p->name, err, sizeof err);
	free(alt);
	if (rc == -1)
		goto failed;
	linked = rc == STORE_LINKED;
	for (i = 0; !dirsync && i < imp->ndirs; i++)
		if (imp->dirs[i].fd == p->dirfd)
			imp->dirs[i].dirty = 1;
	snprintf(rel, sizeof rel, "%s/%s", p->dir, p->f.name);
	if (out != NULL)
		strlcpy_sb(out->name, p->f.name, sizeof out->name);
	if ((id = catalog_add_file(imp->cat, rel, p->f.sha256, p->f.size,
	    catalog_ns(&p->sb.st_mtim), &p->meta, p->main_id)) == -1 ||
	    catalog_add_source(imp->cat, p->abspath, &p->sb, id, p->sidecar ?
	    "sidecar" : "imported") == -1 ||
	    queue_enqueue(imp->cat, imp->ctx->cfg, id) == -1)
		goto failed_catalog;
	if (out != NULL)
		out->id = id;
	/* Counted once filed: not a duplicate's copy, nor a failed one. */
	imp->bytes_copied += p->f.size;
	move_later(imp, p->e, &p->sb, p->mnt, p->f.sha256, rel);
	o = p->sidecar ? OUT_SIDECAR : OUT_IMPORTED;
	if (p->cleaned)
		plan_cleaned(imp, p->path, p->f.name);
	if (linked)
		filed_later(imp, p->path, p->dirfd, rel, o, p->f.size);
	report(imp, p->path, o, rel, &p->meta, p->f.sha256, NULL);
	return o;

failed_catalog:
	snprintf(err, sizeof err, "could not be recorded in the catalogue");
	/* A copy the catalogue does not know is not left in the library. */
	if (linked && unlinkat(p->dirfd, p->f.name, 0) == 0)
		snprintf(err, sizeof err, "could not be recorded in the "
		    "catalogue; copy removed");
failed:
	say_failed(imp, p->path, err);
	report(imp, p->path, OUT_FAILED, NULL, NULL, NULL, err);
	return OUT_FAILED;
}

/*
 * File a batch of n copies that were made durable (synced: a syncfs()
 * returned 0 after the last of them was written) or not (then each is
 * fsync'ed here, as is each on another filesystem than the library's, a
 * disk mounted inside it): each read back and checked, linked and
 * catalogued in turn, each directory that gained names made durable once,
 * then the catalogue committed (and only then --move sources deleted).
 */
static void
batch_file(struct import *imp, struct pending **pv, size_t n, int synced)
{
	struct pending	*p;
	char		 err[512];
	size_t		 i, ahead;
	int		 own, dirs_ok = 1;

	/*
	 * Each copy is read back and checked on the hashing thread, a few
	 * ahead of the one being linked and catalogued here.
	 */
	imp->dircheck++;	/* each folder looked at again: lib_dir_moved */
	for (i = 0, ahead = 0; i < n; i++) {
		for (; synced && ahead < n && ahead <= i + CHECK_AHEAD; ahead++)
			if (!lib_dir_foreign(imp, pv[ahead]->dirfd))
				store_copy_check_start(&pv[ahead]->f);
		p = pv[i];
		/* The syncfs() made it durable, unless on another disk. */
		own = synced && !lib_dir_foreign(imp, p->dirfd);
		if (imp->cat != NULL && imp->cat->damaged) {
			/* Said once (catalog_error); the source stays. */
			store_discard(&p->f);
			report(imp, p->path, OUT_NOTTRIED, NULL, NULL, NULL,
			    catalog_stopped(imp->cat));
		} else if ((own ? store_copy_check(&p->f, err, sizeof err) :
		    store_copy_finish(&p->f, err, sizeof err)) == -1) {
			say_failed(imp, p->path, err);
			report(imp, p->path, OUT_FAILED, NULL, NULL, NULL, err);
		} else
			import_finish(imp, p, 0, NULL);
		pending_free(p);
	}
	/* The new names: one syncfs() again, or each directory's fsync. */
	synced = synced && syncfs(imp->libfd) == 0;
	for (i = 0; i < imp->ndirs; i++) {
		if (!imp->dirs[i].dirty)
			continue;
		imp->dirs[i].dirty = 0;
		if ((!synced || imp->dirs[i].foreign) &&
		    fsync(imp->dirs[i].fd) == -1 && errno != EINVAL) {
			if (errno == EROFS)
				library_read_only(imp);	/* said once */
			else {
				progress_clear(imp);
				log_warn("fsync of library directory %s",
				    imp->dirs[i].dir);
			}
			dirs_ok = 0;
		}
	}
	if (!dirs_ok) {
		/* Names may not last: catalogue none of them, delete nothing. */
		txn_abort(imp);
	} else
		txn_commit(imp);
}

/* The syncer thread: the sealed batch's syncfs(). */
static void *
syncer(void *arg)
{
	struct import	*imp = arg;

	imp->sync_rc = syncfs(imp->libfd);
	atomic_store(&imp->sync_done, 1);
	return NULL;
}

/*
 * File the sealed batch, if any: wait for its syncfs() (a batch of one
 * has none: its copy is fsync'ed instead), then batch_file() it.
 */
static void
sealed_file(struct import *imp)
{
	size_t	n = imp->nsealed;

	if (n == 0)
		return;
	if (imp->syncing) {
		pthread_join(imp->syncer, NULL);
		imp->syncing = 0;
	}
	imp->nsealed = 0;
	batch_file(imp, imp->sealed, n, imp->sync_rc == 0);
}

/*
 * Seal the batch in flight (the sealed batch before it already filed):
 * one syncfs() makes all its copies durable, and reports any writeback
 * error on the filesystem since the library was opened (if it fails, each
 * copy is fsync'ed to find the ones that did not make it). That syncfs()
 * runs on the syncer thread while the next batch is copied, the disk
 * writing one batch as the next is read; without a thread, here.
 */
static void
batch_seal(struct import *imp)
{
	struct pending	**t = imp->sealed;

	imp->sealed = imp->pending;
	imp->nsealed = imp->npending;
	imp->pending = t;
	imp->npending = 0;
	imp->pending_bytes = 0;
	imp->sync_rc = -1;	/* stays so for a batch of one: fsync'ed */
	if (imp->nsealed < 2)
		return;
	atomic_store(&imp->sync_done, 0);
	if (pthread_create(&imp->syncer, NULL, syncer, imp) == 0)
		imp->syncing = 1;
	else
		syncer(imp);
}

/* File every copy made so far: the sealed batch, then the one in flight. */
void
batch_flush(struct import *imp)
{
	sealed_file(imp);
	if (imp->npending == 0)
		return;
	batch_seal(imp);
	sealed_file(imp);
}

/*
 * How many copies a batch may hold: BATCH_FILES, or fewer where the
 * process may open too few files. Each copy in flight holds its unnamed
 * file open, for two batches (the one synced and the one copied), beside
 * FD_RESERVE others (library folders kept open, the walk's folders, the
 * catalogue, the source being read): with the usual limit of 1024 that is
 * a whole batch; under `ulimit -n 300`, 86 copies. Without this, copies
 * past the limit failed with "Too many open files".
 */
static size_t
batch_room(void)
{
	struct rlimit	rl;
	rlim_t		room;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return BATCH_FILES;
	room = rl.rlim_cur > FD_RESERVE + 2 ? (rl.rlim_cur - FD_RESERVE) / 2 :
	    1;
	return room < BATCH_FILES ? (size_t)room : BATCH_FILES;
}

/*
 * Add a copy to the batch in flight. The sealed batch is filed as soon as
 * its syncfs() returned; the batch in flight is sealed when it is big or
 * old enough (after waiting for the sealed one, if need be).
 */
void
batch_push(struct import *imp, struct pending *p)
{
	if (imp->pending == NULL) {
		imp->batch_max = batch_room();
		imp->pending = xreallocarray(NULL, imp->batch_max,
		    sizeof *imp->pending);
		imp->sealed = xreallocarray(NULL, imp->batch_max,
		    sizeof *imp->sealed);
	}
	if (imp->npending == 0)
		clock_gettime(CLOCK_MONOTONIC, &imp->batch_start);
	imp->pending[imp->npending++] = p;
	imp->pending_bytes += p->f.size;
	if (imp->nsealed > 0 && (!imp->syncing ||
	    atomic_load(&imp->sync_done)))
		sealed_file(imp);
	if (imp->npending >= imp->batch_max ||
	    imp->pending_bytes >= BATCH_BYTES ||
	    elapsed(&imp->batch_start) >= BATCH_SECONDS) {
		sealed_file(imp);
		batch_seal(imp);
	}
}
