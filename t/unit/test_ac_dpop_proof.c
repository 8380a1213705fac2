/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* DPoP proof checks (RFC 9449 §4.3) and the URI normalisation of htu
 * (RFC 3986 §6). */
#include "jwt_sign.h"
#include "ac_dpop_proof.h"
#include "ac_uri.h"

#include <jansson.h>

#define URL "https://rs.example/api/items"
#define TOKEN "eyJhbGciOiJFUzI1NiJ9.e30.sig-of-the-access-token"

static const char *sha256_b64(apr_pool_t *p, const char *s)
{
    unsigned char md[32];
    unsigned int n;

    EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
    return b64u(p, md, n);
}

/* A proof signed by s for key (its public JWK in the header), with these
 * claims; header_extra adds header members. */
static const char *proof_h(apr_pool_t *p, const signer *s, EVP_PKEY *key,
                           const char *typ, const char *header_extra,
                           const char *claims)
{
    const char *h = apr_psprintf(p, "{\"typ\":\"%s\",\"alg\":\"%s\","
                                 "\"jwk\":%s%s}", typ, s->alg,
                                 jwk(p, key, NULL, ""), header_extra);
    return jws(p, s, h, claims);
}

static const char *claims_at(apr_pool_t *p, const char *htm, const char *htu,
                             long iat, const char *extra)
{
    return apr_psprintf(p, "{\"jti\":\"j-1\",\"htm\":\"%s\",\"htu\":\"%s\","
                        "\"iat\":%ld,\"ath\":\"%s\"%s}", htm, htu,
                        1700000000L + iat, sha256_b64(p, TOKEN), extra);
}

static ac_dpop_status check(apr_pool_t *p, const char *proof,
                            ac_dpop_proof *out)
{
    ac_dpop_expect x = { "GET", URL, TOKEN, NOW, SEC(60) };
    ac_dpop_proof scratch;
    const char *reason = NULL;
    ac_dpop_status st = ac_dpop_proof_check(proof, &x, out ? out : &scratch,
                                            &reason, p);

    if (st != AC_DPOP_OK) {
        assert_non_null(reason);
        /* the reason never quotes the proof */
        assert_null(strstr(proof, reason));
    }
    return st;
}

static void test_valid_es256(void **state)
{
    apr_pool_t *p = *state;
    signer s = pk("ES256", k_p256);
    ac_dpop_proof out;
    const char *pr = proof_h(p, &s, k_p256, "dpop+jwt", "",
                             claims_at(p, "GET", URL, -5, ""));

    assert_int_equal(check(p, pr, &out), AC_DPOP_OK);
    assert_string_equal(out.alg, "ES256");
    assert_string_equal(out.jti, "j-1");
    assert_null(out.nonce);
    assert_true(out.iat == SEC(1700000000 - 5));
    {
        /* RFC 7638 §3: the required members in order, no white space */
        const char *j = jwk(p, k_p256, NULL, "");
        json_t *o = json_loads(j, 0, NULL);
        const char *canon = apr_psprintf(p,
            "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
            json_string_value(json_object_get(o, "x")),
            json_string_value(json_object_get(o, "y")));

        assert_string_equal(out.jkt, sha256_b64(p, canon));
        json_decref(o);
    }
}

static void test_every_alg(void **state)
{
    apr_pool_t *p = *state;
    struct { const char *alg; EVP_PKEY *k; } v[] = {
        { "ES256", k_p256 }, { "ES384", k_p384 }, { "ES512", k_p521 },
        { "RS256", k_rsa }, { "PS256", k_rsa }, { "PS512", k_rsa },
        { "EdDSA", k_ed },
    };
    size_t i;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        signer s = pk(v[i].alg, v[i].k);
        ac_dpop_proof out;

        assert_int_equal(check(p, proof_h(p, &s, v[i].k, "dpop+jwt", "",
                                          claims_at(p, "GET", URL, 0, "")),
                               &out), AC_DPOP_OK);
        assert_non_null(out.jkt);
    }
}

/* Keys of proofs are kept per thread (ac_jwk.c): the same JWK again
 * verifies from the kept key; a JWK that differs in any member is built
 * anew (and refused when that member says so); a kept key verifies no
 * proof that names another. */
