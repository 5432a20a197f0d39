/*
 * Text protocol: COM_QUERY, OK/ERR/EOF packets and result sets streamed
 * one row packet at a time (column definitions, then rows of
 * length-encoded strings with 0xfb for NULL, ended by EOF or OK).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/xalloc.h"
#include "mysqlproto/internal.h"

static bool is_eof(const struct buf *p)
{
	/* EOF, or OK-as-EOF with CLIENT_DEPRECATE_EOF: 0xfe and short */
	return p->n >= 1 && p->p[0] == 0xfe && p->n < 0xffffff;
}

static int parse_ok(struct mp_conn *c, struct mp_result *r)
{
	struct rd rd;
	rd_init(&rd, c->io->pkt.p + 1, c->io->pkt.n - 1);
	r->affected_rows = rd_lenenc(&rd, NULL);
	if (rd.err)
		return err_set(&c->err, ERR_PROTO, "malformed OK packet");
	return 0;
}

int mp__send_command(struct mp_conn *c, uint8_t cmd, const void *p, size_t n)
{
	mp__reset_seq(c);
	mp__begin_packet(c);
	buf_put_u8(&c->io->out, cmd);
	buf_put(&c->io->out, p, n);
	return mp__send_packet(c);
}

void mp__result_free(struct mp_result *r)
{
	if (r->mem) {
		arena_release(r->mem);
		free(r->mem);
	}
	memset(r, 0, sizeof(*r));
}

static int query(struct mp_conn *c, const char *sql, struct mp_result *r)
{
	if (mp__check_connected(c))
		return -c->err.code;
	err_clear(&c->err);
	int rc = mp__send_command(c, MP_COM_QUERY, sql, strlen(sql));
	if (rc)
		return rc;
	rc = mp__read_packet(c);
	if (rc)
		return rc;
	if (c->io->pkt.n == 0)
		return err_set(&c->err, ERR_PROTO, "empty reply to a query");
	uint8_t first = c->io->pkt.p[0];
	if (first == 0xff)
		return mp__err_packet(c, c->io->pkt.p, c->io->pkt.n);
	if (first == 0x00) {
		r->done = true;
		return parse_ok(c, r);
	}
	if (first == 0xfb)
		return err_set(&c->err, ERR_UNSUPPORTED,
			       "the server asks for LOCAL INFILE, which is refused");
	return mp__read_columns(c, r);
}

int mp__read_columns(struct mp_conn *c, struct mp_result *r)
{
	struct rd rd;
	rd_init(&rd, c->io->pkt.p, c->io->pkt.n);
	uint64_t ncols = rd_lenenc(&rd, NULL);
	if (rd.err || ncols == 0 || ncols > 4096)
		return err_set(&c->err, ERR_PROTO, "bad column count in a result set");
	struct arena *a = xmalloc(sizeof(*a));
	arena_init(a, 4096);
	r->mem = a;
	r->ncols = (uint32_t)ncols;
	r->cols = arena_calloc(a, ncols, sizeof(*r->cols));
	r->vals = arena_calloc(a, ncols, sizeof(*r->vals));
	r->nulls = arena_calloc(a, ncols, sizeof(*r->nulls));
	for (uint32_t i = 0; i < ncols; i++) {
		int rc = mp__read_column(c, &r->cols[i], a);
		if (rc)
			return rc;
	}
	return mp__read_eof(c, "missing EOF after columns");
}

int mp__read_eof(struct mp_conn *c, const char *what)
{
	if (c->caps & MP_CLIENT_DEPRECATE_EOF)
		return 0;
	int rc = mp__read_packet(c);
	if (rc)
		return rc;
	if (!is_eof(&c->io->pkt))
		return err_set(&c->err, ERR_PROTO, "%s", what);
	return 0;
}

