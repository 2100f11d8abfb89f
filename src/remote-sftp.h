/*
 * remote-sftp.h: what remote-sftp.c takes from remote-sftp-list.c, the
 * reading of a directory listing (kept apart for its fuzzer).
 */
#ifndef REMOTE_SFTP_H
#define REMOTE_SFTP_H

#include <stddef.h>
#include <stdint.h>

/* One entry of a folder: its name, a folder?, its size. */
typedef int (*sftp_list_each)(void *arg, const char *name, int folder,
	    uint64_t size);

int	 sftp_list_parse(const char *text, size_t len, sftp_list_each each,
	    void *arg);

#endif /* REMOTE_SFTP_H */
