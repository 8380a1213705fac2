/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_test.h"
#include "ac_replay.h"
#include <apr_hash.h>
#include <apr_lib.h>

/* ------------------------------------------- an in-memory ac_state */

typedef struct {
    apr_pool_t *pool;
    apr_hash_t *h;
    int fail_lock, fail_get, fail_put;
    int locked, locks;
    apr_time_t expiry;          /* of the last put */
} mem_state;

typedef struct {
    apr_size_t len;
    unsigned char val[64];
} mem_rec;

static ac_state_status mem_lock(void *ctx)
{
    mem_state *m = ctx;

    if (m->fail_lock) {
        return AC_STATE_ERROR;
    }
    assert_int_equal(m->locked, 0);
    m->locked = 1;
    m->locks++;
    return AC_STATE_OK;
}

static void mem_unlock(void *ctx)
{
    mem_state *m = ctx;

    assert_int_equal(m->locked, 1);
    m->locked = 0;
}

static ac_state_status mem_get(void *ctx, const unsigned char *key,
                               apr_size_t klen, unsigned char *val,
                               apr_size_t *len, apr_pool_t *p)
{
    mem_state *m = ctx;
    mem_rec *r;

    assert_int_equal(m->locked, 1);
    if (m->fail_get) {
        return AC_STATE_ERROR;
    }
    if (!(r = apr_hash_get(m->h, key, klen))) {
        return AC_STATE_NOT_FOUND;
    }
    if (r->len > *len) {
        return AC_STATE_ERROR;
    }
    memcpy(val, r->val, r->len);
    *len = r->len;
    return AC_STATE_OK;
}

static ac_state_status mem_put(void *ctx, const unsigned char *key,
                               apr_size_t klen, const unsigned char *val,
                               apr_size_t len, apr_time_t expiry,
                               apr_pool_t *p)
{
    mem_state *m = ctx;
    mem_rec *r = apr_pcalloc(m->pool, sizeof(*r));

    assert_int_equal(m->locked, 1);
    if (m->fail_put || len > sizeof(r->val)) {
        return AC_STATE_ERROR;
    }
    memcpy(r->val, val, len);
    r->len = len;
    m->expiry = expiry;
    apr_hash_set(m->h, apr_pmemdup(m->pool, key, klen), klen, r);
    return AC_STATE_OK;
}

static ac_state mem_make(apr_pool_t *p, mem_state **out)
{
    mem_state *m = apr_pcalloc(p, sizeof(*m));
    ac_state st = { 0 };

    m->pool = p;
    m->h = apr_hash_make(p);
    st.ctx = m;
    st.lock = mem_lock;
    st.unlock = mem_unlock;
    st.get = mem_get;
    st.put = mem_put;
    *out = m;
    return st;
}

/* ------------------------------------------------- the pure window */

static void window_in_order(void **state)
{
    ac_replay_window w = { 0, 0 };
    apr_uint32_t i;

    assert_false(ac_replay_window_accept(&w, 0));   /* nc 0 is invalid */
    for (i = 1; i <= 300; i++) {
        assert_true(ac_replay_window_accept(&w, i));
        assert_false(ac_replay_window_accept(&w, i));
        assert_false(ac_replay_window_accept(&w, i - 1));
    }
    assert_int_equal(w.highest, 300);
}

static void window_out_of_order(void **state)
{
    ac_replay_window w = { 0, 0 };
    apr_uint32_t i;

    assert_true(ac_replay_window_accept(&w, 5));
    assert_true(ac_replay_window_accept(&w, 3));
    assert_true(ac_replay_window_accept(&w, 1));
    assert_false(ac_replay_window_accept(&w, 3));
    assert_true(ac_replay_window_accept(&w, 4));
    assert_true(ac_replay_window_accept(&w, 2));
    for (i = 1; i <= 5; i++) {
        assert_false(ac_replay_window_accept(&w, i));
    }
    /* the edge: highest - 64 is the last value inside the window */
    assert_true(ac_replay_window_accept(&w, 100));
    assert_true(ac_replay_window_accept(&w, 36));
    assert_false(ac_replay_window_accept(&w, 36));
    assert_false(ac_replay_window_accept(&w, 35));  /* below the window */
    assert_true(ac_replay_window_accept(&w, 99));
}

static void window_jumps(void **state)
{
    ac_replay_window w = { 0, 0 };

    assert_true(ac_replay_window_accept(&w, 10));
    /* exactly 64 ahead: the old highest is the window's last bit */
    assert_true(ac_replay_window_accept(&w, 74));
    assert_false(ac_replay_window_accept(&w, 10));
    assert_true(ac_replay_window_accept(&w, 11));
    /* far ahead: everything old falls out below the window */
    assert_true(ac_replay_window_accept(&w, 1000));
    assert_false(ac_replay_window_accept(&w, 74));
    assert_true(ac_replay_window_accept(&w, 999));
    assert_true(ac_replay_window_accept(&w, 0xffffffffu));
    assert_false(ac_replay_window_accept(&w, 0xffffffffu));
    assert_true(ac_replay_window_accept(&w, 0xfffffffeu));
    assert_false(ac_replay_window_accept(&w, 1000));
    {
        ac_replay_window v = { 0, 0 };
        assert_true(ac_replay_window_accept(&v, 0xffffffffu));
        assert_true(ac_replay_window_accept(&v, 0xffffffffu - 64));
        assert_false(ac_replay_window_accept(&v, 0xffffffffu - 65));
    }
}