int mp__read_column(struct mp_conn *c, struct mp_column *col, struct arena *a)
{
	int rc = mp__read_packet(c);
	if (rc)
		return rc;
	if (c->io->pkt.n && c->io->pkt.p[0] == 0xff)
		return mp__err_packet(c, c->io->pkt.p, c->io->pkt.n);
	struct rd d;
	rd_init(&d, c->io->pkt.p, c->io->pkt.n);
	rd_lenstr(&d);	/* catalog */
	struct bytes schema = rd_lenstr(&d), table = rd_lenstr(&d);
	rd_lenstr(&d);	/* org_table */
	struct bytes name = rd_lenstr(&d);
	rd_lenstr(&d);	/* org_name */
	rd_lenenc(&d, NULL);
	col->charset = rd_u16le(&d);
	col->length = rd_u32le(&d);
	col->type = rd_u8(&d);
	col->flags = rd_u16le(&d);
	col->decimals = rd_u8(&d);
	if (d.err)
		return err_set(&c->err, ERR_PROTO, "malformed column definition (at byte %llu)",
			       (unsigned long long)d.err_off);
	if (!a)
		return 0;
	col->schema.p = arena_memdup(a, schema.p, schema.n);
	col->schema.n = schema.n;
	col->table.p = arena_memdup(a, table.p, table.n);
	col->table.n = table.n;
	col->name.p = arena_memdup(a, name.p, name.n);
	col->name.n = name.n;
	return 0;
}

int mp_query(struct mp_conn *c, const char *sql, struct mp_result *r)
{
	memset(r, 0, sizeof(*r));
	int rc = query(c, sql, r);
	if (rc)
		mp__result_free(r);	/* nothing to release for the caller */
	return rc;
}

int mp_result_next(struct mp_conn *c, struct mp_result *r, struct mp_row *row)
{
	if (r->done)
		return 0;
	if (mp__check_connected(c))
		return -c->err.code;
	int rc = mp__read_packet(c);
	if (rc)
		return rc;
	if (c->io->pkt.n && c->io->pkt.p[0] == 0xff) {
		r->done = true;
		return mp__err_packet(c, c->io->pkt.p, c->io->pkt.n);
	}
	if (is_eof(&c->io->pkt) && c->io->pkt.n < 0xffffff &&
	    (c->io->pkt.n < 9 || (c->caps & MP_CLIENT_DEPRECATE_EOF))) {
		r->done = true;
		return 0;
	}
	if (r->binary) {
		rc = mp__binary_row(r->cols, r->ncols, c->io->pkt.p, c->io->pkt.n, r->vals,
				    r->nulls, &c->err);
		if (rc)
			return rc;
		row->n = r->ncols;
		row->values = r->vals;
		row->is_null = r->nulls;
		return 1;
	}
	struct rd d;
	rd_init(&d, c->io->pkt.p, c->io->pkt.n);
	for (uint32_t i = 0; i < r->ncols; i++) {
		bool isnull = false;
		uint64_t len = rd_lenenc(&d, &isnull);
		r->nulls[i] = isnull;
		if (isnull) {
			r->vals[i].p = NULL;
			r->vals[i].n = 0;
			continue;
		}
		if (d.err || len > rd_left(&d))
			return err_set(&c->err, ERR_PROTO, "malformed row packet");
		r->vals[i] = rd_bytes(&d, (size_t)len);
	}
	if (d.err || rd_left(&d))
		return err_set(&c->err, ERR_PROTO, "malformed row packet");
	row->n = r->ncols;
	row->values = r->vals;
	row->is_null = r->nulls;
	return 1;
}

void mp_result_release(struct mp_conn *c, struct mp_result *r)
{
	struct mp_row row;
	while (!r->done && !c->err.code && mp_result_next(c, r, &row) == 1)
		;
	if (r->has_stmt && !c->err.code && c->io && (c->io->fd >= 0 || c->io->mem_in)) {
		uint8_t id[4] = {(uint8_t)r->stmt_id, (uint8_t)(r->stmt_id >> 8),
				 (uint8_t)(r->stmt_id >> 16), (uint8_t)(r->stmt_id >> 24)};
		(void)mp__send_command(c, MP_COM_STMT_CLOSE, id, 4);	/* no reply */
	}
	mp__result_free(r);
}

int mp_exec(struct mp_conn *c, const char *sql)
{
	struct mp_result r;
	int rc = mp_query(c, sql, &r);
	if (rc)
		return rc;
	mp_result_release(c, &r);
	return c->err.code ? -c->err.code : 0;
}

