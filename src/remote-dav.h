/*
 * remote-dav.h: what remote-webdav.c takes from remote-dav-list.c, the
 * reading of a PROPFIND answer (kept apart for its fuzzer).
 */
#ifndef REMOTE_DAV_H
#define REMOTE_DAV_H

#include <stddef.h>
#include <stdint.h>

/* One response: its path (decoded), a collection?, its length if given. */
typedef int (*dav_list_each)(void *arg, const char *href, int collection,
	    uint64_t size, int has_size);

int	 dav_list_parse(const char *xml, size_t len, dav_list_each each,
	    void *arg);
int	 dav_unpercent(char *s);

#endif /* REMOTE_DAV_H */
