/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * ac_jwt: keys are generated at start-up with OpenSSL, tokens signed here
 * with a small signer, public keys exported as PEM files (in a temporary
 * directory) and as JWKS JSON.
 */
#include "ac_test.h"
#include "ac_jwt.h"
#include "ac_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <apr_file_io.h>
#include <apr_thread_proc.h>
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

static const ac_jwt_checks nochk = { NULL, NULL, 0, 0 };

/* ---------------------------------------------------------------- signer */

typedef struct {
    const char *alg;
    EVP_PKEY *pk;           /* NULL: HMAC with secret */
    const char *secret;
    size_t slen;
    int pss_salt;           /* 0: hash length (the JWA rule) */
} signer;

static const EVP_MD *alg_md(const char *alg)
{
    const char *bits = alg + strlen(alg) - 3;

    return !strcmp(alg, "EdDSA") ? NULL
         : !strcmp(bits, "256") ? EVP_sha256()
         : !strcmp(bits, "384") ? EVP_sha384() : EVP_sha512();
}

static const char *b64u(apr_pool_t *p, const void *d, size_t n)
{
    return ac_base64url_encode(p, d, n);
}

static const char *b64s(apr_pool_t *p, const char *s)
{
    return b64u(p, s, strlen(s));
}

/* DER ECDSA signature → JWS R || S */
static size_t ecdsa_raw(const signer *s, unsigned char *sig, size_t len)
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

