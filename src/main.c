/*
 * main.c: global options, the config file, the command table and its
 * lookup, and the exit status. Each command lives in its own cmd-*.c and is
 * one entry in the table below; its options are declared in that entry, so
 * parsing, the usage line and --help all come from there (cmd.c).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#include <signal.h>
#endif
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
	&cmd_watch_entry,
	&cmd_find_entry,
	&cmd_verify_entry,
	&cmd_adopt_entry,
	&cmd_restore_entry,
	&cmd_forget_entry,
	&cmd_config_entry,
	&cmd_help_entry,
	NULL
};

/* Before the command: the global options, and --json for those with it. */
static const struct cmd_option main_options[] = {
	{ "json", 0, NULL, "JSON output, for the commands that have --json" },
	{ NULL, 0, NULL, NULL }
};
static const struct cmd_entry main_entry = {
	"", "COMMAND [ARGS]", 0, -1, "", main_options, 0, NULL
};

static void
usage(FILE *f)
{
	int	i;

	fprintf(f, "usage: shoebox [-L DIR] [-c FILE] [-v] [-q] [--json] "
	    "COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; commands[i] != NULL; i++)
		fprintf(f, "  %-8s %s\n", commands[i]->name,
		    commands[i]->summary);
	cmd_help_globals(f);
	fprintf(f, "\n'shoebox help COMMAND' (or 'shoebox COMMAND --help') "
	    "shows a command's options;\n'man shoebox' says more.\n");
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
		log_warnx("ambiguous command: %s", log_esc(name));
		return NULL;
	}
	if (found == NULL)
		log_warnx("unknown command: %s", log_esc(name));
	return found;
}

/* "shoebox help [COMMAND]" */
static int
cmd_help_exec(struct sb_ctx *ctx, struct cmd_args *args)
{
	const struct cmd_entry	*cmd;

	(void)ctx;
	if (args->argc == 0) {
		usage(stdout);
		return EXIT_ALLGOOD;
	}
	if ((cmd = cmd_find(args->argv[0])) == NULL)
		return EXIT_USAGE;
	cmd_help(cmd);
	return EXIT_ALLGOOD;
}

const struct cmd_entry cmd_help_entry = {
	"help", "[COMMAND]", 0, 1,
	"show a command's usage and options, or list the commands",
	NULL, CMD_NOCONFIG, cmd_help_exec
};

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
	/*
	 * Only a user's config that is not there falls back to the system's:
	 * one that cannot be reached (a folder of mode 000) is an error, as
	 * one that cannot be read is, never another library silently.
	 */
	if (user != NULL && (access(user, F_OK) == 0 || errno == EACCES)) {
		rc = config_load(cfg, user, 1);
		free(user);
		return rc;
	}
	free(user);
	return config_load(cfg, SHOEBOX_SYSCONFDIR "/shoebox.conf", 0);
}

/*
 * $SHOEBOX_MAGIC, when set, must name a compiled magic file: a wrong one
 * is an error naming the variable, never a silent fallback. 0 or -1.
 */
static int
check_magic_env(void)
{
	const char	*path = getenv("SHOEBOX_MAGIC");
	unsigned char	 h[4];
	struct stat	 sb;
	int		 fd, ok;

	if (path == NULL || *path == '\0')
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		log_warn("SHOEBOX_MAGIC=%s", log_esc(path));
		if (fd != -1)
			close(fd);
		return -1;
	}
	/* A compiled magic file starts with 0xF11E041C, in its byte order. */
	ok = S_ISREG(sb.st_mode) && read(fd, h, sizeof h) == sizeof h &&
	    ((h[0] == 0x1c && h[1] == 0x04 && h[2] == 0x1e && h[3] == 0xf1) ||
	    (h[0] == 0xf1 && h[1] == 0x1e && h[2] == 0x04 && h[3] == 0x1c));
	close(fd);
	if (!ok)
		log_warnx("SHOEBOX_MAGIC=%s: not a compiled magic file (such "
		    "as %s/shoebox.mgc); unset it to use the installed one",
		    log_esc(path), SHOEBOX_DATADIR);
	return ok ? 0 : -1;
}

/*
 * SIGBUS: only sqlite maps a file (the catalogue's shared memory, grown as
 * WAL grows), and a write to a page of it that the disk had no room for
 * ends here: sqlite grows the file by one byte in each 4 KiB page, which
 * on a filesystem of 1 KiB blocks allocates a quarter of the page. Said,
 * and the process ends as a killed one would: the catalogue is whole
 * (WAL), and the sources of what was not recorded are kept (a copy linked
 * but not recorded is found by the next run, as after a SIGKILL).
 */
