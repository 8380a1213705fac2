/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_test.h"
#include "ac_records.h"
#include "ac_backend_dbm.h"

/* Known values, computed with md5sum / sha256sum / openssl dgst
 * -sha512-256 over "Mufasa:http-auth@example.org:Circle of Life"
 * (HA1) and "Mufasa:http-auth@example.org" (userhash). */
#define REALM   "http-auth@example.org"
#define HA1_MD5 "3d78807defe7de2157e2b0b6573a855f"
#define HA1_256 "7987c64c30e25f1b74be53f966b49b90" \
                "f2808aa92faf9a00262392d7b4794232"
#define HA1_512 "fb174f5c3c7802721517cae13b98e2b8" \
                "dae2e0118cb705d94ee29946319204ce"
#define UH_MD5  "4238f3a16167373febb9bc4d43db9cc4"
#define UH_256  "a947aad205e80e429958a387394944c6" \
                "b496301e79f89d35a4cc23b6ee12b5b6"
#define UH_512  "e2dfabd1a96ddf867710b653b6e6857d" \
                "1f147086de7d7ef79dcd249859872570"

static const ac_record *rec(apr_array_header_t *a, int i)
{
    return &APR_ARRAY_IDX(a, i, ac_record);
}

static void check(const ac_record *r, const char *kind, const char *key,
                  const char *value)
{
    assert_string_equal(r->kind, kind);
    if (key) {
        assert_string_equal(r->key, key);
    }
    else {
        assert_null(r->key);
    }
    assert_string_equal(r->value, value);
}

static void full_user(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *out = apr_array_make(p, 8, sizeof(ac_record));
    ac_user_input in = { 0 };

    in.user = "Mufasa";
    in.pw_hash = "$2y$10$hash";
    in.user_tail = ":admin,staff";
    in.realm = REALM;
    in.password = "Circle of Life";
    in.algs = ac_records_default_algs(p);
    assert_null(ac_records_for_user(p, &in, out));
    assert_int_equal(out->nelts, 7);
    check(rec(out, 0), "basic", "Mufasa", "$2y$10$hash:admin,staff");
    check(rec(out, 1), "ha1", "Mufasa:" REALM, HA1_MD5);
    check(rec(out, 2), "ha1", "Mufasa:" REALM ":SHA-256", HA1_256);
    check(rec(out, 3), "ha1", "Mufasa:" REALM ":SHA-512-256", HA1_512);
    check(rec(out, 4), "userhash", "userhash:MD5:" REALM ":" UH_MD5,
          "Mufasa");
    check(rec(out, 5), "userhash", "userhash:SHA-256:" REALM ":" UH_256,
          "Mufasa");
    check(rec(out, 6), "userhash",
          "userhash:SHA-512-256:" REALM ":" UH_512, "Mufasa");
}

static void basic_only_and_limited_algs(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *out = apr_array_make(p, 8, sizeof(ac_record));
    ac_user_input in = { 0 };
    const char *err = NULL;

    in.user = "alice";
    in.pw_hash = "H";
    assert_null(ac_records_for_user(p, &in, out));
    assert_int_equal(out->nelts, 1);
    check(rec(out, 0), "basic", "alice", "H");

    out = apr_array_make(p, 8, sizeof(ac_record));
    in.user = "Mufasa";
    in.realm = REALM;
    in.password = "Circle of Life";
    in.algs = ac_records_parse_algs(p, "sha-256", &err);
    assert_non_null(in.algs);
    assert_null(ac_records_for_user(p, &in, out));
    assert_int_equal(out->nelts, 3);
    check(rec(out, 1), "ha1", "Mufasa:" REALM ":SHA-256", HA1_256);
    check(rec(out, 2), "userhash", "userhash:SHA-256:" REALM ":" UH_256,
          "Mufasa");
}

static void token_record(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *out = apr_array_make(p, 1, sizeof(ac_record));
    ac_user_input in = { 0 };
    ac_token t;

    in.user = "bob";
    in.token = "abc";
    in.token_exp = 1700000000;
    in.token_scopes = "read write";
    assert_null(ac_records_for_user(p, &in, out));
    assert_int_equal(out->nelts, 1);
    /* sha256("abc") */
    check(rec(out, 0), "token",
          "bearer:ba7816bf8f01cfea414140de5dae2223"
          "b00361a396177a9cb410ff61f20015ad",
          "bob|1700000000|read write");
    assert_true(ac_dbm_parse_token(p, rec(out, 0)->value, &t));
    assert_string_equal(t.user, "bob");
    assert_int_equal(t.scopes->nelts, 2);

    out = apr_array_make(p, 1, sizeof(ac_record));
    in.token_exp = 0;
    in.token_scopes = "";
    assert_null(ac_records_for_user(p, &in, out));
    assert_string_equal(rec(out, 0)->value, "bob|0|");
    assert_true(ac_dbm_parse_token(p, rec(out, 0)->value, &t));

    /* '|' separates the fields: a record that would not read back as
     * written (user "a", exp "b") is refused, not written */
    out = apr_array_make(p, 1, sizeof(ac_record));
    in.user = "a|b";
    assert_non_null(strstr(ac_records_for_user(p, &in, out), "'|'"));
    assert_int_equal(out->nelts, 0);
    in.user = "bob";
    in.token_scopes = "read a|b";
    assert_non_null(ac_records_for_user(p, &in, out));
    in.token_scopes = "read";
    in.token_exp = -1;
    assert_non_null(ac_records_for_user(p, &in, out));
    assert_int_equal(out->nelts, 0);
}

