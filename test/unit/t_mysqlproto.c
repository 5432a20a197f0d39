/*
 * Protocol client over the in-memory transport: server byte streams built
 * from the protocol documentation, delivered whole, a byte at a time and
 * cut at every length.
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "mysqlproto/internal.h"
#include "test/unit/test.h"

static const uint8_t NONCE[20] = "abcdefghijklmnopqrst";

static void pkt(struct buf *b, uint8_t seq, const void *p, size_t n)
{
	buf_put_u24le(b, (uint32_t)n);
	buf_put_u8(b, seq);
	buf_put(b, p, n);
}

/* A v10 greeting.  mariadb: no CLIENT_MYSQL bit, extended caps set. */
static void greeting(struct buf *b, const char *version, const char *plugin,
		     bool mariadb)
{
	struct buf g;
	buf_init(&g, 0);
	buf_put_u8(&g, 10);
	buf_put(&g, version, strlen(version) + 1);
	buf_put_u32le(&g, 77);
	buf_put(&g, NONCE, 8);
	buf_put_u8(&g, 0);
	uint32_t caps = MP_CLIENT_LONG_PASSWORD | MP_CLIENT_PROTOCOL_41 |
			MP_CLIENT_SECURE_CONNECTION | MP_CLIENT_PLUGIN_AUTH |
			MP_CLIENT_PLUGIN_AUTH_LENENC | MP_CLIENT_TRANSACTIONS |
			MP_CLIENT_DEPRECATE_EOF | MP_CLIENT_CONNECT_WITH_DB;
	if (mariadb)
		caps &= ~1u;
	buf_put_u16le(&g, (uint16_t)caps);
	buf_put_u8(&g, 45);
	buf_put_u16le(&g, 2);
	buf_put_u16le(&g, (uint16_t)(caps >> 16));
	buf_put_u8(&g, 21);
	static const uint8_t z[6];
	buf_put(&g, z, 6);
	buf_put_u32le(&g, mariadb ? 0x1c : 0);
	buf_put(&g, NONCE + 8, 12);
	buf_put_u8(&g, 0);
	buf_put(&g, plugin, strlen(plugin) + 1);
	pkt(b, 0, g.p, g.n);
	buf_release(&g);
}

static const uint8_t OK[] = {0x00, 0, 0, 2, 0, 0, 0};

struct run {
	struct mp_conn c;
	struct buf out;
	int rc;
};

static void run_connect(struct run *r, const struct buf *srv, size_t len,
			size_t chunk, const char *password)
{
	mp_conn_init(&r->c);
	buf_init(&r->out, 0);
	mp__mem_transport(&r->c, srv->p, len, chunk, &r->out);
	struct mp_opts o;
	memset(&o, 0, sizeof(o));
	o.user = "repl";
	o.password = password;
	o.ssl_mode = MP_SSL_DISABLED;
	r->rc = mp_connect(&r->c, &o);
}

