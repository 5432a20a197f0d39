/*
 * Ed25519 signatures for MariaDB's client_ed25519 authentication.  The
 * server stores the public key of a key pair derived from the password
 * the way RFC 8032 derives it from a 32-byte seed, except that the whole
 * password is hashed: h = SHA-512(password), a = clamp(h[0..31]),
 * r = SHA-512(h[32..63] || M) mod L, R = rB, A = aB,
 * S = (r + SHA-512(R || A || M) a) mod L; the answer is R || S.
 * OpenSSL's Ed25519 takes only 32-byte seeds, so the curve arithmetic is
 * done here with OpenSSL BIGNUMs (affine coordinates; a signature is a
 * few milliseconds, once per connection).
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "mysqlproto/internal.h"

struct ed {
	BN_CTX *bx;
	BIGNUM *p, *d, *l, *bxp, *byp;
};

struct pt {
	BIGNUM *x, *y;
};

static void le_to_bn(const uint8_t *le, size_t n, BIGNUM *out)
{
	uint8_t be[64];
	for (size_t i = 0; i < n; i++)
		be[i] = le[n - 1 - i];
	BN_bin2bn(be, (int)n, out);
}

static void bn_to_le32(const BIGNUM *v, uint8_t out[32])
{
	uint8_t be[32];
	BN_bn2binpad(v, be, 32);
	for (int i = 0; i < 32; i++)
		out[i] = be[31 - i];
}

/* (x1,y1) + (x2,y2) on -x^2 + y^2 = 1 + d x^2 y^2 (unified, also doubles) */
static void pt_add(struct ed *e, struct pt *r, const struct pt *a, const struct pt *b)
{
	BN_CTX_start(e->bx);
	BIGNUM *x1y2 = BN_CTX_get(e->bx), *y1x2 = BN_CTX_get(e->bx);
	BIGNUM *y1y2 = BN_CTX_get(e->bx), *x1x2 = BN_CTX_get(e->bx);
	BIGNUM *t = BN_CTX_get(e->bx), *num = BN_CTX_get(e->bx);
	BIGNUM *den = BN_CTX_get(e->bx), *one = BN_CTX_get(e->bx);
	BN_one(one);
	BN_mod_mul(x1y2, a->x, b->y, e->p, e->bx);
	BN_mod_mul(y1x2, a->y, b->x, e->p, e->bx);
	BN_mod_mul(y1y2, a->y, b->y, e->p, e->bx);
	BN_mod_mul(x1x2, a->x, b->x, e->p, e->bx);
	BN_mod_mul(t, x1x2, y1y2, e->p, e->bx);
	BN_mod_mul(t, t, e->d, e->p, e->bx);		/* d x1 x2 y1 y2 */
	BN_mod_add(num, x1y2, y1x2, e->p, e->bx);
	BN_mod_add(den, one, t, e->p, e->bx);
	BN_mod_inverse(den, den, e->p, e->bx);
	BIGNUM *nx = BN_CTX_get(e->bx), *ny = BN_CTX_get(e->bx);
	BN_mod_mul(nx, num, den, e->p, e->bx);
	BN_mod_add(num, y1y2, x1x2, e->p, e->bx);
	BN_mod_sub(den, one, t, e->p, e->bx);
	BN_mod_inverse(den, den, e->p, e->bx);
	BN_mod_mul(ny, num, den, e->p, e->bx);
	BN_copy(r->x, nx);
	BN_copy(r->y, ny);
	BN_CTX_end(e->bx);
}

static void pt_mul(struct ed *e, struct pt *r, const BIGNUM *k, const struct pt *b)
{
	struct pt acc = {BN_new(), BN_new()}, q = {BN_dup(b->x), BN_dup(b->y)};
	BN_zero(acc.x);
	BN_one(acc.y);	/* the neutral element (0, 1) */
	int bits = BN_num_bits(k);
	for (int i = 0; i < bits; i++) {
		if (BN_is_bit_set(k, i))
			pt_add(e, &acc, &acc, &q);
		pt_add(e, &q, &q, &q);
	}
	BN_copy(r->x, acc.x);
	BN_copy(r->y, acc.y);
	BN_free(acc.x);
	BN_free(acc.y);
	BN_free(q.x);
	BN_free(q.y);
}

static void pt_encode(const struct pt *a, uint8_t out[32])
{
	bn_to_le32(a->y, out);
	if (BN_is_odd(a->x))
		out[31] |= 0x80;
}

