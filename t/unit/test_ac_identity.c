/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_test.h"
#include "ac_identity.h"

static ac_identity *sample(apr_pool_t *p)
{
    ac_identity *id = apr_pcalloc(p, sizeof(*id));

    id->scopes = apr_array_make(p, 2, sizeof(const char *));
    APR_ARRAY_PUSH(id->scopes, const char *) = "read";
    APR_ARRAY_PUSH(id->scopes, const char *) = "12:write";
    id->claims = apr_table_make(p, 2);
    apr_table_set(id->claims, "sub", "alice");
    apr_table_set(id->claims, "note", "");
    apr_table_set(id->claims, "x:y", "3:abc");
    id->claims_json = "{\"sub\":\"alice\"}";
    id->exp = apr_time_from_sec(1700000000);
    return id;
}

static void round_trip(void **state)
{
    apr_pool_t *p = *state;
    const char *text = ac_identity_encode("al:ice", sample(p), p), *user;
    ac_identity *id;

    assert_string_equal(text, "6:al:ice10:170000000015:{\"sub\":\"alice\"}"
                        "1:24:read8:12:write3:sub5:alice4:note0:3:x:y5:3:abc");
    assert_true(ac_identity_decode(text, &user, &id, p));
    assert_string_equal(user, "al:ice");
    assert_true(id->exp == apr_time_from_sec(1700000000));
    assert_string_equal(id->claims_json, "{\"sub\":\"alice\"}");
    assert_int_equal(id->scopes->nelts, 2);
    assert_string_equal(APR_ARRAY_IDX(id->scopes, 1, const char *),
                        "12:write");
    assert_string_equal(apr_table_get(id->claims, "x:y"), "3:abc");
    assert_string_equal(apr_table_get(id->claims, "note"), "");
    assert_int_equal(apr_table_elts(id->claims)->nelts, 3);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(round_trip), AC_TEST(empty), AC_TEST(garbage),
    };
    return cmocka_run_group_tests_name("ac_identity", tests, NULL, NULL);
}
