/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_test.h"
#include "ac_identity.h"
#include "ac_util.h"

static ac_identity *sample(apr_pool_t *p)
{
    ac_identity *id = apr_pcalloc(p, sizeof(*id));

    id->scopes = apr_array_make(p, 2, sizeof(const char *));
    APR_ARRAY_PUSH(id->scopes, const char *) = "read";
    APR_ARRAY_PUSH(id->scopes, const char *) = "12:write";
    id->claims = apr_hash_make(p);
    apr_hash_set(id->claims, "sub", APR_HASH_KEY_STRING, "alice");
    apr_hash_set(id->claims, "note", APR_HASH_KEY_STRING, "");
    apr_hash_set(id->claims, "x:y", APR_HASH_KEY_STRING, "3:abc");
    id->claims_json = "{\"sub\":\"alice\"}";
    id->exp = apr_time_from_sec(1700000000);
    return id;
}

static void round_trip(void **state)
{
    apr_pool_t *p = *state;
    const char *text = ac_identity_encode("al:ice", sample(p), p), *user;
    ac_identity *id;

    /* the claims follow by name */
    assert_string_equal(text, "6:al:ice10:170000000015:{\"sub\":\"alice\"}"
                        "1:24:read8:12:write4:note0:3:sub5:alice3:x:y5:3:abc");
    assert_true(ac_identity_decode(text, &user, &id, p));
    assert_string_equal(user, "al:ice");
    assert_true(id->exp == apr_time_from_sec(1700000000));
    assert_string_equal(id->claims_json, "{\"sub\":\"alice\"}");
    assert_int_equal(id->scopes->nelts, 2);
    assert_string_equal(APR_ARRAY_IDX(id->scopes, 1, const char *),
                        "12:write");
    assert_string_equal(apr_hash_get(id->claims, "x:y", APR_HASH_KEY_STRING), "3:abc");
    assert_string_equal(apr_hash_get(id->claims, "note", APR_HASH_KEY_STRING), "");
    assert_int_equal(apr_hash_count(id->claims), 3);
}

/* Claim names are case-sensitive (RFC 7519 §4): "SUB" is another claim
 * than "sub", and both survive the cache. */
static void names_keep_case(void **state)
{
    apr_pool_t *p = *state;
    ac_identity *in = sample(p), *id;
    const char *user;

    apr_hash_set(in->claims, "SUB", APR_HASH_KEY_STRING, "root");
    assert_true(ac_identity_decode(ac_identity_encode("alice", in, p),
                                   &user, &id, p));
    assert_string_equal(apr_hash_get(id->claims, "sub", APR_HASH_KEY_STRING),
                        "alice");
    assert_string_equal(apr_hash_get(id->claims, "SUB", APR_HASH_KEY_STRING),
                        "root");
}

static void empty(void **state)
{
    apr_pool_t *p = *state;
    ac_identity none = { 0 }, *id;
    const char *user, *text = ac_identity_encode("bob", &none, p);

    assert_string_equal(text, "3:bob1:00:1:0");
    assert_true(ac_identity_decode(text, &user, &id, p));
    assert_string_equal(user, "bob");
    assert_null(id->claims_json);
    assert_int_equal(id->scopes->nelts, 0);
    assert_true(id->exp == 0);
}

static void garbage(void **state)
{
    apr_pool_t *p = *state;
    const char *bad[] = {
        "", "3:bo", "3:bob", "3:bob1:x0:1:0", "3:bob1:00:", "3:bob1:00:1:1",
        "3:bob1:00:1:0 ", "3:bob1:00:1:03:sub", "3:bob1:-0:1:0",
        "3:bob1:00:1:99999999999:x", "+3:bob1:00:1:0", " 3:bob1:00:1:0",
        "3:bob1:00:2:-1", "3:bob20:99999999999999999990:1:0",
        "{\"u\":\"bob\"}",
    };
    const char *user = "unset";
    ac_identity *id = NULL;
    apr_size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        assert_false(ac_identity_decode(bad[i], &user, &id, p));
    }
    assert_string_equal(user, "unset");
    assert_null(id);
}

/* What may be a user name or an exported claim (docs/security.md). */
static void clean_text(void **state)
{
    assert_true(ac_text_clean("alice"));
    assert_true(ac_text_clean("j\xc3\xb6rg"));
    assert_true(ac_text_clean("a b"));
    assert_false(ac_text_clean("alice\r\nX-Injected: yes"));
    assert_false(ac_text_clean("alice\x01"));
    assert_false(ac_text_clean("alice\x7f"));
    assert_false(ac_text_clean("alice\xc2\x85"));     /* U+0085 NEL */
    assert_false(ac_text_clean("j\xf6rg"));            /* Latin-1 */
    assert_false(ac_text_clean("\xc0\xaf"));          /* overlong */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(round_trip), AC_TEST(names_keep_case), AC_TEST(empty),
        AC_TEST(garbage), AC_TEST(clean_text),
    };
    return cmocka_run_group_tests_name("ac_identity", tests, NULL, NULL);
}