static void test_kept_keys(void **state)
{
    apr_pool_t *p = *state;
    signer s = pk("ES256", k_p256);
    const char *claims = claims_at(p, "GET", URL, 0, "");
    const char *enc = apr_psprintf(p, "{\"typ\":\"dpop+jwt\",\"alg\":"
                                   "\"ES256\",\"jwk\":%s}",
                                   jwk(p, k_p256, NULL, ",\"use\":\"enc\""));
    const char *other = apr_psprintf(p, "{\"typ\":\"dpop+jwt\",\"alg\":"
                                     "\"ES256\",\"jwk\":%s}",
                                     jwk(p, k_p256b, NULL, ""));
    int i;

    for (i = 0; i < 3; i++) {
        assert_int_equal(check(p, proof_h(p, &s, k_p256, "dpop+jwt", "",
                                          claims), NULL), AC_DPOP_OK);
    }
    assert_int_equal(check(p, jws(p, &s, enc, claims), NULL),
                     AC_DPOP_BAD_KEY);
    assert_int_equal(check(p, jws(p, &s, other, claims), NULL),
                     AC_DPOP_BAD_SIGNATURE);
}

/* RFC 9449 §4.2 / §6.1: the example key and its thumbprint. */
static void test_rfc9449_jkt(void **state)
{
    apr_pool_t *p = *state;
    json_t *k = json_loads("{\"kty\":\"EC\",\"x\":\"l8tFrhx-34tV3hRICRDY9zCk"
                           "DlpBhF42UQUfWVAWBFs\",\"y\":\"9VE4jf_Ok_o64zbTTl"
                           "cuNJajHmt6v9TDVrU0CdvGRDA\",\"crv\":\"P-256\"}",
                           0, NULL);

    assert_string_equal(ac_dpop_jkt(k, p),
                        "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
    json_decref(k);
}

static void test_header_refusals(void **state)
{
    apr_pool_t *p = *state;
    signer es = pk("ES256", k_p256);
    signer hsig = hs("HS256", secret);
    const char *c = claims_at(p, "GET", URL, 0, "");

    assert_int_equal(check(p, proof_h(p, &es, k_p256, "JWT", "", c), NULL),
                     AC_DPOP_BAD_TYP);
    assert_int_equal(check(p, jws(p, &es, "{\"alg\":\"ES256\",\"jwk\":{}}",
                                  c), NULL), AC_DPOP_BAD_TYP);
    /* a symmetric alg, whatever key it names */
    assert_int_equal(check(p, jws(p, &hsig, apr_psprintf(p,
                     "{\"typ\":\"dpop+jwt\",\"alg\":\"HS256\",\"jwk\":%s}",
                     oct_jwk(p, secret, "k", "")), c), NULL),
                     AC_DPOP_BAD_ALG);
    assert_int_equal(check(p, apr_pstrcat(p, b64s(p, "{\"typ\":\"dpop+jwt\","
                     "\"alg\":\"none\"}"), ".", b64s(p, c), ".", NULL), NULL),
                     AC_DPOP_BAD_ALG);
    /* no jwk; a jwk with the private part; the key of another alg */
    assert_int_equal(check(p, jws(p, &es, "{\"typ\":\"dpop+jwt\","
                                  "\"alg\":\"ES256\"}", c), NULL),
                     AC_DPOP_BAD_KEY);
    assert_int_equal(check(p, jws(p, &es, apr_psprintf(p,
                     "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":%s}",
                     jwk(p, k_p256, NULL, ",\"d\":\"AAAA\"")), c), NULL),
                     AC_DPOP_BAD_KEY);
    {
        signer es384 = pk("ES384", k_p384);

        /* signed with P-384 but the header names P-256 */
        assert_int_equal(check(p, proof_h(p, &es384, k_p256, "dpop+jwt", "",
                                          c), NULL), AC_DPOP_BAD_KEY);
    }
    {
        signer weak = pk("RS256", k_rsa1024);

        assert_int_equal(check(p, proof_h(p, &weak, k_rsa1024, "dpop+jwt",
                                          "", c), NULL), AC_DPOP_BAD_KEY);
    }
    /* signed by another key than the one in the header */
    {
        signer other = pk("ES256", k_p256b);

        assert_int_equal(check(p, proof_h(p, &other, k_p256, "dpop+jwt", "",
                                          c), NULL), AC_DPOP_BAD_SIGNATURE);
    }
    /* crit is understood by nobody here */
    assert_int_equal(check(p, proof_h(p, &es, k_p256, "dpop+jwt",
                                      ",\"crit\":[\"x\"],\"x\":1", c), NULL),
                     AC_DPOP_MALFORMED);
    assert_int_equal(check(p, "not.a.jws", NULL), AC_DPOP_MALFORMED);
    assert_int_equal(check(p, "", NULL), AC_DPOP_MALFORMED);
}

