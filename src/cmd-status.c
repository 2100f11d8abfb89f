/* cmd-status.c (stub: to be written) */
#include <stdio.h>
#include "shoebox.h"

static int
cmd_status(struct sb_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fprintf(stderr, "shoebox: status: not yet\n");
	return EXIT_USAGE;
}

const struct cmd_entry cmd_status_entry = {
	"status", "", "(not yet)", CMD_LIBRARY, cmd_status
};
