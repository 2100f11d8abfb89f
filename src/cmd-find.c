/*
 * cmd-find.c: "shoebox find": the library files the catalogue says match,
 * by capture day or range, camera, kind, type, name, source or upload
 * state; one absolute path a line (or NUL-separated, or one JSON object
 * each). Reads the catalogue only, never the files. Exit status as grep's:
 * 0 found, 1 none, 2 trouble.
 */
#include <getopt.h>
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

/* Print one file found; 0 to go on. */
static int
find_print(void *arg, const char *const *v)
{
	struct find		*out = arg;
	struct json_object	*o;
	char			*abs;
	int			 i;

	xasprintf(&abs, "%s/%s", out->library, v[0]);
	if (out->json) {
		o = json_object_new_object();
		for (i = 0; i < CAT_NCOLUMNS; i++)
			if (strcmp(catalog_columns[i], "size") == 0)
				json_object_object_add(o, "size",
				    json_object_new_int64(v[i] != NULL ?
				    strtoll(v[i], NULL, 10) : 0));
			else
				json_add_str(o, catalog_columns[i], v[i]);
		json_add_str(o, "file", abs);
		json_print(o);
	} else if (out->nul) {
		fputs(abs, stdout);
		putchar('\0');
	} else
		puts(abs);
	free(abs);
	return 0;
}

static int
cmd_find(struct sb_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "date",	required_argument,	NULL, 'd' },
		{ "make",	required_argument,	NULL, 'M' },
		{ "model",	required_argument,	NULL, 'm' },
		{ "kind",	required_argument,	NULL, 'k' },
		{ "mime",	required_argument,	NULL, 't' },
		{ "name",	required_argument,	NULL, 'n' },
		{ "source",	required_argument,	NULL, 's' },
		{ "remote",	required_argument,	NULL, 'r' },
		{ "pending",	no_argument,		NULL, 'P' },
		{ "done",	no_argument,		NULL, 'D' },
		{ "failed",	no_argument,		NULL, 'F' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "null",	no_argument,		NULL, '0' },
		{ NULL,		0,			NULL, 0 }
	};
	static const char *const kinds[] = { "image", "raw", "video",
	    "sidecar", NULL };
	struct cat_query	 q;
	struct daterange	 taken;
	struct find		 out;
	struct catalog		*cat;
	char			*abslib;
	int			 ch, i, n;

	memset(&q, 0, sizeof q);
	memset(&out, 0, sizeof out);
	while ((ch = getopt_long(argc, argv, "j0", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			if (daterange_parse(optarg, &taken) == -1) {
				log_warnx("find: --date %s: not a day, month "
				    "or year (2004-03-30, 2004-03, 2004) or a "
				    "range of them (FROM..TO)", optarg);
				return EXIT_USAGE;
			}
			q.taken = &taken;
			break;
		case 'M':
			q.make = optarg;
			break;
		case 'm':
			q.model = optarg;
			break;
		case 'k':
			for (i = 0; kinds[i] != NULL; i++)
				if (strcmp(optarg, kinds[i]) == 0)
					break;
			if (kinds[i] == NULL) {
				log_warnx("find: --kind %s: one of image, raw, "
				    "video, sidecar", optarg);
				return EXIT_USAGE;
			}
			q.kind = kinds[i];
			break;
		case 't':
			q.mime = optarg;
			break;
		case 'n':
			q.name = optarg;
			break;
		case 's':
			q.source = optarg;
			break;
		case 'r':
			q.remote = optarg;
			break;
		case 'P':
		case 'D':
		case 'F':
			if (q.job_status != NULL) {
				log_warnx("find: one of --pending, --done, "
				    "--failed");
				return EXIT_USAGE;
			}
			q.job_status = ch == 'P' ? "pending" : ch == 'D' ?
			    "done" : "failed";
			break;
		case 'j':
			out.json = 1;
			break;
		case '0':
			out.nul = 1;
			break;
		default:
			cmd_usage(&cmd_find_entry);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cmd_usage(&cmd_find_entry);
		return EXIT_USAGE;
	}
	out.json = out.json || ctx->json;
	if (out.json && out.nul) {
		log_warnx("find: --json or -0, not both");
		return EXIT_USAGE;
	}
	q.all_columns = out.json;
	if ((cat = catalog_open(ctx->library, 1)) == NULL)
		return EXIT_USAGE;
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
	"find",
	"[--date DAY|FROM..TO] [--make TEXT] [--model TEXT] [--kind KIND] "
	"[--mime GLOB] [--name GLOB] [--source GLOB] [--remote NAME] "
	"[--pending|--done|--failed] [--json|-0]",
	"list library files by date, camera, kind, name, source or upload",
	CMD_LIBRARY, cmd_find
};
