/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* httpd's authn provider API over a place's back-ends (ac_authn.c). */
#include "ac_test.h"
#include "ac_memstate.h"
#include "ac_authn.h"

static const unsigned char secret[32] = "0123456789abcdef0123456789abcdef";
static int checks;              /* back-end password checks made      */

/* alice / secret; "Bob" is stored as "bob"; "evil" is stored with a
 * control character; "down" is a directory that does not answer. */
static ac_be_status fake_check(void *ctx, const char *user,
                               const char *password, const char **canon,
                               const char **reason, apr_pool_t *p)
{
    checks++;
    if (!strcmp(user, "down")) {
        *reason = "directory down";
        return AC_BE_ERROR;
    }
    if (!strcmp(user, "Bob")) {
        *canon = "bob";
        return strcmp(password, "bob-pw") ? AC_BE_DENIED : AC_BE_OK;
    }
    if (!strcmp(user, "evil")) {
        *canon = "ev\nil";
        return AC_BE_OK;
    }
    if (strcmp(user, "alice")) {
        return AC_BE_NOT_FOUND;
    }
    return strcmp(password, "secret") ? AC_BE_DENIED : AC_BE_OK;
}

/* MD5 HA1 records: alice (upper-case hex, as some tools write them),
 * "short" (a broken record); realm "R" only. */
static ac_be_status fake_ha1(void *ctx, const char *user, const char *realm,
                             const char *alg, const char **hex,
                             const char **canon, const char **reason,
                             apr_pool_t *p)
{
    if (strcmp(alg, "MD5")) {
        return AC_BE_UNSUPPORTED;
    }
    if (!strcmp(user, "down")) {
        return AC_BE_ERROR;
    }
    if (strcmp(realm, "R")) {
        return AC_BE_NOT_FOUND;
    }
    if (!strcmp(user, "alice")) {
        *hex = "0123456789ABCDEF0123456789abcdef";
        return AC_BE_OK;
    }
    if (!strcmp(user, "short")) {
        *hex = "0123";
        return AC_BE_OK;
    }
    return AC_BE_NOT_FOUND;
}

static ac_be_status fake_stamp(void *ctx, ac_stamp_kind kind,
                               const char *name, const char **out,
                               const char **reason, apr_pool_t *p)
{
    *out = "v1";
    return AC_BE_OK;
}

static const ac_backend fake = { .name = "fake", .scope = "fake",
                                 .check_password = fake_check,
                                 .get_ha1 = fake_ha1,
                                 .stamp = fake_stamp };
static const ac_backend *fake_items[] = { &fake };
static const ac_backend_list fake_list = { fake_items, 1 };

typedef struct {
    ac_memstate m;
    ac_state st;
    ac_credcache cc;
    ac_place pl;
} fixture;

static void setup(fixture *f, apr_pool_t *p)
{
    memset(f, 0, sizeof(*f));
    ac_memstate_init(&f->m, &f->st, p);
    f->cc.state = &f->st;
    f->cc.secret = secret;
    f->cc.secret_len = sizeof(secret);
    f->cc.ttl = apr_time_from_sec(300);
    f->cc.scope = "place";
    f->pl.realm = "R";
    f->pl.backends = &fake_list;
    f->pl.credcache = &f->cc;
    checks = 0;
}

static void password(void **state)
{
    apr_pool_t *p = *state;
    apr_time_t now = apr_time_from_sec(1000);
    fixture f;
    ac_result res;

    setup(&f, p);
    assert_int_equal(ac_authn_check_password(&f.pl, "alice", "secret", now,
                                             &res, p), AC_BE_OK);
    assert_int_equal(res.verdict, AC_OK);
    assert_string_equal(res.user, "alice");
    assert_string_equal(res.reason, "password verified");
    assert_int_equal(checks, 1);
    /* the second time from the cache: no back-end check */
    assert_int_equal(ac_authn_check_password(&f.pl, "alice", "secret", now,
                                             &res, p), AC_BE_OK);
    assert_string_equal(res.reason, "password verified (cached)");
    assert_int_equal(checks, 1);
    /* the cache keeps httpd's modules apart from the Basic scheme */
    ac_authn_password(&f.pl, "Basic", "alice", "secret", now, &res, p);
    assert_int_equal(checks, 2);
    assert_int_equal(ac_authn_check_password(&f.pl, "alice", "wrong", now,
                                             &res, p), AC_BE_DENIED);
    assert_int_equal(res.verdict, AC_CHALLENGE);
    assert_true(res.failed);
    assert_string_equal(res.log_user, "alice");
    assert_string_equal(res.reason, "wrong password");
    assert_int_equal(ac_authn_check_password(&f.pl, "mallory", "x", now,
                                             &res, p), AC_BE_NOT_FOUND);
    assert_true(res.failed);
    assert_string_equal(res.reason, "user not found");
    assert_int_equal(ac_authn_check_password(&f.pl, "down", "x", now, &res,
                                             p), AC_BE_ERROR);
    assert_int_equal(res.verdict, AC_UNAVAILABLE);
    assert_false(res.failed);
    assert_string_equal(res.reason, "directory down");
}