static void test_claim_refusals(void **state)
{
    apr_pool_t *p = *state;
    signer s = pk("ES256", k_p256);
#define PR(c) proof_h(p, &s, k_p256, "dpop+jwt", "", (c))

    assert_int_equal(check(p, PR(claims_at(p, "POST", URL, 0, "")), NULL),
                     AC_DPOP_BAD_HTM);
    assert_int_equal(check(p, PR(claims_at(p, "get", URL, 0, "")), NULL),
                     AC_DPOP_BAD_HTM);
    assert_int_equal(check(p, PR(claims_at(p, "GET",
                     "https://rs.example/api/other", 0, "")), NULL),
                     AC_DPOP_BAD_HTU);
    assert_int_equal(check(p, PR(claims_at(p, "GET",
                     "http://rs.example/api/items", 0, "")), NULL),
                     AC_DPOP_BAD_HTU);
    assert_int_equal(check(p, PR(claims_at(p, "GET",
                     "https://rs.example:8443/api/items", 0, "")), NULL),
                     AC_DPOP_BAD_HTU);
    /* the same URI spelled otherwise, with a query and a fragment */
    assert_int_equal(check(p, PR(claims_at(p, "GET",
                     "HTTPS://RS.Example:443/api/./x/../%69tems?q=1#f", 0,
                     "")), NULL), AC_DPOP_OK);
    /* iat: the window is 60 s each way */
    assert_int_equal(check(p, PR(claims_at(p, "GET", URL, -61, "")), NULL),
                     AC_DPOP_BAD_IAT);
    assert_int_equal(check(p, PR(claims_at(p, "GET", URL, 61, "")), NULL),
                     AC_DPOP_BAD_IAT);
    assert_int_equal(check(p, PR(claims_at(p, "GET", URL, 60, "")), NULL),
                     AC_DPOP_OK);
    assert_int_equal(check(p, PR(claims_at(p, "GET", URL, -60, "")), NULL),
                     AC_DPOP_OK);
    /* a proof with exp long past */
    assert_int_equal(check(p, PR(claims_at(p, "GET", URL, 0,
                     ",\"exp\":1")), NULL), AC_DPOP_BAD_IAT);
    /* ath of another token, none */
    assert_int_equal(check(p, PR(apr_psprintf(p, "{\"jti\":\"j\","
                     "\"htm\":\"GET\",\"htu\":\"%s\",\"iat\":1700000000,"
                     "\"ath\":\"%s\"}", URL, sha256_b64(p, "other"))), NULL),
                     AC_DPOP_BAD_ATH);
    assert_int_equal(check(p, PR(apr_psprintf(p, "{\"jti\":\"j\","
                     "\"htm\":\"GET\",\"htu\":\"%s\",\"iat\":1700000000}",
                     URL)), NULL), AC_DPOP_BAD_ATH);
    /* claims missing or mistyped */
    assert_int_equal(check(p, PR(apr_psprintf(p, "{\"htm\":\"GET\","
                     "\"htu\":\"%s\",\"iat\":1700000000}", URL)), NULL),
                     AC_DPOP_MALFORMED);
    assert_int_equal(check(p, PR(apr_psprintf(p, "{\"jti\":\"\","
                     "\"htm\":\"GET\",\"htu\":\"%s\",\"iat\":1700000000}",
                     URL)), NULL), AC_DPOP_MALFORMED);
    assert_int_equal(check(p, PR(apr_psprintf(p, "{\"jti\":\"j\","
                     "\"htm\":\"GET\",\"htu\":\"%s\",\"iat\":\"1700000000\"}",
                     URL)), NULL), AC_DPOP_MALFORMED);
    assert_int_equal(check(p, PR(claims_at(p, "GET", URL, 0,
                     ",\"nonce\":5")), NULL), AC_DPOP_MALFORMED);
    {
        char jti[AC_DPOP_MAX_JTI + 2];

        memset(jti, 'j', sizeof(jti) - 1);
        jti[sizeof(jti) - 1] = '\0';
        assert_int_equal(check(p, PR(apr_psprintf(p, "{\"jti\":\"%s\","
                         "\"htm\":\"GET\",\"htu\":\"%s\",\"iat\":1700000000,"
                         "\"ath\":\"%s\"}", jti, URL, sha256_b64(p, TOKEN))),
                         NULL), AC_DPOP_MALFORMED);
    }
    {
        ac_dpop_proof out;

        assert_int_equal(check(p, PR(claims_at(p, "GET", URL, 0,
                         ",\"nonce\":\"n-1\"")), &out), AC_DPOP_OK);
        assert_string_equal(out.nonce, "n-1");
    }
#undef PR
}