static const char *sign_input(apr_pool_t *p, const signer *s,
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

static const char *jws(apr_pool_t *p, const signer *s, const char *header,
                       const char *claims)
{
    const char *input = apr_pstrcat(p, b64s(p, header), ".",
                                    b64s(p, claims), NULL);

    return apr_pstrcat(p, input, ".", sign_input(p, s, input), NULL);
}

/* A token with the usual header (kid when not NULL). */
static const char *tok(apr_pool_t *p, const signer *s, const char *kid,
                       const char *claims)
{
    const char *h = kid
        ? apr_psprintf(p, "{\"alg\":\"%s\",\"kid\":\"%s\"}", s->alg, kid)
        : apr_psprintf(p, "{\"alg\":\"%s\",\"typ\":\"JWT\"}", s->alg);

    return jws(p, s, h, claims);
}

static signer hs(const char *alg, const char *key)
{
    signer s = { alg, NULL, key, strlen(key), 0 };
    return s;
}

static signer pk(const char *alg, EVP_PKEY *key)
{
    signer s = { alg, key, NULL, 0, 0 };
    return s;
}

/* ---------------------------------------------------------------- export */

static const char *write_file(apr_pool_t *p, const char *name,
                              const void *data, size_t len)
{
    const char *path = apr_pstrcat(p, tmpdir, "/", name, NULL);
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

static const char *pem_file(apr_pool_t *p, EVP_PKEY *key, const char *name)
{
    const char *path = apr_pstrcat(p, tmpdir, "/", name, NULL);
    BIO *b = BIO_new_file(path, "w");

    assert_non_null(b);
    assert_int_equal(PEM_write_bio_PUBKEY(b, key), 1);
    BIO_free(b);
    return path;
}

static const char *bn_b64(apr_pool_t *p, EVP_PKEY *key, const char *name,
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
static const char *jwk(apr_pool_t *p, EVP_PKEY *key, const char *kid,
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

static const char *oct_jwk(apr_pool_t *p, const char *key, const char *kid,
                           const char *extra)
{
    return apr_psprintf(p, "{\"kid\":\"%s\",\"kty\":\"oct\",\"k\":\"%s\"%s}",
                        kid, b64s(p, key), extra);
}

static ac_jwt_keyset *jwks(apr_pool_t *p, const char *keys)
{
    ac_jwt_keyset *ks = ac_jwt_keyset_make(p);
    const char *set = apr_psprintf(p, "{\"keys\":[%s]}", keys);
    const char *err = ac_jwt_keyset_add_jwks(ks, set, strlen(set));

    if (err) {
        fail_msg("add_jwks: %s", err);
    }
    return ks;
}

static const char *jwks_err(apr_pool_t *p, const char *keys)
{
    ac_jwt_keyset *ks = ac_jwt_keyset_make(p);
    const char *set = apr_psprintf(p, "{\"keys\":[%s]}", keys);

    return ac_jwt_keyset_add_jwks(ks, set, strlen(set));
}

static ac_jwt_keyset *keyfile(apr_pool_t *p, const char *alg,
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
static ac_jwt_status run(apr_pool_t *p, const ac_jwt_keyset *ks,
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

static const char *claims_t(apr_pool_t *p, const char *name, long delta)
{
    return apr_psprintf(p, "{\"sub\":\"alice\",\"%s\":%ld}", name,
                        1700000000L + delta);
}

/* ---------------------------------------------------------------- tests */

static const struct {
    const char *alg;
    EVP_PKEY **key;
} pk_algs[] = {
    { "RS256", &k_rsa }, { "RS384", &k_rsa }, { "RS512", &k_rsa },
    { "PS256", &k_rsa }, { "PS384", &k_rsa }, { "PS512", &k_rsa },
    { "ES256", &k_p256 }, { "ES384", &k_p384 }, { "ES512", &k_p521 },
    { "EdDSA", &k_ed },
};
#define N_PK_ALGS (sizeof(pk_algs) / sizeof(pk_algs[0]))

static void every_alg_pem(void **state)
{
    apr_pool_t *p = *state;
    size_t i;

    for (i = 0; i < N_PK_ALGS; i++) {
        signer s = pk(pk_algs[i].alg, *pk_algs[i].key);
        const char *path = pem_file(p, *pk_algs[i].key, "k.pem");
        ac_jwt_keyset *ks = keyfile(p, pk_algs[i].alg, path);
        ac_jwt out;

        assert_int_equal(ac_jwt_keyset_count(ks), 1);
        assert_int_equal(run(p, ks, NULL, tok(p, &s, NULL,
                                              "{\"sub\":\"alice\"}"), &out),
                         AC_JWT_OK);
        assert_string_equal(out.alg, pk_algs[i].alg);
        assert_null(out.kid);
        assert_string_equal(apr_table_get(out.claims, "sub"), "alice");
        /* a kid-less key accepts a token with any kid */
        assert_int_equal(run(p, ks, NULL, tok(p, &s, "whatever", "{}"),
                             NULL), AC_JWT_OK);
    }
}

static void every_alg_jwks(void **state)
{
    apr_pool_t *p = *state;
    size_t i;

    for (i = 0; i < N_PK_ALGS; i++) {
        signer s = pk(pk_algs[i].alg, *pk_algs[i].key);
        ac_jwt_keyset *ks = jwks(p, jwk(p, *pk_algs[i].key, "k1", ""));
        ac_jwt out;

        assert_int_equal(run(p, ks, NULL, tok(p, &s, "k1", "{}"), &out),
                         AC_JWT_OK);
        assert_string_equal(out.kid, "k1");
        assert_int_equal(run(p, ks, NULL, tok(p, &s, NULL, "{}"), NULL),
                         AC_JWT_OK);
    }
}

static void every_hs_alg(void **state)
{
    apr_pool_t *p = *state;
    static const char *const algs[] = { "HS256", "HS384", "HS512" };
    const char *path = write_file(p, "secret", secret, strlen(secret));
    ac_jwt_keyset *set = jwks(p, oct_jwk(p, secret, "h", ""));
    int i;

    for (i = 0; i < 3; i++) {
        signer s = hs(algs[i], secret);

        assert_int_equal(run(p, keyfile(p, algs[i], path), NULL,
                             tok(p, &s, NULL, "{}"), NULL), AC_JWT_OK);
        assert_int_equal(run(p, set, NULL, tok(p, &s, "h", "{}"), NULL),
                         AC_JWT_OK);
    }
}

/* RFC 7515 Appendix A.1 */
static void rfc7515_a1(void **state)
{
    apr_pool_t *p = *state;
    static const char token[] =
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
        ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
        "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    static const char set[] =
        "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVM"
        "koqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow\"}]}";
    ac_jwt_keyset *ks = ac_jwt_keyset_make(p);
    ac_jwt_checks chk = { "joe", NULL, 0, 1 };
    const char *reason;
    ac_jwt out;

    assert_null(ac_jwt_keyset_add_jwks(ks, set, strlen(set)));
    assert_int_equal(ac_jwt_verify(ks, &chk, token, SEC(1300819379), &out,
                                   &reason, p), AC_JWT_OK);
    assert_string_equal(out.alg, "HS256");
    assert_true(out.exp == SEC(1300819380));
    assert_string_equal(apr_table_get(out.claims, "iss"), "joe");
    assert_string_equal(apr_table_get(out.claims,
                                      "http://example.com/is_root"), "true");
    assert_true(ac_jwt_claim_matches(&out, "http://example.com/is_root",
                                     "true"));
    assert_int_equal(ac_jwt_verify(ks, &chk, token, SEC(1300819380), &out,
                                   &reason, p), AC_JWT_EXPIRED);
    assert_int_equal(ac_jwt_verify(ks, &chk, token, NOW, &out, &reason, p),
                     AC_JWT_EXPIRED);
    assert_string_equal(apr_table_get(out.claims, "iss"), "joe");
}

static void wrong_key(void **state)
{
    apr_pool_t *p = *state;
    signer rs = pk("RS256", k_rsa2), es = pk("ES256", k_p256b),
           ed = pk("EdDSA", k_ed2), h = hs("HS256", secret2);
    ac_jwt_keyset *ks = jwks(p, apr_pstrcat(p, jwk(p, k_rsa, NULL, ""), ",",
                             jwk(p, k_p256, NULL, ""), ",",
                             jwk(p, k_ed, NULL, ""), ",",
                             oct_jwk(p, secret, "h", ""), NULL));

    assert_int_equal(ac_jwt_keyset_count(ks), 4);
    assert_int_equal(run(p, ks, NULL, tok(p, &rs, NULL, "{}"), NULL),
                     AC_JWT_BAD_SIGNATURE);
    assert_int_equal(run(p, ks, NULL, tok(p, &es, NULL, "{}"), NULL),
                     AC_JWT_BAD_SIGNATURE);
    assert_int_equal(run(p, ks, NULL, tok(p, &ed, NULL, "{}"), NULL),
                     AC_JWT_BAD_SIGNATURE);
    assert_int_equal(run(p, ks, NULL, tok(p, &h, "h", "{}"), NULL),
                     AC_JWT_BAD_SIGNATURE);
}

static void tampered(void **state)
{
    apr_pool_t *p = *state;
    static const char *const algs[] = { "RS256", "PS256", "ES256", "EdDSA",
                                        "HS256" };
    EVP_PKEY *keys[] = { k_rsa, k_rsa, k_p256, k_ed, NULL };
    int i;

    for (i = 0; i < 5; i++) {
        signer s = keys[i] ? pk(algs[i], keys[i]) : hs(algs[i], secret);
        ac_jwt_keyset *ks = jwks(p, keys[i] ? jwk(p, keys[i], NULL, "")
                                            : oct_jwk(p, secret, "h", ""));
        char *t = apr_pstrdup(p, tok(p, &s, NULL, "{\"sub\":\"alice\"}"));
        char *t2 = apr_pstrdup(p, tok(p, &s, NULL, "{\"sub\":\"mallory\"}"));
        char *dot1 = strchr(t, '.'), *dot2 = strrchr(t, '.');
        char *sig2 = strrchr(t2, '.');
        char *swapped;

        /* alice's payload with mallory's signature */
        swapped = apr_pstrcat(p, apr_pstrndup(p, t, dot2 - t), sig2, NULL);
        assert_int_equal(run(p, ks, NULL, swapped, NULL),
                         AC_JWT_BAD_SIGNATURE);
        /* a flipped payload character */
        dot1[2] = dot1[2] == 'A' ? 'B' : 'A';
        assert_int_equal(run(p, ks, NULL, t, NULL), AC_JWT_BAD_SIGNATURE);
        /* signature cut short */
        t2[strlen(t2) - 4] = '\0';
        assert_int_equal(run(p, ks, NULL, t2, NULL), AC_JWT_BAD_SIGNATURE);
    }
}

static void alg_none_and_unknown(void **state)
{
    apr_pool_t *p = *state;
    ac_jwt_keyset *ks = jwks(p, apr_pstrcat(p, jwk(p, k_rsa, NULL, ""), ",",
                             oct_jwk(p, secret, "h", ""), NULL));
    const char *body = b64s(p, "{\"sub\":\"alice\"}");
    ac_jwt out;

    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p,
                             b64s(p, "{\"alg\":\"none\"}"), ".", body, ".",
                             NULL), &out), AC_JWT_ALG_REFUSED);
    assert_string_equal(out.alg, "none");
    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p,
                             b64s(p, "{\"alg\":\"none\"}"), ".", body,
                             ".c2ln", NULL), NULL), AC_JWT_ALG_REFUSED);
    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p,
                             b64s(p, "{\"alg\":\"None\"}"), ".", body,
                             ".c2ln", NULL), NULL), AC_JWT_ALG_REFUSED);
    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p,
                             b64s(p, "{\"alg\":\"rs256\"}"), ".", body,
                             ".c2ln", NULL), NULL), AC_JWT_ALG_REFUSED);
    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p,
                             b64s(p, "{\"alg\":\"ES256K\"}"), ".", body,
                             ".c2ln", NULL), NULL), AC_JWT_ALG_REFUSED);
}

