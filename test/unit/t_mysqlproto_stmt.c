/*
 * Prepared statements over the in-memory transport: COM_STMT_PREPARE,
 * COM_STMT_EXECUTE without a cursor, binary rows streamed one at a time,
 * COM_STMT_CLOSE at the end; a column type the decoder does not know
 * refused before the execute, the connection left in step.  Server byte
 * streams built from the protocol documentation, with and without
 * CLIENT_DEPRECATE_EOF, delivered whole and a byte at a time.
 */
#include "mysqlproto/internal.h"
#include "test/unit/test.h"

static const uint8_t NONCE[20] = "abcdefghijklmnopqrst";

static void pkt(struct buf *b, uint8_t seq, const void *p, size_t n)
{
	buf_put_u24le(b, (uint32_t)n);
	buf_put_u8(b, seq);
	buf_put(b, p, n);
}

static void greeting(struct buf *b, bool deprecate_eof)
{
	struct buf g;
	buf_init(&g, 0);
	buf_put_u8(&g, 10);
	buf_put(&g, "11.4.2-MariaDB", 15);
	buf_put_u32le(&g, 77);
	buf_put(&g, NONCE, 8);
	buf_put_u8(&g, 0);
	uint32_t caps = MP_CLIENT_LONG_PASSWORD | MP_CLIENT_PROTOCOL_41 |
			MP_CLIENT_SECURE_CONNECTION | MP_CLIENT_PLUGIN_AUTH |
			MP_CLIENT_PLUGIN_AUTH_LENENC | MP_CLIENT_TRANSACTIONS;
	if (deprecate_eof)
		caps |= MP_CLIENT_DEPRECATE_EOF;
	buf_put_u16le(&g, (uint16_t)caps);
	buf_put_u8(&g, 45);
	buf_put_u16le(&g, 2);
	buf_put_u16le(&g, (uint16_t)(caps >> 16));
	buf_put_u8(&g, 21);
	static const uint8_t z[6];
	buf_put(&g, z, 6);
	buf_put_u32le(&g, 0);
	buf_put(&g, NONCE + 8, 12);
	buf_put_u8(&g, 0);
	buf_put(&g, "mysql_native_password", 22);
	pkt(b, 0, g.p, g.n);
	buf_release(&g);
}

static void column_def(struct buf *b, uint8_t seq, const char *name, uint8_t type,
		       uint16_t flags, uint8_t decimals)
{
	struct buf d;
	buf_init(&d, 0);
	const char *parts[] = {"def", "db", "t", "t", name, name};
	for (int i = 0; i < 6; i++) {
		buf_put_lenenc(&d, strlen(parts[i]));
		buf_puts(&d, parts[i]);
	}
	buf_put_lenenc(&d, 12);
	buf_put_u16le(&d, 63);
	buf_put_u32le(&d, 20);
	buf_put_u8(&d, type);
	buf_put_u16le(&d, flags);
	buf_put_u8(&d, decimals);
	buf_put_u16le(&d, 0);
	pkt(b, seq, d.p, d.n);
	buf_release(&d);
}

static const uint8_t OK[] = {0x00, 0, 0, 2, 0, 0, 0};
static const uint8_t EOFP[] = {0xfe, 0, 0, 2, 0};

/* The columns of the tests: an INT, a BIGINT UNSIGNED, a DATETIME(6). */
static void columns(struct buf *s, uint8_t *seq, bool eof, uint8_t third)
{
	column_def(s, (*seq)++, "i", MP_TYPE_LONG, 0, 0);
	column_def(s, (*seq)++, "u", MP_TYPE_LONGLONG, MP_FLAG_UNSIGNED, 0);
	column_def(s, (*seq)++, "d", third, 0, 6);
	if (eof)
		pkt(s, (*seq)++, EOFP, sizeof(EOFP));
}

/* A server: greeting, OK to the login, the prepare reply (statement 9),
 * then unless refused the execute's result set of two rows. */
static void server(struct buf *s, bool deprecate_eof, uint8_t third)
{
	bool eof = !deprecate_eof;
	greeting(s, deprecate_eof);
	pkt(s, 2, OK, sizeof(OK));
	uint8_t prep[12] = {0, 9, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0};
	uint8_t seq = 1;
	pkt(s, seq++, prep, sizeof(prep));
	columns(s, &seq, eof, third);
	if (third != MP_TYPE_DATETIME)
		return;
	seq = 1;
	uint8_t three = 3;
	pkt(s, seq++, &three, 1);
	columns(s, &seq, eof, third);
	/* row 1: -7, UINT64_MAX, 2024-02-29 23:59:59.123456 */
	uint8_t r1[] = {0,    0,    0xf9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xff, 11,   0xe8, 0x07, 2,
			29,   23,   59,	  59,	0x40, 0xe2, 0x01, 0};
	pkt(s, seq++, r1, sizeof(r1));
	/* row 2: NULL, 1, zero date */
	uint8_t r2[] = {0, 0x04, 1, 0, 0, 0, 0, 0, 0, 0, 0};
	pkt(s, seq++, r2, sizeof(r2));
	/* the end: EOF, or OK with the 0xfe header */
	uint8_t end[] = {0xfe, 0, 0, 2, 0, 0, 0};
	pkt(s, seq++, end, deprecate_eof ? sizeof(end) : 5);
}

