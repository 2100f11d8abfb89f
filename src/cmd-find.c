/*
 * cmd-find.c: "shoebox find": the library files the catalogue says match,
 * by capture day or range, camera, kind, type, name, source or upload
 * state; one absolute path a line (or NUL-separated, or one JSON object
 * each). Reads the catalogue only, never the files. Exit status as grep's:
 * 0 found, 1 none, 2 trouble.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "shoebox.h"
#include "catalog.h"

struct find {
	const char	*library;	/* absolute */
	int		 json;
	int		 nul;
};

/*
 * Whether catalog column col holds a name: printed as import prints names
 * (log_path), a backslash as \\ too, or a source named "a\x0ab" would read
 * the same as one named "a", newline, "b".
 */
static int
find_name_column(const char *col)
{
	return strcmp(col, "path") == 0 || strcmp(col, "source") == 0 ||
	    strcmp(col, "sidecar_of") == 0;
}

/* Print one file found; 0 to go on. */
static int
find_print(void *arg, const char *const *v)
{
	struct find		*out = arg;
	struct json_object	*o;
	char			*abs, p[PATH_MAX * 2];
	int			 i;

	if (!out->json) {	/* a million lines: no allocation each */
		fputs(out->library, stdout);
		putchar('/');
		fputs(v[0], stdout);
		putchar(out->nul ? '\0' : '\n');
		return 0;
	}
	xasprintf(&abs, "%s/%s", out->library, v[0]);
	o = json_object_new_object();
	for (i = 0; i < CAT_NCOLUMNS; i++)
		if (strcmp(catalog_columns[i], "size") == 0)
			json_object_object_add(o, "size",
			    json_object_new_int64(v[i] != NULL ?
			    strtoll(v[i], NULL, 10) : 0));
		else if (v[i] != NULL && find_name_column(catalog_columns[i]))
			json_add_str(o, catalog_columns[i], log_path(v[i], p,
			    sizeof p));
		else
			json_add_str(o, catalog_columns[i], v[i]);
	json_add_str(o, "file", log_path(abs, p, sizeof p));
	json_print(o);
	free(abs);
	return 0;
}

static const struct cmd_option find_options[] = {
	{ "date", 0, "DAY|FROM..TO",
	    "taken on that day, month or year, or between two (both included)" },
	{ "make", 0, "TEXT", "the camera's make contains TEXT, in any case" },
	{ "model", 0, "TEXT", "the camera's model contains TEXT, in any case" },
	{ "camera", 0, "TEXT",
	    "the make, the model or both (\"apple iphone 12\") contain TEXT" },
	{ "kind", 0, "KIND", "image, raw, video or sidecar" },
	{ "mime", 0, "GLOB", "the type, as probe names it" },
	{ "name", 0, "GLOB", "the file's name in the library matches GLOB" },
	{ "source", 0, "GLOB", "it came from a path matching GLOB" },
	{ "remote", 0, "NAME", "it is queued for the remote NAME" },
	{ "pending", 0, NULL, "with --remote: not uploaded yet" },
	{ "done", 0, NULL, "with --remote: uploaded" },
	{ "failed", 0, NULL, "with --remote: the last try failed" },
	{ "json", 'j', NULL, "one JSON object per file, the catalog's columns" },
	{ "null", '0', NULL, "paths ended by NUL, for xargs -0" },
	{ NULL, 0, NULL, NULL }
};

static int
cmd_find(struct sb_ctx *ctx, struct cmd_args *args)
{
	static const char *const kinds[] = { "image", "raw", "video",
	    "sidecar", NULL };
	static const char *const states[] = { "pending", "done", "failed",
	    NULL };
	struct cat_query	 q;
	struct daterange	 taken;
	struct find		 out;
	struct catalog		*cat;
	const char		*v;
	char			*abslib;
	int			 i, n;

	memset(&q, 0, sizeof q);
	memset(&out, 0, sizeof out);
	if ((v = cmd_get(args, "date")) != NULL) {
		if (daterange_parse(v, &taken) == -1) {
			log_warnx("find: --date %s: not a day, month or year "
			    "(2004-03-30, 2004-03, 2004) or a range of them "
			    "(FROM..TO)", v);
			return EXIT_USAGE;
		}
		q.taken = &taken;
	}
	q.make = cmd_get(args, "make");
	q.model = cmd_get(args, "model");
	q.camera = cmd_get(args, "camera");
	if ((v = cmd_get(args, "kind")) != NULL) {
		for (i = 0; kinds[i] != NULL; i++)
			if (strcmp(v, kinds[i]) == 0)
				break;
		if (kinds[i] == NULL) {
			log_warnx("find: --kind %s: one of image, raw, video, "
			    "sidecar", v);
			return EXIT_USAGE;
		}
		q.kind = kinds[i];
	}
	q.mime = cmd_get(args, "mime");
	/* shared-mime-info's aliases of the name probe gives (schema 12) */
	if (q.mime != NULL && (strcmp(q.mime, "image/heic") == 0 ||
	    strcmp(q.mime, "image/heic-sequence") == 0 ||
	    strcmp(q.mime, "image/heif-sequence") == 0))
		q.mime = "image/heif";
	q.name = cmd_get(args, "name");
	q.source = cmd_get(args, "source");
	q.remote = cmd_get(args, "remote");
	for (i = 0; states[i] != NULL; i++) {
		if (!cmd_has(args, states[i]))
			continue;
		if (q.job_status != NULL) {
			log_warnx("find: one of --pending, --done, --failed");
			return EXIT_USAGE;
		}
		q.job_status = states[i];
	}
	out.json = ctx->json;
	out.nul = cmd_has(args, "null") > 0;
	if (out.json && out.nul) {
		log_warnx("find: --json or -0, not both");
		return EXIT_USAGE;
	}
	q.all_columns = out.json;
	if ((cat = catalog_open(ctx->library, CATALOG_READ)) == NULL)
		return catalog_open_damaged ? EXIT_SOMEFAILED : EXIT_USAGE;
	if ((abslib = realpath(ctx->library, NULL)) == NULL)
		abslib = xstrdup(ctx->library);
	out.library = abslib;
	n = catalog_find(cat, &q, find_print, &out);
	catalog_close(cat);
	free(abslib);
	if (n == -1)
		return EXIT_USAGE;
	return n > 0 ? EXIT_ALLGOOD : EXIT_SOMEFAILED;
}

const struct cmd_entry cmd_find_entry = {
	"find", "", 0, 0,
	"list library files by date, camera, kind, name, source or upload",
	find_options, CMD_LIBRARY, cmd_find
};
