/*
 * import-file.c: one file's way through import, stage by stage: known to
 * an earlier run (not read again), still arriving (left for later), read
 * (what it is, when it was taken), placed (directory and name), copied
 * into the library (store.c), committed (import-batch.c); or, in a dry
 * run, planned (import-plan.c). A main file goes first, its sidecars after
 * it, beside it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "shoebox.h"
#include "import.h"

/* Append s to out (size bytes, len used), cut short as snprintf would. */
static size_t
abs_append(char *out, size_t size, size_t len, const char *s)
{
	size_t	n = strlen(s);

	if (len + n >= size)
		n = size - 1 - len;
	memcpy(out + len, s, n);
	out[len + n] = '\0';
	return len + n;
}

/*
 * The source's path as recorded: absolute, without "./". 0, or -1 if it
 * does not fit in size bytes (out then cut short: not to be recorded, as
 * two files could then be recorded as one).
 */
static int
abs_path(struct import *imp, const char *path, char *out, size_t size)
{
	size_t	len = 0;

	out[0] = '\0';
	if (path[0] != '/') {
		while (path[0] == '.' && path[1] == '/')
			path += 2;
		len = abs_append(out, size, len, imp->cwd);
		len = abs_append(out, size, len, "/");
	}
	return abs_append(out, size, len, path) + 1 >= size ? -1 : 0;
}

/*
 * Is e still arriving: changed (mtime or ctime) less than the settle time
 * ago? A time far in the future (a camera's clock) does not count, nor
 * anything on a filesystem read-only as a whole (a card mounted
 * read-only: no program can be writing to it, and a photo shot a moment
 * before the card went in must not be left behind on it).
 */
static int
unsettled(struct import *imp, const struct scan_entry *e, double *age)
{
	const struct timespec	*t[2] = { &e->mtime, &e->ctime };
	struct timespec		 now;
	double			 a;
	int			 i;

	if (imp->settle <= 0 || imp->sc->roots[e->root].frozen)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 0; i < 2; i++) {
		a = (double)(now.tv_sec - t[i]->tv_sec) +
		    (double)(now.tv_nsec - t[i]->tv_nsec) / 1e9;
		if (a > -2 && a < imp->settle) {
			*age = a < 0 ? 0 : a;
			return 1;
		}
	}
	return 0;
}

/*
 * A source an earlier run recorded (seen): without --move it is not read
 * again. With --move, it goes only if it still holds the catalogued
 * content and the library copy is there and intact; a source that holds
 * something else (a new file on a reused inode) is imported as new
 * (returns OUT_NEXT), and one whose library copy is missing is copied
 * again to restore it (OUT_NEXT too). Otherwise returns the outcome.
 */
static enum outcome
import_seen(struct import *imp, const struct scan_entry *e,
    const struct cat_seen *seen, struct placed *out)
{
	struct stat	 sb;
	uint64_t	 mnt;
	char		 hex[65], err[512], why[384];
	enum outcome	 o;
	int		 fd, rc;

	if (seen->file.id == 0 || seen->file.path[0] == '\0') {
		/* Its library copy deleted on purpose: never again. */
		report(imp, e->path, OUT_ALREADY, NULL, NULL, NULL,
		    seen->forgotten ? "its library copy was deleted and "
		    "forgotten (shoebox forget)" : NULL);
		return OUT_ALREADY;
	}
	if (!import_moves(imp, e)) {
		placed_at(out, seen->file.id, seen->file.path);
		report(imp, e->path, OUT_ALREADY, seen->file.path, NULL, NULL,
		    NULL);
		return OUT_ALREADY;
	}
	if ((fd = source_open(imp->sc, e, &sb, err, sizeof err)) < 0) {
		o = fd == -2 ? OUT_WAITING : fd == -3 ? OUT_SKIPPED :
		    OUT_FAILED;
		if (o != OUT_SKIPPED)
			say(imp, e->path, "%s", err);
		report(imp, e->path, o, NULL, NULL, NULL, err);
		return o;
	}
	rc = store_hash_fd(fd, (uint64_t)sb.st_size, hex, err, sizeof err);
	mnt = source_mount(fd);
	close(fd);
	if (rc == -1 || strcmp(hex, seen->file.sha256) != 0)
		return OUT_NEXT;	/* not what was imported: read it */
	if ((rc = lib_check(imp, &seen->file, why, sizeof why)) == 1)
		return OUT_NEXT;	/* the library lost it: copy again */
	placed_at(out, seen->file.id, seen->file.path);
	if (rc != 0) {
		/* Its content is not safe in the library: a failure. */
		say(imp, e->path, "imported earlier as %s, but that library "
		    "copy %s; source kept", seen->file.path, why);
		snprintf(err, sizeof err, "its library copy %s; source kept",
		    why);
		report(imp, e->path, OUT_FAILED, seen->file.path, NULL, NULL,
		    err);
		return OUT_FAILED;
	}
	move_later(imp, e, &sb, mnt, hex, seen->file.path);
	report(imp, e->path, OUT_ALREADY, seen->file.path, NULL, NULL, NULL);
	return OUT_ALREADY;
}

