/*
 * Transport and framing: plain sockets and TLS (OpenSSL), the optional
 * zlib compression layer, and MySQL packets: 3-byte length, 1-byte
 * sequence (checked), payloads of 0xffffff bytes continued in the next
 * packet.  Every wait is bounded by poll() with the read timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <zlib.h>

#include "base/clock.h"
#include "mysqlproto/internal.h"

#define MAX_PAYLOAD 0xffffffu

static int wait_fd(struct mp_conn *c, short ev, int timeout_ms)
{
	struct pollfd p = {c->io->fd, ev, 0};
	for (;;) {
		int rc = poll(&p, 1, timeout_ms > 0 ? timeout_ms : -1);
		if (rc > 0)
			return 0;
		if (rc == 0)
			return err_set(&c->err, ERR_TIMEOUT,
				       "no answer from the server within %d ms",
				       timeout_ms);
		if (errno != EINTR)
			return err_set(&c->err, ERR_IO, "poll: %s", strerror(errno));
		if (c->cancel && *c->cancel)
			return err_set(&c->err, ERR_IO, "interrupted");
	}
}

bool mp_input_pending(struct mp_conn *c)
{
	struct mp_io *io = c->io;
	if (!io)
		return false;
	if (io->rlo < io->rhi || io->zin_off < io->zin.n)
		return true;
	if (io->mem_in)
		return io->mem_off < io->mem_len;
	if (io->ssl && SSL_pending((SSL *)io->ssl) > 0)
		return true;
	if (io->fd < 0)
		return false;
	struct pollfd p = {io->fd, POLLIN, 0};
	return poll(&p, 1, 0) > 0;
}

static int connect_addr(struct mp_conn *c, const struct sockaddr *sa,
			socklen_t len, int timeout_ms)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, sa, len) < 0 && errno != EINPROGRESS) {
		int e = errno;
		close(fd);
		return -e;
	}
	struct pollfd p = {fd, POLLOUT, 0};
	int rc;
	do
		rc = poll(&p, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc == 0) {
		close(fd);
		return -ETIMEDOUT;
	}
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		soerr = errno;
	if (soerr) {
		close(fd);
		return -soerr;
	}
	c->io->fd = fd;
	return 0;
}

int mp__connect_socket(struct mp_conn *c, const struct mp_opts *o)
{
	struct mp_io *io = c->io;
	if (io->mem_in)
		return 0;	/* in-memory transport: nothing to connect */
	int timeout = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
	const char *host = o->host && *o->host ? o->host : "127.0.0.1";
	if (strchr(host, '/')) {
		struct sockaddr_un sun;
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlen(host) >= sizeof(sun.sun_path))
			return err_set(&c->err, ERR_CONFIG, "socket path too long: '%s'",
				       host);
		strcpy(sun.sun_path, host);
		int rc = connect_addr(c, (struct sockaddr *)&sun, sizeof(sun), timeout);
		if (rc)
			return err_set(&c->err, ERR_IO, "cannot connect to '%s': %s",
				       host, strerror(-rc));
		io->is_unix = true;
		return 0;
	}
	char port[16];
	snprintf(port, sizeof(port), "%d", o->port > 0 ? o->port : 3306);
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	int g = getaddrinfo(host, port, &hints, &res);
	if (g)
		return err_set(&c->err, ERR_IO, "cannot resolve '%s': %s", host,
			       gai_strerror(g));
	int last = ECONNREFUSED;
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		int rc = connect_addr(c, a->ai_addr, a->ai_addrlen, timeout);
		if (rc == 0)
			break;
		last = -rc;
	}
	freeaddrinfo(res);
	if (io->fd < 0)
		return err_set(&c->err, last == ETIMEDOUT ? ERR_TIMEOUT : ERR_IO,
			       "cannot connect to %s:%s: %s", host, port,
			       strerror(last));
	int one = 1;
	setsockopt(io->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(io->fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	return 0;
}

int mp_library_init(void)
{
	/* the first initialisation decides: libpq's later request to load
	 * the configuration finds OpenSSL already configured */
	uint64_t opts = OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_LOAD_SSL_STRINGS |
			OPENSSL_INIT_LOAD_CRYPTO_STRINGS;
	return OPENSSL_init_ssl(opts, NULL) == 1 ? 0 : -ERR_TLS;
}

static int tls_error(struct mp_conn *c, const char *what)
{
	unsigned long e = ERR_get_error();
	char msg[200] = "";
	if (e)
		ERR_error_string_n(e, msg, sizeof(msg));
	ERR_clear_error();
	return err_set(&c->err, ERR_TLS, "%s%s%s", what, msg[0] ? ": " : "", msg);
}

/* During verification: the names of the server's certificate, kept when
 * it fails (the handshake ends without it). */
static int verify_cb(int ok, X509_STORE_CTX *x)
{
	if (ok)
		return ok;
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct mp_io *io = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *cert = X509_STORE_CTX_get0_cert(x);
	if (io && cert && !io->cert_subject[0]) {
		X509_NAME_oneline(X509_get_subject_name(cert), io->cert_subject,
				  sizeof(io->cert_subject));
		X509_NAME_oneline(X509_get_issuer_name(cert), io->cert_issuer,
				  sizeof(io->cert_issuer));
	}
	return ok;
}

/*
 * The server's certificate failed verification: say what did not match,
 * naming the certificate (its subject and issuer) and what it was
 * checked against (the host name, or ssl_ca).
 */
static int cert_rejected(struct mp_conn *c, SSL *ssl, long vr, const char *host,
			 const struct mp_opts *o)
{
	(void)ssl;
	const char *subject = c->io->cert_subject[0] ? c->io->cert_subject : "?";
	const char *issuer = c->io->cert_issuer[0] ? c->io->cert_issuer : "?";
	if (vr == X509_V_ERR_HOSTNAME_MISMATCH || vr == X509_V_ERR_IP_ADDRESS_MISMATCH)
		return err_set(&c->err, ERR_TLS,
			       "server certificate rejected: it does not name the host "
			       "'%s' (ssl_mode verify_identity); its subject is '%s'",
			       host, subject);
	return err_set(&c->err, ERR_TLS,
		       "server certificate rejected: %s (subject '%s', issuer '%s', "
		       "checked against %s)", X509_verify_cert_error_string(vr), subject,
		       issuer, o->ssl_ca && *o->ssl_ca ? "ssl_ca" : "the system CAs");
}

int mp__tls_start(struct mp_conn *c, const struct mp_opts *o)
{
	struct mp_io *io = c->io;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		return tls_error(c, "cannot create a TLS context");
	io->ssl_ctx = ctx;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	bool verify = o->ssl_mode >= MP_SSL_VERIFY_CA;
	if (verify) {
		if (o->ssl_ca && *o->ssl_ca) {
			if (SSL_CTX_load_verify_locations(ctx, o->ssl_ca, NULL) != 1)
				return tls_error(c, "cannot load ssl_ca");
		} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
			return tls_error(c, "cannot load the system CA certificates");
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	}
	if (o->ssl_cert && *o->ssl_cert) {
		if (SSL_CTX_use_certificate_chain_file(ctx, o->ssl_cert) != 1)
			return tls_error(c, "cannot load ssl_cert");
		const char *key = o->ssl_key && *o->ssl_key ? o->ssl_key : o->ssl_cert;
		if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
			return tls_error(c, "cannot load ssl_key");
	}
	SSL *ssl = SSL_new(ctx);
	if (!ssl)
		return tls_error(c, "cannot create a TLS session");
	io->ssl = ssl;
	SSL_set_app_data(ssl, io);
	io->cert_subject[0] = io->cert_issuer[0] = 0;
	const char *host = o->host ? o->host : "";
	if (o->ssl_mode == MP_SSL_VERIFY_IDENTITY) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
		X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		/* an IP address is checked against the certificate's IP SANs */
		if (X509_VERIFY_PARAM_set1_ip_asc(vp, host) != 1 &&
		    X509_VERIFY_PARAM_set1_host(vp, host, 0) != 1)
			return tls_error(c, "cannot set the host to verify");
	}
	if (!strchr(host, '/') && *host && SSL_set_tlsext_host_name(ssl, host) != 1)
		return tls_error(c, "cannot set the TLS server name");
	if (SSL_set_fd(ssl, io->fd) != 1)
		return tls_error(c, "cannot attach TLS to the socket");
	int64_t deadline = clock_ms() + (o->connect_timeout_ms > 0
					       ? o->connect_timeout_ms : 10000);
	for (;;) {
		int rc = SSL_connect(ssl);
		if (rc == 1)
			break;
		int e = SSL_get_error(ssl, rc);
		int left = (int)(deadline - clock_ms());
		if (left <= 0)
			return err_set(&c->err, ERR_TIMEOUT, "TLS handshake timed out");
		if (e == SSL_ERROR_WANT_READ) {
			if (wait_fd(c, POLLIN, left))
				return -c->err.code;
		} else if (e == SSL_ERROR_WANT_WRITE) {
			if (wait_fd(c, POLLOUT, left))
				return -c->err.code;
		} else {
			long vr = SSL_get_verify_result(ssl);
			if (vr != X509_V_OK)
				return cert_rejected(c, ssl, vr, host, o);
			return tls_error(c, "TLS handshake failed");
		}
	}
	snprintf(c->tls_version, sizeof(c->tls_version), "%s", SSL_get_version(ssl));
	snprintf(c->tls_cipher, sizeof(c->tls_cipher), "%s", SSL_get_cipher_name(ssl));
	return 0;
}

