/*
 * cmd.c: what every command shares outside main.c, so the commands link
 * into the unit tests and fuzzers (which leave main.o out). A command
 * declares its options in its table entry (struct cmd_option: long name,
 * short letter, argument, one line of help), and from that one list come
 * the getopt parsing (cmd_parse), the usage line (cmd_usage) and --help
 * (cmd_help). The global options are one more such list, accepted before
 * and after the command.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"

#define CMD_WIDTH	79	/* wrap usage lines here */
#define CMD_HELPCOL	26	/* option help starts in this column */

/* Accepted before or after any command; main.c acts on them. */
const struct cmd_option cmd_global_options[] = {
	{ "library", 'L', "DIR",
	    "the library (else $SHOEBOX_LIBRARY, else library = in the "
	    "config)" },
	{ "config", 'c', "FILE",
	    "the config file (else $SHOEBOX_CONFIG, else "
	    "~/.config/shoebox/config, else /etc/shoebox.conf)" },
	{ "verbose", 'v', NULL,
	    "say more: each file and why it was skipped (twice: more still)" },
	{ "quiet", 'q', NULL, "no summary and no information: errors only" },
	{ "help", 'h', NULL, "show this help" },
	{ "version", 'V', NULL, "print shoebox's version" },
	{ NULL, 0, NULL, NULL }
};

static int
cmd_nopts(const struct cmd_option *o)
{
	int	n = 0;

	while (o != NULL && o[n].name != NULL)
		n++;
	return n;
}

/* The option at index i of cmd's list followed by the global one. */
static const struct cmd_option *
cmd_opt_at(const struct cmd_entry *cmd, int i)
{
	int	n = cmd_nopts(cmd->options);

	return i < n ? &cmd->options[i] : &cmd_global_options[i - n];
}

/* The index of option name in args' command, or -1. */
static int
cmd_index(const struct cmd_args *args, const char *name)
{
	int	i, n = cmd_nopts(args->cmd->options) +
	    cmd_nopts(cmd_global_options);

	for (i = 0; i < n; i++)
		if (strcmp(cmd_opt_at(args->cmd, i)->name, name) == 0)
			return i;
	return -1;
}