/* HS256 keyed with the public key's PEM bytes: the classic confusion. */
static void hs_confusion(void **state)
{
    apr_pool_t *p = *state;
    const char *path = pem_file(p, k_rsa, "rsa.pem");
    apr_file_t *f;
    char pem[4096];
    apr_size_t n = sizeof(pem);
    signer s;
    const char *t;

    assert_int_equal(apr_file_open(&f, path, APR_FOPEN_READ, 0, p),
                     APR_SUCCESS);
    apr_file_read(f, pem, &n);
    apr_file_close(f);
    s = (signer){ "HS256", NULL, pem, n, 0 };
    t = tok(p, &s, NULL, "{\"sub\":\"admin\"}");
    assert_int_equal(run(p, keyfile(p, "RS256", path), NULL, t, NULL),
                     AC_JWT_ALG_REFUSED);
    assert_int_equal(run(p, jwks(p, jwk(p, k_rsa, NULL, "")), NULL, t,
                         NULL), AC_JWT_ALG_REFUSED);
    assert_int_equal(run(p, jwks(p, jwk(p, k_rsa, "r", "")), NULL,
                         tok(p, &s, "r", "{}"), NULL), AC_JWT_ALG_REFUSED);
    /* an RS256 token for an HMAC-only keyset is refused too */
    s = pk("RS256", k_rsa);
    assert_int_equal(run(p, jwks(p, oct_jwk(p, secret, "h", "")), NULL,
                         tok(p, &s, NULL, "{}"), NULL), AC_JWT_ALG_REFUSED);
    /* and a PEM file is no HMAC secret */
    assert_non_null(ac_jwt_keyset_add_key_file(ac_jwt_keyset_make(p),
                                               "HS256", path));
}

static void kid_selection(void **state)
{
    apr_pool_t *p = *state;
    signer s1 = pk("RS256", k_rsa), s2 = pk("RS256", k_rsa2);
    ac_jwt_keyset *ks = jwks(p, apr_pstrcat(p, jwk(p, k_rsa, "a", ""), ",",
                             jwk(p, k_rsa2, "b", ""), NULL));

    assert_int_equal(ac_jwt_keyset_count(ks), 2);
    assert_int_equal(run(p, ks, NULL, tok(p, &s2, "b", "{}"), NULL),
                     AC_JWT_OK);
    assert_int_equal(run(p, ks, NULL, tok(p, &s1, "a", "{}"), NULL),
                     AC_JWT_OK);
    assert_int_equal(run(p, ks, NULL, tok(p, &s2, "a", "{}"), NULL),
                     AC_JWT_BAD_SIGNATURE);
    assert_int_equal(run(p, ks, NULL, tok(p, &s1, "zzz", "{}"), NULL),
                     AC_JWT_NO_KEY);
    assert_int_equal(run(p, ks, NULL, tok(p, &s2, NULL, "{}"), NULL),
                     AC_JWT_OK);                    /* each key tried */
    /* a named key wins over kid-less keys */
    ks = jwks(p, apr_pstrcat(p, jwk(p, k_rsa, "a", ""), ",",
                             jwk(p, k_rsa2, NULL, ""), NULL));
    assert_int_equal(run(p, ks, NULL, tok(p, &s2, "a", "{}"), NULL),
                     AC_JWT_BAD_SIGNATURE);
    assert_int_equal(run(p, ks, NULL, tok(p, &s2, "other", "{}"), NULL),
                     AC_JWT_OK);
    assert_int_equal(run(p, ac_jwt_keyset_make(p), NULL,
                         tok(p, &s2, NULL, "{}"), NULL), AC_JWT_NO_KEY);
}