/* The file failed (f->err says why): said, counted and reported. */
static enum outcome
infile_failed(struct import *imp, struct infile *f)
{
	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
	imp->bytes_done += (uint64_t)f->e->size;
	say_failed(imp, f->e->path, f->err);
	report(imp, f->e->path, OUT_FAILED, NULL, NULL, NULL, f->err);
	return OUT_FAILED;
}

/*
 * The file is not taken this run (f->err says why): o is OUT_WAITING
 * (changed or still written to: said now), OUT_SKIPPED (gone since the
 * walk: said with -v) or OUT_NOTTRIED (it does not fit: said once at the
 * end, library_full_say). Counted and reported.
 */
static enum outcome
infile_left(struct import *imp, struct infile *f, enum outcome o)
{
	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
	imp->bytes_done += (uint64_t)f->e->size;
	if (o == OUT_WAITING)
		say(imp, f->e->path, "%s", f->err);
	report(imp, f->e->path, o, NULL, NULL, NULL, f->err);
	return o;
}

/* The catalogue failed to record something of the file. */
static enum outcome
infile_failed_catalog(struct import *imp, struct infile *f)
{
	snprintf(f->err, sizeof f->err, "could not be recorded in the "
	    "catalogue");
	return infile_failed(imp, f);
}

/*
 * Stage 1: has an earlier run seen this file (catalog_seen_folder)? Then no
 * content is read again (import_seen). OUT_NEXT when it is to be read.
 */
static enum outcome
import_known(struct import *imp, struct infile *f)
{
	struct cat_seen	seen;
	enum outcome	o;
	int		rc;

	scan_entry_stat(f->e, &f->sb);
	read_begin(imp);
	/* In a read transaction, the folder's sources come in one scan. */
	if (imp->in_read && imp->folder == NULL)
		imp->folder = catalog_folder_new();
	rc = imp->cat == NULL ? 0 : catalog_seen_folder(imp->cat, imp->folder,
	    f->abspath, &f->sb, &seen);
	if (rc == -1)
		return infile_failed_catalog(imp, f);
	/*
	 * Not media, as an earlier run found: not read again. A sidecar once
	 * found alone is taken now that its main is here, and a file named as
	 * media is looked at again (see is_media_name).
	 */
	if (rc == 1 && seen.skipped && f->mp == NULL &&
	    !is_media_name(f->e->name)) {
		imp->bytes_done += (uint64_t)f->e->size;
		report(imp, f->e->path, OUT_SKIPPED, NULL, NULL, NULL,
		    "not media (as an earlier run found)");
		return OUT_SKIPPED;
	}
	if (rc == 1 && !seen.skipped) {
		if ((o = import_seen(imp, f->e, &seen, f->out)) != OUT_NEXT) {
			imp->bytes_done += (uint64_t)f->e->size;
			return o;
		}
		memset(f->out, 0, sizeof *f->out);
		strlcpy_sb(f->out->orig, f->e->name, sizeof f->out->orig);
	}
	return OUT_NEXT;
}