/* Does cmd declare the option --name? */
int
cmd_declares(const struct cmd_entry *cmd, const char *name)
{
	const struct cmd_option	*o;

	for (o = cmd->options; o != NULL && o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return 1;
	return 0;
}

/* How many times --name was given (0 when it is not an option here). */
int
cmd_has(const struct cmd_args *args, const char *name)
{
	int	i = cmd_index(args, name);

	return i == -1 ? 0 : args->given[i];
}

/* The argument of the last --name given, or NULL. */
const char *
cmd_get(const struct cmd_args *args, const char *name)
{
	int	i = cmd_index(args, name);

	return i == -1 ? NULL : args->value[i];
}

/*
 * A switch with its opposite (--sync, --no-sync): 1 or 0 for whichever was
 * given last, def when neither was.
 */
int
cmd_flag(const struct cmd_args *args, const char *yes, const char *no,
    int def)
{
	int	y = cmd_index(args, yes), n = cmd_index(args, no);
	int	oy = y == -1 ? 0 : args->order[y];
	int	on = n == -1 ? 0 : args->order[n];

	if (oy == 0 && on == 0)
		return def;
	return oy > on;
}

/*
 * One option as the usage line shows it: "[-n|--dry-run]", "[--settle
 * DURATION]", or with its opposite next to it "[-s|--sync|--no-sync]".
 * Returns how many options it took (1 or 2).
 */
static int
cmd_usage_item(const struct cmd_option *o, char *buf, size_t size)
{
	const struct cmd_option	*next = o + 1;
	int			 pair;
	char			 letter[8] = "";

	pair = next->name != NULL && strncmp(next->name, "no-", 3) == 0 &&
	    strcmp(next->name + 3, o->name) == 0 && o->arg == NULL;
	if (o->letter != 0)
		snprintf(letter, sizeof letter, "-%c|", o->letter);
	snprintf(buf, size, "[%s--%s%s%s%s%s]", letter, o->name,
	    pair ? "|--" : "", pair ? next->name : "", o->arg ? " " : "",
	    o->arg ? o->arg : "");
	return pair ? 2 : 1;
}

/* Print words on f, wrapped at CMD_WIDTH with continuation under indent. */
static void
cmd_wrap(FILE *f, size_t *col, size_t indent, const char *word)
{
	size_t	len = strlen(word);

	if (*col > indent && *col + 1 + len > CMD_WIDTH) {
		fprintf(f, "\n%*s", (int)indent, "");
		*col = indent;
	} else if (*col > indent) {
		fputc(' ', f);
		(*col)++;
	}
	fputs(word, f);
	*col += len;
}

/* The usage line(s) of cmd on f, every option in it. */
static void
cmd_usage_to(const struct cmd_entry *cmd, FILE *f)
{
	const struct cmd_option	*o;
	char			 item[128];
	size_t			 col, indent;

	col = indent = (size_t)fprintf(f, "usage: shoebox%s%s ",
	    cmd->name[0] != '\0' ? " " : "", cmd->name);
	for (o = cmd->options; o != NULL && o->name != NULL; ) {
		o += cmd_usage_item(o, item, sizeof item);
		cmd_wrap(f, &col, indent, item);
	}
	if (cmd->args != NULL && cmd->args[0] != '\0')
		cmd_wrap(f, &col, indent, cmd->args);
	fputc('\n', f);
}

/* Print cmd's usage line on stderr (after a bad argument). */
void
cmd_usage(const struct cmd_entry *cmd)
{
	cmd_usage_to(cmd, stderr);
	if (cmd->name[0] != '\0')
		fprintf(stderr, "'shoebox help %s' describes each option.\n",
		    cmd->name);
}

/*
 * "  -n, --dry-run           help", one per option, the help wrapped at
 * CMD_WIDTH under its column.
 */
static void
cmd_options_help(const struct cmd_option *o, FILE *f)
{
	char		 left[96], word[CMD_WIDTH + 1];
	const char	*h;
	size_t		 col, len;

	for (; o != NULL && o->name != NULL; o++) {
		if (o->letter != 0)
			snprintf(left, sizeof left, "  -%c, --%s%s%s",
			    o->letter, o->name, o->arg ? " " : "",
			    o->arg ? o->arg : "");
		else
			snprintf(left, sizeof left, "      --%s%s%s", o->name,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		if (strlen(left) + 2 > CMD_HELPCOL)
			fprintf(f, "%s\n%*s", left, CMD_HELPCOL, "");
		else
			fprintf(f, "%-*s", CMD_HELPCOL, left);
		col = CMD_HELPCOL;
		for (h = o->help; *h != '\0'; h += len + (h[len] == ' ')) {
			len = strcspn(h, " ");
			if (len > CMD_WIDTH - CMD_HELPCOL)
				len = CMD_WIDTH - CMD_HELPCOL;
			memcpy(word, h, len);
			word[len] = '\0';
			cmd_wrap(f, &col, CMD_HELPCOL, word);
		}
		fputc('\n', f);
	}
}

/* The global options, as every help shows them. */
void
cmd_help_globals(FILE *f)
{
	fprintf(f, "\nglobal options (before or after the command):\n");
	cmd_options_help(cmd_global_options, f);
}

/* A command's full help on stdout: usage, summary, each option. */
void
cmd_help(const struct cmd_entry *cmd)
{
	cmd_usage_to(cmd, stdout);
	printf("\n%s\n", cmd->summary);
	if (cmd_nopts(cmd->options) > 0) {
		printf("\noptions:\n");
		cmd_options_help(cmd->options, stdout);
	}
	cmd_help_globals(stdout);
	printf("\nSee shoebox(1) for more.\n");
}

/*
 * Parse argv (argv[0] is the command's name) by cmd's options and the
 * global ones into args: how often each was given, in which order, with
 * its last argument, and the operands left. With stop, options end at the
 * first operand (the global options before a command); without, options
 * may follow operands, and "--" ends them. 0, or -1 after saying what is
 * wrong and printing the usage line.
 */
int
cmd_parse(const struct cmd_entry *cmd, int argc, char **argv, int stop,
    struct cmd_args *args)
{
	struct option	 longopts[CMD_MAXOPTS + 1];
	const struct cmd_option *o;
	char		 optstring[CMD_MAXOPTS * 2 + 4], *p = optstring;
	const char	*what = cmd->name[0] != '\0' ? cmd->name : NULL;
	int		 n, i, ch, seq = 0;

	memset(args, 0, sizeof *args);
	args->cmd = cmd;
	n = cmd_nopts(cmd->options) + cmd_nopts(cmd_global_options);
	if (n > CMD_MAXOPTS)
		fatalx("%s: more than %d options", cmd->name, CMD_MAXOPTS);
	if (stop)
		*p++ = '+';
	*p++ = ':';
	for (i = 0; i < n; i++) {
		o = cmd_opt_at(cmd, i);
		longopts[i].name = o->name;
		longopts[i].has_arg = o->arg ? required_argument : no_argument;
		longopts[i].flag = NULL;
		longopts[i].val = 256 + i;
		if (o->letter != 0) {
			*p++ = (char)o->letter;
			if (o->arg != NULL)
				*p++ = ':';
		}
	}
	*p = '\0';
	memset(&longopts[n], 0, sizeof longopts[n]);

	optind = 0;	/* a full restart: main parses twice */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, optstring, longopts, NULL)) !=
	    -1) {
		if (ch >= 256)
			i = ch - 256;
		else if (ch != '?' && ch != ':') {
			for (i = 0; i < n; i++)
				if (cmd_opt_at(cmd, i)->letter == ch)
					break;
		} else {
			if (ch == ':' && optopt >= 256)
				log_warnx("%s%s--%s needs an argument (%s)",
				    what ? what : "", what ? ": " : "",
				    cmd_opt_at(cmd, optopt - 256)->name,
				    cmd_opt_at(cmd, optopt - 256)->arg);
			else if (ch == ':')
				log_warnx("%s%s-%c needs an argument",
				    what ? what : "", what ? ": " : "", optopt);
			else if (optopt >= 256)
				log_warnx("%s%s--%s takes no argument",
				    what ? what : "", what ? ": " : "",
				    cmd_opt_at(cmd, optopt - 256)->name);
			else if (optopt != 0)
				log_warnx("%s%sunknown option -%c",
				    what ? what : "", what ? ": " : "", optopt);
			else
				log_warnx("%s%sunknown option %s",
				    what ? what : "", what ? ": " : "",
				    log_esc(argv[optind - 1]));
			cmd_usage(cmd);
			return -1;
		}
		args->given[i]++;
		args->order[i] = ++seq;
		if (cmd_opt_at(cmd, i)->arg != NULL)
			args->value[i] = optarg;
	}
	args->argc = argc - optind;
	args->argv = argv + optind;
	if (stop || cmd_has(args, "help") || cmd_has(args, "version"))
		return 0;
	if (args->argc < cmd->lower) {
		log_warnx("%s: %s missing", cmd->name, cmd->args);
		cmd_usage(cmd);
		return -1;
	}
	if (cmd->upper >= 0 && args->argc > cmd->upper) {
		log_warnx("%s: unexpected argument: %s", cmd->name,
		    log_esc(args->argv[cmd->upper]));
		cmd_usage(cmd);
		return -1;
	}
	return 0;
}

