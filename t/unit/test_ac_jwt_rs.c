/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * ac_jwt for keys of an authorization server: the RFC 9068 typ check,
 * the kid peek, fetched key sets (keys skipped, not refused; symmetric
 * keys never), sets merged, and claims read from an introspection
 * answer checked as a JWT's.
 */
#include "ac_test.h"
#include <jansson.h>
#include "jwt_sign.h"

static const char *typed(apr_pool_t *p, const signer *s, const char *typ)
{
    const char *h = typ ? apr_psprintf(p, "{\"alg\":\"%s\",\"kid\":\"k1\","
                                       "\"typ\":\"%s\"}", s->alg, typ)
                        : apr_psprintf(p, "{\"alg\":\"%s\",\"kid\":\"k1\"}",
                                       s->alg);

    return jws(p, s, h, "{\"sub\":\"alice\"}");
}

static void typ_rule(void **state)
{
    apr_pool_t *p = *state;
    signer s = pk("ES256", k_p256);
    ac_jwt_keyset *ks = jwks(p, jwk(p, k_p256, "k1", ""));
    ac_jwt_checks chk = nochk;
    static const char *const ok[] = { NULL, "JWT", "at+jwt", "AT+JWT",
                                      "application/at+jwt", "jwt" };
    static const char *const bad[] = { "dpop+jwt", "id_token+jwt",
                                       "application/jwt+x", "JOSE", "" };
    size_t i;

    chk.access_token_typ = 1;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(run(p, ks, &chk, typed(p, &s, ok[i]), NULL),
                         AC_JWT_OK);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(run(p, ks, &chk, typed(p, &s, bad[i]), NULL),
                         AC_JWT_BAD_TYPE);
        /* without the rule (keys of files) they pass as before */
        assert_int_equal(run(p, ks, &nochk, typed(p, &s, bad[i]), NULL),
                         AC_JWT_OK);
    }
    assert_int_equal(run(p, ks, &chk, jws(p, &s, "{\"alg\":\"ES256\","
                                          "\"typ\":7}", "{}"), NULL),
                     AC_JWT_BAD_TYPE);
}

static void peek(void **state)
{
    apr_pool_t *p = *state;
    signer s = pk("ES256", k_p256);
    const char *kid;

    assert_true(ac_jwt_peek(tok(p, &s, "k7", "{}"), &kid, p));
    assert_string_equal(kid, "k7");
    assert_true(ac_jwt_peek(tok(p, &s, NULL, "{}"), &kid, p));
    assert_null(kid);
    assert_false(ac_jwt_peek("abc", &kid, p));
    assert_false(ac_jwt_peek("a.b.c", &kid, p));
    assert_false(ac_jwt_peek(apr_pstrcat(p, b64s(p, "{\"kid\":\"x\"}"),
                                         ".e30.", NULL), &kid, p));
    assert_false(ac_jwt_peek(apr_pstrcat(p, b64s(p, "[1]"), ".e30.", NULL),
                             &kid, p));
}

