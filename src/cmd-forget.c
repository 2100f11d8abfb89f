/*
 * cmd-forget.c: "shoebox forget --remote NAME": drop from the catalogue
 * everything it records of a remote that was taken out of the config: its
 * upload jobs (pending, done or failed), the multipart uploads in
 * progress and the checks verify --remote made. Nothing on the remote
 * itself is touched, nor any library file. A remote still in the config
 * is refused without --force (its next sync would queue every file again,
 * and find those already there); one a sync is uploading to right now is
 * refused always. It says what it drops first; --dry-run only says it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json.h>
#include <sqlite3.h>

#include "shoebox.h"
#include "catalog.h"

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
	    " coalesce(sum(lease_until > ?2), 0)"
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

static int
cmd_forget(struct sb_ctx *ctx, struct cmd_args *args)
{
	struct forget_count	 c;
	struct catalog		*cat;
	const char		*name;
	char			*db;
	int			 dry_run, rc = EXIT_USAGE;

	if ((name = cmd_get(args, "remote")) == NULL) {
		log_warnx("forget: which remote? --remote NAME");
		return EXIT_USAGE;
	}
	dry_run = cmd_has(args, "dry-run");
	if (forget_configured(ctx->cfg, name) && !cmd_has(args, "force")) {
		log_warnx("forget: remote %s is still in the config (%s): take "
		    "its [remote %s] section out first, or --force (its next "
		    "sync would queue every file again)", log_esc(name),
		    log_esc(config_path(ctx->cfg)), log_esc(name));
		return EXIT_USAGE;
	}
	xasprintf(&db, "%s/.shoebox/catalog.db", ctx->library);
	if (access(db, F_OK) == -1) {
		log_warn("forget: %s", db);
		free(db);
		return EXIT_USAGE;
	}
	free(db);
	if ((cat = catalog_open(ctx->library, dry_run)) == NULL)
		return EXIT_USAGE;
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
	rc = EXIT_ALLGOOD;
	if (!dry_run && forget_drop(cat, name) == -1)
		rc = EXIT_SOMEFAILED;
out:
	catalog_close(cat);
	return rc;
}

static const struct cmd_option forget_options[] = {
	{ "remote", 'r', "NAME", "the remote to forget (required)" },
	{ "force", 'f', NULL, "even though NAME is still in the config" },
	{ "dry-run", 'n', NULL, "only say what would be forgotten" },
	{ "json", 'j', NULL, "say it as a JSON object" },
	{ NULL, 0, NULL, NULL }
};

const struct cmd_entry cmd_forget_entry = {
	"forget", "", 0, 0,
	"drop a remote taken out of the config from the catalogue",
	forget_options, CMD_LIBRARY, cmd_forget
};
