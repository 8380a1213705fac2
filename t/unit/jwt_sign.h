/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Test-only helpers for the ac_jwt unit tests (test_ac_jwt.c,
 * test_ac_jwt_claims.c): keys generated at start-up with OpenSSL, a small
 * JWS signer, public keys exported as PEM files (in a temporary
 * directory) and as JWKS JSON, and a verify wrapper that checks the
 * failure reason never quotes the token.
 *
 * Every helper is static inline: each test binary uses only some of them,
 * and an unused static inline function draws no warning.
 */
#ifndef JWT_SIGN_H
#define JWT_SIGN_H

#include "ac_test.h"
#include "ac_jwt.h"
#include "ac_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#define NOW apr_time_from_sec(1700000000)
#define SEC(n) apr_time_from_sec(n)

static EVP_PKEY *k_rsa, *k_rsa2, *k_rsa1024, *k_p256, *k_p256b, *k_p384,
                *k_p521, *k_ed, *k_ed2;
static char tmpdir[64];

static const char secret[] = "0123456789abcdef0123456789abcdef"
                             "0123456789abcdef0123456789abcdef";
static const char secret2[] = "fedcba9876543210fedcba9876543210"
                              "fedcba9876543210fedcba9876543210";

static const ac_jwt_checks nochk = { NULL, NULL, 0, 0, 0 };

/* ---------------------------------------------------------------- signer */

typedef struct {
    const char *alg;
    EVP_PKEY *pk;           /* NULL: HMAC with secret */
    const char *secret;
    size_t slen;
    int pss_salt;           /* 0: hash length (the JWA rule) */
} signer;

static inline const EVP_MD *alg_md(const char *alg)
{
    const char *bits = alg + strlen(alg) - 3;

    return !strcmp(alg, "EdDSA") ? NULL
         : !strcmp(bits, "256") ? EVP_sha256()
         : !strcmp(bits, "384") ? EVP_sha384() : EVP_sha512();
}

static inline const char *b64u(apr_pool_t *p, const void *d, size_t n)
{
    return ac_base64url_encode(p, d, n);
}

static inline const char *b64s(apr_pool_t *p, const char *s)
{
    return b64u(p, s, strlen(s));
}

/* DER ECDSA signature → JWS R || S */
static inline size_t ecdsa_raw(const signer *s, unsigned char *sig, size_t len)
{
    const unsigned char *q = sig;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)len);
    size_t n = s->alg[2] == '2' ? 32 : s->alg[2] == '3' ? 48 : 66;

    assert_non_null(es);
    BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, (int)n);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + n, (int)n);
    ECDSA_SIG_free(es);
    return 2 * n;
}

static inline const char *sign_input(apr_pool_t *p, const signer *s,
                                     const char *input)
{
    unsigned char *sig = apr_palloc(p, 1024);
    size_t len = 1024;
    EVP_MD_CTX *ctx;
    EVP_PKEY_CTX *pctx = NULL;
    unsigned int hl;

    if (!s->pk) {
        assert_non_null(HMAC(alg_md(s->alg), s->secret, (int)s->slen,
                             (const unsigned char *)input, strlen(input),
                             sig, &hl));
        return b64u(p, sig, hl);
    }
    ctx = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestSignInit(ctx, &pctx, alg_md(s->alg), NULL,
                                        s->pk), 1);
    if (s->alg[0] == 'P') {
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, s->pss_salt ? s->pss_salt
                                               : RSA_PSS_SALTLEN_DIGEST);
    }
    assert_int_equal(EVP_DigestSign(ctx, sig, &len,
                                    (const unsigned char *)input,
                                    strlen(input)), 1);
    EVP_MD_CTX_free(ctx);
    if (s->alg[0] == 'E' && s->alg[1] == 'S') {
        len = ecdsa_raw(s, sig, len);
    }
    return b64u(p, sig, len);
}

static inline const char *jws(apr_pool_t *p, const signer *s,
                              const char *header, const char *claims)
{
    const char *input = apr_pstrcat(p, b64s(p, header), ".",
                                    b64s(p, claims), NULL);

    return apr_pstrcat(p, input, ".", sign_input(p, s, input), NULL);
}

/* A token with the usual header (kid when not NULL). */
static inline const char *tok(apr_pool_t *p, const signer *s, const char *kid,
                              const char *claims)
{
    const char *h = kid
        ? apr_psprintf(p, "{\"alg\":\"%s\",\"kid\":\"%s\"}", s->alg, kid)
        : apr_psprintf(p, "{\"alg\":\"%s\",\"typ\":\"JWT\"}", s->alg);

    return jws(p, s, h, claims);
}

static inline signer hs(const char *alg, const char *key)
{
    signer s = { alg, NULL, key, strlen(key), 0 };
    return s;
}

static inline signer pk(const char *alg, EVP_PKEY *key)
{
    signer s = { alg, key, NULL, 0, 0 };
    return s;
}

/* ---------------------------------------------------------------- export */

static inline const char *write_file(apr_pool_t *p, const char *name,
                                     const void *data, size_t len)
{
    const char *path = apr_pstrcat(p, tmpdir, "/", name, NULL);
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

static inline const char *pem_file(apr_pool_t *p, EVP_PKEY *key,
                                   const char *name)
{
    const char *path = apr_pstrcat(p, tmpdir, "/", name, NULL);
    BIO *b = BIO_new_file(path, "w");

    assert_non_null(b);
    assert_int_equal(PEM_write_bio_PUBKEY(b, key), 1);
    BIO_free(b);
    return path;
}

static inline const char *bn_b64(apr_pool_t *p, EVP_PKEY *key, const char *name,
                                 int pad)
{
    BIGNUM *bn = NULL;
    unsigned char buf[1024];
    int n;

    assert_int_equal(EVP_PKEY_get_bn_param(key, name, &bn), 1);
    n = pad ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf);
    BN_free(bn);
    return b64u(p, buf, (size_t)n);
}