static void fetched_sets(void **state)
{
    apr_pool_t *p = *state;
    ac_jwt_keyset *ks = ac_jwt_keyset_make(p), *both;
    const char *note, *set, *err;

    /* a short RSA key, a curve it lacks, a secret: skipped, not fatal */
    set = apr_psprintf(p, "{\"keys\":[%s,%s,%s,{\"kty\":\"EC\",\"crv\":"
                       "\"secp256k1\",\"x\":\"AA\",\"y\":\"AA\"},%s]}",
                       jwk(p, k_rsa1024, "short", ""),
                       oct_jwk(p, secret, "sym", ""),
                       jwk(p, k_p256, "k1", ""), jwk(p, k_ed, "ed", ""));
    assert_null(ac_jwt_keyset_add_fetched(ks, set, strlen(set), &note));
    assert_int_equal(ac_jwt_keyset_count(ks), 2);
    assert_non_null(note);
    assert_true(ac_jwt_keyset_has_kid(ks, "k1"));
    assert_true(ac_jwt_keyset_has_kid(ks, "ed"));
    assert_false(ac_jwt_keyset_has_kid(ks, "sym"));
    assert_false(ac_jwt_keyset_has_kid(ks, "short"));
    /* the same set from a file: refused whole */
    assert_non_null(jwks_err(p, apr_psprintf(p, "%s,%s",
                             jwk(p, k_rsa1024, "short", ""),
                             jwk(p, k_p256, "k1", ""))));
    /* nothing usable, a single JWK (not a set), not JSON */
    set = apr_psprintf(p, "{\"keys\":[%s]}", oct_jwk(p, secret, "s", ""));
    err = ac_jwt_keyset_add_fetched(ac_jwt_keyset_make(p), set, strlen(set),
                                    &note);
    assert_non_null(err);
    assert_null(strstr(err, b64s(p, secret)));
    set = jwk(p, k_p256, "k1", "");
    assert_non_null(ac_jwt_keyset_add_fetched(ac_jwt_keyset_make(p), set,
                                              strlen(set), NULL));
    assert_non_null(ac_jwt_keyset_add_fetched(ac_jwt_keyset_make(p), "{",
                                              1, NULL));
    /* merged with a file's keys: both verify, the fingerprint differs */
    both = ac_jwt_keyset_make(p);
    ac_jwt_keyset_add_keyset(both, ks);
    ac_jwt_keyset_add_keyset(both, jwks(p, jwk(p, k_p384, "f", "")));
    assert_int_equal(ac_jwt_keyset_count(both), 3);
    assert_string_not_equal(ac_jwt_keyset_fingerprint(both),
                            ac_jwt_keyset_fingerprint(ks));
    {
        signer s = pk("ES384", k_p384), e = pk("EdDSA", k_ed);

        assert_int_equal(run(p, both, NULL, tok(p, &s, "f", "{}"), NULL),
                         AC_JWT_OK);
        assert_int_equal(run(p, both, NULL, tok(p, &e, "ed", "{}"), NULL),
                         AC_JWT_OK);
    }
}

static void claims_read(void **state)
{
    apr_pool_t *p = *state;
    json_t *o = json_loads("{\"active\":true,\"sub\":\"bob\",\"exp\":"
                           "1700000100,\"aud\":\"api\",\"iss\":\"https://"
                           "as\",\"scope\":\"a b\"}", 0, NULL);
    const apr_array_header_t *auds;
    ac_jwt_checks chk = nochk;
    apr_array_header_t *a = apr_array_make(p, 1, sizeof(const char *));
    ac_jwt j;
    const char *why;

    assert_int_equal(ac_jwt_claims_read(o, &j, &why, p), AC_JWT_OK);
    json_decref(o);                 /* the pool holds its own reference */
    assert_string_equal(apr_hash_get(j.claims, "sub", APR_HASH_KEY_STRING),
                        "bob");
    assert_int_equal(j.scopes->nelts, 2);
    APR_ARRAY_PUSH(a, const char *) = "api";
    auds = a;
    chk.audiences = auds;
    chk.issuer = "https://as";
    assert_int_equal(ac_jwt_check_claims(&j, &chk, NOW, &why), AC_JWT_OK);
    assert_int_equal(ac_jwt_check_claims(&j, &chk, NOW + SEC(200), &why),
                     AC_JWT_EXPIRED);
    chk.issuer = "https://other";
    assert_int_equal(ac_jwt_check_claims(&j, &chk, NOW, &why),
                     AC_JWT_BAD_ISSUER);
    chk.issuer = NULL;
    APR_ARRAY_IDX(a, 0, const char *) = "other";
    assert_int_equal(ac_jwt_check_claims(&j, &chk, NOW, &why),
                     AC_JWT_BAD_AUDIENCE);
    o = json_loads("{\"sub\":[1]}", 0, NULL);
    assert_int_equal(ac_jwt_claims_read(o, &j, &why, p), AC_JWT_MALFORMED);
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(typ_rule),
        AC_TEST(peek),
        AC_TEST(fetched_sets),
        AC_TEST(claims_read),
    };

    return cmocka_run_group_tests(tests, keys_setup, keys_teardown);
}
