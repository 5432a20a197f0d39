/*
 * Binary protocol: a SELECT as a prepared statement (COM_STMT_PREPARE,
 * COM_STMT_EXECUTE without a cursor, COM_STMT_CLOSE) and the rows of its
 * binary result set: a 0x00 header, a NULL bitmap whose first two bits
 * are reserved, then each value that is not NULL in its binary form.
 * Values are handed out as views of their bytes; turning them into text
 * is the caller's (snapshot/bintext.c).
 */
#include <stdio.h>
#include <string.h>

#include "base/xalloc.h"
#include "mysqlproto/internal.h"

enum mp_bin_form mp_bin_form(uint8_t type, unsigned *width)
{
	*width = 0;
	switch (type) {
	case MP_TYPE_TINY:
		*width = 1;
		return MP_BIN_FIXED;
	case MP_TYPE_SHORT:
	case MP_TYPE_YEAR:
		*width = 2;
		return MP_BIN_FIXED;
	case MP_TYPE_LONG:
	case MP_TYPE_INT24:
	case MP_TYPE_FLOAT:
		*width = 4;
		return MP_BIN_FIXED;
	case MP_TYPE_LONGLONG:
	case MP_TYPE_DOUBLE:
		*width = 8;
		return MP_BIN_FIXED;
	case MP_TYPE_DATE:
	case MP_TYPE_NEWDATE:
	case MP_TYPE_DATETIME:
	case MP_TYPE_TIMESTAMP:
	case MP_TYPE_TIME:
		return MP_BIN_TEMPORAL;
	case MP_TYPE_DECIMAL:
	case MP_TYPE_NEWDECIMAL:
	case MP_TYPE_VARCHAR:
	case MP_TYPE_BIT:
	case MP_TYPE_VECTOR:
	case MP_TYPE_JSON:
	case MP_TYPE_ENUM:
	case MP_TYPE_SET:
	case MP_TYPE_TINY_BLOB:
	case MP_TYPE_MEDIUM_BLOB:
	case MP_TYPE_LONG_BLOB:
	case MP_TYPE_BLOB:
	case MP_TYPE_VAR_STRING:
	case MP_TYPE_STRING:
	case MP_TYPE_GEOMETRY:
		return MP_BIN_STRING;
	case MP_TYPE_NULL:
		return MP_BIN_NONE;
	default:
		return MP_BIN_UNKNOWN;
	}
}

/* Whether n is a length the protocol gives a value of this temporal type. */
static bool temporal_length(uint8_t type, uint64_t n)
{
	if (type == MP_TYPE_TIME)
		return n == 0 || n == 8 || n == 12;
	return n == 0 || n == 4 || n == 7 || n == 11;
}

int mp__binary_row(const struct mp_column *cols, uint32_t ncols, const uint8_t *p,
		   size_t n, struct bytes *vals, bool *nulls, struct err *e)
{
	struct rd d;
	rd_init(&d, p, n);
	if (rd_u8(&d) != 0x00 || d.err)
		return err_set(e, ERR_PROTO,
			       "binary row: header byte is not 0x00 (at byte 0)");
	struct bytes map = rd_bytes(&d, ((size_t)ncols + 9) / 8);
	if (d.err)
		return err_set(e, ERR_PROTO,
			       "binary row: truncated NULL bitmap (at byte %llu)",
			       (unsigned long long)d.err_off);
	for (uint32_t i = 0; i < ncols; i++) {
		size_t bit = (size_t)i + 2;
		uint64_t at = rd_offset(&d);
		nulls[i] = map.p[bit / 8] >> (bit % 8) & 1;
		vals[i].p = NULL;
		vals[i].n = 0;
		if (nulls[i])
			continue;
		unsigned w;
		bool isnull = false;
		uint64_t len;
		switch (mp_bin_form(cols[i].type, &w)) {
		case MP_BIN_FIXED:
			vals[i] = rd_bytes(&d, w);
			break;
		case MP_BIN_TEMPORAL:
			len = rd_u8(&d);
			if (!d.err && !temporal_length(cols[i].type, len))
				return err_set(e, ERR_PROTO,
					       "binary row: column %u: a value of type %u with "
					       "%llu bytes (at byte %llu)",
					       i + 1, cols[i].type,
					       (unsigned long long)len,
					       (unsigned long long)at);
			vals[i] = rd_bytes(&d, (size_t)len);
			break;
		case MP_BIN_STRING:
			len = rd_lenenc(&d, &isnull);
			if (!d.err && (isnull || len > rd_left(&d)))
				return err_set(e, ERR_PROTO,
					       "binary row: column %u: bad length (at byte %llu)",
					       i + 1, (unsigned long long)at);
			vals[i] = rd_bytes(&d, (size_t)len);
			break;
		case MP_BIN_NONE:
		case MP_BIN_UNKNOWN:
			return err_set(e, ERR_PROTO,
				       "binary row: column %u: a value of type %u (at byte %llu)",
				       i + 1, cols[i].type, (unsigned long long)at);
		}
		if (d.err)
			return err_set(e, ERR_PROTO,
				       "binary row: column %u truncated (at byte %llu)",
				       i + 1, (unsigned long long)d.err_off);
	}
	if (rd_left(&d))
		return err_set(e, ERR_PROTO,
			       "binary row: %zu bytes after the last column "
			       "(at byte %llu)",
			       rd_left(&d), (unsigned long long)rd_offset(&d));
	return 0;
}

