/*
 * cmd-status.c: "shoebox status": the library (files and bytes by capture
 * year, kind and camera), the upload queue per remote (pending, done,
 * failed with the last error, and the files that went up under another
 * name because a different file had theirs) and the last runs, as text or
 * --json. Reads the catalogue only, and at a million files reads little of
 * it: file_counts, and the queue's indexes.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json.h>
#include <sqlite3.h>

#include "shoebox.h"
#include "catalog.h"

#define STATUS_ERRORS	20	/* errors listed per remote, as text */

/* Files and bytes under one name (a year, a kind, a camera). */
struct status_group {
	char		*name;		/* as shown */
	char		*key[2];	/* year or kind; or make, model */
	int64_t		 files;
	int64_t		 bytes;
};

struct status_groups {
	struct status_group	*g;
	size_t			 n;
	size_t			 cap;
};

/* The library in numbers: by capture year, kind and camera. */
struct status_lib {
	int64_t			 files;
	int64_t			 bytes;
	struct status_groups	 years, kinds, cameras;
};

/* Add files and bytes to the group named name in gs. */
static void
status_group_add(struct status_groups *gs, const char *name,
    const char *key0, const char *key1, const struct cat_tally *t)
{
	struct status_group	*g;
	size_t			 i;

	for (i = 0; i < gs->n; i++)
		if (strcmp(gs->g[i].key[0], key0) == 0 &&
		    strcmp(gs->g[i].key[1], key1) == 0)
			break;
	if (i == gs->n) {
		if (gs->n == gs->cap) {
			gs->cap = gs->cap ? gs->cap * 2 : 16;
			gs->g = xreallocarray(gs->g, gs->cap, sizeof *gs->g);
		}
		g = &gs->g[gs->n++];
		g->name = xstrdup(name);
		g->key[0] = xstrdup(key0);
		g->key[1] = xstrdup(key1);
		g->files = g->bytes = 0;
	}
	gs->g[i].files += t->files;
	gs->g[i].bytes += t->bytes;
}

/*
 * A camera as a person names it: the model where it already says the make
 * ("Canon EOS 80D", "NIKON D750" of "NIKON CORPORATION"), else both.
 */
static void
status_camera_name(const char *make, const char *model, char *buf,
    size_t size)
{
	size_t	n = strcspn(make, " ");

	if (*make == '\0' && *model == '\0')
		snprintf(buf, size, "unknown camera");
	else if (*model == '\0')
		snprintf(buf, size, "%s", make);
	else if (*make == '\0' || (n > 0 && strncasecmp(make, model, n) == 0))
		snprintf(buf, size, "%s", model);
	else
		snprintf(buf, size, "%s %s", make, model);
}

/* catalog_tally's callback: one year, kind and camera into the totals. */
static int
status_tally(void *arg, const struct cat_tally *t)
{
	struct status_lib	*lib = arg;
	char			 cam[512];

	lib->files += t->files;
	lib->bytes += t->bytes;
	status_group_add(&lib->years, *t->year ? t->year : "unknown",
	    t->year, "", t);
	status_group_add(&lib->kinds, t->kind, t->kind, "", t);
	status_camera_name(t->make, t->model, cam, sizeof cam);
	status_group_add(&lib->cameras, cam, t->make, t->model, t);
	return 0;
}

/* Years in order (unknown last); kinds and cameras most files first. */
static int
status_by_key(const void *a, const void *b)
{
	const struct status_group *x = a, *y = b;

	if (*x->key[0] == '\0' || *y->key[0] == '\0')
		return (*x->key[0] == '\0') - (*y->key[0] == '\0');
	return strcmp(x->key[0], y->key[0]);
}

static int
status_by_files(const void *a, const void *b)
{
	const struct status_group *x = a, *y = b;

	if (x->files != y->files)
		return x->files < y->files ? 1 : -1;
	return strcmp(x->name, y->name);
}

