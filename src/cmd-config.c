/*
 * cmd-config.c: "shoebox config [check]" checks the config without doing
 * anything: loading it (main.c) already named every unknown key and bad
 * value; then each remote is opened as sync opens it (its secrets, key
 * and known_hosts files: nothing is sent), and the effective settings are
 * printed, defaults included, secrets masked. "shoebox config keys" lists
 * every key shoebox knows (config.c's table).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shoebox.h"
#include "remote.h"

#define MASK	"********"

static const char *const type_names[] = {
	"text", "path", "command", "secret", "yes/no", "size", "duration",
	"seconds", "zone", "number", "rate", "choice", "URL", "pattern",
	"folders"
};

/* value as it may be shown: secrets masked, a URL's password too. */
static void
config_shown(const struct config_key *k, const char *value, char *buf,
    size_t size)
{
	const char	*pw;
	size_t		 len;

	if (k != NULL && k->type == CONFIG_SECRET && *value != '\0')
		snprintf(buf, size, "%s", MASK);
	else if ((pw = config_url_password(value, &len)) != NULL && len > 0)
		snprintf(buf, size, "%.*s%s%s", (int)(pw - value), value, MASK,
		    log_esc(pw + len));
	else
		snprintf(buf, size, "%s", log_esc(value));
}

/* One line "key = value", with a note ("default", "from -L") after it. */
static void
config_line(const struct config_key *k, const char *key, const char *value,
    const char *note)
{
	char	shown[4096], line[4200];

	config_shown(k, value, shown, sizeof shown);
	snprintf(line, sizeof line, "%s = %s", key, shown);
	if (note != NULL)
		printf("%-39s # %s\n", line, note);
	else
		printf("%s\n", line);
}

/*
 * Every key of a section of scope (a remote of type type) but skip, set
 * or not: its value, its default, or that it is not set.
 */
static void
config_section(const struct config *cfg, const char *section, int scope,
    const char *type, const char *skip)
{
	const struct config_key	*k;
	const char		*v;

	for (k = config_keys; k->name != NULL; k++) {
		if (k->scope != scope || (skip != NULL &&
		    strcmp(k->name, skip) == 0))
			continue;
		/* one row per name: the one for this type of remote */
		if (k != config_key_find(k->name, scope, type, NULL))
			continue;
		if ((v = config_get(cfg, section, k->name)) != NULL)
			config_line(k, k->name, v, NULL);
		else if (k->def != NULL)
			config_line(k, k->name, k->def, "default");
		else
			printf("# %s: not set\n", k->name);
	}
}

/* The sections "prefix NAME" of the config, each with its keys. */
static void
config_show_sections(struct sb_ctx *ctx, const char *prefix, int scope)
{
	const char	**names;
	char		**list, *sect;
	int		  i, n;

	n = config_sections(ctx->cfg, prefix, &names);
	list = xcalloc((size_t)n + 1, sizeof *list);
	for (i = 0; i < n; i++)
		list[i] = xstrdup(names[i]);
	for (i = 0; i < n; i++) {
		printf("\n[%s \"%s\"]\n", prefix, log_esc(list[i]));
		xasprintf(&sect, "%s %s", prefix, list[i]);
		config_section(ctx->cfg, sect, scope, scope == CONFIG_REMOTE ?
		    config_get(ctx->cfg, sect, "type") : NULL, NULL);
		free(sect);
		free(list[i]);
	}
	free(list);
}

/* The effective settings, as a config file would give them. */
static void
config_show(struct sb_ctx *ctx)
{
	const char	*path = config_path(ctx->cfg);

	if (path != NULL)
		printf("# %s: no errors\n", log_esc(path));
	else
		printf("# no config file: every setting is its default\n");
	if (ctx->library != NULL)
		config_line(NULL, "library", ctx->library,
		    strcmp(ctx->library_from, "config") == 0 ? NULL :
		    strcmp(ctx->library_from, "-L") == 0 ? "from -L" :
		    "from SHOEBOX_LIBRARY");
	else
		printf("# library: not set\n");
	config_section(ctx->cfg, "", CONFIG_GLOBAL, NULL, "library");
	config_show_sections(ctx, "camera", CONFIG_CAMERA);
	config_show_sections(ctx, "remote", CONFIG_REMOTE);
}

/* Open each remote as sync would; the number that could not be. */
static int
config_remotes(struct sb_ctx *ctx)
{
	const char	**names;
	char		**list;
	struct remote	*r;
	int		  i, n, bad = 0;

	n = config_sections(ctx->cfg, "remote", &names);
	list = xcalloc((size_t)n + 1, sizeof *list);
	for (i = 0; i < n; i++)
		list[i] = xstrdup(names[i]);
	for (i = 0; i < n; i++) {
		if ((r = remote_open(ctx->cfg, list[i])) == NULL)
			bad++;
		remote_close(r);
		free(list[i]);
	}
	free(list);
	return bad;
}

/* "shoebox config keys": every key, its section, type and default. */
static void
config_keys_list(void)
{
	static const char *const scopes[] = { "global", "remote", "camera" };
	const struct config_key	*k;
	char			 name[64];

	for (k = config_keys; k->name != NULL; k++) {
		snprintf(name, sizeof name, "%s%s%s%s", k->name,
		    k->kinds ? " (" : "", k->kinds ? k->kinds : "",
		    k->kinds ? ")" : "");
		printf("%-7s %-26s %-9s %-10s %s\n", scopes[k->scope], name,
		    type_names[k->type], k->def ? k->def : "-", k->doc);
	}
}

static int
cmd_config(struct sb_ctx *ctx, struct cmd_args *args)
{
	const char	*what = args->argc > 0 ? args->argv[0] : "check";

	if (strcmp(what, "keys") == 0) {
		config_keys_list();
		return EXIT_ALLGOOD;
	}
	if (strcmp(what, "check") != 0) {
		log_warnx("config: %s: not check or keys", log_esc(what));
		cmd_usage(&cmd_config_entry);
		return EXIT_USAGE;
	}
	if (config_remotes(ctx) > 0) {
		log_warnx("config: some remotes cannot be used (see above)");
		return EXIT_USAGE;
	}
	config_show(ctx);
	return EXIT_ALLGOOD;
}

const struct cmd_entry cmd_config_entry = {
	"config", "[check|keys]", 0, 1,
	"check the config and show the settings in effect (or list the keys)",
	NULL, 0, cmd_config
};
