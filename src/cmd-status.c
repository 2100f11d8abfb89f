/*
 * cmd-status.c: "shoebox status": the upload queue per remote (pending,
 * done, failed with the last error, and the files that went up under
 * another name because a different file had theirs), as text or --json.
 * Reads the catalogue only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json.h>
#include <sqlite3.h>

#include "shoebox.h"
#include "catalog.h"

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
 * had theirs there), as text lines or into the JSON array arr.
 */
static void
status_renamed(struct catalog *cat, struct sb_ctx *ctx, const char *name,
    struct json_object *arr)
{
	struct json_object	*f;
	sqlite3_stmt		*st;
	char			 p[4096], q[4096];

	if ((st = catalog_prepare(cat, "SELECT f.path, j.remote_path FROM "
	    "upload_jobs j JOIN files f ON f.id = j.file_id WHERE j.remote = ? "
	    "AND j.status = 'done' AND j.remote_path != f.path ORDER BY j.id"))
	    == NULL)
		return;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
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
	sqlite3_finalize(st);
}

/*
 * The files a configured remote has no job for yet (catalogued before it
 * was added; its next sync queues them): how many, and their bytes. The
 * cheap count first, so that a remote with every file queued costs no
 * join.
 */
static void
status_unqueued(struct catalog *cat, const char *name, long long *n,
    long long *bytes)
{
	sqlite3_stmt	*st;
	int		 some = 0;

	*n = *bytes = 0;
	if ((st = catalog_prepare(cat, "SELECT (SELECT count(*) FROM files) > "
	    "(SELECT count(*) FROM upload_jobs WHERE remote = ?)")) == NULL)
		return;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	some = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!some || (st = catalog_prepare(cat, "SELECT count(*), "
	    "coalesce(sum(f.size), 0) FROM files f WHERE NOT EXISTS (SELECT 1 "
	    "FROM upload_jobs j WHERE j.remote = ? AND j.file_id = f.id)")) ==
	    NULL)
		return;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		*bytes = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
}

/*
 * One remote's counts, as text or JSON; failures listed under it. Files
 * not yet queued for a configured remote count as pending.
 */
static void
status_remote(struct catalog *cat, struct sb_ctx *ctx, const char *name,
    int configured)
{
	struct json_object	*o = NULL, *arr = NULL, *ren = NULL, *f;
	sqlite3_stmt		*st;
	long long		 pending = 0, pbytes = 0, done = 0, failed = 0;
	long long		 unq = 0, ubytes = 0;
	char			 p[4096], size[32], more[64];

	if ((st = catalog_prepare(cat, "SELECT "
	    "sum(j.status = 'pending'), sum(CASE WHEN j.status = 'pending' "
	    "THEN f.size ELSE 0 END), sum(j.status = 'done'), "
	    "sum(j.status = 'failed') FROM upload_jobs j JOIN files f "
	    "ON f.id = j.file_id WHERE j.remote = ?")) == NULL)
		return;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		pending = sqlite3_column_int64(st, 0);
		pbytes = sqlite3_column_int64(st, 1);
		done = sqlite3_column_int64(st, 2);
		failed = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (configured)
		status_unqueued(cat, name, &unq, &ubytes);
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
	    "f.id = j.file_id WHERE j.remote = ? AND j.last_error IS NOT NULL "
	    "AND j.status != 'done' ORDER BY j.id")) == NULL)
		return;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
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
		} else
			printf("  %s %s: %s\n", stat, log_path(path, p,
			    sizeof p), log_esc(err));
	}
	sqlite3_finalize(st);
	if (ctx->json)
		ren = json_object_new_array();
	if (status_has_remote_path(cat))
		status_renamed(cat, ctx, name, ren);
	if (ctx->json) {
		json_object_object_add(o, "errors", arr);
		json_object_object_add(o, "renamed", ren);
		json_print(o);
	}
}

static int
cmd_status(struct sb_ctx *ctx, struct cmd_args *args)
{
	struct catalog	*cat;
	sqlite3_stmt	*st;
	const char	**names;
	char		**conf, *db;
	int		  i, n;

	(void)args;
	/* Before the first import there is nothing to open: say so. */
	xasprintf(&db, "%s/.shoebox/catalog.db", ctx->library);
	if (access(db, F_OK) == -1 && errno == ENOENT) {
		log_warnx("status: %s has no catalogue yet: 'shoebox import "
		    "SOURCE' creates it with the first files it files%s",
		    log_esc(ctx->library), access(ctx->library, F_OK) == -1 ?
		    " (the library folder does not exist either)" : "");
		free(db);
		return EXIT_USAGE;
	}
	free(db);
	if ((cat = catalog_open(ctx->library, 1)) == NULL)
		return EXIT_USAGE;
	n = config_sections(ctx->cfg, "remote", &names);
	conf = xcalloc((size_t)n + 1, sizeof *conf);
	for (i = 0; i < n; i++)
		conf[i] = xstrdup(names[i]);
	for (i = 0; i < n; i++)
		status_remote(cat, ctx, conf[i], 1);
	/* remotes no longer in the config that still have jobs */
	if ((st = catalog_prepare(cat, "SELECT DISTINCT remote FROM "
	    "upload_jobs ORDER BY remote")) != NULL) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *r = (const char *)sqlite3_column_text(st,
			    0);

			for (i = 0; i < n; i++)
				if (strcmp(conf[i], r) == 0)
					break;
			if (i == n)
				status_remote(cat, ctx, r, 0);
		}
		sqlite3_finalize(st);
	}
	if (n == 0 && !ctx->json)
		printf("no remotes configured\n");
	for (i = 0; i < n; i++)
		free(conf[i]);
	free(conf);
	run_status(cat, ctx->json, 5);
	catalog_close(cat);
	return EXIT_ALLGOOD;
}

static const struct cmd_option status_options[] = {
	{ "json", 'j', NULL,
	    "one JSON object per remote, then one with the last runs" },
	{ NULL, 0, NULL, NULL }
};

const struct cmd_entry cmd_status_entry = {
	"status", "", 0, 0,
	"show the upload queue of each remote and the last import runs",
	status_options, CMD_LIBRARY, cmd_status
};
