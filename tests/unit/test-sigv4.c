/*
 * test-sigv4.c: the SigV4 signer against AWS's published examples
 * (Amazon S3 API reference, "Signature Calculations for the Authorization
 * Header: Transferring Payload in a Single Chunk"), and key encoding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shoebox.h"
#include "../../src/sigv4.h"

#define EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define EX_KEY		"AKIAIOSFODNN7EXAMPLE"
#define EX_SECRET	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define EX_SCOPE	EX_KEY "/20130524/us-east-1/s3/aws4_request"

static void
check(const struct sigv4 *r, const char *sh, const char *sig)
{
	char	*auth, *want;

	auth = sigv4_authorization(r);
	if (asprintf(&want, "AWS4-HMAC-SHA256 Credential=" EX_SCOPE ", "
	    "SignedHeaders=%s, Signature=%s", sh, sig) == -1)
		abort();
	assert_string_equal(auth, want);
	free(auth);
	free(want);
}

static void
req_init(struct sigv4 *r, const char *method, const char *path)
{
	memset(r, 0, sizeof *r);
	r->method = method;
	r->path = path;
	r->amz_date = "20130524T000000Z";
	r->region = "us-east-1";
	r->service = "s3";
	r->access_key = EX_KEY;
	r->secret_key = EX_SECRET;
}

/* GET Object with a Range header. */
static void
test_get_object(void **state)
{
	struct sigv4_kv	h[] = {
		{ "Host", "examplebucket.s3.amazonaws.com" },
		{ "Range", "bytes=0-9" },
		{ "x-amz-content-sha256", EMPTY_SHA256 },
		{ "x-amz-date", "20130524T000000Z" },
	};
	struct sigv4	r;

	(void)state;
	req_init(&r, "GET", "/test.txt");
	r.headers = h;
	r.nheaders = 4;
	r.payload_hash = EMPTY_SHA256;
	check(&r, "host;range;x-amz-content-sha256;x-amz-date",
	    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

/* PUT Object: a key that needs encoding, a Date, a storage class. */
static void
test_put_object(void **state)
{
	char		 hash[65], *path;
	const char	*body = "Welcome to Amazon S3.";
	struct sigv4	 r;

	(void)state;
	sigv4_sha256_hex(body, strlen(body), hash);
	assert_string_equal(hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b"
	    "4b4e99e42034a8b803f8b072");
	{
		struct sigv4_kv	h[] = {
			{ "x-amz-storage-class", "REDUCED_REDUNDANCY" },
			{ "Host", "examplebucket.s3.amazonaws.com" },
			{ "Date", "Fri, 24 May 2013 00:00:00 GMT" },
			{ "x-amz-date", "20130524T000000Z" },
			{ "x-amz-content-sha256", hash },
		};

		path = sigv4_encode("/test$file.text", 1);
		assert_string_equal(path, "/test%24file.text");
		req_init(&r, "PUT", path);
		r.headers = h;
		r.nheaders = 5;
		r.payload_hash = hash;
		check(&r, "date;host;x-amz-content-sha256;x-amz-date;"
		    "x-amz-storage-class", "98ad721746da40c64f1a55b78f14c238d8"
		    "41ea1380cd77a1b5971af0ece108bd");
		free(path);
	}
}

/* GET Bucket lifecycle: a query parameter with no value. */
static void
test_lifecycle(void **state)
{
	struct sigv4_kv	h[] = {
		{ "Host", "examplebucket.s3.amazonaws.com" },
		{ "x-amz-date", "20130524T000000Z" },
		{ "x-amz-content-sha256", EMPTY_SHA256 },
	};
	struct sigv4_kv	q[] = { { "lifecycle", "" } };
	struct sigv4	r;

	(void)state;
	req_init(&r, "GET", "/");
	r.headers = h;
	r.nheaders = 3;
	r.query = q;
	r.nquery = 1;
	r.payload_hash = EMPTY_SHA256;
	check(&r, "host;x-amz-content-sha256;x-amz-date",
	    "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

/* ListObjects: query parameters given out of order are sorted. */
static void
test_list_objects(void **state)
{
	struct sigv4_kv	h[] = {
		{ "Host", "examplebucket.s3.amazonaws.com" },
		{ "x-amz-date", "20130524T000000Z" },
		{ "x-amz-content-sha256", EMPTY_SHA256 },
	};
	struct sigv4_kv	q[] = { { "prefix", "J" }, { "max-keys", "2" } };
	struct sigv4	r;
	char		*qs;

	(void)state;
	qs = sigv4_query(q, 2);
	assert_string_equal(qs, "max-keys=2&prefix=J");
	free(qs);
	req_init(&r, "GET", "/");
	r.headers = h;
	r.nheaders = 3;
	r.query = q;
	r.nquery = 2;
	r.payload_hash = EMPTY_SHA256;
	check(&r, "host;x-amz-content-sha256;x-amz-date",
	    "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

/* Keys: spaces, UTF-8, '+', '~'; "?uploads" signs as "uploads=". */
static void
test_encoding(void **state)
{
	struct sigv4_kv	 q[] = { { "uploads", NULL } };
	struct sigv4_kv	 q2[] = { { "uploadId", "a+b/c=" },
	    { "partNumber", "10" } };
	char		*s;

	(void)state;
	s = sigv4_encode("2024/05/01/IMG 0001 (1).JPG", 1);
	assert_string_equal(s, "2024/05/01/IMG%200001%20%281%29.JPG");
	free(s);
	s = sigv4_encode("été/Ünïcödé+plus~tilde.jpg", 1);
	assert_string_equal(s, "%C3%A9t%C3%A9/%C3%9Cn%C3%AFc%C3%B6d%C3%A9"
	    "%2Bplus~tilde.jpg");
	free(s);
	s = sigv4_encode("a/b", 0);
	assert_string_equal(s, "a%2Fb");
	free(s);
	s = sigv4_query(q, 1);
	assert_string_equal(s, "uploads=");
	free(s);
	s = sigv4_query(q2, 2);
	assert_string_equal(s, "partNumber=10&uploadId=a%2Bb%2Fc%3D");
	free(s);
}

/* Header names that prefix each other sort by name, not "name:value". */
static void
test_header_prefix(void **state)
{
	struct sigv4_kv	 h[] = {
		{ "x-amz-meta-a-b", "2" },
		{ "X-Amz-Meta-A", "  one   two  " },
		{ "host", "h" },
	};
	struct sigv4	 r;
	char		*c, *sh;

	(void)state;
	req_init(&r, "PUT", "/k");
	r.headers = h;
	r.nheaders = 3;
	r.payload_hash = EMPTY_SHA256;
	c = sigv4_canonical(&r, &sh);
	assert_string_equal(sh, "host;x-amz-meta-a;x-amz-meta-a-b");
	assert_string_equal(c, "PUT\n/k\n\nhost:h\nx-amz-meta-a:one two\n"
	    "x-amz-meta-a-b:2\n\nhost;x-amz-meta-a;x-amz-meta-a-b\n"
	    EMPTY_SHA256);
	free(c);
	free(sh);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_object),
		cmocka_unit_test(test_put_object),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_list_objects),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_header_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