static void jwk_alg_member(void **state)
{
    apr_pool_t *p = *state;
    signer rs = pk("RS256", k_rsa), rs384 = pk("RS384", k_rsa),
           ps = pk("PS256", k_rsa), h384 = hs("HS384", secret);
    ac_jwt_keyset *ks = jwks(p, jwk(p, k_rsa, "r", ",\"alg\":\"RS256\""));

    assert_int_equal(run(p, ks, NULL, tok(p, &rs, "r", "{}"), NULL),
                     AC_JWT_OK);
    assert_int_equal(run(p, ks, NULL, tok(p, &ps, "r", "{}"), NULL),
                     AC_JWT_ALG_REFUSED);
    assert_int_equal(run(p, ks, NULL, tok(p, &rs384, NULL, "{}"), NULL),
                     AC_JWT_ALG_REFUSED);
    ks = jwks(p, oct_jwk(p, secret, "h", ",\"alg\":\"HS256\""));
    assert_int_equal(run(p, ks, NULL, tok(p, &h384, "h", "{}"), NULL),
                     AC_JWT_ALG_REFUSED);
    /* an alg that does not fit the key is a configuration error */
    assert_non_null(jwks_err(p, jwk(p, k_p256, "e", ",\"alg\":\"ES384\"")));
    assert_non_null(jwks_err(p, jwk(p, k_rsa, "e", ",\"alg\":\"HS256\"")));
    assert_non_null(jwks_err(p, jwk(p, k_ed, "e", ",\"alg\":\"ES256\"")));
    assert_non_null(jwks_err(p, oct_jwk(p, secret, "h",
                                        ",\"alg\":\"RS256\"")));
    assert_non_null(jwks_err(p, jwk(p, k_rsa, "e", ",\"alg\":\"XX1\"")));
    assert_non_null(ac_jwt_keyset_add_key_file(ac_jwt_keyset_make(p),
                    "ES384", pem_file(p, k_p256, "p256.pem")));
    assert_non_null(ac_jwt_keyset_add_key_file(ac_jwt_keyset_make(p),
                    "EdDSA", pem_file(p, k_rsa, "rsa.pem")));
}

static void jwk_use(void **state)
{
    apr_pool_t *p = *state;
    signer s = pk("RS256", k_rsa2);
    ac_jwt_keyset *ks = jwks(p, apr_pstrcat(p,
        jwk(p, k_rsa, "enc", ",\"use\":\"enc\""), ",",
        jwk(p, k_rsa2, "sig", ",\"use\":\"sig\""), ",",
        jwk(p, k_rsa, "ops", ",\"key_ops\":[\"encrypt\"]"), NULL));

    assert_int_equal(ac_jwt_keyset_count(ks), 1);
    assert_int_equal(run(p, ks, NULL, tok(p, &s, "enc", "{}"), NULL),
                     AC_JWT_NO_KEY);
    assert_int_equal(run(p, ks, NULL, tok(p, &s, "sig", "{}"), NULL),
                     AC_JWT_OK);
    assert_non_null(jwks_err(p, jwk(p, k_rsa, "enc", ",\"use\":\"enc\"")));
}

static void keyset_errors(void **state)
{
    apr_pool_t *p = *state;
    ac_jwt_keyset *ks = ac_jwt_keyset_make(p);
    const char *zero = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const char *e, *x = apr_psprintf(p, "\"x\":\"%s\"", zero);

    assert_non_null(ac_jwt_keyset_add_jwks(ks, "{", 1));
    assert_non_null(ac_jwt_keyset_add_jwks(ks, "[]", 2));
    assert_non_null(ac_jwt_keyset_add_jwks(ks, "{\"keys\":{}}", 11));
    assert_non_null(jwks_err(p, "{\"kty\":\"RSA\",\"n\":\"*\","
                             "\"e\":\"AQAB\"}"));
    assert_non_null(jwks_err(p, "{\"kty\":\"XYZ\"}"));
    assert_non_null(jwks_err(p, "{\"kid\":1,\"kty\":\"oct\",\"k\":\"AA\"}"));
    assert_non_null(jwks_err(p, "{\"kty\":\"oct\",\"k\":\"\"}"));
    assert_non_null(jwks_err(p, oct_jwk(p, "short", "s", "")));
    assert_non_null(jwks_err(p, "1"));
    /* off-curve point (x = y = 0) */
    e = jwks_err(p, apr_psprintf(p, "{\"kid\":\"bad\",\"kty\":\"EC\","
                                 "\"crv\":\"P-256\",%s,\"y\":\"%s\"}", x,
                                 zero));
    assert_non_null(e);
    assert_non_null(strstr(e, "bad"));              /* names the kid */
    assert_non_null(jwks_err(p, apr_psprintf(p, "{\"kty\":\"EC\","
                             "\"crv\":\"P-256\",%s}", x)));
    assert_non_null(jwks_err(p, "{\"kty\":\"OKP\",\"crv\":\"Ed448\","
                             "\"x\":\"AAAA\"}"));
    assert_non_null(jwks_err(p, jwk(p, k_rsa1024, "small", "")));
    assert_non_null(ac_jwt_keyset_add_key_file(ks, "RS256",
                    pem_file(p, k_rsa1024, "small.pem")));
    assert_non_null(ac_jwt_keyset_add_key_file(ks, "RS256",
                                               "/nonexistent/key.pem"));
    assert_non_null(ac_jwt_keyset_add_jwks_file(ks, "/nonexistent/jwks"));
    assert_non_null(ac_jwt_keyset_add_key_file(ks, "none",
                    pem_file(p, k_rsa, "rsa.pem")));
    assert_non_null(ac_jwt_keyset_add_key_file(ks, "RS256",
                    write_file(p, "garbage", "garbage", 7)));
    assert_non_null(ac_jwt_keyset_add_key_file(ks, "HS256",
                    write_file(p, "empty", "", 0)));
    assert_int_equal(ac_jwt_keyset_count(ks), 0);
    /* a file with a set and a single JWK both load */
    e = "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        "AAAAAAAAAAAAAAA\"}]}";
    assert_null(ac_jwt_keyset_add_jwks_file(ks, write_file(p, "set.json",
                                                           e, strlen(e))));
    e = jwk(p, k_ed, "ed", "");
    assert_null(ac_jwt_keyset_add_jwks(ks, e, strlen(e)));
    assert_int_equal(ac_jwt_keyset_count(ks), 2);
}