static void run_free(struct run *r)
{
	mp_close(&r->c);
	buf_release(&r->out);
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

TEST(proto, greeting_mysql8)
{
	struct buf s;
	buf_init(&s, 0);
	greeting(&s, "8.0.36", "caching_sha2_password", false);
	struct mp_conn c;
	mp_conn_init(&c);
	ASSERT_EQ(mp__parse_greeting(&c, s.p + 4, s.n - 4), 0);
	ASSERT_STREQ(c.server_version, "8.0.36");
	ASSERT_STREQ(c.auth_plugin, "caching_sha2_password");
	ASSERT_MEM_EQ(c.io->scramble, NONCE, 20);
	ASSERT(!c.is_mariadb);
	ASSERT_EQ(c.connection_id, 77);
	/* every cut of the greeting is an error, never a crash */
	for (size_t k = 0; k + 4 < s.n - 1; k++) {
		struct mp_conn d;
		mp_conn_init(&d);
		int rc = mp__parse_greeting(&d, s.p + 4, k);
		/* 23 bytes is a complete pre-4.1 greeting (refused later) */
		if (k < 23)
			ASSERT(rc < 0);
		mp_close(&d);
	}
	mp_close(&c);
	buf_release(&s);
}

TEST(proto, greeting_mariadb)
{
	struct buf s;
	buf_init(&s, 0);
	greeting(&s, "5.5.5-10.11.6-MariaDB", "mysql_native_password", true);
	struct mp_conn c;
	mp_conn_init(&c);
	ASSERT_EQ(mp__parse_greeting(&c, s.p + 4, s.n - 4), 0);
	ASSERT(c.is_mariadb);
	ASSERT_EQ(c.caps >> 32, 0x1c);
	mp_close(&c);
	buf_release(&s);
}

TEST(proto, scramble_vectors)
{
	/* mysql_native_password: SHA1(pw) XOR SHA1(nonce + SHA1(SHA1(pw))),
	 * computed here independently with EVP */
	uint8_t got[20], h1[20], h2[20], h3[20];
	unsigned l;
	EVP_Digest("secret", 6, h1, &l, EVP_sha1(), NULL);
	EVP_Digest(h1, 20, h2, &l, EVP_sha1(), NULL);
	uint8_t cat[40];
	memcpy(cat, NONCE, 20);
	memcpy(cat + 20, h2, 20);
	EVP_Digest(cat, 40, h3, &l, EVP_sha1(), NULL);
	ASSERT_EQ(mp_scramble_native(got, "secret", NONCE), 0);
	for (int i = 0; i < 20; i++)
		ASSERT_EQ(got[i], h1[i] ^ h3[i]);
	/* caching_sha2: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + nonce) */
	uint8_t g2[32], s1[32], s2[32], s3[32], cat2[52];
	EVP_Digest("secret", 6, s1, &l, EVP_sha256(), NULL);
	EVP_Digest(s1, 32, s2, &l, EVP_sha256(), NULL);
	memcpy(cat2, s2, 32);
	memcpy(cat2 + 32, NONCE, 20);
	EVP_Digest(cat2, 52, s3, &l, EVP_sha256(), NULL);
	ASSERT_EQ(mp_scramble_sha2(g2, "secret", NONCE, 20), 0);
	for (int i = 0; i < 32; i++)
		ASSERT_EQ(g2[i], s1[i] ^ s3[i]);
	/* a known value: SHA1("") chain for an empty password is not sent */
	ASSERT(got[0] != 0 || got[1] != 0);
}

TEST(proto, native_auth_whole_and_byte_at_a_time)
{
	struct buf s;
	buf_init(&s, 0);
	greeting(&s, "5.7.44", "mysql_native_password", false);
	pkt(&s, 2, OK, sizeof(OK));
	for (size_t chunk = 0; chunk <= 1; chunk++) {
		struct run r;
		run_connect(&r, &s, s.n, chunk, "secret");
		ASSERT_EQ(r.rc, 0);
		/* the response: caps(4) max(4) coll(1) zeros(23) user NUL len scramble plugin */
		struct bytes resp = client_packet(&r.out, 0);
		struct rd d;
		rd_init(&d, resp.p, resp.n);
		rd_skip(&d, 32);
		struct bytes user = rd_cstr(&d);
		ASSERT_EQ(user.n, 4);
		ASSERT_EQ(rd_lenenc(&d, NULL), 20);
		struct bytes sc = rd_bytes(&d, 20);
		uint8_t want[20];
		ASSERT_EQ(mp_scramble_native(want, "secret", NONCE), 0);
		ASSERT_MEM_EQ(sc.p, want, 20);
		/* the password itself is nowhere in what was sent */
		ASSERT(memmem(r.out.p, r.out.n, "secret", 6) == NULL);
		run_free(&r);
	}
	buf_release(&s);
}

TEST(proto, truncated_server_streams_fail_cleanly)
{
	struct buf s;
	buf_init(&s, 0);
	greeting(&s, "8.0.36", "caching_sha2_password", false);
	uint8_t fast[] = {0x01, 0x03};
	pkt(&s, 2, fast, 2);
	pkt(&s, 3, OK, sizeof(OK));
	for (size_t k = 0; k < s.n; k++) {
		struct run r;
		run_connect(&r, &s, k, 0, "pw");
		ASSERT(r.rc < 0);
		ASSERT(r.c.err.msg[0] != 0);
		run_free(&r);
	}
	struct run r;
	run_connect(&r, &s, s.n, 0, "pw");
	ASSERT_EQ(r.rc, 0);
	run_free(&r);
	buf_release(&s);
}

TEST(proto, wrong_password_error)
{
	struct buf s;
	buf_init(&s, 0);
	greeting(&s, "5.7.44", "mysql_native_password", false);
	const char msg[] = "\xff\x15\x04#28000Access denied for user 'repl'@'localhost' "
			   "(using password: YES)";
	pkt(&s, 2, msg, sizeof(msg) - 1);
	struct run r;
	run_connect(&r, &s, s.n, 0, "hunter2");
	ASSERT_ERR(r.rc, ERR_AUTH);
	ASSERT(strstr(r.c.err.msg, "1045") && strstr(r.c.err.msg, "Access denied"));
	ASSERT(strstr(r.c.err.msg, "hunter2") == NULL);
	run_free(&r);
	buf_release(&s);
}

TEST(proto, sequence_mismatch)
{
	struct buf s;
	buf_init(&s, 0);
	greeting(&s, "5.7.44", "mysql_native_password", false);
	pkt(&s, 5, OK, sizeof(OK));	/* expected 2 */
	struct run r;
	run_connect(&r, &s, s.n, 0, "pw");
	ASSERT_ERR(r.rc, ERR_PROTO);
	ASSERT(strstr(r.c.err.msg, "sequence"));
	run_free(&r);
	buf_release(&s);
}

/* An RSA key pair; the public half as PEM. */
static EVP_PKEY *rsa_key(struct buf *pem)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	ASSERT(k != NULL);
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_PUBKEY(b, k);
	char *p;
	long n = BIO_get_mem_data(b, &p);
	buf_put(pem, p, (size_t)n);
	BIO_free(b);
	return k;
}