/* One JWK object; extra is more members (",\"alg\":\"RS256\"") or "". */
static inline const char *jwk(apr_pool_t *p, EVP_PKEY *key, const char *kid,
                              const char *extra)
{
    const char *k = kid ? apr_psprintf(p, "\"kid\":\"%s\",", kid) : "";
    char group[32];
    unsigned char raw[32];
    size_t len = sizeof(raw);

    if (EVP_PKEY_is_a(key, "RSA")) {
        return apr_psprintf(p, "{%s\"kty\":\"RSA\",\"n\":\"%s\","
                            "\"e\":\"%s\"%s}", k, bn_b64(p, key, "n", 0),
                            bn_b64(p, key, "e", 0), extra);
    }
    if (EVP_PKEY_is_a(key, "ED25519")) {
        assert_int_equal(EVP_PKEY_get_raw_public_key(key, raw, &len), 1);
        return apr_psprintf(p, "{%s\"kty\":\"OKP\",\"crv\":\"Ed25519\","
                            "\"x\":\"%s\"%s}", k, b64u(p, raw, len), extra);
    }
    EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                   sizeof(group), NULL);
    {
        int n = !strcmp(group, "prime256v1") ? 32
              : !strcmp(group, "secp384r1") ? 48 : 66;
        const char *crv = n == 32 ? "P-256" : n == 48 ? "P-384" : "P-521";

        return apr_psprintf(p, "{%s\"kty\":\"EC\",\"crv\":\"%s\","
                            "\"x\":\"%s\",\"y\":\"%s\"%s}", k, crv,
                            bn_b64(p, key, "qx", n), bn_b64(p, key, "qy", n),
                            extra);
    }
}

static inline const char *oct_jwk(apr_pool_t *p, const char *key,
                                  const char *kid, const char *extra)
{
    return apr_psprintf(p, "{\"kid\":\"%s\",\"kty\":\"oct\",\"k\":\"%s\"%s}",
                        kid, b64s(p, key), extra);
}

static inline ac_jwt_keyset *jwks(apr_pool_t *p, const char *keys)
{
    ac_jwt_keyset *ks = ac_jwt_keyset_make(p);
    const char *set = apr_psprintf(p, "{\"keys\":[%s]}", keys);
    const char *err = ac_jwt_keyset_add_jwks(ks, set, strlen(set));

    if (err) {
        fail_msg("add_jwks: %s", err);
    }
    return ks;
}

static inline const char *jwks_err(apr_pool_t *p, const char *keys)
{
    ac_jwt_keyset *ks = ac_jwt_keyset_make(p);
    const char *set = apr_psprintf(p, "{\"keys\":[%s]}", keys);

    return ac_jwt_keyset_add_jwks(ks, set, strlen(set));
}

static inline ac_jwt_keyset *keyfile(apr_pool_t *p, const char *alg,
                                     const char *path)
{
    ac_jwt_keyset *ks = ac_jwt_keyset_make(p);
    const char *err = ac_jwt_keyset_add_key_file(ks, alg, path);

    if (err) {
        fail_msg("add_key_file %s: %s", alg, err);
    }
    return ks;
}

/* ---------------------------------------------------------------- verify */

/* Verify; on failure the reason is set and holds no part of the token. */
static inline ac_jwt_status run(apr_pool_t *p, const ac_jwt_keyset *ks,
                                const ac_jwt_checks *chk, const char *token,
                                ac_jwt *out)
{
    ac_jwt tmp;
    const char *reason = NULL, *part, *dot;
    ac_jwt_status st = ac_jwt_verify(ks, chk ? chk : &nochk, token, NOW,
                                     out ? out : &tmp, &reason, p);

    if (st == AC_JWT_OK) {
        return st;
    }
    assert_non_null(reason);
    for (part = token; part && *part; part = dot ? dot + 1 : NULL) {
        size_t n = (dot = strchr(part, '.')) ? (size_t)(dot - part)
                                              : strlen(part);
        if (n >= 4 && n < 16384) {
            assert_null(strstr(reason, apr_pstrndup(p, part, n)));
        }
    }
    return st;
}

static inline const char *claims_t(apr_pool_t *p, const char *name, long delta)
{
    return apr_psprintf(p, "{\"sub\":\"alice\",\"%s\":%ld}", name,
                        1700000000L + delta);
}

/* ----------------------------------------------------------- group setup */

static inline int keys_setup(void **state)
{
    strcpy(tmpdir, "/tmp/ac_jwt_test_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        return -1;
    }
    k_rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    k_rsa2 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    k_rsa1024 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    k_p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    k_p256b = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    k_p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    k_p521 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
    k_ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    k_ed2 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    return k_rsa && k_rsa2 && k_rsa1024 && k_p256 && k_p256b && k_p384
           && k_p521 && k_ed && k_ed2 ? 0 : -1;
}

static inline int keys_teardown(void **state)
{
    EVP_PKEY *all[] = { k_rsa, k_rsa2, k_rsa1024, k_p256, k_p256b, k_p384,
                        k_p521, k_ed, k_ed2 };
    char cmd[128];
    size_t i;

    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        EVP_PKEY_free(all[i]);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
