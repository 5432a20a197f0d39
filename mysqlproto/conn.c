/*
 * Connection setup: the server greeting (handshake v10), TLS upgrade,
 * the handshake response, and authentication with plugin switches
 * (mysql_native_password, caching_sha2_password, sha256_password,
 * mysql_clear_password).  The password is only ever put into packets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>

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
	c->fd = -1;
	buf_init(&c->pkt, MP_MAX_PACKET);
	buf_init(&c->out, MP_MAX_PACKET + 1024);
	buf_init(&c->zin, 2 * (size_t)MP_MAX_PACKET);
}

void mp_close(struct mp_conn *c)
{
	if (c->fd >= 0 && !c->err.code) {
		mp__reset_seq(c);
		mp__begin_packet(c);
		buf_put_u8(&c->out, MP_COM_QUIT);
		(void)mp__send_packet(c);
	}
	if (c->ssl) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->ssl_ctx) {
		SSL_CTX_free(c->ssl_ctx);
		c->ssl_ctx = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	/* nothing buffered survives: a read now fails (and is retried
	 * by the caller on a new connection) */
	c->rlo = c->rhi = 0;
	c->zin_off = 0;
	buf_release(&c->pkt);
	buf_release(&c->out);
	buf_release(&c->zin);
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
	memcpy(c->scramble, s1.p, 8);
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
		memcpy(c->scramble + 8, s2.p, 12);	/* the 13th byte is a NUL */
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

/* Digest of a || b with an EVP message digest. */
static void hash2(const EVP_MD *md, const void *a, size_t an, const void *b,
		  size_t bn, uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	EVP_DigestInit_ex(ctx, md, NULL);
	EVP_DigestUpdate(ctx, a, an);
	if (bn)
		EVP_DigestUpdate(ctx, b, bn);
	EVP_DigestFinal_ex(ctx, out, &len);
	EVP_MD_CTX_free(ctx);
}

void mp_scramble_native(uint8_t out[20], const char *password,
			const uint8_t scramble[20])
{
	uint8_t h1[20], h2[20], h3[20];
	hash2(EVP_sha1(), password, strlen(password), NULL, 0, h1);
	hash2(EVP_sha1(), h1, 20, NULL, 0, h2);
	hash2(EVP_sha1(), scramble, 20, h2, 20, h3);
	for (int i = 0; i < 20; i++)
		out[i] = h1[i] ^ h3[i];
	OPENSSL_cleanse(h1, sizeof(h1));
}

void mp_scramble_sha2(uint8_t out[32], const char *password,
		      const uint8_t *nonce, size_t nonce_len)
{
	uint8_t h1[32], h2[32], h3[32];
	hash2(EVP_sha256(), password, strlen(password), NULL, 0, h1);
	hash2(EVP_sha256(), h1, 32, NULL, 0, h2);
	hash2(EVP_sha256(), h2, 32, nonce, nonce_len, h3);
	for (int i = 0; i < 32; i++)
		out[i] = h1[i] ^ h3[i];
	OPENSSL_cleanse(h1, sizeof(h1));
}

