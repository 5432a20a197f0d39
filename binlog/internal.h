/*
 * binlog internals shared by the module's .c files and its tests.
 */
#ifndef BINLOG_INTERNAL_H
#define BINLOG_INTERNAL_H

#include "binlog/binlog.h"

/*
 * Decode one non-NULL column value of column c from r into v (v->kind is
 * set; v->fsp for temporal types).  Variable data that must outlive the
 * event buffer is not copied: v->s points into the event (or into arena
 * a for rendered values such as DECIMAL text and JSON text).  Returns 0,
 * or -ERR_TRUNC (r failed), -ERR_PROTO / -ERR_UNSUPPORTED with detail in
 * e, including the absolute offset (rd_offset(r)).
 */
int bl__value_decode(struct rd *r, const struct bl_column *c,
		     struct bl_value *v, struct arena *a, struct err *e);

/*
 * Decode the partial JSON update of one JSON column in a
 * PARTIAL_UPDATE_ROWS after-image: r spans exactly the column's bytes
 * (after its length prefix).  Sets v->kind = BLV_JSON_DIFF and v->s to a
 * JSON array of operations rendered into a, e.g.
 * [{"op":"replace","path":"$.a","value":1},{"op":"remove","path":"$.b"}].
 */
int bl__json_diff_decode(struct rd *r, struct bl_value *v, struct arena *a,
			 struct err *e);

/* DECIMAL(precision, scale) in MySQL's binary format, as exact text. */
int bl__decimal_decode(struct rd *r, unsigned precision, unsigned scale,
		       struct bl_value *v, struct arena *a, struct err *e);
/* JSON string literal (quotes and escapes) of bytes assumed UTF-8. */
void bl__json_escape(struct buf *b, const uint8_t *p, size_t n);
/* bl_put_float through printf and strtod only: the reference for the
 * faster bl_put_float (binlog/float_fmt.c), which prints the same. */
void bl__put_float_printf(struct buf *b, double d, bool single);
/* Shortest text that reads back to the same double (or float). */
void bl__put_double(struct buf *b, double d, bool single);
/* enum bl_cs_class of a collation id */
uint8_t bl__cs_class(uint16_t collation);

/*
 * Statement keywords, shared by the transaction marks (frame.c) and the
 * JSON "op" of QUERY events (render.c), so that both read a statement
 * the same way.  bl__stmt_start skips blanks and plain comments (not
 * executable comments); bl__starts_words tells whether s starts with the
 * words of w (single spaces in w match any run of blanks in s), followed
 * by the end or a non-word byte, ignoring case.
 */
struct bytes bl__stmt_start(struct bytes q);
bool bl__starts_words(struct bytes s, const char *w);

/* CRC-32 as zlib's crc32(crc, p, n) computes it, carry-less
 * multiplication where the processor has it (binlog/crc32.c); _zlib:
 * through zlib only, the reference. */
uint32_t bl__crc32(uint32_t crc, const uint8_t *p, size_t n);
uint32_t bl__crc32_zlib(uint32_t crc, const uint8_t *p, size_t n);
/* CRC32 (zlib) of the whole event but its last 4 bytes, compared with them. */
bool bl__crc_ok(const uint8_t *p, size_t n);

/* "00" .. "99": the two digits of v < 100 at 2 * v (binlog/value.c) */
extern const char bl__two_digits[200];

#endif
