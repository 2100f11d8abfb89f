/*
 * cmd.c: what every command shares outside main.c, so the commands link
 * into the unit tests and fuzzers (which leave main.o out).
 */
#include <stdio.h>

#include "shoebox.h"

/* Print cmd's usage line on stderr (after a bad argument). */
void
cmd_usage(const struct cmd_entry *cmd)
{
	fprintf(stderr, "usage: shoebox %s %s\n", cmd->name, cmd->usage);
}