/* Definitions of a prepared statement's parameters or columns (n of
 * them, then an EOF): ERR_UNSUPPORTED when a column type is unknown. */
static int skip_defs(struct mp_conn *c, uint32_t n, bool columns, uint8_t *bad)
{
	for (uint32_t i = 0; i < n; i++) {
		struct mp_column col;
		memset(&col, 0, sizeof(col));
		int rc = mp__read_column(c, &col, NULL);
		if (rc)
			return rc;
		unsigned w;
		if (columns && !*bad && mp_bin_form(col.type, &w) == MP_BIN_UNKNOWN)
			*bad = col.type ? col.type : 0xff;
	}
	return n ? mp__read_eof(c, "missing EOF after definitions") : 0;
}

static int stmt_query(struct mp_conn *c, const char *sql, struct mp_result *r)
{
	if (mp__check_connected(c))
		return -c->err.code;
	err_clear(&c->err);
	int rc = mp__send_command(c, MP_COM_STMT_PREPARE, sql, strlen(sql));
	if (rc)
		return rc;
	rc = mp__read_packet(c);
	if (rc)
		return rc;
	const struct buf *pkt = &c->io->pkt;
	if (pkt->n && pkt->p[0] == 0xff)
		return mp__err_packet(c, pkt->p, pkt->n);
	struct rd d;
	rd_init(&d, pkt->p, pkt->n);
	uint8_t status = rd_u8(&d);
	uint32_t id = rd_u32le(&d);
	uint16_t ncols = rd_u16le(&d), nparams = rd_u16le(&d);
	if (d.err || status != 0)
		return err_set(&c->err, ERR_PROTO,
			       "malformed COM_STMT_PREPARE reply (at byte %llu)",
			       (unsigned long long)(d.err ? d.err_off : 0));
	r->has_stmt = true;
	r->stmt_id = id;
	uint8_t bad = 0;
	rc = skip_defs(c, nparams, false, &bad);
	if (!rc)
		rc = skip_defs(c, ncols, true, &bad);
	if (rc)
		return rc;
	if (nparams)
		return err_set(&c->err, ERR_UNSUPPORTED,
			       "the statement has %u parameters", nparams);
	if (bad)
		return err_set(&c->err, ERR_UNSUPPORTED,
			       "column type %u is not decoded from the binary protocol",
			       bad);
	uint8_t ex[9] = {(uint8_t)id,
			 (uint8_t)(id >> 8),
			 (uint8_t)(id >> 16),
			 (uint8_t)(id >> 24),
			 0 /* no cursor */,
			 1,
			 0,
			 0,
			 0 /* iterations */};
	rc = mp__send_command(c, MP_COM_STMT_EXECUTE, ex, sizeof(ex));
	if (!rc)
		rc = mp__read_packet(c);
	if (rc)
		return rc;
	if (pkt->n == 0)
		return err_set(&c->err, ERR_PROTO, "empty reply to COM_STMT_EXECUTE");
	if (pkt->p[0] == 0xff)
		return mp__err_packet(c, pkt->p, pkt->n);
	if (pkt->p[0] == 0x00) {
		r->done = true; /* no result set */
		return 0;
	}
	rc = mp__read_columns(c, r);
	if (rc)
		return rc;
	r->binary = true;
	for (uint32_t i = 0; i < r->ncols; i++) {
		unsigned w;
		if (mp_bin_form(r->cols[i].type, &w) == MP_BIN_UNKNOWN)
			/* not the prepared types: the connection is not
			 * usable for another statement either */
			return err_set(&c->err, ERR_PROTO,
				       "column %u has type %u in the result "
				       "set of a prepared statement",
				       i + 1, r->cols[i].type);
	}
	return 0;
}

int mp_stmt_query(struct mp_conn *c, const char *sql, struct mp_result *r)
{
	memset(r, 0, sizeof(*r));
	int rc = stmt_query(c, sql, r);
	if (rc) {
		/* the statement is closed when the connection is still in step */
		struct err saved = c->err;
		r->done = true;
		if (c->err.code == ERR_UNSUPPORTED || c->err.code == ERR_SERVER)
			err_clear(&c->err);	/* an ERR packet: still in step */
		mp_result_release(c, r);
		if (!c->err.code)
			c->err = saved;
	}
	return rc;
}