static void test_uri_normal(void **state)
{
    apr_pool_t *p = *state;
    struct { const char *in, *out; } v[] = {
        { "https://a.example", "https://a.example/" },
        { "https://a.example?x", "https://a.example/" },
        { "HTTP://A.Example:80/", "http://a.example/" },
        { "http://a.example:/x", "http://a.example/x" },
        { "http://a.example:0080/x", "http://a.example/x" },
        { "https://a.example:80/x", "https://a.example:80/x" },
        { "http://a.example:443/x", "http://a.example:443/x" },
        { "http://a.example/%7euser/%2f/%41", "http://a.example/~user/%2F/A" },
        { "http://a.example/%7Efoo", "http://a.example/~foo" },
        { "http://a.example/a/b/c/./../../g", "http://a.example/a/g" },
        { "http://a.example/../../x", "http://a.example/x" },
        { "http://a.example/a/..", "http://a.example/" },
        { "http://a.example/a/.", "http://a.example/a/" },
        { "http://a.example/%2E%2E/x", "http://a.example/x" },
        { "http://a.example/a//b", "http://a.example/a//b" },
        { "http://[::1]:8080/x#f", "http://[::1]:8080/x" },
        { "http://[FE80::1]/", "http://[fe80::1]/" },
        { "http://a.example/p:@!$&'()*+,;=", "http://a.example/p:@!$&'()*+,;=" },
    };
    const char *bad[] = {
        "ftp://a.example/", "//a.example/", "/x", "http:/a", "http://",
        "http://:80/", "http://u@a.example/", "http://a.example:x/",
        "http://a.example:65536/", "http://a.example/%", "http://a.example/%4",
        "http://a.example/%zz", "http://a.example/ x", "http://a.example/\x01",
        "http://a.example/\xc3\xa9", "http://[::1/", "http://[]/",
        "http://[::1]x/", "http://a b/", NULL,
    };
    size_t i;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        const char *got = ac_uri_normal_http(p, v[i].in);

        if (!got || strcmp(got, v[i].out)) {
            fail_msg("%s: got %s, want %s", v[i].in, got ? got : "NULL",
                     v[i].out);
        }
    }
    for (i = 0; bad[i]; i++) {
        if (ac_uri_normal_http(p, bad[i])) {
            fail_msg("%s: accepted", bad[i]);
        }
    }
    assert_null(ac_uri_normal_http(p, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(test_valid_es256),
        AC_TEST(test_every_alg),
        AC_TEST(test_kept_keys),
        AC_TEST(test_rfc9449_jkt),
        AC_TEST(test_header_refusals),
        AC_TEST(test_claim_refusals),
        AC_TEST(test_uri_normal),
    };

    return cmocka_run_group_tests(tests, keys_setup, keys_teardown);
}