static void check_rsa_password(EVP_PKEY *k, struct bytes enc, const char *pw)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	ASSERT(EVP_PKEY_decrypt_init(ctx) == 1);
	ASSERT(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1);
	uint8_t out[512];
	size_t olen = sizeof(out);
	ASSERT(EVP_PKEY_decrypt(ctx, out, &olen, enc.p, enc.n) == 1);
	ASSERT_EQ(olen, strlen(pw) + 1);
	for (size_t i = 0; i < olen; i++)
		ASSERT_EQ(out[i] ^ NONCE[i % 20], (uint8_t)pw[i]);
	EVP_PKEY_CTX_free(ctx);
}

TEST(proto, caching_sha2_full_auth_with_rsa)
{
	struct buf pem, s;
	buf_init(&pem, 0);
	buf_init(&s, 0);
	EVP_PKEY *k = rsa_key(&pem);
	greeting(&s, "8.0.36", "caching_sha2_password", false);
	uint8_t full[] = {0x01, 0x04};
	pkt(&s, 2, full, 2);		/* perform full authentication */
	struct buf kp;
	buf_init(&kp, 0);
	buf_put_u8(&kp, 0x01);
	buf_put(&kp, pem.p, pem.n);
	pkt(&s, 4, kp.p, kp.n);		/* the public key, after our request */
	pkt(&s, 6, OK, sizeof(OK));
	struct run r;
	run_connect(&r, &s, s.n, 0, "s3cret!");
	ASSERT_EQ(r.rc, 0);
	/* client packets: response, key request (0x02), encrypted password */
	struct bytes req = client_packet(&r.out, 1);
	ASSERT_EQ(req.n, 1);
	ASSERT_EQ(req.p[0], 2);
	check_rsa_password(k, client_packet(&r.out, 2), "s3cret!");
	ASSERT(memmem(r.out.p, r.out.n, "s3cret!", 7) == NULL);
	run_free(&r);
	EVP_PKEY_free(k);
	buf_release(&kp);
	buf_release(&pem);
	buf_release(&s);
}