/* An expiry in seconds that apr_time_t (microseconds) cannot hold is a
 * malformed record, not an overflow. */
static void token_expiry_range(void **state)
{
    apr_pool_t *p = *state;
    ac_token t;

    assert_true(ac_dbm_parse_token(p, "bob|9223372036854|", &t));
    assert_int_equal(apr_time_sec(t.exp), 9223372036854LL);
    assert_false(ac_dbm_parse_token(p, "bob|9223372036855|", &t));
    assert_false(ac_dbm_parse_token(p, "bob|9223372036854775807|", &t));
    assert_false(ac_dbm_parse_token(p, "bob|99999999999999999999|", &t));
    assert_false(ac_dbm_parse_token(p, "bob|-1|", &t));
}

static void ldap_values(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *out = apr_array_make(p, 8, sizeof(ac_record));

    assert_null(ac_records_ldap_values(p, "Mufasa", REALM, "Circle of Life",
                                       ac_records_default_algs(p), out));
    assert_int_equal(out->nelts, 6);
    check(rec(out, 0), "digest", NULL, REALM ":MD5:" HA1_MD5);
    check(rec(out, 2), "digest", NULL, REALM ":SHA-512-256:" HA1_512);
    check(rec(out, 3), "userhash", NULL, REALM ":MD5:" UH_MD5);
    check(rec(out, 4), "userhash", NULL, REALM ":SHA-256:" UH_256);
}

static void owners(void **state)
{
    apr_pool_t *p = *state;

#define OWNER(k, v, u) ac_records_owner_kind(p, k, v, u)
    assert_string_equal(OWNER("alice", "h", "alice"), "basic");
    assert_string_equal(OWNER("alice:R", "x", "alice"), "ha1");
    assert_string_equal(OWNER("alice:R:SHA-256", "x", "alice"), "ha1");
    assert_string_equal(OWNER("userhash:MD5:R:00", "alice", "alice"),
                        "userhash");
    assert_string_equal(OWNER("bearer:00", "alice|0|", "alice"), "token");
    assert_null(OWNER("alice2", "h", "alice"));
    assert_null(OWNER("alicex:R", "x", "alice"));
    assert_null(OWNER("ali", "h", "alice"));
    assert_null(OWNER("userhash:MD5:R:00", "bob", "alice"));
    assert_null(OWNER("bearer:00", "bob|0|", "alice"));
    assert_null(OWNER("bearer:00", "alice2|0|", "alice"));
    assert_null(OWNER("bearer:00", "garbage", "alice"));
    /* A user called "userhash" or "bearer" claims no index by prefix. */
    assert_null(OWNER("userhash:MD5:R:00", "alice", "userhash"));
    assert_null(OWNER("bearer:00", "alice|0|", "bearer"));
    assert_string_equal(OWNER("bearer", "h", "bearer"), "basic");
#undef OWNER
}

static void realms(void **state)
{
    apr_pool_t *p = *state;

    assert_true(ac_records_in_realm(p, "Mufasa:" REALM, "x", "Mufasa",
                                    REALM));
    assert_true(ac_records_in_realm(p, "Mufasa:" REALM ":SHA-512-256", "x",
                                    "Mufasa", REALM));
    assert_true(ac_records_in_realm(p, "userhash:SHA-256:" REALM ":"
                                    UH_256, "Mufasa", "Mufasa", REALM));
    assert_false(ac_records_in_realm(p, "userhash:SHA-256:" REALM ":"
                                     UH_256, "bob", "Mufasa", REALM));
    assert_false(ac_records_in_realm(p, "Mufasa:other", "x", "Mufasa",
                                     REALM));
    assert_false(ac_records_in_realm(p, "Mufasa", "x", "Mufasa", REALM));
    assert_string_equal(ac_records_ha1_realm(p, "u:R:SHA-256", "u"), "R");
    assert_string_equal(ac_records_ha1_realm(p, "u:R", "u"), "R");
    assert_string_equal(ac_records_ha1_realm(p, "u:a:b", "u"), "a:b");
    assert_null(ac_records_ha1_realm(p, "u", "u"));
    assert_null(ac_records_ha1_realm(p, "u:", "u"));
    assert_null(ac_records_ha1_realm(p, "uu:R", "u"));
}

