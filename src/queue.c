/* queue.c: the durable upload queue. (stub: to be written) */
#include "shoebox.h"
#include "catalog.h"

/* Queue file_id for every configured remote, inside the caller's transaction. */
int
queue_enqueue(struct catalog *cat, const struct config *cfg, int64_t file_id)
{
	(void)cat; (void)cfg; (void)file_id;
	return 0;
}
