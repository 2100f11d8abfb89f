/*
 * remote-dav.h: what remote-webdav.c takes from remote-dav-list.c, the
 * reading of a PROPFIND answer (kept apart for its fuzzer).
 */
#ifndef REMOTE_DAV_H
#define REMOTE_DAV_H

#include <stddef.h>
#include <stdint.h>

/*
 * One response: its path (decoded), a collection?, its length if given.
 * collection is DAV_UNREADABLE, and href its text as sent, when that
 * cannot be decoded (a bad %-escape, a NUL): one such name does not make
 * the rest of the listing unread.
 */
typedef int (*dav_list_each)(void *arg, const char *href, int collection,
	    uint64_t size, int has_size);

#define DAV_UNREADABLE	(-1)

int	 dav_list_parse(const char *xml, size_t len, dav_list_each each,
	    void *arg);
int	 dav_unpercent(char *s);

#endif /* REMOTE_DAV_H */