static void names(void **state)
{
    assert_true(ac_records_is_user_key("alice"));
    assert_false(ac_records_is_user_key("alice:R"));
    assert_false(ac_records_is_user_key("bearer:00"));
    assert_false(ac_records_is_user_key(""));
    assert_true(ac_records_user_reserved("bearer"));
    assert_true(ac_records_user_reserved("userhash"));
    assert_false(ac_records_user_reserved("Bearer2"));
    assert_null(ac_records_check_user("J\xc3\xbcrgen"));
    assert_non_null(ac_records_check_user(""));
    assert_non_null(ac_records_check_user("a:b"));
    assert_non_null(ac_records_check_user("a\tb"));
    assert_non_null(ac_records_check_user("a\x7f"));
    assert_non_null(ac_records_check_user("\xff"));
    assert_non_null(ac_records_check_user("\xc0\xaf"));
}

static void algorithm_lists(void **state)
{
    apr_pool_t *p = *state;
    const ac_hash_alg *const *a;
    const char *err = NULL;

    a = ac_records_parse_algs(p, "MD5,SHA-512-256,md5", &err);
    assert_non_null(a);
    assert_string_equal(a[0]->name, "MD5");
    assert_string_equal(a[1]->name, "SHA-512-256");
    assert_null(a[2]);
    assert_null(ac_records_parse_algs(p, "MD5-sess", &err));
    assert_non_null(strstr(err, "MD5-sess"));
    assert_null(ac_records_parse_algs(p, "SHA-1", &err));
    assert_non_null(strstr(err, "unknown"));
    assert_null(ac_records_parse_algs(p, ",", &err));
    a = ac_records_default_algs(p);
    assert_string_equal(a[0]->name, "MD5");
    assert_string_equal(a[1]->name, "SHA-256");
    assert_string_equal(a[2]->name, "SHA-512-256");
    assert_null(a[3]);
}

static void user_tails(void **state)
{
    apr_pool_t *p = *state;

    assert_string_equal(ac_records_user_tail(p, NULL, NULL), "");
    assert_string_equal(ac_records_user_tail(p, NULL, "a,b"), ":a,b");
    assert_string_equal(ac_records_user_tail(p, "h", NULL), "");
    assert_string_equal(ac_records_user_tail(p, "h:g1", NULL), ":g1");
    assert_string_equal(ac_records_user_tail(p, "h:g1:c", NULL), ":g1:c");
    assert_string_equal(ac_records_user_tail(p, "h:g1", "g2"), ":g2");
    assert_string_equal(ac_records_user_tail(p, "h:g1:c", "g2"), ":g2:c");
    assert_string_equal(ac_records_user_tail(p, "h:g1", ""), "");
    assert_string_equal(ac_records_user_tail(p, "h:g1:c", ""), "::c");
}

/* Values as the DBM back-end reads them (htdbm's "<user>" format). */
static void record_values(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *g;

    assert_string_equal(ac_dbm_parse_user(p, "$2y$05$h", &g), "$2y$05$h");
    assert_int_equal(g->nelts, 0);
    assert_string_equal(ac_dbm_parse_user(p, "H:admin,,staff:a comment",
                                          &g), "H");
    assert_int_equal(g->nelts, 2);
    assert_string_equal(APR_ARRAY_IDX(g, 0, const char *), "admin");
    assert_string_equal(APR_ARRAY_IDX(g, 1, const char *), "staff");
    assert_string_equal(ac_dbm_parse_user(p, "H::c", &g), "H");
    assert_int_equal(g->nelts, 0);
    assert_string_equal(ac_dbm_parse_user(p, "", NULL), "");

    assert_string_equal(ac_dbm_parse_ha1(p, "3D78807DEFE7de2157e2b0b6573a"
                                         "855f"), HA1_MD5);
    assert_string_equal(ac_dbm_parse_ha1(p, HA1_MD5 ":ignored"), HA1_MD5);
    assert_null(ac_dbm_parse_ha1(p, ""));
    assert_null(ac_dbm_parse_ha1(p, ":" HA1_MD5));
    assert_null(ac_dbm_parse_ha1(p, "3d78807g"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(full_user),
        AC_TEST(basic_only_and_limited_algs),
        AC_TEST(token_record),
        AC_TEST(token_expiry_range),
        AC_TEST(ldap_values),
        AC_TEST(owners),
        AC_TEST(realms),
        AC_TEST(names),
        AC_TEST(algorithm_lists),
        AC_TEST(user_tails),
        AC_TEST(record_values),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
