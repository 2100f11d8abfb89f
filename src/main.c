/*
 * main.c: global options, the config file, the command table and its
 * lookup, and the exit status. Each command lives in its own cmd-*.c and is
 * one entry in the table below.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shoebox.h"

static const struct cmd_entry *commands[] = {
	&cmd_import_entry,
	&cmd_probe_entry,
	&cmd_sync_entry,
	&cmd_status_entry,
	NULL
};

static void
usage(FILE *f)
{
	int	i;

	fprintf(f, "usage: shoebox [-L|--library DIR] [-c|--config FILE] "
	    "[-v] [-q] COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; commands[i] != NULL; i++)
		fprintf(f, "  %-8s %s\n", commands[i]->name,
		    commands[i]->summary);
	fprintf(f, "  %-8s %s\n", "help", "show a command's usage");
	fprintf(f, "\n'shoebox help COMMAND' or man shoebox for more.\n");
}

/* The command named by name or a unique prefix of it, or NULL. */
static const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry	*found = NULL;
	size_t			 len = strlen(name);
	int			 i, n = 0;

	for (i = 0; commands[i] != NULL; i++) {
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
		if (strncmp(commands[i]->name, name, len) == 0) {
			found = commands[i];
			n++;
		}
	}
	if (n > 1) {
		log_warnx("ambiguous command: %s", name);
		return NULL;
	}
	if (found == NULL)
		log_warnx("unknown command: %s", name);
	return found;
}

static int
cmd_help(const char *name)
{
	const struct cmd_entry	*cmd;

	if (name == NULL) {
		usage(stdout);
		return EXIT_ALLGOOD;
	}
	if ((cmd = cmd_find(name)) == NULL)
		return EXIT_USAGE;
	printf("usage: shoebox %s %s\n\n%s\n", cmd->name, cmd->usage,
	    cmd->summary);
	return EXIT_ALLGOOD;
}

/*
 * Load -c FILE, else $SHOEBOX_CONFIG, else the user's config, else the
 * system's. A file named by -c or SHOEBOX_CONFIG must exist.
 */
static int
load_config(struct config *cfg, const char *path)
{
	const char	*home, *xdg;
	char		*user = NULL;
	int		 rc;

	if (path == NULL && (path = getenv("SHOEBOX_CONFIG")) != NULL &&
	    *path == '\0')
		path = NULL;
	if (path != NULL)
		return config_load(cfg, path, 1);
	if ((xdg = getenv("XDG_CONFIG_HOME")) != NULL && *xdg != '\0')
		xasprintf(&user, "%s/shoebox/config", xdg);
	else if ((home = getenv("HOME")) != NULL && *home != '\0')
		xasprintf(&user, "%s/.config/shoebox/config", home);
	if (user != NULL && access(user, F_OK) == 0) {
		rc = config_load(cfg, user, 1);
		free(user);
		return rc;
	}
	free(user);
	return config_load(cfg, SHOEBOX_SYSCONFDIR "/shoebox.conf", 0);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "library",	required_argument,	NULL, 'L' },
		{ "config",	required_argument,	NULL, 'c' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	const struct cmd_entry	*cmd;
	struct sb_ctx		 ctx;
	const char		*cfgpath = NULL, *library = NULL, *env;
	int			 ch, rc;

	memset(&ctx, 0, sizeof ctx);
	while ((ch = getopt_long(argc, argv, "+L:c:vqhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'L':
			library = optarg;
			break;
		case 'c':
			cfgpath = optarg;
			break;
		case 'v':
			log_verbose++;
			break;
		case 'q':
			log_quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_ALLGOOD;
		case 'V':
			printf("shoebox %s\n", SHOEBOX_VERSION);
			return EXIT_ALLGOOD;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "help") == 0)
		return cmd_help(argc > 1 ? argv[1] : NULL);
	if ((cmd = cmd_find(argv[0])) == NULL) {
		usage(stderr);
		return EXIT_USAGE;
	}

	ctx.cfg = config_new();
	if (load_config(ctx.cfg, cfgpath) == -1) {
		config_free(ctx.cfg);
		return EXIT_USAGE;
	}
	if (library == NULL && (env = getenv("SHOEBOX_LIBRARY")) != NULL &&
	    *env != '\0')
		library = env;
	if (library == NULL)
		library = config_get(ctx.cfg, "", "library");
	ctx.library = library;
	if ((cmd->flags & CMD_LIBRARY) && ctx.library == NULL) {
		log_warnx("%s: no library given (use -L DIR, SHOEBOX_LIBRARY "
		    "or 'library =' in the config)", cmd->name);
		config_free(ctx.cfg);
		return EXIT_USAGE;
	}

	optind = 0;	/* getopt_long restarts for the command's own options */
	rc = cmd->exec(&ctx, argc, argv);
	identify_close();
	config_free(ctx.cfg);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_warn("stdout");
		if (rc == EXIT_ALLGOOD)
			rc = EXIT_SOMEFAILED;
	}
	return rc;
}