/* Stage 2: a file still arriving is left for a later run. */
static enum outcome
import_settled(struct import *imp, struct infile *f)
{
	double	age;

	if (!unsettled(imp, f->e, &age))
		return OUT_NEXT;
	imp->bytes_done += (uint64_t)f->e->size;
	snprintf(f->err, sizeof f->err, "still arriving (changed %.0f s ago, "
	    "settle time %.0f s); left for the next run", age, imp->settle);
	if (imp->arriving_quiet) {
		char	p[PATH_MAX * 2];

		log_debug("%s: %s", log_path(f->e->path, p, sizeof p), f->err);
	} else if (!log_quiet)
		say(imp, f->e->path, "%s", f->err);
	report(imp, f->e->path, OUT_WAITING, NULL, NULL, NULL, f->err);
	return OUT_WAITING;
}

/*
 * Stage 3: open the file and read what it is and when it was taken (a
 * sidecar takes its main file's date). What is not media is skipped, and
 * remembered so that a re-run does not read it again.
 */
static enum outcome
import_read(struct import *imp, struct infile *f)
{
	struct meta	*m = &f->m;
	enum outcome	 o;
	int		 rc;

	if ((f->fd = source_open(imp->sc, f->e, &f->sb, f->err,
	    sizeof f->err)) < 0) {
		o = f->fd == -2 ? OUT_WAITING : f->fd == -3 ? OUT_SKIPPED :
		    OUT_FAILED;
		f->fd = -1;
		return o == OUT_FAILED ? infile_failed(imp, f) :
		    infile_left(imp, f, o);
	}
	f->mnt = import_moves(imp, f->e) ? source_mount(f->fd) : 0;
	store_ahead(imp->sc, f->e);	/* the card reads on meanwhile */
	/* Under 16 MB: its first HASH_SLOT bytes (a photo whole), once. */
	rc = meta_probe_head(f->fd, f->e->path, &f->sb, imp->ctx->cfg,
	    imp->head, f->sb.st_size < PIPE_MIN ? HASH_SLOT : HEAD_SIZE,
	    &f->s, m);
	if (rc == -1) {
		strlcpy_sb(f->err, m->error, sizeof f->err);
		return infile_failed(imp, f);
	}
	if (f->mp != NULL) {
		/* A sidecar takes its main file's date and place. */
		m->kind = KIND_SIDECAR;
		m->taken = f->mp->meta.taken;
		strlcpy_sb(m->date_source, f->mp->meta.date_source,
		    sizeof m->date_source);
		m->error[0] = '\0';
		rc = 0;
	} else if (m->kind == KIND_OTHER && is_media_name(f->e->name)) {
		/*
		 * Named as media, but not recognised: never remembered as
		 * skipped (so it is named again next time), never moved;
		 * filed as damaged, by its mtime, if the config says so.
		 */
		if (!imp->unrecognised) {
			say(imp, f->e->path, "named as media, but its content "
			    "is not recognised (%s); left where it is "
			    "(import_unrecognised = yes imports it as damaged)",
			    m->mime);
			imp->warnings++;
			close(f->fd);
			f->fd = -1;
			imp->bytes_done += (uint64_t)f->sb.st_size;
			snprintf(f->err, sizeof f->err, "named as media, but the "
			    "content is not recognised (%s)", m->mime);
			report(imp, f->e->path, OUT_SKIPPED, NULL, m, NULL,
			    f->err);
			return OUT_SKIPPED;
		}
		say(imp, f->e->path, "named as media, but its content is not "
		    "recognised (%s); imported as damaged (kind other), dated "
		    "by its modification time", m->mime);
		imp->warnings++;
		meta_fallback_mtime(m, &f->sb);
		date_resolve(m, imp->ctx->cfg);
	} else if (m->kind == KIND_OTHER || m->kind == KIND_SIDECAR) {
		/* A sidecar alone is not remembered: its main may come. */
		if (!imp->dry_run && imp->cat != NULL && m->kind == KIND_OTHER &&
		    (txn_need(imp, 1) == -1 || catalog_add_source(imp->cat,
		    f->abspath, &f->sb, 0, "skipped") == -1))
			return infile_failed_catalog(imp, f);
		imp->bytes_done += (uint64_t)f->sb.st_size;
		if (m->kind == KIND_OTHER)
			snprintf(f->err, sizeof f->err, "not media (%s)",
			    m->mime);
		else
			snprintf(f->err, sizeof f->err, "a sidecar without its "
			    "main file");
		report(imp, f->e->path, OUT_SKIPPED, NULL, m, NULL, f->err);
		return OUT_SKIPPED;
	}
	if (rc == 1) {
		say(imp, f->e->path, "%s; dated by its %s", m->error,
		    strcmp(m->date_source, "mtime") == 0 ?
		    "modification time" : m->date_source);
		imp->warnings++;
	}
	f->out->meta = *m;
	return OUT_NEXT;
}

