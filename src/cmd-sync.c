/* cmd-sync.c (stub: to be written) */
#include <stdio.h>
#include "shoebox.h"

static int
cmd_sync(struct sb_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fprintf(stderr, "shoebox: sync: not yet\n");
	return EXIT_USAGE;
}

const struct cmd_entry cmd_sync_entry = {
	"sync", "", "(not yet)", CMD_LIBRARY, cmd_sync
};