static void expiry(void **state)
{
    apr_pool_t *p = *state;
    signer s = hs("HS256", secret);
    ac_jwt_keyset *ks = jwks(p, oct_jwk(p, secret, "h", ""));
    ac_jwt_checks chk = { NULL, NULL, SEC(60), 1 };
    ac_jwt out;

    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         claims_t(p, "exp", 1)), &out), AC_JWT_OK);
    assert_true(out.exp == NOW + SEC(1));
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         claims_t(p, "exp", -59)), NULL), AC_JWT_OK);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         claims_t(p, "exp", -60)), &out), AC_JWT_EXPIRED);
    assert_string_equal(apr_table_get(out.claims, "sub"), "alice");
    chk.leeway = 0;
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         claims_t(p, "exp", 0)), NULL), AC_JWT_EXPIRED);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         claims_t(p, "exp", 1)), NULL), AC_JWT_OK);
    /* fractional and absurd NumericDates */
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         "{\"exp\":1700000000.5}"), &out), AC_JWT_OK);
    assert_true(out.exp == NOW + 500000);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL, "{\"exp\":1e300}"),
                         NULL), AC_JWT_OK);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL, "{\"exp\":-1e300}"),
                         NULL), AC_JWT_EXPIRED);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         "{\"exp\":9223372036854775807}"), NULL), AC_JWT_OK);
}

static void nbf_iat_require_exp(void **state)
{
    apr_pool_t *p = *state;
    signer s = hs("HS256", secret);
    ac_jwt_keyset *ks = jwks(p, oct_jwk(p, secret, "h", ""));
    ac_jwt_checks chk = { NULL, NULL, SEC(60), 0 };

    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         claims_t(p, "nbf", 61)), NULL),
                     AC_JWT_NOT_YET_VALID);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         claims_t(p, "nbf", 60)), NULL), AC_JWT_OK);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         claims_t(p, "iat", 61)), NULL), AC_JWT_IAT_FUTURE);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         claims_t(p, "iat", 60)), NULL), AC_JWT_OK);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         claims_t(p, "iat", -86400)), NULL), AC_JWT_OK);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL, "{}"), NULL),
                     AC_JWT_OK);
    chk.require_exp = 1;
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL, "{}"), NULL),
                     AC_JWT_NO_EXP);
    assert_int_equal(run(p, ks, NULL, tok(p, &s, NULL, "{}"), NULL),
                     AC_JWT_OK);                    /* nochk: off */
}

static void issuer_audience(void **state)
{
    apr_pool_t *p = *state;
    signer s = hs("HS256", secret);
    ac_jwt_keyset *ks = jwks(p, oct_jwk(p, secret, "h", ""));
    apr_array_header_t *auds = apr_array_make(p, 2, sizeof(char *));
    ac_jwt_checks chk = { "https://idp", NULL, 0, 0 };

    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         "{\"iss\":\"https://idp\"}"), NULL), AC_JWT_OK);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         "{\"iss\":\"https://idp/\"}"), NULL),
                     AC_JWT_BAD_ISSUER);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL, "{}"), NULL),
                     AC_JWT_BAD_ISSUER);
    chk.issuer = NULL;
    chk.audiences = auds;                           /* empty: unchecked */
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL, "{\"aud\":\"x\"}"),
                         NULL), AC_JWT_OK);
    APR_ARRAY_PUSH(auds, const char *) = "api";
    APR_ARRAY_PUSH(auds, const char *) = "other";
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL, "{\"aud\":\"api\"}"),
                         NULL), AC_JWT_OK);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         "{\"aud\":[\"x\",\"other\"]}"), NULL), AC_JWT_OK);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL, "{\"aud\":\"x\"}"),
                         NULL), AC_JWT_BAD_AUDIENCE);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL, "{\"aud\":[]}"),
                         NULL), AC_JWT_BAD_AUDIENCE);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL, "{}"), NULL),
                     AC_JWT_BAD_AUDIENCE);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL, "{\"aud\":[1]}"),
                         NULL), AC_JWT_MALFORMED);
}

