/*
 * fuzz-vendor.c: the vendor blocks of meta-vendor.c on arbitrary bytes.
 * The first byte picks what is fuzzed:
 *   0  FLIR: the rest is FFF data ("FFF\0" forced), cut into APP1 "FLIR"
 *      chunks of (second byte + 1) bytes in a JPEG, read by meta_jpeg();
 *   1  the same, nothing forced;
 *   2  a Reconyx maker note, its signature forced by the second byte
 *      (HyperFire, UltraFire, HyperFire 2).
 */
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A JPEG holding f (n bytes) in FLIR chunks of chunk bytes; its length. */
static size_t
flir_jpeg(uint8_t *j, const uint8_t *f, size_t n, size_t chunk)
{
	size_t	len = 0, k, i, nchunks = (n + chunk - 1) / chunk;

	j[len++] = 0xff;
	j[len++] = 0xd8;
	for (i = 0; i < nchunks && i < FLIR_MAXCHUNKS; i++) {
		k = n - i * chunk < chunk ? n - i * chunk : chunk;
		j[len++] = 0xff;
		j[len++] = 0xe1;
		j[len++] = (uint8_t)((k + 10) >> 8);
		j[len++] = (uint8_t)(k + 10);
		memcpy(j + len, "FLIR\0\1", 6);
		j[len + 6] = (uint8_t)i;
		j[len + 7] = (uint8_t)(nchunks - 1);
		memcpy(j + len + 8, f + i * chunk, k);
		len += 8 + k;
	}
	j[len++] = 0xff;
	j[len++] = 0xda;
	return len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sig[3][10] = { "\x01\xf1\x03", "RECONYXUF",
	    "RECONYXH2" };
	struct sb_src	 s;
	struct meta	 m;
	struct sb_time	 t;
	uint8_t		*f, *j;
	size_t		 n, chunk;
	int		 which;

	if (size < 2 || size > 65536)
		return 0;
	which = data[0] % 3;
	chunk = (size_t)data[1] + 1;
	n = size - 2;
	f = xmalloc(n + 1);
	memcpy(f, data + 2, n);
	if (which == 2) {
		if (n >= 10)
			memcpy(f, sig[data[1] % 3], 10);
		reconyx_date(f, n, "RECONYX", &t);
		free(f);
		return 0;
	}
	if (which == 0 && n >= 4)
		memcpy(f, "FFF", 4);
	/* Each chunk costs 12 bytes of headers: marker, length, "FLIR"... */
	j = xmalloc(4 + n + 12 * (n / chunk + 1));
	src_mem(&s, j, flir_jpeg(j, f, n, chunk));
	memset(&m, 0, sizeof m);
	if (meta_jpeg(&s, &m) == -1 && m.error[0] == '\0')
		__builtin_trap();
	free(j);
	free(f);
	return 0;
}