TEST(proto, sha256_password_with_rsa)
{
	struct buf pem, s, kp;
	buf_init(&pem, 0);
	buf_init(&s, 0);
	buf_init(&kp, 0);
	EVP_PKEY *k = rsa_key(&pem);
	greeting(&s, "8.0.36", "sha256_password", false);
	buf_put_u8(&kp, 0x01);
	buf_put(&kp, pem.p, pem.n);
	pkt(&s, 2, kp.p, kp.n);
	pkt(&s, 4, OK, sizeof(OK));
	struct run r;
	run_connect(&r, &s, s.n, 0, "pw256");
	ASSERT_EQ(r.rc, 0);
	check_rsa_password(k, client_packet(&r.out, 1), "pw256");
	run_free(&r);
	EVP_PKEY_free(k);
	buf_release(&kp);
	buf_release(&pem);
	buf_release(&s);
}

TEST(proto, auth_switch_to_caching_sha2_fast)
{
	struct buf s, sw;
	buf_init(&s, 0);
	buf_init(&sw, 0);
	greeting(&s, "8.0.36", "mysql_native_password", false);
	buf_put_u8(&sw, 0xfe);
	buf_puts(&sw, "caching_sha2_password");
	buf_put_u8(&sw, 0);
	buf_put(&sw, NONCE, 20);
	buf_put_u8(&sw, 0);
	pkt(&s, 2, sw.p, sw.n);
	uint8_t fast[] = {0x01, 0x03};
	pkt(&s, 4, fast, 2);
	pkt(&s, 5, OK, sizeof(OK));
	struct run r;
	run_connect(&r, &s, s.n, 1, "pw");
	ASSERT_EQ(r.rc, 0);
	struct bytes resp = client_packet(&r.out, 1);
	uint8_t want[32];
	ASSERT_EQ(mp_scramble_sha2(want, "pw", NONCE, 20), 0);
	ASSERT_EQ(resp.n, 32);
	ASSERT_MEM_EQ(resp.p, want, 32);
	ASSERT_STREQ(r.c.auth_plugin, "caching_sha2_password");
	run_free(&r);
	buf_release(&sw);
	buf_release(&s);
}

TEST(proto, bounded_auth_switches)
{
	struct buf s, sw;
	buf_init(&s, 0);
	buf_init(&sw, 0);
	greeting(&s, "8.0.36", "mysql_native_password", false);
	buf_put_u8(&sw, 0xfe);
	buf_puts(&sw, "mysql_native_password");
	buf_put_u8(&sw, 0);
	buf_put(&sw, NONCE, 20);
	for (int i = 0; i < 6; i++)
		pkt(&s, (uint8_t)(2 + 2 * i), sw.p, sw.n);
	struct run r;
	run_connect(&r, &s, s.n, 0, "pw");
	ASSERT_ERR(r.rc, ERR_PROTO);
	ASSERT(strstr(r.c.err.msg, "switches"));
	run_free(&r);
	buf_release(&sw);
	buf_release(&s);
}

TEST(proto, clear_password_refused_without_tls)
{
	struct buf s;
	buf_init(&s, 0);
	greeting(&s, "8.0.36", "mysql_clear_password", false);
	struct run r;
	run_connect(&r, &s, s.n, 0, "pw");
	/* the first response falls back to native; a switch to clear text
	 * over plain TCP is refused */
	struct buf s2, sw;
	buf_init(&s2, 0);
	buf_init(&sw, 0);
	greeting(&s2, "8.0.36", "mysql_native_password", false);
	buf_put_u8(&sw, 0xfe);
	buf_puts(&sw, "mysql_clear_password");
	buf_put_u8(&sw, 0);
	pkt(&s2, 2, sw.p, sw.n);
	struct run r2;
	run_connect(&r2, &s2, s2.n, 0, "pw");
	ASSERT_ERR(r2.rc, ERR_AUTH);
	ASSERT(strstr(r2.c.err.msg, "clear text"));
	run_free(&r);
	run_free(&r2);
	buf_release(&sw);
	buf_release(&s2);
	buf_release(&s);
}