/* The n-th packet the client wrote (0-based): payload view. */
static struct bytes client_packet(const struct buf *out, int which)
{
	struct rd r;
	rd_init(&r, out->p, out->n);
	for (int i = 0;; i++) {
		uint32_t len = rd_u24le(&r);
		rd_u8(&r);
		struct bytes b = rd_bytes(&r, len);
		ASSERT(!r.err);
		if (i == which)
			return b;
	}
}

static void connect_mem(struct mp_conn *c, const struct buf *s, size_t chunk,
			struct buf *out)
{
	mp_conn_init(c);
	mp__mem_transport(c, s->p, s->n, chunk, out);
	struct mp_opts o;
	memset(&o, 0, sizeof(o));
	o.user = "u";
	o.password = "p";
	o.ssl_mode = MP_SSL_DISABLED;
	ASSERT_EQ(mp_connect(c, &o), 0);
}

TEST(stmt, prepare_execute_rows_close)
{
	for (int v = 0; v < 4; v++) {
		bool deprecate_eof = v & 1;
		struct buf s, out;
		buf_init(&s, 0);
		buf_init(&out, 0);
		server(&s, deprecate_eof, MP_TYPE_DATETIME);
		struct mp_conn c;
		connect_mem(&c, &s, v & 2 ? 1 : 0, &out);
		struct mp_result r;
		ASSERT_EQ(mp_stmt_query(&c, "SELECT i, u, d FROM t", &r), 0);
		ASSERT(r.binary);
		ASSERT_EQ(r.ncols, 3);
		struct mp_row row;
		ASSERT_EQ(mp_result_next(&c, &r, &row), 1);
		ASSERT_EQ(row.values[0].n, 4);
		ASSERT_EQ(row.values[0].p[0], 0xf9);
		ASSERT_EQ(row.values[1].n, 8);
		ASSERT_EQ(row.values[2].n, 11);
		ASSERT(!row.is_null[0]);
		ASSERT_EQ(mp_result_next(&c, &r, &row), 1);
		ASSERT(row.is_null[0]);
		ASSERT_EQ(row.values[1].p[0], 1);
		ASSERT_EQ(row.values[2].n, 0);
		ASSERT_EQ(mp_result_next(&c, &r, &row), 0);
		mp_result_release(&c, &r);
		ASSERT_EQ(c.err.code, 0);
		/* login, prepare, execute (no cursor, one iteration), close */
		struct bytes p = client_packet(&out, 1);
		ASSERT_EQ(p.p[0], MP_COM_STMT_PREPARE);
		ASSERT_MEM_EQ(p.p + 1, "SELECT i, u, d FROM t", p.n - 1);
		p = client_packet(&out, 2);
		const uint8_t ex[] =
			{MP_COM_STMT_EXECUTE, 9, 0, 0, 0, 0, 1, 0, 0, 0};
		ASSERT_EQ(p.n, sizeof(ex));
		ASSERT_MEM_EQ(p.p, ex, sizeof(ex));
		p = client_packet(&out, 3);
		const uint8_t cl[] = {MP_COM_STMT_CLOSE, 9, 0, 0, 0};
		ASSERT_EQ(p.n, sizeof(cl));
		ASSERT_MEM_EQ(p.p, cl, sizeof(cl));
		mp_close(&c);
		buf_release(&s);
		buf_release(&out);
	}
}

TEST(stmt, unknown_type_refused_before_execute)
{
	struct buf s, out;
	buf_init(&s, 0);
	buf_init(&out, 0);
	server(&s, true, 200);
	struct mp_conn c;
	connect_mem(&c, &s, 0, &out);
	struct mp_result r;
	ASSERT_ERR(mp_stmt_query(&c, "SELECT i, u, d FROM t", &r), ERR_UNSUPPORTED);
	ASSERT(strstr(c.err.msg, "type 200"));
	/* no execute: the statement is closed at once */
	struct bytes p = client_packet(&out, 2);
	ASSERT_EQ(p.p[0], MP_COM_STMT_CLOSE);
	mp_close(&c);
	buf_release(&s);
	buf_release(&out);
}

TEST(stmt, every_cut_of_the_stream_fails_cleanly)
{
	struct buf s;
	buf_init(&s, 0);
	server(&s, false, MP_TYPE_DATETIME);
	/* the login's end: the greeting and its OK */
	size_t login = 0;
	for (int k = 0; k < 2; k++)
		login += 4 +
			 (s.p[login] | s.p[login + 1] << 8 | s.p[login + 2] << 16);
	for (size_t n = login; n < s.n; n++) {
		struct buf cut = {0};
		buf_init(&cut, 0);
		buf_put(&cut, s.p, n);
		struct mp_conn c;
		connect_mem(&c, &cut, 0, NULL);
		struct mp_result r;
		int rows = 0, rc = mp_stmt_query(&c, "SELECT 1", &r);
		if (!rc) {
			struct mp_row row;
			while ((rc = mp_result_next(&c, &r, &row)) == 1)
				rows++;
			mp_result_release(&c, &r);
		}
		ASSERT(rc < 0);
		ASSERT(rows <= 2);
		mp_close(&c);
		buf_release(&cut);
	}
	buf_release(&s);
}