/* A refused nc leaves the window exactly as it was. */
static void window_refusal_changes_nothing(void **state)
{
    ac_replay_window w = { 0, 0 }, before;

    assert_true(ac_replay_window_accept(&w, 70));
    assert_true(ac_replay_window_accept(&w, 68));
    before = w;
    assert_false(ac_replay_window_accept(&w, 68));
    assert_false(ac_replay_window_accept(&w, 5));
    assert_false(ac_replay_window_accept(&w, 70));
    assert_memory_equal(&w, &before, sizeof(w));
}

/* ------------------------------------------------------ with a store */

#define NONCE_A "AAAAAGVT8QAAAQIDBAUGBwgJCgsMDQ4PR5-OEmExK15YEzScBLvo" \
                "QziE7emNNgsPSiz1eANitb4"
#define NONCE_B "BBBBBGVT8QAAAQIDBAUGBwgJCgsMDQ4PR5-OEmExK15YEzScBLvo" \
                "QziE7emNNgsPSiz1eANitb4"

static void key_form(void **state)
{
    apr_pool_t *p = *state;
    apr_size_t klen = 0, i;
    const unsigned char *k = ac_replay_key(p, NONCE_A, &klen);

    assert_int_equal(klen, 25);
    assert_memory_equal(k, "nc:", 3);
    for (i = 3; i < klen; i++) {
        assert_true(apr_isalnum(k[i]) || k[i] == '-' || k[i] == '_');
    }
    assert_memory_not_equal(k, ac_replay_key(p, NONCE_B, &klen), 25);
}

static void store_check(void **state)
{
    apr_pool_t *p = *state;
    mem_state *m;
    ac_state st = mem_make(p, &m);
    apr_time_t exp = apr_time_from_sec(1700000360);

    assert_int_equal(ac_replay_check(&st, NONCE_A, 1, exp, p),
                     AC_REPLAY_FRESH);
    assert_true(m->expiry == exp);
    assert_int_equal(ac_replay_check(&st, NONCE_A, 1, exp, p),
                     AC_REPLAY_REUSED);
    assert_int_equal(ac_replay_check(&st, NONCE_B, 1, exp, p),
                     AC_REPLAY_FRESH);          /* nonces are apart */
    assert_int_equal(ac_replay_check(&st, NONCE_A, 3, exp, p),
                     AC_REPLAY_FRESH);
    assert_int_equal(ac_replay_check(&st, NONCE_A, 2, exp, p),
                     AC_REPLAY_FRESH);
    assert_int_equal(ac_replay_check(&st, NONCE_A, 2, exp, p),
                     AC_REPLAY_REUSED);
    assert_int_equal(ac_replay_check(&st, NONCE_A, 200, exp, p),
                     AC_REPLAY_FRESH);
    assert_int_equal(ac_replay_check(&st, NONCE_A, 4, exp, p),
                     AC_REPLAY_REUSED);         /* below the window */
    assert_int_equal(ac_replay_check(&st, NONCE_A, 199, exp, p),
                     AC_REPLAY_FRESH);
    assert_int_equal(m->locks, 9);
    assert_int_equal(m->locked, 0);
}

static void store_errors(void **state)
{
    apr_pool_t *p = *state;
    mem_state *m;
    ac_state st = mem_make(p, &m);
    apr_time_t exp = apr_time_from_sec(1700000360);
    mem_rec *bad;
    apr_size_t klen;
    const unsigned char *k;

    m->fail_lock = 1;
    assert_int_equal(ac_replay_check(&st, NONCE_A, 1, exp, p),
                     AC_REPLAY_ERROR);
    m->fail_lock = 0;
    m->fail_get = 1;
    assert_int_equal(ac_replay_check(&st, NONCE_A, 1, exp, p),
                     AC_REPLAY_ERROR);
    assert_int_equal(m->locked, 0);             /* unlocked again */
    m->fail_get = 0;
    m->fail_put = 1;
    assert_int_equal(ac_replay_check(&st, NONCE_A, 1, exp, p),
                     AC_REPLAY_ERROR);
    m->fail_put = 0;
    assert_int_equal(ac_replay_check(&st, NONCE_A, 1, exp, p),
                     AC_REPLAY_FRESH);
    /* a record of the wrong size is not trusted */
    k = ac_replay_key(p, NONCE_B, &klen);
    bad = apr_pcalloc(p, sizeof(*bad));
    bad->len = 5;
    apr_hash_set(m->h, k, klen, bad);
    assert_int_equal(ac_replay_check(&st, NONCE_B, 1, exp, p),
                     AC_REPLAY_ERROR);
    assert_int_equal(ac_replay_check(NULL, NONCE_B, 1, exp, p),
                     AC_REPLAY_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(window_in_order), AC_TEST(window_out_of_order),
        AC_TEST(window_jumps), AC_TEST(window_refusal_changes_nothing),
        AC_TEST(key_form), AC_TEST(store_check), AC_TEST(store_errors),
    };
    return cmocka_run_group_tests_name("ac_replay", tests, NULL, NULL);
}
