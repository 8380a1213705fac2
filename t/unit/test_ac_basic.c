/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_test.h"
#include "ac_auth.h"
#include "ac_basic.h"
#include "ac_util.h"
#include <apr_base64.h>

/* A fake back-end: user "alice" with password "secret", "down" fails. */
static ac_be_status fake_check(void *ctx, const char *user,
                               const char *password, const char **canon,
                               const char **reason, apr_pool_t *p)
{
    if (!strcmp(user, "down")) {
        *reason = "directory down";
        return AC_BE_ERROR;
    }
    if (strcmp(user, "alice")) {
        return AC_BE_NOT_FOUND;
    }
    return strcmp(password, "secret") ? AC_BE_DENIED : AC_BE_OK;
}

static const ac_backend fake = { .name = "fake",
                                 .check_password = fake_check };
static const ac_backend *fake_items[] = { &fake };
static const ac_backend_list fake_list = { fake_items, 1 };

static const char *b64(apr_pool_t *p, const char *s, apr_size_t n)
{
    char *out = apr_palloc(p, apr_base64_encode_len((int)n));
    apr_base64_encode_binary(out, (const unsigned char *)s, (int)n);
    return out;
}

static void decode(void **state)
{
    apr_pool_t *p = *state;
    const char *u, *pw;

    assert_int_equal(ac_basic_decode(b64(p, "a:b:c", 5), 1, &u, &pw, p),
                     AC_BASIC_OK);
    assert_string_equal(u, "a");
    assert_string_equal(pw, "b:c");
    assert_int_equal(ac_basic_decode(b64(p, ":x", 2), 1, &u, &pw, p),
                     AC_BASIC_OK);
    assert_string_equal(u, "");
    assert_int_equal(ac_basic_decode("!!!!", 1, &u, &pw, p),
                     AC_BASIC_NOT_BASE64);
    assert_int_equal(ac_basic_decode("YQ", 1, &u, &pw, p),
                     AC_BASIC_NOT_BASE64);          /* padding missing */
    assert_int_equal(ac_basic_decode(b64(p, "nocolon", 7), 1, &u, &pw, p),
                     AC_BASIC_NO_COLON);
    assert_int_equal(ac_basic_decode(b64(p, "a\tb:x", 5), 1, &u, &pw, p),
                     AC_BASIC_CTL_USER);
    assert_int_equal(ac_basic_decode(b64(p, "a\0b:x", 5), 1, &u, &pw, p),
                     AC_BASIC_CTL_USER);
    assert_int_equal(ac_basic_decode(b64(p, "ab:x\0y", 6), 1, &u, &pw, p),
                     AC_BASIC_CTL_PASSWORD);
    assert_int_equal(ac_basic_decode(b64(p, "\xff:x", 3), 1, &u, &pw, p),
                     AC_BASIC_BAD_UTF8);
    assert_int_equal(ac_basic_decode(b64(p, "\xff:x", 3), 0, &u, &pw, p),
                     AC_BASIC_OK);
    assert_int_equal(ac_basic_decode(b64(p, "J\xc3\xb6rg:x", 7), 1, &u, &pw,
                                     p), AC_BASIC_OK);
    assert_string_equal(u, "J\xc3\xb6rg");
}

static void run(apr_pool_t *p, const char *cred, int proxy, ac_result *res,
                ac_challenges **ch)
{
    static const char *names[] = { "Basic" };
    ac_place pl = { 0 };
    ac_request req = { 0 };
    const char *bad;

    pl.realm = "Test Realm";
    pl.charset_utf8 = 1;
    pl.backends = &fake_list;
    assert_true(ac_scheme_set_parse(&pl.set, names, 1, &bad));
    req.proxy = proxy;
    req.credentials = cred;
    ac_authenticate(&pl, &req, res, p);
    *ch = ac_auth_challenges(&pl, &req, res, p);
}

static void verify(void **state)
{
    apr_pool_t *p = *state;
    ac_result res;
    ac_challenges *ch;

    run(p, NULL, 0, &res, &ch);
    assert_int_equal(res.verdict, AC_CHALLENGE);
    assert_false(res.failed);
    assert_int_equal(ch->items->nelts, 1);
    assert_string_equal(APR_ARRAY_IDX(ch->items, 0, const char *),
                        "Basic realm=\"Test Realm\", charset=\"UTF-8\"");
    run(p, apr_pstrcat(p, "Basic ", b64(p, "alice:secret", 12), NULL), 0,
        &res, &ch);
    assert_int_equal(res.verdict, AC_OK);
    assert_string_equal(res.user, "alice");
    assert_int_equal(ch->items->nelts, 0);
    run(p, apr_pstrcat(p, "basic ", b64(p, "alice:wrong", 11), NULL), 0,
        &res, &ch);
    assert_int_equal(res.verdict, AC_CHALLENGE);
    assert_true(res.failed);
    assert_string_equal(res.reason, "wrong password");
    run(p, apr_pstrcat(p, "Basic ", b64(p, "bob:x", 5), NULL), 1, &res, &ch);
    assert_int_equal(res.verdict, AC_CHALLENGE);
    assert_string_equal(res.reason, "user not found");
    assert_int_equal(ac_verdict_status(res.verdict, 1), 407);
    run(p, apr_pstrcat(p, "Basic ", b64(p, "down:x", 6), NULL), 0, &res,
        &ch);
    assert_int_equal(res.verdict, AC_UNAVAILABLE);
    assert_int_equal(ac_verdict_status(res.verdict, 0), 500);
    run(p, "Basic %%%", 0, &res, &ch);
    assert_int_equal(res.verdict, AC_BAD_REQUEST);
    assert_int_equal(ch->items->nelts, 0);
    run(p, "Negotiate abc", 0, &res, &ch);
    assert_int_equal(res.verdict, AC_CHALLENGE);
    assert_false(res.failed);
    assert_int_equal(ch->items->nelts, 1);
    run(p, "", 0, &res, &ch);
    assert_int_equal(res.verdict, AC_BAD_REQUEST);
}

static void headers(void **state)
{
    assert_string_equal(ac_hdr_challenge(0), "WWW-Authenticate");
    assert_string_equal(ac_hdr_challenge(1), "Proxy-Authenticate");
    assert_string_equal(ac_hdr_credentials(1), "Proxy-Authorization");
    assert_string_equal(ac_hdr_info(1), "Proxy-Authentication-Info");
    assert_int_equal(ac_status_challenge(0), 401);
    assert_int_equal(ac_status_challenge(1), 407);
}

static void combined(void **state)
{
    ac_challenges *c = ac_challenges_make(*state);
    apr_array_header_t *v;

    ac_challenges_add(c, "Digest a=1");
    ac_challenges_add(c, "Basic realm=\"x\"");
    v = ac_challenges_values(c, 0, *state);
    assert_int_equal(v->nelts, 2);
    v = ac_challenges_values(c, 1, *state);
    assert_int_equal(v->nelts, 1);
    assert_string_equal(APR_ARRAY_IDX(v, 0, const char *),
                        "Digest a=1, Basic realm=\"x\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(decode), AC_TEST(verify), AC_TEST(headers),
        AC_TEST(combined),
    };
    return cmocka_run_group_tests_name("ac_basic", tests, NULL, NULL);
}