static void
on_sigbus(int sig)
{
	static const char msg[] = "shoebox: the catalogue's shared memory "
	    "could not be written (SIGBUS): the library's disk is most "
	    "likely full; stopped, nothing is lost: make room there and run "
	    "it again\n";
	ssize_t	n;

	(void)sig;
	n = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)n;
	_exit(EXIT_SOMEFAILED);
}

int
main(int argc, char **argv)
{
	const struct cmd_entry	*cmd;
	struct cmd_args		 top, args;
	struct sb_ctx		 ctx;
	const char		*cfgpath, *env;
	int			 rc;

	memset(&ctx, 0, sizeof ctx);
	signal(SIGBUS, on_sigbus);
#ifdef __GLIBC__
	/*
	 * glibc gives each thread that mallocs an arena of its own (up to 8
	 * per core), each keeping its freed memory: sync's transfer and
	 * part threads held ~3 MB that way. Their buffers are made once per
	 * file or connection, so two arenas cost no measurable speed.
	 */
	mallopt(M_ARENA_MAX, 2);
#endif
	if (cmd_parse(&main_entry, argc, argv, 1, &top) == -1)
		return EXIT_USAGE;
	if (cmd_has(&top, "version")) {
		printf("shoebox %s\n", SHOEBOX_VERSION);
		return EXIT_ALLGOOD;
	}
	if (top.argc == 0) {
		usage(cmd_has(&top, "help") ? stdout : stderr);
		return cmd_has(&top, "help") ? EXIT_ALLGOOD : EXIT_USAGE;
	}
	if ((cmd = cmd_find(top.argv[0])) == NULL) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (cmd_has(&top, "help")) {
		cmd_help(cmd);
		return EXIT_ALLGOOD;
	}
	if (cmd_parse(cmd, top.argc, top.argv, 0, &args) == -1)
		return EXIT_USAGE;
	if (cmd_has(&args, "help")) {
		cmd_help(cmd);
		return EXIT_ALLGOOD;
	}
	if (cmd_has(&args, "version")) {
		printf("shoebox %s\n", SHOEBOX_VERSION);
		return EXIT_ALLGOOD;
	}
	if (cmd_has(&top, "json") && !cmd_declares(cmd, "json")) {
		log_warnx("%s has no --json", cmd->name);
		cmd_usage(cmd);
		return EXIT_USAGE;
	}
	log_verbose = cmd_has(&top, "verbose") + cmd_has(&args, "verbose");
	log_quiet = cmd_has(&top, "quiet") + cmd_has(&args, "quiet") > 0;
	ctx.json = cmd_has(&top, "json") + cmd_has(&args, "json") > 0;
	if ((cfgpath = cmd_get(&args, "config")) == NULL)
		cfgpath = cmd_get(&top, "config");
	if ((ctx.library = cmd_get(&args, "library")) == NULL)
		ctx.library = cmd_get(&top, "library");
	if (cmd->flags & CMD_NOCONFIG) {
		rc = cmd->exec(&ctx, &args);
		goto out;
	}

	if (check_magic_env() == -1)
		return EXIT_USAGE;
	ctx.cfg = config_new();
	if (load_config(ctx.cfg, cfgpath) == -1) {
		config_free(ctx.cfg);
		return EXIT_USAGE;
	}
	if (ctx.library != NULL)
		ctx.library_from = "-L";
	else if ((env = getenv("SHOEBOX_LIBRARY")) != NULL && *env != '\0') {
		ctx.library = env;
		ctx.library_from = "SHOEBOX_LIBRARY";
	} else if ((ctx.library = config_get(ctx.cfg, "", "library")) != NULL)
		ctx.library_from = "config";
	if ((cmd->flags & CMD_LIBRARY) && ctx.library == NULL) {
		log_warnx("%s: no library given (use -L DIR, SHOEBOX_LIBRARY "
		    "or 'library =' in the config)", cmd->name);
		config_free(ctx.cfg);
		return EXIT_USAGE;
	}

	rc = cmd->exec(&ctx, &args);
	identify_close();
	config_free(ctx.cfg);
out:
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_warn("stdout");
		if (rc == EXIT_ALLGOOD)
			rc = EXIT_SOMEFAILED;
	}
	return rc;
}