static int setup(struct ed *e)
{
	e->bx = BN_CTX_new();
	e->p = BN_new();
	e->d = BN_new();
	e->l = BN_new();
	e->bxp = BN_new();
	e->byp = BN_new();
	BIGNUM *t = BN_new(), *u = BN_new(), *one = BN_new();
	BN_one(one);
	/* p = 2^255 - 19 */
	BN_set_bit(e->p, 255);
	BN_sub_word(e->p, 19);
	/* L = 2^252 + 27742317777372353535851937790883648493 */
	BN_dec2bn(&t, "27742317777372353535851937790883648493");
	BN_set_bit(e->l, 252);
	BN_add(e->l, e->l, t);
	/* d = -121665 / 121666 */
	BN_set_word(t, 121666);
	BN_mod_inverse(t, t, e->p, e->bx);
	BN_set_word(u, 121665);
	BN_mod_mul(e->d, u, t, e->p, e->bx);
	BN_sub(e->d, e->p, e->d);
	/* B: y = 4/5, x the even root of (y^2 - 1) / (d y^2 + 1) */
	BN_set_word(t, 5);
	BN_mod_inverse(t, t, e->p, e->bx);
	BN_set_word(u, 4);
	BN_mod_mul(e->byp, u, t, e->p, e->bx);
	BIGNUM *y2 = BN_new(), *num = BN_new(), *den = BN_new();
	BN_mod_sqr(y2, e->byp, e->p, e->bx);
	BN_mod_sub(num, y2, one, e->p, e->bx);
	BN_mod_mul(den, e->d, y2, e->p, e->bx);
	BN_mod_add(den, den, one, e->p, e->bx);
	BN_mod_inverse(den, den, e->p, e->bx);
	BN_mod_mul(u, num, den, e->p, e->bx);	/* x^2 */
	int ok = BN_mod_sqrt(e->bxp, u, e->p, e->bx) != NULL;
	if (ok && BN_is_odd(e->bxp))
		BN_sub(e->bxp, e->p, e->bxp);
	BN_free(y2);
	BN_free(num);
	BN_free(den);
	BN_free(t);
	BN_free(u);
	BN_free(one);
	return ok ? 0 : -1;
}

static void teardown(struct ed *e)
{
	BN_free(e->p);
	BN_free(e->d);
	BN_free(e->l);
	BN_free(e->bxp);
	BN_free(e->byp);
	BN_CTX_free(e->bx);
}

/* SHA-512 of up to three parts, reduced mod L. */
static void h512_mod_l(struct ed *e, BIGNUM *out, const void *a, size_t an,
		       const void *b, size_t bn, const void *c, size_t cn)
{
	uint8_t h[64];
	unsigned int len;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha512(), NULL);
	EVP_DigestUpdate(ctx, a, an);
	if (bn)
		EVP_DigestUpdate(ctx, b, bn);
	if (cn)
		EVP_DigestUpdate(ctx, c, cn);
	EVP_DigestFinal_ex(ctx, h, &len);
	EVP_MD_CTX_free(ctx);
	le_to_bn(h, 64, out);
	BN_nnmod(out, out, e->l, e->bx);
}

int mp__ed25519_sign(uint8_t sig[64], const char *password, const uint8_t *msg,
		     size_t mlen)
{
	struct ed e;
	if (setup(&e)) {
		teardown(&e);
		return -1;
	}
	uint8_t az[64];
	unsigned int len;
	EVP_Digest(password, strlen(password), az, &len, EVP_sha512(), NULL);
	az[0] &= 248;
	az[31] &= 63;
	az[31] |= 64;
	BIGNUM *a = BN_new(), *r = BN_new(), *k = BN_new(), *s = BN_new();
	le_to_bn(az, 32, a);
	h512_mod_l(&e, r, az + 32, 32, msg, mlen, NULL, 0);
	struct pt B = {e.bxp, e.byp};
	struct pt R = {BN_new(), BN_new()}, A = {BN_new(), BN_new()};
	pt_mul(&e, &R, r, &B);
	pt_mul(&e, &A, a, &B);
	uint8_t renc[32], aenc[32];
	pt_encode(&R, renc);
	pt_encode(&A, aenc);
	h512_mod_l(&e, k, renc, 32, aenc, 32, msg, mlen);
	BN_mod_mul(s, k, a, e.l, e.bx);
	BN_mod_add(s, s, r, e.l, e.bx);
	memcpy(sig, renc, 32);
	bn_to_le32(s, sig + 32);
	OPENSSL_cleanse(az, sizeof(az));
	BN_clear_free(a);
	BN_clear_free(r);
	BN_free(k);
	BN_free(s);
	BN_free(R.x);
	BN_free(R.y);
	BN_free(A.x);
	BN_free(A.y);
	teardown(&e);
	return 0;
}