static void
status_groups_free(struct status_groups *gs)
{
	size_t	i;

	for (i = 0; i < gs->n; i++) {
		free(gs->g[i].name);
		free(gs->g[i].key[0]);
		free(gs->g[i].key[1]);
	}
	free(gs->g);
}

/* One block of groups as text: a title line, then one line each. */
static void
status_groups_text(const char *title, const struct status_groups *gs)
{
	char	size[32];
	size_t	i;
	int	w = 0;

	if (gs->n == 0)
		return;
	for (i = 0; i < gs->n; i++)
		if ((int)strlen(log_esc(gs->g[i].name)) > w)
			w = (int)strlen(log_esc(gs->g[i].name));
	printf("  %s:\n", title);
	for (i = 0; i < gs->n; i++) {
		fmt_size((uint64_t)gs->g[i].bytes, size, sizeof size);
		printf("    %-*s %9lld %-5s %10s\n", w,
		    log_esc(gs->g[i].name), (long long)gs->g[i].files,
		    gs->g[i].files == 1 ? "file" : "files", size);
	}
}

/* One block of groups as a JSON array of {k0: .., [k1: ..,] files, bytes}. */
static struct json_object *
status_groups_json(const struct status_groups *gs, const char *k0,
    const char *k1)
{
	struct json_object	*arr = json_object_new_array(), *o;
	size_t			 i;

	for (i = 0; i < gs->n; i++) {
		o = json_object_new_object();
		json_add_str(o, k0, gs->g[i].key[0]);
		if (k1 != NULL)
			json_add_str(o, k1, gs->g[i].key[1]);
		json_object_object_add(o, "files",
		    json_object_new_int64(gs->g[i].files));
		json_object_object_add(o, "bytes",
		    json_object_new_int64(gs->g[i].bytes));
		json_object_array_add(arr, o);
	}
	return arr;
}

/*
 * The library: its files and bytes, by capture year, kind and camera, as
 * text or one {"library": ...} line of JSON. -1 if the catalogue failed.
 */
static int
status_library(struct catalog *cat, struct sb_ctx *ctx)
{
	struct status_lib	 lib;
	struct json_object	*o, *l;
	char			 size[32], p[4096], *path;
	int			 rc;

	memset(&lib, 0, sizeof lib);
	rc = catalog_tally(cat, status_tally, &lib);
	if (lib.files > 0) {	/* qsort's array may not be NULL */
		qsort(lib.years.g, lib.years.n, sizeof *lib.years.g,
		    status_by_key);
		qsort(lib.kinds.g, lib.kinds.n, sizeof *lib.kinds.g,
		    status_by_files);
		qsort(lib.cameras.g, lib.cameras.n, sizeof *lib.cameras.g,
		    status_by_files);
	}
	if ((path = realpath(cat->library, NULL)) == NULL)
		path = xstrdup(cat->library);
	if (rc == 0 && ctx->json) {
		o = json_object_new_object();
		l = json_object_new_object();
		json_add_str(l, "path", path);
		json_object_object_add(l, "files",
		    json_object_new_int64(lib.files));
		json_object_object_add(l, "bytes",
		    json_object_new_int64(lib.bytes));
		json_object_object_add(l, "years",
		    status_groups_json(&lib.years, "year", NULL));
		json_object_object_add(l, "kinds",
		    status_groups_json(&lib.kinds, "kind", NULL));
		json_object_object_add(l, "cameras",
		    status_groups_json(&lib.cameras, "make", "model"));
		json_object_object_add(o, "library", l);
		json_print(o);
	} else if (rc == 0) {
		fmt_size((uint64_t)lib.bytes, size, sizeof size);
		printf("library %s: %lld files, %s\n", log_path(path, p,
		    sizeof p), (long long)lib.files, size);
		status_groups_text("by year", &lib.years);
		status_groups_text("by kind", &lib.kinds);
		status_groups_text("by camera", &lib.cameras);
	}
	free(path);
	status_groups_free(&lib.years);
	status_groups_free(&lib.kinds);
	status_groups_free(&lib.cameras);
	return rc;
}