/* The first auth response for a plugin; -ERR_UNSUPPORTED if unknown. */
static int auth_data(struct mp_conn *c, const char *plugin, const char *pw,
		     const uint8_t *nonce, size_t nlen, struct buf *out)
{
	if (!strcmp(plugin, "mysql_native_password")) {
		if (*pw) {
			uint8_t s[20];
			uint8_t sc[20] = {0};
			memcpy(sc, nonce, nlen < 20 ? nlen : 20);
			mp_scramble_native(s, pw, sc);
			buf_put(out, s, 20);
		}
		return 0;
	}
	if (!strcmp(plugin, "caching_sha2_password")) {
		if (*pw) {
			uint8_t s[32];
			mp_scramble_sha2(s, pw, nonce, nlen < 20 ? nlen : 20);
			buf_put(out, s, 32);
		}
		return 0;
	}
	if (!strcmp(plugin, "sha256_password")) {
		if (!*pw)
			buf_put_u8(out, 0);
		else if (c->ssl || c->is_unix)
			buf_put(out, pw, strlen(pw) + 1);
		else
			buf_put_u8(out, 1);	/* ask for the public key */
		return 0;
	}
	if (!strcmp(plugin, "mysql_clear_password")) {
		if (!c->ssl && !c->is_unix)
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
	BIO *bio = BIO_new_mem_buf(pem, (int)pemlen);
	EVP_PKEY *key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!key) {
		ERR_clear_error();
		return err_set(&c->err, ERR_AUTH, "the server's RSA public key is invalid");
	}
	size_t pl = strlen(pw) + 1;
	uint8_t *x = malloc(pl);
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

static int read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	char tmp[4096];
	size_t k;
	while ((k = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_put(out, tmp, k);
	fclose(f);
	return 0;
}

static int send_auth_data(struct mp_conn *c, const struct buf *data)
{
	mp__begin_packet(c);
	buf_put(&c->out, data->p, data->n);
	return mp__send_packet(c);
}

/* After the handshake response: OK, ERR, switches and extra rounds. */
static int auth_loop(struct mp_conn *c, const struct mp_opts *o, char *plugin,
		     uint8_t *nonce, size_t *nlen)
{
	const char *pw = o->password ? o->password : "";
	int switches = 0, rounds = 0;
	struct buf data;
	buf_init(&data, 0);
	int rc;
	for (;;) {
		if (++rounds > 10) {
			rc = err_set(&c->err, ERR_PROTO, "authentication does not end");
			goto out;
		}
		rc = mp__read_packet(c);
		if (rc)
			goto out;
		const uint8_t *p = c->pkt.p;
		size_t n = c->pkt.n;
		if (n == 0) {
			rc = err_set(&c->err, ERR_PROTO, "empty packet during authentication");
			goto out;
		}
		if (p[0] == 0x00) {
			rc = 0;
			goto out;
		}
		if (p[0] == 0xff) {
			rc = mp__err_packet(c, p, n);
			goto out;
		}
		buf_reset(&data);
		if (p[0] == 0xfe) {
			/* auth switch: plugin name NUL, then its data */
			if (++switches > 3) {
				rc = err_set(&c->err, ERR_PROTO, "too many authentication switches");
				goto out;
			}
			struct rd r;
			rd_init(&r, p + 1, n - 1);
			struct bytes name = rd_cstr(&r);
			struct bytes nd = rd_rest(&r);
			if (r.err || name.n >= 64) {
				rc = err_set(&c->err, ERR_PROTO, "bad authentication switch");
				goto out;
			}
			memcpy(plugin, name.p, name.n);
			plugin[name.n] = 0;
			/*
			 * The nonce is binary: its length comes from the plugin
			 * (20 bytes, then a NUL, for the SHA-based plugins; 32 for
			 * ed25519), never from looking for a trailing zero.
			 */
			if (!strcmp(plugin, "client_ed25519"))
				*nlen = nd.n < 32 ? nd.n : 32;
			else if (nd.n >= 20)
				*nlen = 20;
			else
				*nlen = nd.n;
			if (*nlen > 64)
				*nlen = 64;
			memcpy(nonce, nd.p, *nlen);
			rc = auth_data(c, plugin, pw, nonce, *nlen, &data);
			if (rc)
				goto out;
			rc = send_auth_data(c, &data);
			if (rc)
				goto out;
			continue;
		}
		if (p[0] != 0x01) {
			rc = err_set(&c->err, ERR_PROTO,
				     "unexpected packet 0x%02x during authentication", p[0]);
			goto out;
		}
		/* more data for the current plugin */
		if (!strcmp(plugin, "caching_sha2_password") && n == 2 && p[1] == 3)
			continue;	/* fast path succeeded: OK follows */
		if (!strcmp(plugin, "caching_sha2_password") && n == 2 && p[1] == 4) {
			/* full authentication */
			if (c->ssl || c->is_unix) {
				buf_put(&data, pw, strlen(pw) + 1);
			} else if (o->server_public_key && *o->server_public_key) {
				struct buf pem;
				buf_init(&pem, 1 << 20);
				if (read_file(o->server_public_key, &pem)) {
					buf_release(&pem);
					rc = err_set(&c->err, ERR_CONFIG,
						     "cannot read server_public_key '%s'",
						     o->server_public_key);
					goto out;
				}
				rc = rsa_password(c, pw, nonce, *nlen, pem.p, pem.n, &data);
				buf_release(&pem);
				if (rc)
					goto out;
			} else {
				buf_put_u8(&data, 2);	/* request the public key */
			}
			rc = send_auth_data(c, &data);
			if (rc)
				goto out;
			continue;
		}
		if (!strcmp(plugin, "caching_sha2_password") ||
		    !strcmp(plugin, "sha256_password")) {
			/* the public key (PEM) the server sent */
			rc = rsa_password(c, pw, nonce, *nlen, p + 1, n - 1, &data);
			if (rc)
				goto out;
			rc = send_auth_data(c, &data);
			if (rc)
				goto out;
			continue;
		}
		rc = err_set(&c->err, ERR_PROTO,
			     "unexpected authentication data for plugin '%s'", plugin);
		goto out;
	}
out:
	buf_release(&data);
	return rc;
}

int mp_connect(struct mp_conn *c, const struct mp_opts *o)
{
	if (c->out.cap == 0) {
		/* keep an in-memory transport set up before the call */
		const uint8_t *mi = c->mem_in;
		size_t ml = c->mem_len, mc = c->mem_chunk;
		struct buf *mo = c->mem_out;
		mp_conn_init(c);
		c->mem_in = mi, c->mem_len = ml, c->mem_chunk = mc, c->mem_out = mo;
	}
	err_clear(&c->err);
	c->read_timeout_ms = o->read_timeout_ms;
	int rc = mp__connect_socket(c, o);
	if (rc)
		return rc;
	int saved = c->read_timeout_ms;
	c->read_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
	mp__reset_seq(c);
	rc = mp__read_packet(c);
	if (rc)
		return rc;
	rc = mp__parse_greeting(c, c->pkt.p, c->pkt.n);
	if (rc)
		return rc;
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
	bool tls = false;
	if (o->ssl_mode != MP_SSL_DISABLED && !c->is_unix && !c->mem_in) {
		if (srv & MP_CLIENT_SSL) {
			want |= MP_CLIENT_SSL;
			tls = true;
		} else if (o->ssl_mode >= MP_SSL_REQUIRED) {
			return err_set(&c->err, ERR_TLS,
				       "ssl_mode requires TLS but the server %s does "
				       "not offer it", c->server_version);
		}
	}
	uint32_t caps = want & (uint32_t)srv;
	uint8_t coll = o->collation ? o->collation : 45;
	/* the fixed part shared by SSLRequest and the handshake response */
	mp__begin_packet(c);
	buf_put_u32le(&c->out, caps);
	buf_put_u32le(&c->out, MP_MAX_PACKET);
	buf_put_u8(&c->out, coll);
	static const uint8_t zeros[23];
	buf_put(&c->out, zeros, 23);
	if (tls) {
		rc = mp__send_packet(c);
		if (rc)
			return rc;
		rc = mp__tls_start(c, o);
		if (rc)
			return rc;
		mp__begin_packet(c);
		buf_put_u32le(&c->out, caps);
		buf_put_u32le(&c->out, MP_MAX_PACKET);
		buf_put_u8(&c->out, coll);
		buf_put(&c->out, zeros, 23);
	}
	const char *user = o->user ? o->user : "";
	buf_put(&c->out, user, strlen(user) + 1);
	char plugin[64];
	snprintf(plugin, sizeof(plugin), "%s",
		 c->auth_plugin[0] ? c->auth_plugin : "mysql_native_password");
	uint8_t nonce[64];
	size_t nlen = 20;
	memcpy(nonce, c->scramble, 20);
	struct buf data;
	buf_init(&data, 0);
	rc = auth_data(c, plugin, o->password ? o->password : "", nonce, nlen, &data);
	if (rc == -ERR_UNSUPPORTED || rc == -ERR_AUTH) {
		/* answer with native; the server will switch us */
		err_clear(&c->err);
		buf_reset(&data);
		snprintf(plugin, sizeof(plugin), "mysql_native_password");
		rc = auth_data(c, plugin, o->password ? o->password : "", nonce,
			       nlen, &data);
	}
	if (rc) {
		buf_release(&data);
		return rc;
	}
	buf_put_lenenc(&c->out, data.n);
	buf_put(&c->out, data.p, data.n);
	buf_release(&data);
	if (caps & MP_CLIENT_CONNECT_WITH_DB)
		buf_put(&c->out, o->database, strlen(o->database) + 1);
	buf_put(&c->out, plugin, strlen(plugin) + 1);
	rc = mp__send_packet(c);
	if (rc)
		return rc;
	c->caps = caps;
	rc = auth_loop(c, o, plugin, nonce, &nlen);
	if (rc)
		return rc;
	snprintf(c->auth_plugin, sizeof(c->auth_plugin), "%s", plugin);
	if (caps & MP_CLIENT_COMPRESS) {
		c->compressed = true;
	}
	c->read_timeout_ms = saved;
	return 0;
}
