/* cmd-import.c (stub: to be written) */
#include <stdio.h>
#include "shoebox.h"

static int
cmd_import(struct sb_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fprintf(stderr, "shoebox: import: not yet\n");
	return EXIT_USAGE;
}

const struct cmd_entry cmd_import_entry = {
	"import", "", "(not yet)", CMD_LIBRARY, cmd_import
};