static void malformed(void **state)
{
    apr_pool_t *p = *state;
    signer s = hs("HS256", secret);
    ac_jwt_keyset *ks = jwks(p, oct_jwk(p, secret, "h", ""));
    const char *good = tok(p, &s, NULL, "{}");
    const char *h = b64s(p, "{\"alg\":\"HS256\"}");
    char *big = apr_palloc(p, 20000);
    static const char *const bad_claims[] = {
        "[1]", "\"str\"", "{\"exp\":\"1700000100\"}", "{\"nbf\":true}",
        "{\"iat\":null}", "{\"iss\":1}", "{\"sub\":{}}", "{\"aud\":{}}",
        "{\"scope\":[\"a\"]}", "{\"scp\":[\"a\",1]}", "{\"a\":1,\"a\":2}",
        "not json", "",
    };
    size_t i;

    assert_int_equal(run(p, ks, NULL, good, NULL), AC_JWT_OK);
    assert_int_equal(run(p, ks, NULL, "", NULL), AC_JWT_MALFORMED);
    assert_int_equal(run(p, ks, NULL, "a.b", NULL), AC_JWT_MALFORMED);
    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p, good, ".", NULL),
                         NULL), AC_JWT_MALFORMED);
    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p, good, ".x", NULL),
                         NULL), AC_JWT_MALFORMED);
    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p, good, "=", NULL),
                         NULL), AC_JWT_MALFORMED);
    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p, "*", good, NULL),
                         NULL), AC_JWT_MALFORMED);
    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p, h, "=.e30.AAAA", NULL),
                         NULL), AC_JWT_MALFORMED);
    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p, h, ".e30=.AAAA", NULL),
                         NULL), AC_JWT_MALFORMED);
    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p, h, ".e+0.AAAA", NULL),
                         NULL), AC_JWT_MALFORMED);
    /* headers */
    assert_int_equal(run(p, ks, NULL, jws(p, &s, "[\"HS256\"]", "{}"), NULL),
                     AC_JWT_MALFORMED);
    assert_int_equal(run(p, ks, NULL, jws(p, &s, "{}", "{}"), NULL),
                     AC_JWT_MALFORMED);
    assert_int_equal(run(p, ks, NULL, jws(p, &s, "{\"alg\":\"HS256\","
                         "\"kid\":7}", "{}"), NULL), AC_JWT_MALFORMED);
    assert_int_equal(run(p, ks, NULL, jws(p, &s, "{\"alg\":\"HS256\","
                         "\"crit\":[\"b64\"],\"b64\":false}", "{}"), NULL),
                     AC_JWT_MALFORMED);
    assert_int_equal(run(p, ks, NULL, jws(p, &s, "{\"alg\":\"none\","
                         "\"alg\":\"HS256\"}", "{}"), NULL),
                     AC_JWT_MALFORMED);
    /* claims, correctly signed */
    for (i = 0; i < sizeof(bad_claims) / sizeof(bad_claims[0]); i++) {
        assert_int_equal(run(p, ks, NULL, tok(p, &s, NULL, bad_claims[i]),
                             NULL), AC_JWT_MALFORMED);
    }
    /* a signed payload that is not base64url */
    {
        const char *input = apr_pstrcat(p, h, ".e30*", NULL);
        assert_int_equal(run(p, ks, NULL, apr_pstrcat(p, input, ".",
                             sign_input(p, &s, input), NULL), NULL),
                         AC_JWT_MALFORMED);
    }
    /* over 16 KiB */
    memset(big, 'A', 19999);
    big[19999] = '\0';
    memcpy(big, good, strlen(good));
    assert_int_equal(run(p, ks, NULL, big, NULL), AC_JWT_MALFORMED);
    assert_int_equal(run(p, ks, NULL, NULL, NULL), AC_JWT_MALFORMED);
}

static void es_signature_size(void **state)
{
    apr_pool_t *p = *state;
    signer s = pk("ES256", k_p256);
    ac_jwt_keyset *ks = jwks(p, jwk(p, k_p256, NULL, ""));
    const char *t = tok(p, &s, NULL, "{}");
    const char *dot = strrchr(t, '.');
    unsigned char *sig, pad[65];
    apr_size_t len;

    assert_int_equal(run(p, ks, NULL, t, NULL), AC_JWT_OK);
    assert_true(ac_base64url_decode(p, dot + 1, strlen(dot + 1), &sig,
                                    &len));
    assert_int_equal(len, 64);
    memcpy(pad, sig, 64);
    pad[64] = 0;
    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p,
                         apr_pstrndup(p, t, dot - t + 1),
                         b64u(p, pad, 65), NULL), NULL),
                     AC_JWT_BAD_SIGNATURE);
    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p,
                         apr_pstrndup(p, t, dot - t + 1),
                         b64u(p, sig, 63), NULL), NULL),
                     AC_JWT_BAD_SIGNATURE);
    memset(pad, 0, 64);                             /* r = s = 0 */
    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p,
                         apr_pstrndup(p, t, dot - t + 1),
                         b64u(p, pad, 64), NULL), NULL),
                     AC_JWT_BAD_SIGNATURE);
}

static void scopes(void **state)
{
    apr_pool_t *p = *state;
    signer s = hs("HS256", secret);
    ac_jwt_keyset *ks = jwks(p, oct_jwk(p, secret, "h", ""));
    ac_jwt out;

    assert_int_equal(run(p, ks, NULL, tok(p, &s, NULL,
                         "{\"scope\":\" read  write admin \"}"), &out),
                     AC_JWT_OK);
    assert_int_equal(out.scopes->nelts, 3);
    assert_string_equal(APR_ARRAY_IDX(out.scopes, 0, char *), "read");
    assert_string_equal(APR_ARRAY_IDX(out.scopes, 1, char *), "write");
    assert_string_equal(APR_ARRAY_IDX(out.scopes, 2, char *), "admin");
    assert_int_equal(run(p, ks, NULL, tok(p, &s, NULL,
                         "{\"scp\":[\"a\",\"b\"]}"), &out), AC_JWT_OK);
    assert_int_equal(out.scopes->nelts, 2);
    assert_string_equal(APR_ARRAY_IDX(out.scopes, 1, char *), "b");
    assert_int_equal(run(p, ks, NULL, tok(p, &s, NULL, "{\"scp\":\"c d\"}"),
                         &out), AC_JWT_OK);
    assert_int_equal(out.scopes->nelts, 2);
    assert_int_equal(run(p, ks, NULL, tok(p, &s, NULL, "{}"), &out),
                     AC_JWT_OK);
    assert_int_equal(out.scopes->nelts, 0);
}

