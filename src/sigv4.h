/*
 * sigv4.h: AWS Signature Version 4, for remote-s3.c and its unit test.
 */
#ifndef SIGV4_H
#define SIGV4_H

#include <stddef.h>

/* A name and a value: a query parameter (raw) or a header. */
struct sigv4_kv {
	const char	*name;
	const char	*value;
};

/* What is signed. path is the URI path as sent (already encoded). */
struct sigv4 {
	const char		*method;
	const char		*path;
	const struct sigv4_kv	*query;		/* raw names and values */
	size_t			 nquery;
	const struct sigv4_kv	*headers;	/* every header to sign */
	size_t			 nheaders;
	const char		*payload_hash;	/* hex SHA-256 or UNSIGNED-PAYLOAD */
	const char		*amz_date;	/* 20130524T000000Z */
	const char		*region;
	const char		*service;	/* "s3" */
	const char		*access_key;
	const char		*secret_key;
};

char	*sigv4_encode(const char *, int);
char	*sigv4_query(const struct sigv4_kv *, size_t);
char	*sigv4_canonical(const struct sigv4 *, char **);
char	*sigv4_authorization(const struct sigv4 *);
void	 sigv4_hex(const unsigned char *, size_t, char *);
void	 sigv4_sha256_hex(const void *, size_t, char *);

#endif /* SIGV4_H */