int mp_query_value(struct mp_conn *c, const char *sql, char *out, size_t n,
		   bool *found)
{
	struct mp_result r;
	*found = false;
	if (n)
		out[0] = 0;
	int rc = mp_query(c, sql, &r);
	if (rc)
		return rc;
	struct mp_row row;
	rc = mp_result_next(c, &r, &row);
	if (rc == 1) {
		*found = true;
		if (n && row.n && !row.is_null[0]) {
			size_t k = row.values[0].n < n - 1 ? row.values[0].n : n - 1;
			memcpy(out, row.values[0].p, k);
			out[k] = 0;
		}
		rc = 0;
	}
	mp_result_release(c, &r);
	return rc < 0 ? rc : (c->err.code ? -c->err.code : 0);
}

void mp_quote(struct buf *out, const char *s)
{
	buf_putc(out, '\'');
	for (; *s; s++) {
		switch (*s) {
		case '\'': buf_putl(out, "\\'"); break;
		case '\\': buf_putl(out, "\\\\"); break;
		case '\n': buf_putl(out, "\\n"); break;
		case '\r': buf_putl(out, "\\r"); break;
		case 0x1a: buf_putl(out, "\\Z"); break;
		default: buf_putc(out, *s);
		}
	}
	buf_putc(out, '\'');
}

/* MySQL 8.4 and 9.x removed SHOW MASTER STATUS; MariaDB and older MySQL
 * servers do not know SHOW BINARY LOG STATUS (MariaDB's SHOW BINLOG
 * STATUS is 10.5.2+ only). */
static bool has_binary_log_status(const struct mp_conn *c)
{
	return !c->is_mariadb && strncmp(c->server_version, "8.0", 3) &&
	       strncmp(c->server_version, "5.", 2);
}

int mp_source_position(struct mp_conn *c, struct mp_position *out)
{
	memset(out, 0, sizeof(*out));
	struct mp_result r;
	int rc = mp_query(c, has_binary_log_status(c) ? "SHOW BINARY LOG STATUS"
						      : "SHOW MASTER STATUS", &r);
	if (rc)
		return rc;
	struct mp_row row;
	rc = mp_result_next(c, &r, &row);
	if (rc == 1 && row.n >= 2 && !row.is_null[0] && !row.is_null[1]) {
		snprintf(out->file, sizeof(out->file), "%.*s", (int)row.values[0].n,
			 (const char *)row.values[0].p);
		char tmp[24];
		snprintf(tmp, sizeof(tmp), "%.*s", (int)row.values[1].n,
			 (const char *)row.values[1].p);
		char *end;
		out->pos = strtoull(tmp, &end, 10);
		if (end == tmp || *end)
			out->file[0] = 0;
		/* MySQL: File, Position, Binlog_Do_DB, Binlog_Ignore_DB,
		 * Executed_Gtid_Set */
		if (!c->is_mariadb && row.n >= 5 && !row.is_null[4])
			snprintf(out->gtid, sizeof(out->gtid), "%.*s",
				 (int)row.values[4].n, (const char *)row.values[4].p);
		rc = 0;
	}
	mp_result_release(c, &r);
	if (rc < 0)
		return rc;
	if (!out->file[0])
		return err_set(&c->err, ERR_CONFIG,
			       "the source reports no binlog position: is the binary "
			       "log enabled (log_bin), and does the account have "
			       "REPLICATION CLIENT (BINLOG MONITOR on MariaDB)?");
	if (c->is_mariadb) {
		bool found;
		rc = mp_query_value(c, "SELECT @@global.gtid_binlog_pos", out->gtid,
				    sizeof(out->gtid), &found);
		if (rc)
			return rc;
	}
	return 0;
}

int mp_server_identity(struct mp_conn *c, uint64_t *server_id, char *uuid, size_t n)
{
	char v[32];
	bool found;
	*server_id = 0;
	uuid[0] = 0;
	int rc = mp_query_value(c, "SELECT @@server_id", v, sizeof(v), &found);
	if (rc)
		return rc;
	*server_id = strtoull(v, NULL, 10);
	/* MySQL 5.6 and later; MariaDB has none (an unknown variable) */
	if (mp_query_value(c, "SELECT @@server_uuid", uuid, n, &found)) {
		if (c->err.code != ERR_SERVER)
			return -c->err.code;
		err_clear(&c->err);
		uuid[0] = 0;
	}
	return 0;
}