/* Raw transport read of at most n bytes (n > 0); 0 bytes = closed. */
static ssize_t tr_read_some(struct mp_conn *c, uint8_t *p, size_t n)
{
	struct mp_io *io = c->io;
	if (io->mem_in) {
		size_t k = io->mem_len - io->mem_off;
		if (k > n)
			k = n;
		if (io->mem_chunk && k > io->mem_chunk)
			k = io->mem_chunk;
		memcpy(p, io->mem_in + io->mem_off, k);
		io->mem_off += k;
		return (ssize_t)k;
	}
	for (;;) {
		if (io->ssl) {
			int k = SSL_read(io->ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);
			if (k > 0)
				return k;
			int e = SSL_get_error(io->ssl, k);
			if (e == SSL_ERROR_ZERO_RETURN)
				return 0;
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
				if (wait_fd(c, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
					    io->read_timeout_ms))
					return -1;
				continue;
			}
			tls_error(c, "TLS read failed");
			return -1;
		}
		ssize_t k = read(io->fd, p, n);
		if (k >= 0)
			return k;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (wait_fd(c, POLLIN, io->read_timeout_ms))
				return -1;
			continue;
		}
		err_set(&c->err, ERR_IO, "read from the server failed: %s",
			strerror(errno));
		return -1;
	}
}

