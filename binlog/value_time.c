/*
 * Dates and times as text, the one formatter behind decode_binlog's
 * output (value_render.c) and replay's PostgreSQL parameters
 * (replay/convert.c): digits only, zero dates kept as zeros.  What a zero
 * date becomes, the quoting and the time zone suffix are the callers'.
 */
#include <string.h>
#include <time.h>

#include "binlog/binlog.h"
#include "binlog/internal.h"

/* v zero-padded to width digits, or more when v needs them. */
static void put_n(struct buf *b, unsigned v, int width)
{
	char t[16];
	int i = (int)sizeof(t);
	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v || (int)sizeof(t) - i < width);
	buf_put_small(b, t + i, sizeof(t) - (size_t)i);
}

/* The two digits of v < 100 at p. */
static inline void two(char *p, unsigned v)
{
	memcpy(p, bl__two_digits + 2 * v, 2);
}

/*
 * Every field within its width (all but forged values): the whole text
 * built at once, without a division loop per field (decode_binlog
 * renders millions of these).
 */
void bl_put_date(struct buf *b, unsigned year, unsigned month, unsigned day)
{
	if (year <= 9999 && month < 100 && day < 100) {
		char t[10];
		two(t, year / 100);
		two(t + 2, year % 100);
		t[4] = '-';
		two(t + 5, month);
		t[7] = '-';
		two(t + 8, day);
		buf_put(b, t, sizeof(t));
		return;
	}
	put_n(b, year, 4);
	buf_putc(b, '-');
	put_n(b, month, 2);
	buf_putc(b, '-');
	put_n(b, day, 2);
}

void bl_put_time(struct buf *b, unsigned hour, unsigned minute, unsigned second)
{
	if (hour < 100 && minute < 100 && second < 100) {
		char t[8];
		two(t, hour);
		t[2] = ':';
		two(t + 3, minute);
		t[5] = ':';
		two(t + 6, second);
		buf_put(b, t, sizeof(t));
		return;
	}
	put_n(b, hour, 2);
	buf_putc(b, ':');
	put_n(b, minute, 2);
	buf_putc(b, ':');
	put_n(b, second, 2);
}

void bl_put_frac(struct buf *b, uint32_t usec, unsigned fsp)
{
	if (!fsp)
		return;
	char t[7];
	uint32_t u = usec % 1000000;
	t[0] = '.';
	two(t + 1, u / 10000);
	two(t + 3, u / 100 % 100);
	two(t + 5, u % 100);
	buf_put(b, t, 1 + (fsp > 6 ? 6 : fsp));
}

void bl_put_utc(struct buf *b, int64_t secs)
{
	time_t t = (time_t)secs;
	struct tm tm;
	/* gmtime_r fails only past year 2^31: TIMESTAMP seconds are 32-bit */
	if (!gmtime_r(&t, &tm)) {
		buf_putl(b, "0000-00-00 00:00:00");
		return;
	}
	bl_put_date(b, (unsigned)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
		    (unsigned)tm.tm_mday);
	buf_putc(b, ' ');
	bl_put_time(b, (unsigned)tm.tm_hour, (unsigned)tm.tm_min,
		    (unsigned)tm.tm_sec);
}
