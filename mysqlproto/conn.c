/*
 * Connection setup: the server greeting (handshake v10), TLS upgrade,
 * the handshake response, and authentication with plugin switches
 * (mysql_native_password, caching_sha2_password, sha256_password,
 * mysql_clear_password).  The password is only ever put into packets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>

#include "base/xalloc.h"
#include "mysqlproto/internal.h"

int mp_ssl_mode_parse(const char *s, enum mp_ssl_mode *out)
{
	static const char *const names[] = {"disabled", "preferred", "required",
					    "verify_ca", "verify_identity"};
	for (int i = 0; i < 5; i++)
		if (!strcasecmp(s, names[i])) {
			*out = (enum mp_ssl_mode)i;
			return 0;
		}
	if (!strcasecmp(s, "disable") || !strcasecmp(s, "off") || !strcasecmp(s, "no")) {
		*out = MP_SSL_DISABLED;
		return 0;
	}
	return -ERR_CONFIG;
}

void mp_conn_init(struct mp_conn *c)
{
	memset(c, 0, sizeof(*c));
}

struct mp_io *mp__io_get(struct mp_conn *c)
{
	if (c->io)
		return c->io;
	struct mp_io *io = xcalloc(1, sizeof(*io));
	io->fd = -1;
	buf_init(&io->pkt, MP_MAX_PACKET);
	buf_init(&io->out, MP_MAX_PACKET + 1024);
	buf_init(&io->zin, 2 * (size_t)MP_MAX_PACKET);
	c->io = io;
	return io;
}

void mp__mem_transport(struct mp_conn *c, const uint8_t *in, size_t len,
		       size_t chunk, struct buf *out)
{
	struct mp_io *io = mp__io_get(c);
	io->mem_in = in;
	io->mem_len = len;
	io->mem_off = 0;
	io->mem_chunk = chunk;
	io->mem_out = out;
}

int mp__check_connected(struct mp_conn *c)
{
	if (!c->io || (c->io->fd < 0 && !c->io->mem_in))
		return err_set(&c->err, ERR_IO, "not connected");
	return 0;
}

void mp_close(struct mp_conn *c)
{
	struct mp_io *io = c->io;
	if (!io)
		return;
	if (io->fd >= 0 && !c->err.code && !io->raw) {
		mp__reset_seq(c);
		mp__begin_packet(c);
		buf_put_u8(&io->out, MP_COM_QUIT);
		(void)mp__send_packet(c);
	}
	SSL_free(io->ssl);
	SSL_CTX_free(io->ssl_ctx);
	if (io->fd >= 0)
		close(io->fd);
	/* nothing buffered survives: a read now fails with "not connected"
	 * (and is retried by the caller on a new connection) */
	buf_release(&io->pkt);
	buf_release(&io->out);
	buf_release(&io->zin);
	free(io);
	c->io = NULL;
}

int mp__err_packet(struct mp_conn *c, const uint8_t *p, size_t n)
{
	struct rd r;
	rd_init(&r, p, n);
	rd_u8(&r);
	uint16_t code = rd_u16le(&r);
	char state[6] = "";
	if (rd_left(&r) >= 6 && r.p[0] == '#') {
		rd_skip(&r, 1);
		struct bytes s = rd_bytes(&r, 5);
		memcpy(state, s.p, 5);
		state[5] = 0;
	}
	struct bytes msg = rd_rest(&r);
	int kind = ERR_SERVER;
	if (code == 1045 || code == 1698 || code == 1251 || code == 1524)
		kind = ERR_AUTH;
	int ml = (int)(msg.n > 200 ? 200 : msg.n);
	const char *mp = msg.p ? (const char *)msg.p : "";
	if (state[0])
		return err_set(&c->err, kind, "server error %u (%s): %.*s", code,
			       state, ml, mp);
	return err_set(&c->err, kind, "server error %u: %.*s", code, ml, mp);
}