static void column_def(struct buf *b, uint8_t seq, const char *name)
{
	struct buf d;
	buf_init(&d, 0);
	const char *parts[] = {"def", "db", "t", "t", name, name};
	for (int i = 0; i < 6; i++) {
		buf_put_lenenc(&d, strlen(parts[i]));
		buf_puts(&d, parts[i]);
	}
	buf_put_lenenc(&d, 12);
	buf_put_u16le(&d, 45);
	buf_put_u32le(&d, 255);
	buf_put_u8(&d, 253);
	buf_put_u16le(&d, 0);
	buf_put_u8(&d, 0);
	buf_put_u16le(&d, 0);
	pkt(b, seq, d.p, d.n);
	buf_release(&d);
}

TEST(proto, result_set_streaming_and_big_rows)
{
	struct buf s;
	buf_init(&s, 0);
	greeting(&s, "8.0.36", "mysql_native_password", false);
	pkt(&s, 2, OK, sizeof(OK));
	size_t query_at = s.n;
	uint8_t two = 2;
	pkt(&s, 1, &two, 1);
	column_def(&s, 2, "a");
	column_def(&s, 3, "b");
	/* row 1: 'x', NULL */
	uint8_t r1[] = {1, 'x', 0xfb};
	pkt(&s, 4, r1, sizeof(r1));
	/* row 2: 'y' and a 17 MB value: a 0xffffff packet plus a continuation */
	size_t big = 17u << 20;
	struct buf row;
	buf_init(&row, 0);
	buf_put_lenenc(&row, 1);
	buf_putc(&row, 'y');
	buf_put_lenenc(&row, big);
	uint8_t *v = buf_reserve(&row, big);
	memset(v, 'z', big);
	row.n += big;
	size_t first = 0xffffff;
	pkt(&s, 5, row.p, first);
	pkt(&s, 6, row.p + first, row.n - first);
	uint8_t eof[] = {0xfe, 0, 0, 2, 0, 0, 0};
	pkt(&s, 7, eof, sizeof(eof));
	(void)query_at;
	struct run r;
	run_connect(&r, &s, s.n, 0, "pw");
	ASSERT_EQ(r.rc, 0);
	struct mp_result res;
	ASSERT_EQ(mp_query(&r.c, "SELECT a, b FROM t", &res), 0);
	ASSERT_EQ(res.ncols, 2);
	ASSERT_EQ(res.cols[1].name.n, 1);
	struct mp_row rw;
	ASSERT_EQ(mp_result_next(&r.c, &res, &rw), 1);
	ASSERT_EQ(rw.values[0].n, 1);
	ASSERT(rw.is_null[1]);
	ASSERT_EQ(mp_result_next(&r.c, &res, &rw), 1);
	ASSERT_EQ(rw.values[1].n, big);
	ASSERT_EQ(rw.values[1].p[big - 1], 'z');
	ASSERT_EQ(mp_result_next(&r.c, &res, &rw), 0);
	mp_result_release(&r.c, &res);
	run_free(&r);
	buf_release(&row);
	buf_release(&s);
}

/*
 * With a 32-byte password MariaDB's ed25519 scheme is RFC 8032 Ed25519
 * with the password as the seed: OpenSSL's signature must match ours.
 */
TEST(proto, ed25519_matches_openssl)
{
	const char pw[] = "0123456789abcdef0123456789abcdef";
	const uint8_t msg[32] = "a 32-byte nonce sent by MariaDB.";
	uint8_t mine[64], theirs[64];
	ASSERT_EQ(mp__ed25519_sign(mine, pw, msg, 32), 0);
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
						   (const uint8_t *)pw, 32);
	ASSERT(k != NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t len = 64;
	ASSERT(EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) == 1);
	ASSERT(EVP_DigestSign(ctx, theirs, &len, msg, 32) == 1);
	ASSERT_MEM_EQ(mine, theirs, 64);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
}

