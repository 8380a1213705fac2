/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* Documents in the shared state: chunks, HMAC, newer wins; the gate
 * that lets one fetch at a time, at most once per interval. */
#include "ac_test.h"
#include "ac_memstate.h"
#include "ac_statedoc.h"

#define SECRET "0123456789abcdef0123456789abcdef"
#define T0 apr_time_from_sec(1700000000)

static void make(apr_pool_t *p, ac_memstate *m, ac_state *st,
                 ac_statedoc *d, const char *name)
{
    ac_memstate_init(m, st, p);
    memset(d, 0, sizeof(*d));
    d->state = st;
    d->secret = (const unsigned char *)SECRET;
    d->secret_len = 32;
    d->name = name;
}

static char *big(apr_pool_t *p, apr_size_t n)
{
    char *s = apr_palloc(p, n + 1);
    apr_size_t i;

    for (i = 0; i < n; i++) {
        s[i] = (char)('a' + i % 26);
    }
    s[n] = '\0';
    return s;
}

static void round_trip(void **state)
{
    apr_pool_t *p = *state;
    ac_memstate m;
    ac_state st;
    ac_statedoc d, other;
    const char *doc, *text = big(p, 10000);
    apr_size_t len;
    apr_time_t when;

    make(p, &m, &st, &d, "keys\nhttps://as/");
    assert_int_equal(ac_statedoc_when(&d, p), 0);
    assert_false(ac_statedoc_get(&d, &doc, &len, &when, p));
    assert_true(ac_statedoc_put(&d, text, strlen(text), T0, T0 + 1, p));
    /* four chunks and a head: fits any socache */
    assert_int_equal(apr_hash_count(m.h), 5);
    assert_true(ac_statedoc_when(&d, p) == T0);
    assert_true(ac_statedoc_get(&d, &doc, &len, &when, p));
    assert_int_equal(len, 10000);
    assert_string_equal(doc, text);
    assert_true(when == T0);
    /* another name, another document */
    other = d;
    other.name = "keys\nhttps://other/";
    assert_false(ac_statedoc_get(&other, &doc, &len, &when, p));
    /* an older one does not replace a newer one */
    assert_true(ac_statedoc_put(&d, "old", 3, T0 - 5, T0 + 1, p));
    assert_true(ac_statedoc_get(&d, &doc, &len, &when, p));
    assert_int_equal(len, 10000);
    assert_true(ac_statedoc_put(&d, "new", 3, T0 + 5, T0 + 1, p));
    assert_true(ac_statedoc_get(&d, &doc, &len, &when, p));
    assert_string_equal(doc, "new");
    /* too large, or with a NUL: not kept */
    assert_false(ac_statedoc_put(&d, big(p, AC_STATEDOC_MAX + 1),
                                 AC_STATEDOC_MAX + 1, T0 + 9, T0 + 1, p));
    assert_false(ac_statedoc_put(&d, "a\0b", 3, T0 + 9, T0 + 1, p));
}

/* Every stored value altered in turn: never a document that differs. */
static void tampered(void **state)
{
    apr_pool_t *p = *state;
    ac_memstate m;
    ac_state st;
    ac_statedoc d, nosecret;
    const char *doc, *text = big(p, 7000);
    apr_hash_index_t *hi;
    apr_size_t len;
    apr_time_t when;

    make(p, &m, &st, &d, "keys\nhttps://as/");
    assert_true(ac_statedoc_put(&d, text, strlen(text), T0, T0 + 1, p));
    for (hi = apr_hash_first(p, m.h); hi; hi = apr_hash_next(hi)) {
        ac_memstate_val *v;

        apr_hash_this(hi, NULL, NULL, (void **)&v);
        v->bytes[v->len / 2] ^= 1;
        if (ac_statedoc_get(&d, &doc, &len, &when, p)) {
            /* a flipped bit of the head's time: its chunks are gone */
            assert_string_equal(doc, text);
        }
        v->bytes[v->len / 2] ^= 1;
    }
    assert_true(ac_statedoc_get(&d, &doc, &len, &when, p));
    /* one chunk evicted: nothing */
    for (hi = apr_hash_first(p, m.h); hi; hi = apr_hash_next(hi)) {
        const void *k;
        ac_memstate_val *v;

        apr_hash_this(hi, &k, NULL, (void **)&v);
        if (v->len == 3072) {
            apr_hash_set(m.h, k, 32, NULL);
            break;
        }
    }
    assert_false(ac_statedoc_get(&d, &doc, &len, &when, p));
    /* without the secret nothing is shared */
    nosecret = d;
    nosecret.secret = NULL;
    assert_false(ac_statedoc_put(&nosecret, "x", 1, T0 + 9, T0 + 1, p));
}

static void gate(void **state)
{
    apr_pool_t *p = *state;
    ac_memstate m;
    ac_state st;
    ac_statedoc d, none;
    apr_time_t since;
    apr_interval_time_t iv = apr_time_from_sec(60);

    make(p, &m, &st, &d, "keys\nhttps://as/");
    assert_int_equal(ac_statedoc_claim(&d, T0, iv, &since, p), AC_GATE_MINE);
    assert_true(since == T0);
    assert_true(ac_statedoc_running(&d, T0, p));
    /* another process meanwhile: running; a moment "before" too */
    assert_int_equal(ac_statedoc_claim(&d, T0 + 10, iv, &since, p),
                     AC_GATE_RUNNING);
    assert_true(since == T0);
    assert_int_equal(ac_statedoc_claim(&d, T0 - 10, iv, &since, p),
                     AC_GATE_RUNNING);
    ac_statedoc_release(&d, T0, iv, p);
    assert_false(ac_statedoc_running(&d, T0, p));
    assert_int_equal(ac_statedoc_claim(&d, T0 + 59 * APR_USEC_PER_SEC, iv,
                                       &since, p), AC_GATE_CLOSED);
    assert_int_equal(ac_statedoc_claim(&d, T0 + iv, iv, &since, p),
                     AC_GATE_MINE);
    /* a claim far in the future (a clock set back): taken over */
    assert_int_equal(ac_statedoc_claim(&d, T0 - 3 * iv, iv, &since, p),
                     AC_GATE_MINE);
    /* the store down, or none: every process fetches for itself */
    m.down = 1;
    assert_int_equal(ac_statedoc_claim(&d, T0 + 3 * iv, iv, &since, p),
                     AC_GATE_MINE);
    memset(&none, 0, sizeof(none));
    assert_int_equal(ac_statedoc_claim(&none, T0, iv, &since, p),
                     AC_GATE_MINE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(round_trip),
        AC_TEST(tampered),
        AC_TEST(gate),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
