/* cmd-sync.c (stub: to be written) */
#include <stdio.h>
#include "shoebox.h"

/* Drain the upload queue for the named remotes (all when n == 0). */
int
sync_run(struct sb_ctx *ctx, char **names, int n)
{
	(void)ctx; (void)names; (void)n;
	return EXIT_ALLGOOD;
}

static int
cmd_sync(struct sb_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fprintf(stderr, "shoebox: sync: not yet\n");
	return EXIT_USAGE;
}

const struct cmd_entry cmd_sync_entry = {
	"sync", "[REMOTE...]", "upload new files to the remotes",
	CMD_LIBRARY | CMD_NETWORK, cmd_sync
};