/* The ed25519 nonce is binary: a trailing zero byte is part of it. */
TEST(proto, ed25519_switch_nonce_ending_in_zero)
{
	uint8_t nonce[32];
	for (int i = 0; i < 32; i++)
		nonce[i] = (uint8_t)(i * 7 + 1);
	nonce[31] = 0;
	struct buf s, sw;
	buf_init(&s, 0);
	buf_init(&sw, 0);
	greeting(&s, "5.5.5-10.11.6-MariaDB", "mysql_native_password", true);
	buf_put_u8(&sw, 0xfe);
	buf_puts(&sw, "client_ed25519");
	buf_put_u8(&sw, 0);
	buf_put(&sw, nonce, 32);
	pkt(&s, 2, sw.p, sw.n);
	pkt(&s, 4, OK, sizeof(OK));
	struct run r;
	run_connect(&r, &s, s.n, 0, "a passphrase");
	ASSERT_EQ(r.rc, 0);
	struct bytes sig = client_packet(&r.out, 1);
	uint8_t want[64];
	ASSERT_EQ(mp__ed25519_sign(want, "a passphrase", nonce, 32), 0);
	ASSERT_EQ(sig.n, 64);
	ASSERT_MEM_EQ(sig.p, want, 64);
	run_free(&r);
	buf_release(&sw);
	buf_release(&s);
}

/*
 * A query that fails after its result set began (a malformed column
 * definition, an error in place of one, the connection cut) leaves
 * nothing to release: the result's arena is freed by mp_query itself.
 */
TEST(proto, failed_query_leaves_nothing_to_release)
{
	for (int kind = 0; kind < 3; kind++) {
		struct buf s;
		buf_init(&s, 0);
		greeting(&s, "8.0.36", "mysql_native_password", false);
		pkt(&s, 2, OK, sizeof(OK));
		uint8_t two = 2;
		pkt(&s, 1, &two, 1);
		column_def(&s, 2, "a");
		if (kind == 0) {
			uint8_t bad[] = {3, 'd', 'e'};	/* cut inside a string */
			pkt(&s, 3, bad, sizeof(bad));
		} else if (kind == 1) {
			uint8_t err[] = {0xff, 0x28, 0x04, '#', 'H', 'Y', '0', '0', '0', 'x'};
			pkt(&s, 3, err, sizeof(err));
		}	/* kind 2: the stream ends after one column */
		struct run r;
		run_connect(&r, &s, s.n, 0, "pw");
		ASSERT_EQ(r.rc, 0);
		struct mp_result res;
		ASSERT(mp_query(&r.c, "SELECT a, b FROM t", &res) < 0);
		ASSERT(res.mem == NULL);
		ASSERT(res.cols == NULL);
		run_free(&r);
		buf_release(&s);
	}
}

/* A handle that never connected, or whose connection failed, or was
 * closed, holds nothing: closing it (again) is harmless and every
 * command reports "not connected". */
TEST(proto, closed_handle_is_inert)
{
	struct mp_conn c;
	mp_conn_init(&c);
	mp_conn_init(&c);	/* twice: nothing allocated, nothing leaked */
	ASSERT(c.io == NULL);
	ASSERT(!mp_input_pending(&c));
	struct mp_result res;
	ASSERT_ERR(mp_query(&c, "SELECT 1", &res), ERR_IO);
	ASSERT(strstr(c.err.msg, "not connected"));
	const uint8_t *ev;
	size_t n;
	ASSERT_ERR(mp_binlog_next(&c, &ev, &n), ERR_IO);
	struct mp_dump d = {.server_id = 9, .file = "", .pos = 4};
	ASSERT_ERR(mp_binlog_dump(&c, &d), ERR_IO);
	mp_close(&c);
	mp_close(&c);

	/* a failed connect (the greeting cut short), then close twice */
	struct buf s;
	buf_init(&s, 0);
	greeting(&s, "8.0.36", "mysql_native_password", false);
	struct run r;
	run_connect(&r, &s, s.n - 3, 0, "pw");
	ASSERT(r.rc < 0);
	ASSERT(r.c.io != NULL);
	mp_close(&r.c);
	ASSERT(r.c.io == NULL);
	ASSERT_ERR(mp_query(&r.c, "SELECT 1", &res), ERR_IO);
	run_free(&r);
	buf_release(&s);
}

/* A one-column or several-column result set of one row (NULL values
 * are SQL NULL), each reply's packets numbered from 1. */
