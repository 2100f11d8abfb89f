/*
 * meta-red.c: RED's R3D video (REDCODE RAW), as ExifTool's Red.pm
 * describes it. The file is a run of blocks, each a big-endian 32-bit size
 * and a 4-byte type; the first is "RED1" or "RED2". A RED directory of
 * entries (16-bit length, 16-bit tag whose top 4 bits give the format, the
 * value) follows the "rdi" records of a RED2 header, or starts at 0x22 in
 * the block after a RED1 header. Tag 0x1005 is the capture time as
 * "YYYYMMDDhhmmss", tags 0x1023 and 0x1024 the date and time the clip was
 * created ("YYYYMMDD", "hhmmss"), 0x1019 the camera. Only the first two
 * blocks are read, and at most RED_MAXBLOCK of each.
 */
#include <stdio.h>
#include <string.h>

#include "shoebox.h"

#define RED_MAXBLOCK	(64 * 1024)
#define RED_DIR_MIN	300	/* a RED directory's size, as seen */
#define RED_DIR_MAX	2048

static uint16_t
red_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
red_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* True if the len bytes at p are all digits. */
static int
red_digits(const uint8_t *p, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

/* The number in the n digits at p. */
static int
red_num(const uint8_t *p, size_t n)
{
	int	v = 0;

	while (n-- > 0)
		v = v * 10 + (*p++ - '0');
	return v;
}

/* What the directory entries in buf[pos..end) tell. */
struct red_found {
	const uint8_t	*dto;		/* "YYYYMMDDhhmmss", or NULL */
	const uint8_t	*day;		/* "YYYYMMDD" */
	const uint8_t	*time;		/* "hhmmss" */
	const uint8_t	*camera;
	size_t		 camlen;
};

static void
red_walk(const uint8_t *buf, size_t pos, size_t end, struct red_found *f)
{
	size_t		 len;
	uint16_t	 tag;
	const uint8_t	*v;

	while (pos + 4 <= end) {
		len = red_u16(buf + pos);
		if (len < 4 || len > end - pos)
			break;
		tag = red_u16(buf + pos + 2);
		v = buf + pos + 4;
		if (tag == 0x1005 && len - 4 >= 14 && red_digits(v, 14))
			f->dto = v;
		else if (tag == 0x1023 && len - 4 >= 8 && red_digits(v, 8))
			f->day = v;
		else if (tag == 0x1024 && len - 4 >= 6 && red_digits(v, 6))
			f->time = v;
		else if (tag == 0x1019) {
			f->camera = v;
			f->camlen = len - 4;
		}
		pos += len;
	}
}

/*
 * Where the RED directory lies in buf (len bytes): its start and end, or
 * -1. At the offset the header gives, if its size is sane; else where its
 * first entry (tag 0x1000, length 15) is found, as ExifTool does.
 */
static int
red_dir(const uint8_t *buf, size_t len, size_t pos, size_t *start,
    size_t *end)
{
	size_t	dlen, i;

	if (pos + 2 <= len) {
		dlen = red_u16(buf + pos);
		if (dlen >= RED_DIR_MIN && dlen < RED_DIR_MAX &&
		    pos + 2 + dlen <= len) {
			*start = pos + 2;
			*end = pos + 2 + dlen;
			return 0;
		}
	}
	for (i = 0; i + 4 <= len; i++)
		if (buf[i] == 0 && buf[i + 1] == 0x0f && buf[i + 2] == 0x10 &&
		    buf[i + 3] == 0) {
			*start = i;
			*end = len;
			return 0;
		}
	return -1;
}

int
meta_red(const struct sb_src *s, struct meta *m)
{
	static uint8_t		 buf[RED_MAXBLOCK];
	struct red_found	 f;
	uint32_t		 size;
	size_t			 n, pos, start, end;
	int			 ver;

	if (src_read(s, 0, buf, 8) == -1 || memcmp(buf + 4, "RED", 3) != 0 ||
	    (buf[7] != '1' && buf[7] != '2')) {
		meta_set_error(m, "R3D: no RED header");
		return -1;
	}
	ver = buf[7] - '0';
	size = red_u32(buf);
	if (size < 8) {
		meta_set_error(m, "R3D: header block of %lu bytes",
		    (unsigned long)size);
		return -1;
	}
	if (ver == 1) {
		/* The directory is in the second block, at 0x22. */
		n = s->size > size ? (size_t)(s->size - size < RED_MAXBLOCK ?
		    s->size - size : RED_MAXBLOCK) : 0;
		if (n == 0 || src_read(s, size, buf, n) == -1) {
			meta_set_error(m, "R3D: file ends after its header");
			return -1;
		}
		pos = 0x22;
	} else {
		n = size < RED_MAXBLOCK ? size : RED_MAXBLOCK;
		if (n > s->size)
			n = (size_t)s->size;
		if (n < 0x41 || src_read(s, 0, buf, n) == -1) {
			meta_set_error(m, "R3D: header block cut short");
			return -1;
		}
		pos = 0x44 + (size_t)buf[0x40] * 0x18;
	}
	if (red_dir(buf, n, pos, &start, &end) == -1) {
		meta_set_error(m, "R3D: no RED directory found");
		return -1;
	}
	memset(&f, 0, sizeof f);
	red_walk(buf, start, end, &f);
	strlcpy_sb(m->make, "RED", sizeof m->make);
	if (f.camera != NULL)
		meta_set_text(m->model, sizeof m->model, f.camera, f.camlen);
	if (f.dto != NULL && date_set_wall(&m->taken, red_num(f.dto, 4),
	    red_num(f.dto + 4, 2), red_num(f.dto + 6, 2), red_num(f.dto + 8, 2),
	    red_num(f.dto + 10, 2), red_num(f.dto + 12, 2)) == 0) {
		strlcpy_sb(m->date_source, "r3d", sizeof m->date_source);
		return 0;
	}
	if (f.day != NULL && date_set_wall(&m->taken, red_num(f.day, 4),
	    red_num(f.day + 4, 2), red_num(f.day + 6, 2), f.time != NULL ?
	    red_num(f.time, 2) : 0, f.time != NULL ? red_num(f.time + 2, 2) : 0,
	    f.time != NULL ? red_num(f.time + 4, 2) : 0) == 0) {
		strlcpy_sb(m->date_source, f.time != NULL ? "r3d-created" :
		    "r3d-created-day", sizeof m->date_source);
		return 0;
	}
	return 0;
}
