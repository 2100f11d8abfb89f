/*
 * cmd-probe.c: "shoebox probe FILE...": what shoebox sees in each file, one
 * line each (or one JSON object each). Reads headers only; writes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json.h>

#include "shoebox.h"

/* The dates the file offered, best first, as a JSON array (caller frees). */
static struct json_object *
candidates_json(const struct meta *m)
{
	struct json_object	*a = json_object_new_array(), *o;
	char			 buf[64];
	int			 i;

	for (i = 0; i < m->ncand; i++) {
		o = json_object_new_object();
		json_add_str(o, "source", m->cand[i].source);
		date_format(&m->cand[i].t, buf, sizeof buf);
		json_add_str(o, "taken", buf);
		date_format_utc(&m->cand[i].t, buf, sizeof buf);
		json_add_str(o, "taken_utc", buf);
		json_object_array_add(a, o);
	}
	return a;
}

/* "candidates: exif 2019-08-24T12:12:33, filename ..., mtime ..." */
static void
candidates_print(const struct meta *m)
{
	char	buf[64];
	int	i;

	printf("  candidates:");
	for (i = 0; i < m->ncand; i++) {
		date_format(&m->cand[i].t, buf, sizeof buf);
		printf("%s %s %s", i > 0 ? "," : "", m->cand[i].source, buf);
	}
	printf("%s\n", m->ncand == 0 ? " none" : "");
}

static int
probe_one(struct sb_ctx *ctx, const char *path, uint8_t *head)
{
	struct json_object	*o;
	struct stat		 sb;
	struct sb_src		 s;
	struct meta		 m;
	char			 p[4096], taken[64];
	int			 fd, rc;

	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK |
	    O_CLOEXEC)) == -1 || fstat(fd, &sb) == -1) {
		log_warn("%s", log_path(path, p, sizeof p));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		log_warnx("%s: not a regular file", log_path(path, p, sizeof p));
		close(fd);
		return -1;
	}
	rc = meta_probe(fd, path, &sb, ctx->cfg, head, &s, &m);
	close(fd);
	if (rc == -1) {
		log_warnx("%s: %s", log_path(path, p, sizeof p),
		    log_esc(m.error));
		return -1;
	}
	if (rc == 1)
		log_warnx("%s: %s", log_path(path, p, sizeof p),
		    log_esc(m.error));
	if (ctx->json) {
		o = meta_json(path, &m);
		json_object_object_add(o, "candidates", candidates_json(&m));
		json_print(o);
	} else {
		date_format(&m.taken, taken, sizeof taken);
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
		    log_path(path, p, sizeof p), kind_name(m.kind),
		    log_esc(m.mime), taken, m.date_source,
		    m.make[0] ? log_esc(m.make) : "-",
		    m.model[0] ? log_esc(m.model) : "-");
		if (log_verbose > 0)
			candidates_print(&m);
	}
	return rc == 0 ? 0 : -1;
}

static int
cmd_probe(struct sb_ctx *ctx, struct cmd_args *args)
{
	uint8_t	*head;
	int	 i, failed = 0;

	if (identify_open(NULL) == -1)
		return EXIT_USAGE;
	head = xmalloc(HEAD_SIZE);
	for (i = 0; i < args->argc; i++)
		if (probe_one(ctx, args->argv[i], head) == -1)
			failed++;
	free(head);
	return failed ? EXIT_SOMEFAILED : EXIT_ALLGOOD;
}

static const struct cmd_option probe_options[] = {
	{ "json", 'j', NULL,
	    "one JSON object per file, with every date it offered" },
	{ NULL, 0, NULL, NULL }
};

const struct cmd_entry cmd_probe_entry = {
	"probe", "FILE...", 1, -1,
	"show what shoebox sees in files (type, kind, date, camera)",
	probe_options, 0, cmd_probe
};
