/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * ac_jwt, claims and outputs: time and issuer/audience checks, malformed
 * tokens, scopes and flattened claims, claim matching, one keyset shared
 * by threads, status texts.  Algorithms and keys are in test_ac_jwt.c.
 */
#include "ac_test.h"
#include "ac_identity.h"
#include <jansson.h>
#include "jwt_sign.h"

#include <apr_thread_proc.h>

/* ---------------------------------------------------------------- tests */

static void expiry(void **state)
{
    apr_pool_t *p = *state;
    signer s = hs("HS256", secret);
    ac_jwt_keyset *ks = jwks(p, oct_jwk(p, secret, "h", ""));
    ac_jwt_checks chk = { NULL, NULL, SEC(60), 1, 0 };
    ac_jwt out;

    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         claims_t(p, "exp", 1)), &out), AC_JWT_OK);
    assert_true(out.exp == NOW + SEC(1));
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         claims_t(p, "exp", -59)), NULL), AC_JWT_OK);
    assert_int_equal(run(p, ks, &chk, tok(p, &s, NULL,
                         claims_t(p, "exp", -60)), &out), AC_JWT_EXPIRED);
    assert_string_equal(apr_hash_get(out.claims, "sub", APR_HASH_KEY_STRING), "alice");
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
    ac_jwt_checks chk = { NULL, NULL, SEC(60), 0, 0 };

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
    ac_jwt_checks chk = { "https://idp", NULL, 0, 0, 0 };

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
    assert_string_equal(apr_hash_get(out.claims, "sub", APR_HASH_KEY_STRING), "alice");
    assert_string_equal(apr_hash_get(out.claims, "n", APR_HASH_KEY_STRING), "42");
    assert_string_equal(apr_hash_get(out.claims, "neg", APR_HASH_KEY_STRING), "-7");
    assert_string_equal(apr_hash_get(out.claims, "r", APR_HASH_KEY_STRING), "1.5");
    assert_string_equal(apr_hash_get(out.claims, "t", APR_HASH_KEY_STRING), "true");
    assert_string_equal(apr_hash_get(out.claims, "f", APR_HASH_KEY_STRING), "false");
    assert_null(apr_hash_get(out.claims, "z", APR_HASH_KEY_STRING));
    assert_string_equal(apr_hash_get(out.claims, "groups", APR_HASH_KEY_STRING), "dev ops");
    assert_string_equal(apr_hash_get(out.claims, "mixed", APR_HASH_KEY_STRING), "[1,\"a\"]");
    assert_string_equal(apr_hash_get(out.claims, "obj", APR_HASH_KEY_STRING),
                        "{\"a\":1,\"b\":[true]}");
    assert_string_equal(apr_hash_get(out.claims, "u", APR_HASH_KEY_STRING), "caf\xc3\xa9");
    assert_non_null(out.json);
}

static void claim_matches(void **state)
{
    apr_pool_t *p = *state;
    signer s = hs("HS256", secret);
    ac_jwt_keyset *ks = jwks(p, oct_jwk(p, secret, "h", ""));
    ac_identity id = { 0 };
    ac_jwt out;

    assert_int_equal(run(p, ks, NULL, tok(p, &s, NULL,
        "{\"sub\":\"alice\",\"groups\":[\"dev\",\"ops\",7],\"lvl\":3,"
        "\"ok\":true,\"obj\":{\"dev\":1}}"), &out), AC_JWT_OK);
    id.claims_json = json_dumps(out.json, JSON_COMPACT);
    assert_true(ac_identity_claim_matches(&id, "sub", "alice", p));
    assert_false(ac_identity_claim_matches(&id, "sub", "Alice", p));
    assert_false(ac_identity_claim_matches(&id, "sub", "alic", p));
    assert_false(ac_identity_claim_matches(&id, "SUB", "alice", p));
    assert_true(ac_identity_claim_matches(&id, "groups", "ops", p));
    assert_true(ac_identity_claim_matches(&id, "groups", "7", p));
    assert_false(ac_identity_claim_matches(&id, "groups", "dev ops", p));
    assert_false(ac_identity_claim_matches(&id, "groups", "qa", p));
    assert_true(ac_identity_claim_matches(&id, "lvl", "3", p));
    assert_true(ac_identity_claim_matches(&id, "ok", "true", p));
    assert_false(ac_identity_claim_matches(&id, "obj", "dev", p));
    assert_false(ac_identity_claim_matches(&id, "missing", "", p));
    free((char *)id.claims_json);
    memset(&id, 0, sizeof(id));
    assert_false(ac_identity_claim_matches(&id, "sub", "alice", p));
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(expiry),
        AC_TEST(nbf_iat_require_exp),
        AC_TEST(issuer_audience),
        AC_TEST(malformed),
        AC_TEST(scopes),
        AC_TEST(claims_flattened),
        AC_TEST(claim_matches),
        AC_TEST(concurrent),
        AC_TEST(strerror_texts),
    };

    return cmocka_run_group_tests(tests, keys_setup, keys_teardown);
}