/* Does the catalogue record remote names (schema 3 on)? */
static int
status_has_remote_path(struct catalog *cat)
{
	sqlite3_stmt	*st;
	int		 has = 0;

	if ((st = catalog_prepare(cat, "SELECT 1 FROM pragma_table_info("
	    "'upload_jobs') WHERE name = 'remote_path'")) == NULL)
		return 0;
	has = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return has;
}

/*
 * The files of a remote that went up under another name (a different file
 * had theirs there), as text lines or into the JSON array arr. 0, or -1
 * after saying why.
 */
static int
status_renamed(struct catalog *cat, struct sb_ctx *ctx, const char *name,
    struct json_object *arr)
{
	struct json_object	*f;
	sqlite3_stmt		*st;
	char			 p[4096], q[4096];
	int			 rc;

	if ((st = catalog_prepare(cat, "SELECT f.path, j.remote_path FROM "
	    "upload_jobs j JOIN files f ON f.id = j.file_id WHERE "
	    "j.remote_id = " CATALOG_REMOTE("?") " AND +j.status = 'done' "
	    "AND j.remote_path IS NOT NULL AND j.remote_path != f.path "
	    "ORDER BY j.id")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(st, 0);
		const char *rpath = (const char *)sqlite3_column_text(st, 1);

		if (ctx->json) {
			f = json_object_new_object();
			json_add_str(f, "path", path);
			json_add_str(f, "remote_path", rpath);
			json_object_array_add(arr, f);
		} else
			printf("  renamed %s -> %s (another file had its name "
			    "there)\n", log_path(path, p, sizeof p),
			    log_path(rpath, q, sizeof q));
	}
	rc = rc == SQLITE_DONE ? 0 : catalog_error(cat, "listing renamed");
	sqlite3_finalize(st);
	return rc;
}

/*
 * The files a configured remote has no job for yet (catalogued before it
 * was added; its next sync queues them): how many, and their bytes. The
 * cheap count first, so that a remote with every file queued costs no
 * join. 0, or -1 after saying why.
 */
static int
status_unqueued(struct catalog *cat, const char *name, long long *n,
    long long *bytes)
{
	sqlite3_stmt	*st;
	int		 some = 0;

	*n = *bytes = 0;
	if ((st = catalog_prepare(cat, "SELECT (SELECT count(*) FROM files) > "
	    "(SELECT count(*) FROM upload_jobs WHERE remote_id = "
	    CATALOG_REMOTE("?") ")")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return catalog_error(cat, "counting files not queued");
	}
	some = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!some)
		return 0;
	if ((st = catalog_prepare(cat, "SELECT count(*), "
	    "coalesce(sum(f.size), 0) FROM files f WHERE NOT EXISTS (SELECT 1 "
	    "FROM upload_jobs j WHERE j.remote_id = " CATALOG_REMOTE("?")
	    " AND j.file_id = f.id)")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return catalog_error(cat, "counting files not queued");
	}
	*n = sqlite3_column_int64(st, 0);
	*bytes = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	return 0;
}

/*
 * One remote's counts, as text or JSON; failures listed under it. Files
 * not yet queued for a configured remote count as pending. 0, or -1 after
 * saying why: a count the catalogue could not give is not shown as 0.
 */
static int
status_remote(struct catalog *cat, struct sb_ctx *ctx, const char *name,
    int configured)
{
	struct json_object	*o = NULL, *arr = NULL, *ren = NULL, *f;
	sqlite3_stmt		*st;
	long long		 pending = 0, pbytes = 0, done = 0, failed = 0;
	long long		 unq = 0, ubytes = 0, nerr;
	char			 p[4096], size[32], more[64];
	int			 rc;

	/*
	 * Counted on the index of (remote, status) alone; only the pending
	 * jobs, few once a sync has run, fetch their file for its size.
	 */
	if ((st = catalog_prepare(cat, "WITH r(id) AS (SELECT "
	    CATALOG_REMOTE("?1") ") SELECT "
	    "(SELECT count(*) FROM upload_jobs WHERE remote_id = r.id AND "
	    "status = 'pending'), (SELECT coalesce(sum(f.size), 0) FROM "
	    "upload_jobs j JOIN files f ON f.id = j.file_id WHERE "
	    "j.remote_id = r.id AND j.status = 'pending'), (SELECT count(*) "
	    "FROM upload_jobs WHERE remote_id = r.id AND status = 'done'), "
	    "(SELECT count(*) FROM upload_jobs WHERE remote_id = r.id AND "
	    "status = 'failed') FROM r")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return catalog_error(cat, "counting upload jobs");
	}
	pending = sqlite3_column_int64(st, 0);
	pbytes = sqlite3_column_int64(st, 1);
	done = sqlite3_column_int64(st, 2);
	failed = sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	if (configured && status_unqueued(cat, name, &unq, &ubytes) == -1)
		return -1;
	pending += unq;
	pbytes += ubytes;
	if (ctx->json) {
		o = json_object_new_object();
		arr = json_object_new_array();
		json_add_str(o, "remote", name);
		json_object_object_add(o, "configured",
		    json_object_new_boolean(configured));
		json_object_object_add(o, "pending",
		    json_object_new_int64(pending));
		json_object_object_add(o, "pending_bytes",
		    json_object_new_int64(pbytes));
		json_object_object_add(o, "not_queued",
		    json_object_new_int64(unq));
		json_object_object_add(o, "done", json_object_new_int64(done));
		json_object_object_add(o, "failed",
		    json_object_new_int64(failed));
	} else {
		fmt_size((uint64_t)pbytes, size, sizeof size);
		more[0] = '\0';
		if (unq > 0)
			snprintf(more, sizeof more, ", %lld not yet queued",
			    unq);
		printf("%s%s: %lld pending (%s%s), %lld done, %lld failed\n",
		    log_esc(name), configured ? "" : " (not configured)",
		    pending, size, more, done, failed);
	}
	if ((st = catalog_prepare(cat, "SELECT f.path, j.status, "
	    "j.last_error, j.attempts FROM upload_jobs j JOIN files f ON "
	    "f.id = j.file_id WHERE j.remote_id = " CATALOG_REMOTE("?") " AND "
	    "j.last_error IS NOT NULL "
	    "AND j.status IN ('pending', 'failed') ORDER BY j.id")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	for (nerr = 0; (rc = sqlite3_step(st)) == SQLITE_ROW; nerr++) {
		const char *path = (const char *)sqlite3_column_text(st, 0);
		const char *stat = (const char *)sqlite3_column_text(st, 1);
		const char *err = (const char *)sqlite3_column_text(st, 2);

		if (ctx->json) {
			f = json_object_new_object();
			json_add_str(f, "path", path);
			json_add_str(f, "status", stat);
			json_add_str(f, "error", err);
			json_object_object_add(f, "attempts",
			    json_object_new_int(sqlite3_column_int(st, 3)));
			json_object_array_add(arr, f);
		} else if (nerr < STATUS_ERRORS)
			printf("  %s %s: %s\n", stat, log_path(path, p,
			    sizeof p), log_esc(err));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		catalog_error(cat, "listing failed uploads");
		goto fail;
	}
	if (!ctx->json && nerr > STATUS_ERRORS)
		printf("  ... and %lld more ('shoebox find --remote %s --failed' "
		    "lists the failed, 'status --json' every error)\n",
		    nerr - STATUS_ERRORS, log_esc(name));
	if (ctx->json)
		ren = json_object_new_array();
	if (status_has_remote_path(cat) &&
	    status_renamed(cat, ctx, name, ren) == -1)
		goto fail;
	if (ctx->json) {
		json_object_object_add(o, "errors", arr);
		json_object_object_add(o, "renamed", ren);
		json_print(o);
	}
	return 0;
fail:
	json_object_put(o);	/* all NULL as text; arr, ren not in o yet */
	json_object_put(arr);
	json_object_put(ren);
	return -1;
}

/*
 * The remotes no longer in the config (conf, n names) that still have
 * jobs: one seek of the (remote_id, file_id) index per remote, not a read
 * of every job. 0, or -1 after saying why.
 */
static int
status_others(struct catalog *cat, struct sb_ctx *ctx, char **conf, int n)
{
	sqlite3_stmt	*st;
	int		 i, rc = SQLITE_DONE, bad = 0;

	if ((st = catalog_prepare(cat, "SELECT name FROM remotes r WHERE"
	    " EXISTS (SELECT 1 FROM upload_jobs WHERE remote_id = r.id)"
	    " ORDER BY name")) == NULL)
		return -1;
	while (bad == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);

		for (i = 0; i < n; i++)
			if (strcmp(conf[i], r) == 0)
				break;
		if (i == n)
			bad = status_remote(cat, ctx, r, 0);
	}
	if (bad == 0 && rc != SQLITE_DONE)
		bad = catalog_error(cat, "listing remotes");
	sqlite3_finalize(st);
	return bad;
}

static int
cmd_status(struct sb_ctx *ctx, struct cmd_args *args)
{
	struct catalog	*cat;
	const char	**names;
	char		**conf;
	int		  i, n, rc, queue, bad = 0;

	(void)args;
	/* Before the first import there is nothing to open: say so. */
	if (!catalog_exists(ctx->library) && errno == ENOENT) {
		log_warnx("status: %s has no catalogue yet: 'shoebox import "
		    "SOURCE' creates it with the first files it files%s",
		    log_esc(ctx->library), access(ctx->library, F_OK) == -1 ?
		    " (the library folder does not exist either)" : "");
		return EXIT_USAGE;
	}
	if ((cat = catalog_open(ctx->library, CATALOG_READ)) == NULL)
		return catalog_open_damaged ? EXIT_SOMEFAILED : EXIT_USAGE;
	/*
	 * What the catalogue cannot give (a damaged page) stops the report
	 * where it is found, said and exit 1: shown as 0 done, or as no runs,
	 * it read as a remote that holds nothing.
	 */
	if (status_library(cat, ctx) == -1)
		goto fail;
	n = config_sections(ctx->cfg, "remote", &names);
	conf = xcalloc((size_t)n + 1, sizeof *conf);
	for (i = 0; i < n; i++)
		conf[i] = xstrdup(names[i]);
	/* A schema 1 catalogue, read before its migration, has no queue. */
	queue = catalog_has_table(cat, "upload_jobs");
	for (i = 0; i < n && queue && bad == 0; i++)
		bad = status_remote(cat, ctx, conf[i], 1);
	if (queue && bad == 0)
		bad = status_others(cat, ctx, conf, n);
	if (bad == 0 && n == 0 && !ctx->json)
		printf("no remotes configured\n");
	for (i = 0; i < n; i++)
		free(conf[i]);
	free(conf);
	if (bad == -1 || run_status(cat, ctx->json, 5) == -1)
		goto fail;
	catalog_close(cat);
	return EXIT_ALLGOOD;
fail:
	rc = cat->damaged ? EXIT_SOMEFAILED : EXIT_USAGE;
	catalog_close(cat);
	return rc;
}

static const struct cmd_option status_options[] = {
	{ "json", 'j', NULL,
	    "one JSON object for the library, one per remote, one with the "
	    "last runs" },
	{ NULL, 0, NULL, NULL }
};

const struct cmd_entry cmd_status_entry = {
	"status", "", 0, 0,
	"show the library by year, kind and camera, the upload queues and the "
	"last runs",
	status_options, CMD_LIBRARY, cmd_status
};
