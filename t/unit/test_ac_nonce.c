/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_test.h"
#include "ac_nonce.h"
#include "ac_util.h"

static const unsigned char secret[] = "0123456789abcdef0123456789abcdef";
#define SLEN 32
#define REALM "http-auth@example.org"
#define T0 apr_time_from_sec(1700000000)
#define LIFE apr_time_from_sec(300)

/* Deterministic "random": 0, 1, 2, ... */
static int counting_rand(unsigned char *buf, apr_size_t n)
{
    apr_size_t i;

    for (i = 0; i < n; i++) {
        buf[i] = (unsigned char)i;
    }
    return 1;
}

static int failing_rand(unsigned char *buf, apr_size_t n)
{
    return 0;
}

/* A nonce issued at t in generation gen, with rnd's random part. */
static const char *issue(apr_pool_t *p, const unsigned char *key,
                         apr_size_t klen, const char *o, apr_time_t t,
                         apr_uint64_t gen, ac_rand_fn rnd)
{
    unsigned char r[AC_NONCE_RAND_LEN];
    char group[AC_NONCE_GROUP_LEN];

    if (!ac_nonce_draw(rnd, r, group)) {
        return NULL;
    }
    return ac_nonce_issue(p, key, klen, REALM, o, t, gen, r);
}

/* Values computed independently with Python's hmac/hashlib. */
static void known_values(void **state)
{
    apr_pool_t *p = *state;
    const char *o = ac_nonce_opaque(p, secret, SLEN, REALM);
    ac_nonce_info info;

    assert_string_equal(o, "YzsuNuwOSyeUUmQh3l1CWQ");
    assert_string_equal(issue(p, secret, SLEN, o, T0, 0, counting_rand),
                        "AAAAAGVT8QAAAAAAAAAAAAABAgMEBQYHYJ3hXilTXcvbbRLCD1IH"
                        "ES_dlmw8AS8eWPX3heRcpyc");
    assert_string_equal(issue(p, secret, SLEN, o, T0, 7, counting_rand),
                        "AAAAAGVT8QAAAAAAAAAABwABAgMEBQYHWgCbxPDoctMw6iHOEQuq"
                        "iv3V6p5F9icNZp25SSvQptU");
    /* what it carries: the generation, and its random part as group */
    assert_int_equal(ac_nonce_verify(p, secret, SLEN,
                                     issue(p, secret, SLEN, o, T0, 7,
                                           counting_rand),
                                     REALM, o, T0, LIFE, &info),
                     AC_NONCE_OK);
    assert_true(info.gen == 7);
    assert_true(info.issued == T0);
    assert_string_equal(info.group, "0001020304050607");
}

static void opaque_stable(void **state)
{
    apr_pool_t *p = *state;
    static const unsigned char other[] = "fedcba9876543210fedcba9876543210";
    const char *o = ac_nonce_opaque(p, secret, SLEN, REALM);

    assert_int_equal(strlen(o), 22);
    assert_string_equal(o, ac_nonce_opaque(p, secret, SLEN, REALM));
    assert_string_not_equal(o, ac_nonce_opaque(p, secret, SLEN, "other"));
    assert_string_not_equal(o, ac_nonce_opaque(p, other, SLEN, REALM));
    assert_null(ac_nonce_opaque(p, secret, 0, REALM));
}

static void round_trip(void **state)
{
    apr_pool_t *p = *state;
    const char *o = ac_nonce_opaque(p, secret, SLEN, REALM);
    const char *n = issue(p, secret, SLEN, o, T0, 0, NULL);
    const char *n2 = issue(p, secret, SLEN, o, T0, 0, NULL);
    ac_nonce_info info;

    assert_non_null(n);
    assert_int_equal(strlen(n), AC_NONCE_LEN);
    assert_string_not_equal(n, n2);             /* RAND_bytes */
    assert_int_equal(ac_nonce_verify(p, secret, SLEN, n, REALM, o,
                                     T0 + apr_time_from_sec(5), LIFE,
                                     &info), AC_NONCE_OK);
    assert_true(info.issued == T0);
    assert_int_equal(ac_nonce_verify(p, secret, SLEN, n2, REALM, o, T0,
                                     LIFE, NULL), AC_NONCE_OK);
}

static void issue_failures(void **state)
{
    apr_pool_t *p = *state;

    assert_null(issue(p, secret, SLEN, "o", T0, 0, failing_rand));
    assert_null(issue(p, secret, 0, "o", T0, 0, NULL));
    assert_null(issue(p, NULL, 0, "o", T0, 0, NULL));
}

