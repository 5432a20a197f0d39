/*
 * COM_BINLOG_DUMP_GTID's GTID set: MySQL's text form to the binary SID
 * block the command carries.
 * Tagged GTIDs (MySQL 8.3 and later) are not supported.
 */
#include <ctype.h>
#include <stdlib.h>

#include "mysqlproto/mysqlproto.h"

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* The 32 hex digits of a UUID (dashes anywhere) up to ':' into uuid. */
static const char *parse_uuid(const char *s, uint8_t uuid[16])
{
	int k = 0;
	while (*s && *s != ':' && k < 32) {
		if (*s == '-') {
			s++;
			continue;
		}
		int hi = hexval(s[0]), lo = s[1] ? hexval(s[1]) : -1;
		if (hi < 0 || lo < 0)
			return NULL;
		uuid[k / 2] = (uint8_t)(hi << 4 | lo);
		k += 2;
		s += 2;
	}
	return k == 32 && *s == ':' ? s : NULL;
}

/* Write n as 8 little-endian bytes at out->p[at] (a count written before
 * the items it counts were known). */
static void patch_u64le(struct buf *out, size_t at, uint64_t n)
{
	if (out->failed)
		return;
	for (int i = 0; i < 8; i++)
		out->p[at + i] = (uint8_t)(n >> (8 * i));
}

/*
 * n_sids(8), then per SID: uuid(16) n_intervals(8) and the intervals as
 * start(8) end + 1(8).
 */
int mp_gtid_set_encode(const char *text, struct buf *out)
{
	size_t nsids_at = out->n;
	buf_put_u64le(out, 0);
	uint64_t nsids = 0;
	const char *s = text;
	while (*s) {
		while (*s == ' ' || *s == ',' || *s == '\n')
			s++;
		if (!*s)
			break;
		uint8_t uuid[16];
		s = parse_uuid(s, uuid);
		if (!s)
			return -1;
		buf_put(out, uuid, 16);
		size_t count_at = out->n;
		buf_put_u64le(out, 0);
		uint64_t nint = 0;
		while (*s == ':') {
			s++;
			char *end;
			unsigned long long a = strtoull(s, &end, 10), b = a;
			if (end == s)
				return -1;	/* tags are not supported here */
			s = end;
			if (*s == '-') {
				s++;
				b = strtoull(s, &end, 10);
				if (end == s)
					return -1;
				s = end;
			}
			buf_put_u64le(out, a);
			buf_put_u64le(out, b + 1);
			nint++;
		}
		patch_u64le(out, count_at, nint);
		nsids++;
	}
	patch_u64le(out, nsids_at, nsids);
	return out->failed ? -1 : 0;
}