/* Exactly n bytes from the transport (through the read buffer). */
static int tr_read(struct mp_conn *c, uint8_t *p, size_t n)
{
	struct mp_io *io = c->io;
	while (n) {
		if (io->rlo == io->rhi) {
			ssize_t k;
			if (n >= sizeof(io->rbuf)) {
				k = tr_read_some(c, p, n);
				if (k <= 0)
					goto fail;
				p += k;
				n -= (size_t)k;
				continue;
			}
			k = tr_read_some(c, io->rbuf, sizeof(io->rbuf));
			if (k <= 0)
				goto fail;
			io->rlo = 0;
			io->rhi = (size_t)k;
		}
		size_t take = io->rhi - io->rlo < n ? io->rhi - io->rlo : n;
		memcpy(p, io->rbuf + io->rlo, take);
		io->rlo += take;
		p += take;
		n -= take;
	}
	return 0;
fail:
	if (!c->err.code)
		err_set(&c->err, ERR_IO, "the server closed the connection");
	return -c->err.code;
}

static int tr_write(struct mp_conn *c, const uint8_t *p, size_t n)
{
	struct mp_io *io = c->io;
	if (io->mem_in) {
		if (io->mem_out)
			buf_put(io->mem_out, p, n);
		return 0;
	}
	while (n) {
		if (io->ssl) {
			int k = SSL_write(io->ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);
			if (k > 0) {
				p += k;
				n -= (size_t)k;
				continue;
			}
			int e = SSL_get_error(io->ssl, k);
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
				if (wait_fd(c, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
					    io->read_timeout_ms))
					return -c->err.code;
				continue;
			}
			return tls_error(c, "TLS write failed");
		}
		ssize_t k = send(io->fd, p, n, MSG_NOSIGNAL);
		if (k >= 0) {
			p += k;
			n -= (size_t)k;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (wait_fd(c, POLLOUT, io->read_timeout_ms))
				return -c->err.code;
			continue;
		}
		return err_set(&c->err, ERR_IO, "write to the server failed: %s",
			       strerror(errno));
	}
	return 0;
}