static void names(void **state)
{
    apr_pool_t *p = *state;
    apr_time_t now = apr_time_from_sec(1000);
    fixture f;
    ac_result res;

    setup(&f, p);
    /* the back-end's own spelling */
    assert_int_equal(ac_authn_check_password(&f.pl, "Bob", "bob-pw", now,
                                             &res, p), AC_BE_OK);
    assert_string_equal(res.user, "bob");
    assert_int_equal(ac_authn_check_password(&f.pl, "Bob", "bob-pw", now,
                                             &res, p), AC_BE_OK);
    assert_string_equal(res.user, "bob");
    assert_string_equal(res.reason, "password verified (cached)");
    /* control characters, invalid UTF-8, C1, empty: no back-end asked */
    checks = 0;
    assert_int_equal(ac_authn_check_password(&f.pl, "al\rice", "secret",
                                             now, &res, p), AC_BE_DENIED);
    assert_true(res.failed);
    assert_null(res.log_user);
    assert_int_equal(ac_authn_check_password(&f.pl, "\xff", "x", now, &res,
                                             p), AC_BE_DENIED);
    assert_int_equal(ac_authn_check_password(&f.pl, "a\xc2\x85", "x", now,
                                             &res, p), AC_BE_DENIED);
    assert_int_equal(ac_authn_check_password(&f.pl, "", "x", now, &res, p),
                     AC_BE_DENIED);
    assert_int_equal(checks, 0);
    /* a back-end's spelling with a control character is no user */
    assert_int_equal(ac_authn_check_password(&f.pl, "evil", "x", now, &res,
                                             p), AC_BE_DENIED);
    assert_null(res.user);
    assert_int_equal(res.verdict, AC_CHALLENGE);
}

static void realm_hash(void **state)
{
    apr_pool_t *p = *state;
    fixture f;
    ac_result res;
    const char *hex;

    setup(&f, p);
    assert_int_equal(ac_authn_realm_hash(&f.pl, "alice", "R", &hex, &res,
                                         p), AC_BE_OK);
    assert_string_equal(hex, "0123456789abcdef0123456789abcdef");
    assert_string_equal(res.user, "alice");
    assert_int_equal(res.verdict, AC_OK);
    assert_int_equal(ac_authn_realm_hash(&f.pl, "alice", "Other", &hex,
                                         &res, p), AC_BE_NOT_FOUND);
    assert_null(hex);
    assert_true(res.failed);
    assert_int_equal(ac_authn_realm_hash(&f.pl, "short", "R", &hex, &res,
                                         p), AC_BE_ERROR);
    assert_null(hex);
    assert_int_equal(res.verdict, AC_UNAVAILABLE);
    assert_int_equal(ac_authn_realm_hash(&f.pl, "down", "R", &hex, &res, p),
                     AC_BE_ERROR);
    assert_int_equal(ac_authn_realm_hash(&f.pl, "alice", NULL, &hex, &res,
                                         p), AC_BE_ERROR);
    assert_int_equal(ac_authn_realm_hash(&f.pl, "a\tb", "R", &hex, &res, p),
                     AC_BE_DENIED);
    assert_true(res.failed);
    /* nothing of it in the credential cache */
    assert_int_equal(apr_hash_count(f.m.h), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(password), AC_TEST(names), AC_TEST(realm_hash),
    };
    return cmocka_run_group_tests_name("ac_authn", tests, NULL, NULL);
}
