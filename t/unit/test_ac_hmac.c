/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_test.h"
#include "ac_hmac.h"
#include "ac_util.h"

#include <pthread.h>

/* RFC 4231 test cases 1, 2 and 6 (the last with a 131-byte key, longer
 * than the keys a thread keeps). */
static const char *hex_of(const unsigned char *mac, apr_pool_t *p)
{
    return ac_hex(p, mac, AC_HMAC_LEN);
}

static const char *mac_hex(const unsigned char *key, apr_size_t klen,
                           const char *data, apr_pool_t *p)
{
    unsigned char mac[AC_HMAC_LEN];

    assert_true(ac_hmac_sha256(key, klen, data, strlen(data), mac));
    return hex_of(mac, p);
}

#define TC1 "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
#define TC2 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
#define TC6 "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"

static unsigned char key1[20], key6[131];

static void vectors(void **state)
{
    apr_pool_t *p = *state;
    int i;

    memset(key1, 0x0b, sizeof(key1));
    memset(key6, 0xaa, sizeof(key6));
    /* twice each, interleaved: the second use of a key takes the
     * context this thread kept for it */
    for (i = 0; i < 2; i++) {
        assert_string_equal(mac_hex(key1, sizeof(key1), "Hi There", p), TC1);
        assert_string_equal(mac_hex((const unsigned char *)"Jefe", 4,
                                    "what do ya want for nothing?", p), TC2);
        assert_string_equal(mac_hex(key6, sizeof(key6), "Test Using Larger "
                                    "Than Block-Size Key - Hash Key First",
                                    p), TC6);
    }
}

/* More keys than a thread keeps: evicted keys still give right MACs. */
static void many_keys(void **state)
{
    apr_pool_t *p = *state;
    unsigned char key[16], mac[AC_HMAC_LEN], first[10][AC_HMAC_LEN];
    int round, k;

    for (round = 0; round < 3; round++) {
        for (k = 0; k < 10; k++) {
            memset(key, 'a' + k, sizeof(key));
            assert_true(ac_hmac_sha256(key, sizeof(key), "x", 1, mac));
            if (round == 0) {
                memcpy(first[k], mac, sizeof(mac));
            }
            assert_memory_equal(first[k], mac, sizeof(mac));
        }
    }
    assert_false(ac_hmac_sha256(key, 0, "x", 1, mac));
    (void)p;
}

/* Fields are length-prefixed: moving a byte between fields changes it. */
static void fields(void **state)
{
    unsigned char a[AC_HMAC_LEN], b[AC_HMAC_LEN];
    const unsigned char k[] = "0123456789abcdef";

    assert_true(ac_hmac_fields(k, 16, a, "ab", "c", NULL));
    assert_true(ac_hmac_fields(k, 16, b, "a", "bc", NULL));
    assert_memory_not_equal(a, b, sizeof(a));
    assert_true(ac_hmac_fields(k, 16, b, "ab", "c", NULL));
    assert_memory_equal(a, b, sizeof(a));
    (void)state;
}

/* Fields are the HMAC of their length-prefixed concatenation, also
 * when they are longer than the buffer that gathers them. */
static void fields_long(void **state)
{
    apr_pool_t *p = *state;
    const unsigned char k[] = "0123456789abcdef";
    unsigned char a[AC_HMAC_LEN], b[AC_HMAC_LEN], *raw;
    char *big = apr_palloc(p, 1001), *mid = apr_palloc(p, 300);
    apr_size_t n = 0;

    memset(big, 'x', 1000);
    big[1000] = '\0';
    memset(mid, 'y', 299);
    mid[299] = '\0';
    raw = apr_palloc(p, 4 + 299 + 4 + 1000 + 4 + 1);
#define PUT(s, l) do { raw[n++] = 0; raw[n++] = 0; raw[n++] = (l) >> 8; \
                       raw[n++] = (l) & 0xff; memcpy(raw + n, s, l); \
                       n += (l); } while (0)
    PUT(mid, 299);
    PUT(big, 1000);
    PUT("z", 1);
#undef PUT
    assert_true(ac_hmac_fields(k, 16, a, mid, big, "z", NULL));
    assert_true(ac_hmac_sha256(k, 16, raw, n, b));
    assert_memory_equal(a, b, sizeof(a));
}

/* Threads each keep their own contexts: concurrent use stays right. */
static void *worker(void *arg)
{
    unsigned char mac[AC_HMAC_LEN], key[20];
    apr_pool_t *p;
    int i, bad = 0;

    apr_pool_create(&p, NULL);
    memset(key, 0x0b, sizeof(key));
    for (i = 0; i < 2000; i++) {
        if (!ac_hmac_sha256(key, sizeof(key), "Hi There", 8, mac)
            || strcmp(hex_of(mac, p), TC1)) {
            bad++;
        }
    }
    apr_pool_destroy(p);
    *(int *)arg = bad;
    return NULL;
}

static void threads(void **state)
{
    pthread_t t[4];
    int bad[4], i;

    for (i = 0; i < 4; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, worker, &bad[i]), 0);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(bad[i], 0);
    }
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(vectors), AC_TEST(many_keys), AC_TEST(fields), AC_TEST(fields_long),
        AC_TEST(threads),
    };
    return cmocka_run_group_tests_name("ac_hmac", tests, NULL, NULL);
}