/*
 * Compression layer: packets of 3-byte compressed length, 1-byte
 * sequence, 3-byte uncompressed length (0: stored as is), then data.
 */
static int z_fill(struct mp_conn *c)
{
	struct mp_io *io = c->io;
	uint8_t h[7];
	int rc = tr_read(c, h, 7);
	if (rc)
		return rc;
	struct rd r;
	rd_init(&r, h, 7);
	uint32_t clen = rd_u24le(&r);
	uint8_t seq = rd_u8(&r);
	uint32_t ulen = rd_u24le(&r);
	if (seq != io->cseq)
		return err_set(&c->err, ERR_PROTO,
			       "compressed packet sequence %u, expected %u", seq,
			       io->cseq);
	io->cseq++;
	/* keep unread bytes, then append */
	if (io->zin_off) {
		memmove(io->zin.p, io->zin.p + io->zin_off, io->zin.n - io->zin_off);
		io->zin.n -= io->zin_off;
		io->zin_off = 0;
	}
	uint8_t *tmp = malloc(clen ? clen : 1);
	if (!tmp)
		return err_set(&c->err, ERR_TOOBIG, "out of memory");
	rc = tr_read(c, tmp, clen);
	if (rc) {
		free(tmp);
		return rc;
	}
	if (ulen == 0) {
		buf_put(&io->zin, tmp, clen);
	} else {
		uint8_t *dst = buf_reserve(&io->zin, ulen);
		uLongf dl = ulen;
		int zr = dst ? uncompress(dst, &dl, tmp, clen) : Z_MEM_ERROR;
		if (zr != Z_OK || dl != ulen) {
			free(tmp);
			return err_set(&c->err, ERR_PROTO,
				       "corrupt compressed packet (zlib %d)", zr);
		}
		io->zin.n += ulen;
	}
	free(tmp);
	if (io->zin.failed)
		return err_set(&c->err, ERR_TOOBIG, "compressed packet too big");
	return 0;
}

static int stream_read(struct mp_conn *c, uint8_t *p, size_t n)
{
	struct mp_io *io = c->io;
	if (!io->compressed)
		return tr_read(c, p, n);
	while (io->zin.n - io->zin_off < n) {
		int rc = z_fill(c);
		if (rc)
			return rc;
	}
	memcpy(p, io->zin.p + io->zin_off, n);
	io->zin_off += n;
	if (io->zin_off == io->zin.n) {
		io->zin.n = 0;
		io->zin_off = 0;
	}
	return 0;
}

int mp__read_packet(struct mp_conn *c)
{
	struct mp_io *io = c->io;
	buf_reset(&io->pkt);
	for (;;) {
		uint8_t h[4];
		int rc = stream_read(c, h, 4);
		if (rc)
			return rc;
		uint32_t len = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16;
		if (h[3] != io->seq)
			return err_set(&c->err, ERR_PROTO,
				       "packet sequence %u, expected %u", h[3], io->seq);
		io->seq++;
		if (len > MP_MAX_PACKET - io->pkt.n)
			return err_set(&c->err, ERR_TOOBIG,
				       "packet larger than %u bytes", MP_MAX_PACKET);
		uint8_t *dst = buf_reserve(&io->pkt, len);
		if (!dst)
			return err_set(&c->err, ERR_TOOBIG, "packet too big");
		rc = stream_read(c, dst, len);
		if (rc)
			return rc;
		io->pkt.n += len;
		if (len < MAX_PAYLOAD)
			return 0;
	}
}

