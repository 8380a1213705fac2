/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * ac_jwt, algorithms and keys: every JWS algorithm from PEM files and
 * JWKS, signatures that must not verify, algorithm confusion, kid
 * selection and key-set loading.  Claims are in test_ac_jwt_claims.c.
 */
#include "ac_test.h"
#include "ac_identity.h"
#include <jansson.h>
#include "jwt_sign.h"

#include <apr_file_io.h>

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
        assert_string_equal(apr_hash_get(out.claims, "sub", APR_HASH_KEY_STRING), "alice");
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
    ac_jwt_checks chk = { "joe", NULL, 0, 1, 0 };
    const char *reason;
    ac_jwt out;

    assert_null(ac_jwt_keyset_add_jwks(ks, set, strlen(set)));
    assert_int_equal(ac_jwt_verify(ks, &chk, token, SEC(1300819379), &out,
                                   &reason, p), AC_JWT_OK);
    assert_string_equal(out.alg, "HS256");
    assert_true(out.exp == SEC(1300819380));
    assert_string_equal(apr_hash_get(out.claims, "iss", APR_HASH_KEY_STRING), "joe");
    assert_string_equal(apr_hash_get(out.claims, "http://example.com/is_root", APR_HASH_KEY_STRING), "true");
    /* the claims' JSON, as the identity keeps it (ac_identity.c) */
    {
        ac_identity id = { 0 };
        char *json = json_dumps(out.json, JSON_COMPACT);

        id.claims_json = json;
        assert_true(ac_identity_claim_matches(&id,
                        "http://example.com/is_root", "true", p));
        free(json);
    }
    assert_int_equal(ac_jwt_verify(ks, &chk, token, SEC(1300819380), &out,
                                   &reason, p), AC_JWT_EXPIRED);
    assert_int_equal(ac_jwt_verify(ks, &chk, token, NOW, &out, &reason, p),
                     AC_JWT_EXPIRED);
    assert_string_equal(apr_hash_get(out.claims, "iss", APR_HASH_KEY_STRING), "joe");
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

/* AuthChallengeBearerKey's bytes from memory: what the file reader
 * hands over, copied (the caller's buffer may go), never read past len. */
static void key_from_memory(void **state)
{
    apr_pool_t *p = *state;
    signer es = pk("ES256", k_p256), h = hs("HS256", secret);
    BIO *b = BIO_new(BIO_s_mem());
    char *pem, *buf;
    long n;
    ac_jwt_keyset *ks = ac_jwt_keyset_make(p);

    assert_int_equal(PEM_write_bio_PUBKEY(b, k_p256), 1);
    n = BIO_get_mem_data(b, &pem);
    buf = apr_pmemdup(p, pem, (apr_size_t)n);  /* no NUL after it */
    BIO_free(b);
    assert_null(ac_jwt_keyset_add_key(ks, "ES256", buf, (apr_size_t)n));
    memset(buf, 'x', (size_t)n);
    assert_int_equal(run(p, ks, NULL, tok(p, &es, NULL, "{}"), NULL),
                     AC_JWT_OK);

    buf = apr_pstrcat(p, secret, "\n", NULL);
    assert_null(ac_jwt_keyset_add_key(ks, "HS256", buf, strlen(buf)));
    memset(buf, 'x', strlen(buf));
    assert_int_equal(ac_jwt_keyset_count(ks), 2);
    assert_int_equal(run(p, ks, NULL, tok(p, &h, NULL, "{}"), NULL),
                     AC_JWT_OK);

    assert_non_null(ac_jwt_keyset_add_key(ks, "ES256", secret,
                                          strlen(secret)));
    assert_non_null(ac_jwt_keyset_add_key(ks, "HS256", "short", 5));
    assert_non_null(ac_jwt_keyset_add_key(ks, "none", secret,
                                          strlen(secret)));
    assert_non_null(ac_jwt_keyset_add_key(ks, "HS256",
                                          apr_pcalloc(p, 1024 * 1024 + 1),
                                          1024 * 1024 + 1));
    assert_int_equal(ac_jwt_keyset_count(ks), 2);
}

/* ---------------------------------------------------------------- main */

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
        AC_TEST(es_signature_size),
        AC_TEST(hmac_key_file),
        AC_TEST(pss_salt_length),
        AC_TEST(key_from_memory),
    };

    return cmocka_run_group_tests(tests, keys_setup, keys_teardown);
}