static void claims_flattened(void **state)
{
    apr_pool_t *p = *state;
    signer s = hs("HS256", secret);
    ac_jwt_keyset *ks = jwks(p, oct_jwk(p, secret, "h", ""));
    ac_jwt out;

    assert_int_equal(run(p, ks, NULL, tok(p, &s, NULL,
        "{\"sub\":\"alice\",\"n\":42,\"r\":1.5,\"t\":true,\"f\":false,"
        "\"z\":null,\"groups\":[\"dev\",\"ops\"],\"mixed\":[1,\"a\"],"
        "\"obj\":{\"a\":1,\"b\":[true]},\"u\":\"caf\\u00e9\","
        "\"neg\":-7}"), &out), AC_JWT_OK);
    assert_string_equal(apr_table_get(out.claims, "sub"), "alice");
    assert_string_equal(apr_table_get(out.claims, "n"), "42");
    assert_string_equal(apr_table_get(out.claims, "neg"), "-7");
    assert_string_equal(apr_table_get(out.claims, "r"), "1.5");
    assert_string_equal(apr_table_get(out.claims, "t"), "true");
    assert_string_equal(apr_table_get(out.claims, "f"), "false");
    assert_null(apr_table_get(out.claims, "z"));
    assert_string_equal(apr_table_get(out.claims, "groups"), "dev ops");
    assert_string_equal(apr_table_get(out.claims, "mixed"), "[1,\"a\"]");
    assert_string_equal(apr_table_get(out.claims, "obj"),
                        "{\"a\":1,\"b\":[true]}");
    assert_string_equal(apr_table_get(out.claims, "u"), "caf\xc3\xa9");
    assert_non_null(out.json);
}

static void claim_matches(void **state)
{
    apr_pool_t *p = *state;
    signer s = hs("HS256", secret);
    ac_jwt_keyset *ks = jwks(p, oct_jwk(p, secret, "h", ""));
    ac_jwt out;

    assert_int_equal(run(p, ks, NULL, tok(p, &s, NULL,
        "{\"sub\":\"alice\",\"groups\":[\"dev\",\"ops\",7],\"lvl\":3,"
        "\"ok\":true,\"obj\":{\"dev\":1}}"), &out), AC_JWT_OK);
    assert_true(ac_jwt_claim_matches(&out, "sub", "alice"));
    assert_false(ac_jwt_claim_matches(&out, "sub", "Alice"));
    assert_false(ac_jwt_claim_matches(&out, "sub", "alic"));
    assert_false(ac_jwt_claim_matches(&out, "SUB", "alice"));
    assert_true(ac_jwt_claim_matches(&out, "groups", "ops"));
    assert_true(ac_jwt_claim_matches(&out, "groups", "7"));
    assert_false(ac_jwt_claim_matches(&out, "groups", "dev ops"));
    assert_false(ac_jwt_claim_matches(&out, "groups", "qa"));
    assert_true(ac_jwt_claim_matches(&out, "lvl", "3"));
    assert_true(ac_jwt_claim_matches(&out, "ok", "true"));
    assert_false(ac_jwt_claim_matches(&out, "obj", "dev"));
    assert_false(ac_jwt_claim_matches(&out, "missing", ""));
    memset(&out, 0, sizeof(out));
    assert_false(ac_jwt_claim_matches(&out, "sub", "alice"));
}

static void hmac_key_file(void **state)
{
    apr_pool_t *p = *state;
    const char *crlf = apr_pstrcat(p, secret, "\r\n", NULL);
    const char *lf2 = apr_pstrcat(p, secret, "\n\n", NULL);
    signer s = hs("HS512", secret), with_crlf = hs("HS512", crlf),
           with_lf = hs("HS512", apr_pstrcat(p, secret, "\n", NULL));
    ac_jwt_keyset *ks = keyfile(p, "HS512", write_file(p, "crlf", crlf,
                                                       strlen(crlf)));

    assert_int_equal(run(p, ks, NULL, tok(p, &s, NULL, "{}"), NULL),
                     AC_JWT_OK);
    assert_int_equal(run(p, ks, NULL, tok(p, &with_crlf, NULL, "{}"), NULL),
                     AC_JWT_BAD_SIGNATURE);
    /* only one LF goes */
    ks = keyfile(p, "HS512", write_file(p, "lf2", lf2, strlen(lf2)));
    assert_int_equal(run(p, ks, NULL, tok(p, &with_lf, NULL, "{}"), NULL),
                     AC_JWT_OK);
    /* exactly the configured alg */
    s = hs("HS256", secret);
    assert_int_equal(run(p, ks, NULL, tok(p, &s, NULL, "{}"), NULL),
                     AC_JWT_ALG_REFUSED);
    /* 32 bytes are too short for HS512, enough for HS256 */
    assert_non_null(ac_jwt_keyset_add_key_file(ac_jwt_keyset_make(p),
                    "HS512", write_file(p, "s32", secret, 32)));
    assert_null(ac_jwt_keyset_add_key_file(ac_jwt_keyset_make(p),
                "HS256", write_file(p, "s32", secret, 32)));
    assert_non_null(ac_jwt_keyset_add_key_file(ac_jwt_keyset_make(p),
                    "HS256", write_file(p, "s31", secret, 31)));
}