/*
 * Stage 4: the directory and the name the file is filed under, from the
 * pattern and name templates, or its main file's place for a sidecar
 * (plan_place).
 */
static enum outcome
import_place(struct import *imp, struct infile *f)
{
	if (plan_place(imp, f) == -1)
		return infile_failed(imp, f);
	return OUT_NEXT;
}

/*
 * Stage 5: copy the file into an unnamed file in its library directory
 * (store_copy_start), keeping room for the catalogue. Returns the copy in
 * flight, or NULL after reporting the file failed (*o OUT_FAILED), changed
 * while copied (*o OUT_WAITING) or not attempted (*o OUT_NOTTRIED: it does
 * not fit in what is free).
 */
static struct pending *
import_copy(struct import *imp, struct infile *f, enum outcome *o)
{
	struct store_dest	 dest = { -1, NULL, 0, 0, NULL, NULL, NULL };
	struct store_file	 copy;
	struct pending		*p;
	uint64_t		 avail;
	long			 j;

	if ((dest.dirfd = lib_dir(imp, f->out->dir, f->err,
	    sizeof f->err)) == -1)
		goto failed;
	/*
	 * Keep room for the catalogue on the library's filesystem: filled to
	 * the last byte, it could not record what was copied (txn_commit).
	 * Copies of the batch in flight are allocated already, so count.
	 * A file that does not fit in what is free is not attempted, and the
	 * run goes on with the others (a smaller one may fit); the end of
	 * the run says how many and what they need (library_full_say).
	 */
	if (disk_free(dest.dirfd, &avail) == 0 &&
	    avail < (uint64_t)f->sb.st_size + CATALOG_ROOM) {
		imp->nofit++;
		imp->nofit_bytes += (uint64_t)f->sb.st_size;
		snprintf(f->err, sizeof f->err, "does not fit in what is free "
		    "on the library's disk");
		*o = infile_left(imp, f, OUT_NOTTRIED);
		return NULL;
	}
	dest.tmpdir = imp->tmpdir;
	dest.verify = imp->verify;
	switch (store_copy_start(&f->s, &f->sb, &dest, &copy, f->err,
	    sizeof f->err)) {
	case 0:
		break;
	case STORE_CHANGED:
		/*
		 * Its ctime moved as another --move renamed it away to
		 * remove it (into another library): not there to import,
		 * not "left for the next run".
		 */
		if (source_gone(imp->sc, f->e)) {
			snprintf(f->err, sizeof f->err, "gone as it was read "
			    "(moved or deleted)");
			*o = infile_left(imp, f, OUT_SKIPPED);
			return NULL;
		}
		*o = infile_left(imp, f, OUT_WAITING);
		return NULL;
	default:
		goto failed;
	}
	close(f->fd);
	f->fd = -1;
	imp->bytes_done += copy.size;

	p = xcalloc(1, sizeof *p);
	p->e = scan_entry_dup(f->e);	/* the batch outlives the directory */
	p->path = xstrdup(f->e->path);
	p->abspath = xstrdup(f->abspath);
	p->sb = f->sb;
	p->mnt = f->mnt;
	p->meta = f->m;
	p->dir = xstrdup(f->out->dir);
	p->name = xstrdup(f->name);
	p->dirfd = dest.dirfd;
	p->f = copy;
	p->main_id = f->mp != NULL ? f->mp->id : 0;
	p->sidecar = f->mp != NULL;
	p->main_name = f->mp != NULL ? xstrdup(f->mp->name) : NULL;
	p->cleaned = f->cleaned;
	for (j = f->mp == NULL ? f->e->first : -1; j != -1;
	    j = imp->sc->e[j].next) {
		p->scpaths = xreallocarray(p->scpaths, (size_t)p->nsc + 1,
		    sizeof *p->scpaths);
		p->scpaths[p->nsc++] = xstrdup(imp->sc->e[j].path);
	}
	return p;
failed:
	*o = infile_failed(imp, f);
	return NULL;
}