void mp__begin_packet(struct mp_conn *c)
{
	struct mp_io *io = c->io;
	buf_reset(&io->out);
	static const uint8_t room[4];
	buf_put(&io->out, room, 4);
}

static int z_send(struct mp_conn *c, const uint8_t *p, size_t n)
{
	/* one compressed packet per 16 MB of logical stream */
	while (n) {
		size_t chunk = n > MAX_PAYLOAD ? MAX_PAYLOAD : n;
		struct buf z;
		buf_init(&z, 0);
		uint8_t h[7];
		uLongf zl = compressBound((uLong)chunk);
		uint8_t *dst = NULL;
		bool stored = chunk < 50;
		if (!stored) {
			/* no room or no gain: the chunk goes uncompressed */
			dst = buf_reserve(&z, zl);
			if (!dst || compress(dst, &zl, p, (uLong)chunk) != Z_OK ||
			    zl >= chunk)
				stored = true;
		}
		uint32_t clen = stored ? (uint32_t)chunk : (uint32_t)zl;
		uint32_t ulen = stored ? 0 : (uint32_t)chunk;
		h[0] = (uint8_t)clen, h[1] = (uint8_t)(clen >> 8), h[2] = (uint8_t)(clen >> 16);
		h[3] = c->io->cseq++;
		h[4] = (uint8_t)ulen, h[5] = (uint8_t)(ulen >> 8), h[6] = (uint8_t)(ulen >> 16);
		int rc = tr_write(c, h, 7);
		if (!rc)
			rc = tr_write(c, stored ? p : dst, clen);
		buf_release(&z);
		if (rc)
			return rc;
		p += chunk;
		n -= chunk;
	}
	return 0;
}

int mp__send_packet(struct mp_conn *c)
{
	struct mp_io *io = c->io;
	if (io->out.failed)
		return err_set(&c->err, ERR_TOOBIG, "packet too big to send");
	const uint8_t *p = io->out.p + 4;
	size_t n = io->out.n - 4;
	/* split into 16 MB packets; a multiple of 0xffffff ends with an empty one */
	struct buf wire;
	buf_init(&wire, 0);
	for (;;) {
		size_t chunk = n > MAX_PAYLOAD ? MAX_PAYLOAD : n;
		uint8_t h[4] = {(uint8_t)chunk, (uint8_t)(chunk >> 8),
				(uint8_t)(chunk >> 16), io->seq++};
		buf_put(&wire, h, 4);
		buf_put(&wire, p, chunk);
		p += chunk;
		n -= chunk;
		if (chunk < MAX_PAYLOAD)
			break;
	}
	if (wire.failed) {
		buf_release(&wire);
		return err_set(&c->err, ERR_TOOBIG, "packet too big to send");
	}
	int rc = io->compressed ? z_send(c, wire.p, wire.n)
			       : tr_write(c, wire.p, wire.n);
	buf_release(&wire);
	return rc;
}

/* ---- byte stream (mysqlproto.h: mp_stream_open) -------------------------- */

int mp_stream_open(struct mp_conn *c, const struct mp_opts *o)
{
	struct mp_io *io = mp__io_get(c);
	err_clear(&c->err);
	io->raw = true;
	int rc = mp__connect_socket(c, o);
	if (rc)
		return rc;
	io->read_timeout_ms = o->read_timeout_ms;
	if (o->ssl_mode != MP_SSL_DISABLED)
		rc = mp__tls_start(c, o);
	return rc;
}

int mp_stream_write(struct mp_conn *c, const void *p, size_t n)
{
	int rc = mp__check_connected(c);
	return rc ? rc : tr_write(c, p, n);
}

int mp_stream_read(struct mp_conn *c, void *p, size_t n, size_t *got)
{
	*got = 0;
	int rc = mp__check_connected(c);
	if (rc)
		return rc;
	ssize_t k = tr_read_some(c, p, n);
	if (k < 0)
		return c->err.code ? -c->err.code : -ERR_IO;
	*got = (size_t)k;
	return 0;
}