static ac_nonce_status check(apr_pool_t *p, const char *n, const char *o)
{
    return ac_nonce_verify(p, secret, SLEN, n, REALM, o, T0, LIFE, NULL);
}

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void forged(void **state)
{
    apr_pool_t *p = *state;
    static const unsigned char other[] = "fedcba9876543210fedcba9876543210";
    const char *o = ac_nonce_opaque(p, secret, SLEN, REALM);
    const char *n = issue(p, secret, SLEN, o, T0, 0, NULL);
    char *m;
    int i;

    assert_int_equal(check(p, n, o), AC_NONCE_OK);
    /* every single-character change of the nonce */
    for (i = 0; i < AC_NONCE_LEN; i++) {
        m = apr_pstrdup(p, n);
        m[i] = m[i] == 'A' ? 'B' : 'A';
        assert_int_equal(check(p, m, o), AC_NONCE_BAD);
    }
    /* the last character carries 2 spare bits: a non-canonical spelling
     * of the same bytes is refused too */
    m = apr_pstrdup(p, n);
    m[AC_NONCE_LEN - 1] =
        b64url[(strchr(b64url, m[AC_NONCE_LEN - 1]) - b64url) ^ 1];
    assert_int_equal(check(p, m, o), AC_NONCE_BAD);
    assert_int_equal(check(p, apr_pstrndup(p, n, AC_NONCE_LEN - 1), o),
                     AC_NONCE_BAD);
    assert_int_equal(check(p, apr_pstrcat(p, n, "A", NULL), o),
                     AC_NONCE_BAD);
    assert_int_equal(check(p, apr_pstrcat(p, n, "=", NULL), o),
                     AC_NONCE_BAD);
    assert_int_equal(check(p, "", o), AC_NONCE_BAD);
    assert_int_equal(check(p, NULL, o), AC_NONCE_BAD);
    assert_int_equal(check(p, n, "other-opaque"), AC_NONCE_BAD);
    assert_int_equal(ac_nonce_verify(p, secret, SLEN, n, "other realm", o,
                                     T0, LIFE, NULL), AC_NONCE_BAD);
    assert_int_equal(ac_nonce_verify(p, other, SLEN, n, REALM, o, T0, LIFE,
                                     NULL), AC_NONCE_BAD);
    assert_int_equal(ac_nonce_verify(p, secret, 0, n, REALM, o, T0, LIFE,
                                     NULL), AC_NONCE_BAD);
    /* the "+/" alphabet is not base64url */
    m = apr_pstrdup(p, n);
    m[3] = '+';
    assert_int_equal(check(p, m, o), AC_NONCE_BAD);
}

static void canonical_spelling(void **state)
{
    (void)state;
    assert_true(ac_base64url_is_canonical("", 0));
    assert_true(ac_base64url_is_canonical("QQ", 2));      /* "A"   */
    assert_false(ac_base64url_is_canonical("QR", 2));
    assert_false(ac_base64url_is_canonical("Q_", 2));
    assert_true(ac_base64url_is_canonical("QUI", 3));     /* "AB"  */
    assert_false(ac_base64url_is_canonical("QUJ", 3));
    assert_false(ac_base64url_is_canonical("QU-", 3));
    assert_true(ac_base64url_is_canonical("QU0", 3));
    assert_true(ac_base64url_is_canonical("QUJD", 4));    /* "ABC" */
    assert_true(ac_base64url_is_canonical("QUJD_", 4));   /* by inlen */
}

static void lifetime(void **state)
{
    apr_pool_t *p = *state;
    const char *o = ac_nonce_opaque(p, secret, SLEN, REALM);
    const char *n = issue(p, secret, SLEN, o, T0, 0, NULL);
    ac_nonce_info info;

#define AT(t) ac_nonce_verify(p, secret, SLEN, n, REALM, o, (t), LIFE, \
                              &info)
    assert_int_equal(AT(T0 + LIFE), AC_NONCE_OK);
    assert_int_equal(AT(T0 + LIFE + 1), AC_NONCE_STALE);
    assert_true(info.issued == T0);
    assert_int_equal(AT(T0 + apr_time_from_sec(86400)), AC_NONCE_STALE);
    /* issued a little in the future (another server's clock): fine */
    assert_int_equal(AT(T0 - AC_NONCE_SKEW), AC_NONCE_OK);
    assert_int_equal(AT(T0 - AC_NONCE_SKEW - 1), AC_NONCE_STALE);
#undef AT
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(known_values), AC_TEST(opaque_stable), AC_TEST(round_trip),
        AC_TEST(issue_failures), AC_TEST(forged), AC_TEST(canonical_spelling),
        AC_TEST(lifetime),
    };
    return cmocka_run_group_tests_name("ac_nonce", tests, NULL, NULL);
}