/*
 * Stage 6: file the copy: with defer, with the rest of the batch
 * (batch_flush); else now, made durable, checked, linked, catalogued.
 */
static enum outcome
import_commit(struct import *imp, struct infile *f, struct pending *p,
    int defer)
{
	enum outcome	o;

	if (defer) {
		batch_push(imp, p);
		return OUT_PENDING;
	}
	if (store_copy_finish(&p->f, f->err, sizeof f->err) == -1) {
		imp->bytes_done -= p->f.size;	/* failed: adds it again */
		pending_free(p);
		return infile_failed(imp, f);
	}
	o = import_finish(imp, p, 1, f->out);
	pending_free(p);
	return o;
}

/*
 * Import one file (a main file, or a sidecar when mp is its main file's
 * placement) through the stages above; a dry run plans (import_plan)
 * instead of copying. Fills out with where it went (for a main file's
 * sidecars). Returns its outcome, reported; OUT_PENDING when deferred.
 */
static enum outcome
import_file(struct import *imp, const struct scan_entry *e,
    struct placed *mp, struct placed *out, int defer)
{
	struct infile	 f;
	struct pending	*p;
	enum outcome	 o;

	/*
	 * Field by field: the strings (paths, names, the error) are set
	 * before they are read, and zeroing them whole for every file of a
	 * re-run costs more than its catalogue lookup.
	 */
	f.e = e;
	f.mp = mp;
	f.out = out;
	f.fd = -1;
	memset(&f.sb, 0, sizeof f.sb);
	memset(&f.s, 0, sizeof f.s);
	memset(&f.m, 0, sizeof f.m);
	f.name[0] = f.err[0] = '\0';
	f.cleaned = 0;
	out->id = 0;
	out->dir[0] = out->name[0] = '\0';
	memset(&out->meta, 0, sizeof out->meta);
	strlcpy_sb(out->orig, e->name, sizeof out->orig);
	if (abs_path(imp, e->path, f.abspath, sizeof f.abspath) == -1) {
		snprintf(f.err, sizeof f.err, "its path is too long to record "
		    "(%zu bytes or more); left as it is",
		    sizeof f.abspath - 1);
		return infile_failed(imp, &f);
	}
	if ((o = import_known(imp, &f)) == OUT_NEXT &&
	    (o = import_settled(imp, &f)) == OUT_NEXT &&
	    (o = import_read(imp, &f)) == OUT_NEXT &&
	    (o = import_place(imp, &f)) == OUT_NEXT) {
		if (imp->dry_run) {
			imp->bytes_done += (uint64_t)f.sb.st_size;
			o = import_plan(imp, &f);
		} else if ((p = import_copy(imp, &f, &o)) != NULL)
			o = import_commit(imp, &f, p, defer);
	}
	if (f.fd != -1)
		close(f.fd);
	return o;
}

/*
 * A sidecar found alone whose main file an earlier run imported (and with
 * --move removed, or whose main someone deleted since): an edit saved
 * after the photo was filed, an .AAE a phone sent after its .HEIC. mp is
 * that main file's place, as for a main file met again and not re-read.
 * 1, or 0 when the catalogue knows no such main file.
 */