/* PS*: the salt is the hash length, nothing else (RFC 7518 3.5). */
static void pss_salt_length(void **state)
{
    apr_pool_t *p = *state;
    signer s = pk("PS256", k_rsa);
    ac_jwt_keyset *ks = jwks(p, jwk(p, k_rsa, NULL, ""));
    const char *input;

    assert_int_equal(run(p, ks, NULL, tok(p, &s, NULL, "{}"), NULL),
                     AC_JWT_OK);
    s.pss_salt = 20;
    assert_int_equal(run(p, ks, NULL, tok(p, &s, NULL, "{}"), NULL),
                     AC_JWT_BAD_SIGNATURE);
    s.pss_salt = RSA_PSS_SALTLEN_MAX;
    assert_int_equal(run(p, ks, NULL, tok(p, &s, NULL, "{}"), NULL),
                     AC_JWT_BAD_SIGNATURE);
    /* a PKCS#1 v1.5 signature over the very same input is no PSS one */
    s = pk("RS256", k_rsa);
    input = apr_pstrcat(p, b64s(p, "{\"alg\":\"PS256\"}"), ".e30", NULL);
    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p, input, ".",
                         sign_input(p, &s, input), NULL), NULL),
                     AC_JWT_BAD_SIGNATURE);
    s = pk("PS256", k_rsa);
    assert_int_equal(run(p, ks, NULL, apr_pstrcat(p, input, ".",
                         sign_input(p, &s, input), NULL), NULL), AC_JWT_OK);
}

/* One keyset read by several threads at once. */
typedef struct {
    const ac_jwt_keyset *ks;
    const char **tokens;
    apr_pool_t *pool;
    int ok;
} worker;

static void *APR_THREAD_FUNC verify_many(apr_thread_t *t, void *data)
{
    worker *w = data;
    int i;

    for (i = 0; i < 100; i++) {
        ac_jwt out;
        const char *reason;

        w->ok += ac_jwt_verify(w->ks, &nochk, w->tokens[i % 4], NOW, &out,
                               &reason, w->pool) == AC_JWT_OK;
    }
    return NULL;    /* not apr_thread_exit: pthread_exit upsets ASan */
}

static void concurrent(void **state)
{
    apr_pool_t *p = *state;
    signer rs = pk("PS256", k_rsa), es = pk("ES384", k_p384),
           ed = pk("EdDSA", k_ed), h = hs("HS512", secret);
    ac_jwt_keyset *ks = jwks(p, apr_pstrcat(p, jwk(p, k_rsa, "r", ""), ",",
                             jwk(p, k_p384, "e", ""), ",",
                             jwk(p, k_ed, "d", ""), ",",
                             oct_jwk(p, secret, "h", ""), NULL));
    const char *tokens[4];
    apr_thread_t *th[4];
    worker w[4];
    apr_status_t rv;
    int i;

    tokens[0] = tok(p, &rs, "r", "{}");
    tokens[1] = tok(p, &es, NULL, "{}");
    tokens[2] = tok(p, &ed, "d", "{}");
    tokens[3] = tok(p, &h, NULL, "{}");
    for (i = 0; i < 4; i++) {
        w[i].ks = ks;
        w[i].tokens = tokens;
        w[i].ok = 0;
        apr_pool_create_unmanaged_ex(&w[i].pool, NULL, NULL);
        assert_int_equal(apr_thread_create(&th[i], NULL, verify_many, &w[i],
                                           p), APR_SUCCESS);
    }
    for (i = 0; i < 4; i++) {
        apr_thread_join(&rv, th[i]);
        apr_pool_destroy(w[i].pool);
        assert_int_equal(w[i].ok, 100);
    }
}

static void strerror_texts(void **state)
{
    int st;

    for (st = AC_JWT_OK; st <= AC_JWT_BAD_AUDIENCE; st++) {
        const char *s = ac_jwt_strerror((ac_jwt_status)st);
        assert_non_null(s);
        assert_true(strlen(s) > 0 && strlen(s) < 40);
        assert_null(strchr(s, '"'));
        assert_null(strchr(s, '\\'));
    }
    assert_string_equal(ac_jwt_strerror(AC_JWT_EXPIRED), "token expired");
}

/* ---------------------------------------------------------------- main */

static int keys_setup(void **state)
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

static int keys_teardown(void **state)
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(every_alg_pem),
        AC_TEST(every_alg_jwks),
        AC_TEST(every_hs_alg),
        AC_TEST(rfc7515_a1),
        AC_TEST(wrong_key),
        AC_TEST(tampered),
        AC_TEST(alg_none_and_unknown),
        AC_TEST(hs_confusion),
        AC_TEST(kid_selection),
        AC_TEST(jwk_alg_member),
        AC_TEST(jwk_use),
        AC_TEST(keyset_errors),
        AC_TEST(expiry),
        AC_TEST(nbf_iat_require_exp),
        AC_TEST(issuer_audience),
        AC_TEST(malformed),
        AC_TEST(es_signature_size),
        AC_TEST(scopes),
        AC_TEST(claims_flattened),
        AC_TEST(claim_matches),
        AC_TEST(hmac_key_file),
        AC_TEST(pss_salt_length),
        AC_TEST(concurrent),
        AC_TEST(strerror_texts),
    };

    return cmocka_run_group_tests(tests, keys_setup, keys_teardown);
}