int mp__parse_greeting(struct mp_conn *c, const uint8_t *p, size_t n)
{
	struct mp_io *io = mp__io_get(c);
	struct rd r;
	rd_init(&r, p, n);
	uint8_t proto = rd_u8(&r);
	if (!r.err && proto == 0xff)
		return mp__err_packet(c, p, n);
	if (r.err || proto != 10)
		return err_set(&c->err, ERR_PROTO,
			       "unsupported handshake protocol %u (need v10)", proto);
	struct bytes ver = rd_cstr(&r);
	c->connection_id = rd_u32le(&r);
	struct bytes s1 = rd_bytes(&r, 8);
	rd_skip(&r, 1);
	uint32_t caps = rd_u16le(&r);
	if (r.err)
		return err_set(&c->err, ERR_PROTO, "truncated server greeting");
	snprintf(c->server_version, sizeof(c->server_version), "%.*s",
		 (int)ver.n, (const char *)ver.p);
	memcpy(io->scramble, s1.p, 8);
	c->caps = caps;
	c->auth_plugin[0] = 0;
	if (!rd_left(&r))
		return 0;
	rd_u8(&r);			/* charset */
	rd_u16le(&r);			/* status */
	caps |= (uint32_t)rd_u16le(&r) << 16;
	uint8_t alen = rd_u8(&r);
	rd_skip(&r, 6);
	uint32_t maria = rd_u32le(&r);	/* MariaDB extended capabilities */
	if (r.err)
		return err_set(&c->err, ERR_PROTO, "truncated server greeting");
	c->caps = caps;
	c->is_mariadb = !(caps & 1) || strstr(c->server_version, "MariaDB");
	if (!(caps & 1))
		c->caps |= (uint64_t)maria << 32;
	if (caps & MP_CLIENT_SECURE_CONNECTION) {
		size_t n2 = alen > 8 ? (size_t)alen - 8 : 13;
		if (n2 < 13)
			n2 = 13;
		struct bytes s2 = rd_bytes(&r, n2);
		if (r.err)
			return err_set(&c->err, ERR_PROTO, "truncated scramble");
		memcpy(io->scramble + 8, s2.p, 12);	/* the 13th byte is a NUL */
	}
	if (caps & MP_CLIENT_PLUGIN_AUTH) {
		struct bytes plug = rd_left(&r) ? rd_cstr(&r) : rd_rest(&r);
		if (r.err) {	/* some servers omit the final NUL */
			r.err = 0;
			plug = rd_rest(&r);
		}
		snprintf(c->auth_plugin, sizeof(c->auth_plugin), "%.*s",
			 (int)plug.n, (const char *)plug.p);
	}
	return 0;
}