static void reply_row(struct buf *s, int ncols, const char *const *vals)
{
	uint8_t seq = 1;
	uint8_t nc = (uint8_t)ncols;
	pkt(s, seq++, &nc, 1);
	for (int i = 0; i < ncols; i++)
		column_def(s, seq++, "v");
	struct buf row;
	buf_init(&row, 0);
	for (int i = 0; i < ncols; i++) {
		if (!vals[i]) {
			buf_put_u8(&row, 0xfb);
			continue;
		}
		buf_put_lenenc(&row, strlen(vals[i]));
		buf_puts(&row, vals[i]);
	}
	pkt(s, seq++, row.p, row.n);
	buf_release(&row);
	static const uint8_t eof[] = {0xfe, 0, 0, 2, 0, 0, 0};
	pkt(s, seq, eof, sizeof(eof));
}

static void reply_value(struct buf *s, const char *v)
{
	reply_row(s, 1, &v);
}

static void reply_unknown_var(struct buf *s)
{
	static const uint8_t err[] = {0xff, 0x93, 0x04, '#', 'H', 'Y', '0', '0',
				      '0', 'u', 'n', 'k', 'n', 'o', 'w', 'n'};
	pkt(s, 1, err, sizeof(err));
}

/* check_source against a scripted MariaDB: every kind of finding (ok,
 * failed with its fix, warning, missing variable, empty value). */
TEST(proto, check_source_findings)
{
	struct buf s;
	buf_init(&s, 0);
	greeting(&s, "5.5.5-10.11.6-MariaDB", "mysql_native_password", true);
	pkt(&s, 2, OK, sizeof(OK));
	reply_value(&s, "1");		/* log_bin */
	reply_value(&s, "MIXED");	/* binlog_format */
	reply_unknown_var(&s);		/* binlog_row_image */
	reply_value(&s, "MINIMAL");	/* binlog_row_metadata */
	reply_value(&s, "CRC32");	/* binlog_checksum */
	reply_value(&s, "");		/* gtid_binlog_pos */
	const char *master[] = {"mysql-bin.000002", "1234", "", ""};
	reply_row(&s, 4, master);	/* SHOW MASTER STATUS */
	reply_value(&s, "0-1-5");	/* its GTID position */
	reply_value(&s, "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `u`@`%`");
	struct run r;
	run_connect(&r, &s, s.n, 0, "pw");
	ASSERT_EQ(r.rc, 0);
	struct mp_check ch[16];
	ASSERT_EQ(mp_check_source(&r.c, ch, 16), 9);
	static const struct {
		const char *name, *detail, *fix;
		bool ok, warning;
	} want[] = {
		{"server version", "5.5.5-10.11.6-MariaDB (MariaDB)", "", true, false},
		{"log_bin", "log_bin = 1", "", true, false},
		{"binlog_format", "binlog_format = MIXED",
		 "SET GLOBAL binlog_format = 'ROW'; and binlog_format=ROW in the "
		 "server configuration", false, false},
		{"binlog_row_image", "binlog_row_image = (not set: FULL)", "", true,
		 false},
		{"binlog_row_metadata", "binlog_row_metadata = MINIMAL",
		 "SET GLOBAL binlog_row_metadata = 'FULL'; gives column names, "
		 "charsets and signedness in the binlog itself", true, true},
		{"binlog_checksum", "binlog_checksum = CRC32", "", true, false},
		{"gtid", "gtid_binlog_pos = (empty)", "", true, false},
		{"binlog position", "mysql-bin.000002:1234", "", true, false},
		{"privileges", "REPLICATION SLAVE, REPLICATION CLIENT", "", true, false},
	};
	for (int i = 0; i < 9; i++) {
		ASSERT_STREQ(ch[i].name, want[i].name);
		ASSERT_STREQ(ch[i].detail, want[i].detail);
		ASSERT_STREQ(ch[i].fix, want[i].fix);
		ASSERT_EQ(ch[i].ok, want[i].ok);
		ASSERT_EQ(ch[i].warning, want[i].warning);
	}
	run_free(&r);

	/* room for three findings: three */
	run_connect(&r, &s, s.n, 0, "pw");
	ASSERT_EQ(r.rc, 0);
	ASSERT_EQ(mp_check_source(&r.c, ch, 3), 3);
	ASSERT_STREQ(ch[2].name, "binlog_format");
	run_free(&r);
	buf_release(&s);
}