static int
late_main(struct import *imp, const struct scan_entry *e, struct placed *mp)
{
	struct cat_file	file;
	char		abspath[PATH_MAX * 2], name[STORE_NAME_MAX];
	char		own[NAME_MAX + 1];
	size_t		dl;
	int		rc;

	if (imp->cat == NULL || !is_sidecar_name(e->name) ||
	    abs_path(imp, e->path, abspath, sizeof abspath) == -1)
		return 0;
	read_begin(imp);
	rc = catalog_late_main(imp->cat, abspath, scan_sidecar_prefix(e->name),
	    scan_sidecar_of, &file, name, sizeof name);
	/*
	 * Else one put aside by a --move killed mid-way (NAME~shoebox-PID.EXT):
	 * paired by its own name.
	 */
	if (rc == 0 && source_aside_name(e->name, own, sizeof own) &&
	    (dl = strlen(abspath) - strlen(e->name)) + strlen(own) <
	    sizeof abspath) {
		memcpy(abspath + dl, own, strlen(own) + 1);
		rc = catalog_late_main(imp->cat, abspath,
		    scan_sidecar_prefix(own), scan_sidecar_of, &file, name,
		    sizeof name);
	}
	if (rc != 1 || file.path[0] == '\0')
		return 0;
	memset(mp, 0, sizeof *mp);
	placed_at(mp, file.id, file.path);
	strlcpy_sb(mp->orig, name, sizeof mp->orig);
	strlcpy_sb(mp->meta.date_source, "main", sizeof mp->meta.date_source);
	return 1;
}

/* Import a main file, then each of its sidecars beside it. */
void
import_group(struct import *imp, struct scan *sc, size_t i)
{
	struct placed	*mp, *side;
	enum outcome	 o, so;
	long		 j;
	int		 whole = 1;

	mp = xmalloc(sizeof *mp);
	side = xmalloc(sizeof *side);
	if (sc->e[i].first == -1 && late_main(imp, &sc->e[i], mp)) {
		/* Filed at once beside it (it needs the main's name). */
		batch_flush(imp);
		import_file(imp, &sc->e[i], mp, side, 0);
		free(mp);
		free(side);
		return;
	}
	/*
	 * A main file without sidecars joins the batch; one with sidecars is
	 * filed at once (they need its final name), after the batch before it.
	 */
	if (sc->e[i].first != -1) {
		batch_flush(imp);
		imp->group_hold = 1;
	}
	o = import_file(imp, &sc->e[i], NULL, mp, sc->e[i].first == -1);
	for (j = sc->e[i].first; j != -1; j = sc->e[j].next) {
		if (import_interrupted || import_halted(imp)) {
			whole = 0;	/* the rest: not attempted */
			break;
		}
		if (o == OUT_FAILED || o == OUT_SKIPPED || o == OUT_WAITING ||
		    o == OUT_NOTTRIED || mp->dir[0] == '\0') {
			imp->bytes_done += (uint64_t)sc->e[j].size;
			if (o == OUT_NOTTRIED) {	/* did not fit */
				imp->nofit++;
				imp->nofit_bytes += (uint64_t)sc->e[j].size;
			}
			if (o == OUT_FAILED)
				say(imp, sc->e[j].path, "not imported: its "
				    "main file %s was not", sc->e[i].name);
			so = o == OUT_FAILED || o == OUT_WAITING ||
			    o == OUT_NOTTRIED ? o : OUT_SKIPPED;
			report(imp, sc->e[j].path, so, NULL, NULL, NULL,
			    o == OUT_FAILED ? "main file failed" : o ==
			    OUT_WAITING ? "main file left for the next run" :
			    o == OUT_NOTTRIED ? "main file not attempted" :
			    o == OUT_ALREADY ? "its main file was forgotten" :
			    "its main file was not imported");
			whole = 0;
			continue;
		}
		if (o == OUT_ALREADY && mp->meta.date_source[0] == '\0') {
			/* Main not re-read: date sidecars by their place. */
			snprintf(mp->meta.date_source,
			    sizeof mp->meta.date_source, "%s", "main");
		}
		so = import_file(imp, &sc->e[j], mp, side, 0);
		if (so == OUT_FAILED || so == OUT_WAITING)
			whole = 0;
	}
	group_end(imp, &sc->e[i], whole);
	free(mp);
	free(side);
}