/* Digest of a || b with an EVP message digest; false when OpenSSL fails. */
static bool hash2(const EVP_MD *md, const void *a, size_t an, const void *b,
		  size_t bn, uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	bool ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
		  EVP_DigestUpdate(ctx, a, an) == 1 &&
		  (!bn || EVP_DigestUpdate(ctx, b, bn) == 1) &&
		  EVP_DigestFinal_ex(ctx, out, &len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

int mp_scramble_native(uint8_t out[20], const char *password,
		       const uint8_t scramble[20])
{
	uint8_t h1[20], h2[20], h3[20];
	bool ok = hash2(EVP_sha1(), password, strlen(password), NULL, 0, h1) &&
		  hash2(EVP_sha1(), h1, 20, NULL, 0, h2) &&
		  hash2(EVP_sha1(), scramble, 20, h2, 20, h3);
	for (int i = 0; ok && i < 20; i++)
		out[i] = h1[i] ^ h3[i];
	OPENSSL_cleanse(h1, sizeof(h1));
	return ok ? 0 : -ERR_TLS;
}

int mp_scramble_sha2(uint8_t out[32], const char *password,
		     const uint8_t *nonce, size_t nonce_len)
{
	uint8_t h1[32], h2[32], h3[32];
	bool ok = hash2(EVP_sha256(), password, strlen(password), NULL, 0, h1) &&
		  hash2(EVP_sha256(), h1, 32, NULL, 0, h2) &&
		  hash2(EVP_sha256(), h2, 32, nonce, nonce_len, h3);
	for (int i = 0; ok && i < 32; i++)
		out[i] = h1[i] ^ h3[i];
	OPENSSL_cleanse(h1, sizeof(h1));
	return ok ? 0 : -ERR_TLS;
}

static bool secure_channel(const struct mp_conn *c)
{
	return c->io->ssl || c->io->is_unix;
}

/* The first auth response for a plugin; -ERR_AUTH if unknown. */
static int auth_data(struct mp_conn *c, const char *plugin, const char *pw,
		     const uint8_t *nonce, size_t nlen, struct buf *out)
{
	if (!strcmp(plugin, "mysql_native_password")) {
		if (*pw) {
			uint8_t s[20];
			uint8_t sc[20] = {0};
			memcpy(sc, nonce, nlen < 20 ? nlen : 20);
			if (mp_scramble_native(s, pw, sc))
				return err_set(&c->err, ERR_AUTH, "SHA1 failed");
			buf_put(out, s, 20);
		}
		return 0;
	}
	if (!strcmp(plugin, "caching_sha2_password")) {
		if (*pw) {
			uint8_t s[32];
			if (mp_scramble_sha2(s, pw, nonce, nlen < 20 ? nlen : 20))
				return err_set(&c->err, ERR_AUTH, "SHA256 failed");
			buf_put(out, s, 32);
		}
		return 0;
	}
	if (!strcmp(plugin, "sha256_password")) {
		if (!*pw)
			buf_put_u8(out, 0);
		else if (secure_channel(c))
			buf_put(out, pw, strlen(pw) + 1);
		else
			buf_put_u8(out, 1);	/* ask for the public key */
		return 0;
	}
	if (!strcmp(plugin, "mysql_clear_password")) {
		if (!secure_channel(c))
			return err_set(&c->err, ERR_AUTH,
				       "the server asks for mysql_clear_password, "
				       "which would send the password in clear text "
				       "without TLS: refused (set ssl_mode: required)");
		buf_put(out, pw, strlen(pw) + 1);
		return 0;
	}
	if (!strcmp(plugin, "client_ed25519")) {
		uint8_t sig[64];
		if (mp__ed25519_sign(sig, pw, nonce, nlen))
			return err_set(&c->err, ERR_AUTH, "ed25519 signature failed");
		buf_put(out, sig, 64);
		return 0;
	}
	return err_set(&c->err, ERR_AUTH,
		       "the server asks for authentication plugin '%s', which "
		       "chameleon does not support", plugin);
}

/* RSA-OAEP of (password + NUL) XOR nonce with the server's public key. */
static int rsa_password(struct mp_conn *c, const char *pw, const uint8_t *nonce,
			size_t nlen, const uint8_t *pem, size_t pemlen,
			struct buf *out)
{
	BIO *bio = pemlen <= INT32_MAX ? BIO_new_mem_buf(pem, (int)pemlen) : NULL;
	EVP_PKEY *key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!key) {
		ERR_clear_error();
		return err_set(&c->err, ERR_AUTH, "the server's RSA public key is invalid");
	}
	size_t pl = strlen(pw) + 1;
	uint8_t *x = xmalloc(pl);
	for (size_t i = 0; i < pl; i++)
		x[i] = (uint8_t)pw[i] ^ (nlen ? nonce[i % nlen] : 0);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
	size_t olen = 0;
	int ok = ctx && EVP_PKEY_encrypt_init(ctx) == 1 &&
		 EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
		 EVP_PKEY_encrypt(ctx, NULL, &olen, x, pl) == 1;
	uint8_t *dst = ok ? buf_reserve(out, olen) : NULL;
	ok = ok && dst && EVP_PKEY_encrypt(ctx, dst, &olen, x, pl) == 1;
	if (ok)
		out->n += olen;
	OPENSSL_cleanse(x, pl);
	free(x);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(key);
	if (!ok) {
		ERR_clear_error();
		return err_set(&c->err, ERR_AUTH,
			       "RSA encryption of the password failed (password too "
			       "long for the key?)");
	}
	return 0;
}

/* The whole file into out; -1 when it cannot be read or exceeds out's cap. */
static int read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	char tmp[4096];
	size_t k;
	while ((k = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_put(out, tmp, k);
	bool bad = ferror(f) || out->failed;
	fclose(f);
	return bad ? -1 : 0;
}

static int send_auth_data(struct mp_conn *c, const struct buf *data)
{
	mp__begin_packet(c);
	buf_put(&c->io->out, data->p, data->n);
	return mp__send_packet(c);
}

/* Where authentication stands: the plugin in use, its nonce, the answer. */
struct auth {
	const struct mp_opts *o;
	const char *pw;		/* never NULL */
	char plugin[64];
	uint8_t nonce[64];
	size_t nlen;
	struct buf data;	/* the next answer */
};

/* 0xfe: switch to the plugin named in the packet, answer its nonce. */
static int auth_switch(struct mp_conn *c, struct auth *a, const uint8_t *p,
		       size_t n)
{
	struct rd r;
	rd_init(&r, p + 1, n - 1);
	struct bytes name = rd_cstr(&r);
	struct bytes nd = rd_rest(&r);
	if (r.err || name.n >= sizeof(a->plugin))
		return err_set(&c->err, ERR_PROTO, "bad authentication switch");
	memcpy(a->plugin, name.p, name.n);
	a->plugin[name.n] = 0;
	/*
	 * The nonce is binary: its length comes from the plugin (20 bytes,
	 * then a NUL, for the SHA-based plugins; 32 for ed25519), never from
	 * looking for a trailing zero.
	 */
	if (!strcmp(a->plugin, "client_ed25519"))
		a->nlen = nd.n < 32 ? nd.n : 32;
	else if (nd.n >= 20)
		a->nlen = 20;
	else
		a->nlen = nd.n;
	memcpy(a->nonce, nd.p, a->nlen);
	int rc = auth_data(c, a->plugin, a->pw, a->nonce, a->nlen, &a->data);
	return rc ? rc : send_auth_data(c, &a->data);
}

/* caching_sha2_password's full authentication: the password in clear
 * over a secure channel, else encrypted with the configured public key,
 * else a request for the server's key. */
static int sha2_full_auth(struct mp_conn *c, struct auth *a)
{
	const char *keyfile = a->o->server_public_key;
	if (secure_channel(c)) {
		buf_put(&a->data, a->pw, strlen(a->pw) + 1);
	} else if (keyfile && *keyfile) {
		struct buf pem;
		buf_init(&pem, 1 << 20);
		int rc;
		if (read_file(keyfile, &pem))
			rc = err_set(&c->err, ERR_CONFIG,
				     "cannot read server_public_key '%s'", keyfile);
		else
			rc = rsa_password(c, a->pw, a->nonce, a->nlen, pem.p, pem.n,
					  &a->data);
		buf_release(&pem);
		if (rc)
			return rc;
	} else {
		buf_put_u8(&a->data, 2);	/* request the public key */
	}
	return send_auth_data(c, &a->data);
}

/* 0x01: more data for the current plugin. */
static int auth_more(struct mp_conn *c, struct auth *a, const uint8_t *p,
		     size_t n)
{
	bool sha2 = !strcmp(a->plugin, "caching_sha2_password");
	if (sha2 && n == 2 && p[1] == 3)
		return 0;	/* fast path succeeded: OK follows */
	if (sha2 && n == 2 && p[1] == 4)
		return sha2_full_auth(c, a);
	if (sha2 || !strcmp(a->plugin, "sha256_password")) {
		/* the public key (PEM) the server sent */
		int rc = rsa_password(c, a->pw, a->nonce, a->nlen, p + 1, n - 1,
				      &a->data);
		return rc ? rc : send_auth_data(c, &a->data);
	}
	return err_set(&c->err, ERR_PROTO,
		       "unexpected authentication data for plugin '%s'", a->plugin);
}

/* After the handshake response: OK, ERR, switches and extra rounds, each
 * bounded. */
static int auth_loop(struct mp_conn *c, struct auth *a)
{
	int switches = 0;
	for (int rounds = 1;; rounds++) {
		if (rounds > 10)
			return err_set(&c->err, ERR_PROTO, "authentication does not end");
		int rc = mp__read_packet(c);
		if (rc)
			return rc;
		const uint8_t *p = c->io->pkt.p;
		size_t n = c->io->pkt.n;
		if (n == 0)
			return err_set(&c->err, ERR_PROTO,
				       "empty packet during authentication");
		if (p[0] == 0x00)
			return 0;
		if (p[0] == 0xff)
			return mp__err_packet(c, p, n);
		buf_reset(&a->data);
		if (p[0] == 0xfe && ++switches > 3)
			return err_set(&c->err, ERR_PROTO,
				       "too many authentication switches");
		if (p[0] == 0xfe)
			rc = auth_switch(c, a, p, n);
		else if (p[0] == 0x01)
			rc = auth_more(c, a, p, n);
		else
			rc = err_set(&c->err, ERR_PROTO,
				     "unexpected packet 0x%02x during authentication",
				     p[0]);
		if (rc)
			return rc;
	}
}

/* The capabilities we ask for; *tls when TLS is to be started. */
static int client_caps(struct mp_conn *c, const struct mp_opts *o,
		       uint32_t *caps, bool *tls)
{
	uint64_t srv = c->caps;
	if (!(srv & MP_CLIENT_PROTOCOL_41))
		return err_set(&c->err, ERR_UNSUPPORTED,
			       "server %s is too old (no protocol 4.1)", c->server_version);
	uint32_t want = MP_CLIENT_LONG_PASSWORD | MP_CLIENT_LONG_FLAG |
			MP_CLIENT_PROTOCOL_41 | MP_CLIENT_TRANSACTIONS |
			MP_CLIENT_SECURE_CONNECTION | MP_CLIENT_MULTI_RESULTS |
			MP_CLIENT_PLUGIN_AUTH | MP_CLIENT_PLUGIN_AUTH_LENENC |
			MP_CLIENT_DEPRECATE_EOF;
	if (o->database && *o->database)
		want |= MP_CLIENT_CONNECT_WITH_DB;
	if (o->compress && (srv & MP_CLIENT_COMPRESS))
		want |= MP_CLIENT_COMPRESS;
	*tls = false;
	if (o->ssl_mode != MP_SSL_DISABLED && !c->io->is_unix && !c->io->mem_in) {
		if (srv & MP_CLIENT_SSL) {
			want |= MP_CLIENT_SSL;
			*tls = true;
		} else if (o->ssl_mode >= MP_SSL_REQUIRED) {
			return err_set(&c->err, ERR_TLS,
				       "ssl_mode requires TLS but the server %s does "
				       "not offer it", c->server_version);
		}
	}
	*caps = want & (uint32_t)srv;
	return 0;
}

/* The fixed part shared by SSLRequest and the handshake response. */
static void begin_response(struct mp_conn *c, uint32_t caps, uint8_t coll)
{
	static const uint8_t zeros[23];
	mp__begin_packet(c);
	buf_put_u32le(&c->io->out, caps);
	buf_put_u32le(&c->io->out, MP_MAX_PACKET);
	buf_put_u8(&c->io->out, coll);
	buf_put(&c->io->out, zeros, 23);
}

/* The first answer, for the greeting's plugin (or native, which the
 * server then switches from, when we cannot answer that plugin). */
static int first_answer(struct mp_conn *c, struct auth *a)
{
	snprintf(a->plugin, sizeof(a->plugin), "%s",
		 c->auth_plugin[0] ? c->auth_plugin : "mysql_native_password");
	a->nlen = 20;
	memcpy(a->nonce, c->io->scramble, 20);
	int rc = auth_data(c, a->plugin, a->pw, a->nonce, a->nlen, &a->data);
	if (rc == -ERR_UNSUPPORTED || rc == -ERR_AUTH) {
		err_clear(&c->err);
		buf_reset(&a->data);
		snprintf(a->plugin, sizeof(a->plugin), "mysql_native_password");
		rc = auth_data(c, a->plugin, a->pw, a->nonce, a->nlen, &a->data);
	}
	return rc;
}

/* Greeting, optional TLS upgrade and the handshake response. */
static int handshake(struct mp_conn *c, const struct mp_opts *o, struct auth *a)
{
	int rc = mp__read_packet(c);
	if (!rc)
		rc = mp__parse_greeting(c, c->io->pkt.p, c->io->pkt.n);
	uint32_t caps = 0;
	bool tls = false;
	if (!rc)
		rc = client_caps(c, o, &caps, &tls);
	if (rc)
		return rc;
	uint8_t coll = o->collation ? o->collation : 45;
	begin_response(c, caps, coll);
	if (tls) {
		rc = mp__send_packet(c);
		if (!rc)
			rc = mp__tls_start(c, o);
		if (rc)
			return rc;
		begin_response(c, caps, coll);
	}
	const char *user = o->user ? o->user : "";
	buf_put(&c->io->out, user, strlen(user) + 1);
	rc = first_answer(c, a);
	if (rc)
		return rc;
	buf_put_lenenc(&c->io->out, a->data.n);
	buf_put(&c->io->out, a->data.p, a->data.n);
	if (caps & MP_CLIENT_CONNECT_WITH_DB)
		buf_put(&c->io->out, o->database, strlen(o->database) + 1);
	buf_put(&c->io->out, a->plugin, strlen(a->plugin) + 1);
	rc = mp__send_packet(c);
	if (rc)
		return rc;
	c->caps = caps;
	return 0;
}

int mp_connect(struct mp_conn *c, const struct mp_opts *o)
{
	struct mp_io *io = mp__io_get(c);
	err_clear(&c->err);
	int rc = mp__connect_socket(c, o);
	if (rc)
		return rc;
	/* the handshake waits at most the connect timeout */
	io->read_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
	mp__reset_seq(c);
	struct auth a = {.o = o, .pw = o->password ? o->password : ""};
	buf_init(&a.data, 0);
	rc = handshake(c, o, &a);
	if (!rc)
		rc = auth_loop(c, &a);
	if (!rc) {
		snprintf(c->auth_plugin, sizeof(c->auth_plugin), "%s", a.plugin);
		io->compressed = (c->caps & MP_CLIENT_COMPRESS) != 0;
		io->read_timeout_ms = o->read_timeout_ms;
	}
	buf_release(&a.data);
	return rc;
}
