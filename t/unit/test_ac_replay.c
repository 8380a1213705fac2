/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_test.h"
#include "ac_replay.h"
#include "ac_memstate.h"
#include <apr_hash.h>
#include <apr_lib.h>

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
    apr_size_t klen = 0;
    const unsigned char *k = ac_replay_key(p, NONCE_A, &klen);
    char big[AC_REPLAY_NONCE_MAX + 2];

    assert_int_equal(klen, 3 + strlen(NONCE_A));
    assert_memory_equal(k, "nc:" NONCE_A, klen);
    assert_memory_not_equal(k, ac_replay_key(p, NONCE_B, &klen), klen);
    /* what memcache could not take, and what no nonce is */
    assert_null(ac_replay_key(p, "", &klen));
    assert_null(ac_replay_key(p, "a b", &klen));
    assert_null(ac_replay_key(p, "a\nb", &klen));
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_null(ac_replay_key(p, big, &klen));
    big[AC_REPLAY_NONCE_MAX] = '\0';
    assert_non_null(ac_replay_key(p, big, &klen));
}

/* The nonce n of generation gen, in group "g". */
static ac_replay_nonce nonce_of(const char *n, apr_uint64_t gen)
{
    ac_replay_nonce r = { n, "0001020304050607", gen };

    return r;
}

#define CHECK(st, n, nc) ac_replay_check(st, &(n), nc, exp, p)

static void store_check(void **state)
{
    apr_pool_t *p = *state;
    ac_memstate mem, *m = &mem;
    ac_state st;
    apr_time_t exp = apr_time_from_sec(1700000360);
    ac_replay_nonce a = nonce_of(NONCE_A, 1), b = nonce_of(NONCE_B, 1);

    ac_memstate_init(m, &st, p);
    assert_int_equal(CHECK(&st, a, 1), AC_REPLAY_FRESH);
    assert_true(m->expiry == exp);
    assert_int_equal(CHECK(&st, a, 1), AC_REPLAY_REUSED);
    assert_int_equal(CHECK(&st, b, 1), AC_REPLAY_FRESH); /* apart */
    assert_int_equal(CHECK(&st, a, 3), AC_REPLAY_FRESH);
    assert_int_equal(CHECK(&st, a, 2), AC_REPLAY_FRESH);
    assert_int_equal(CHECK(&st, a, 2), AC_REPLAY_REUSED);
    assert_int_equal(CHECK(&st, a, 200), AC_REPLAY_FRESH);
    assert_int_equal(CHECK(&st, a, 4), AC_REPLAY_REUSED); /* below */
    assert_int_equal(CHECK(&st, a, 199), AC_REPLAY_FRESH);
    assert_int_equal(m->locks, 9);
    assert_int_equal(m->locked, 0);
    assert_int_equal(m->adds, 0);       /* one record per nonce        */
}

static void store_errors(void **state)
{
    apr_pool_t *p = *state;
    ac_memstate mem, *m = &mem;
    ac_state st;
    apr_time_t exp = apr_time_from_sec(1700000360);
    static const unsigned char bad[5];
    ac_replay_nonce a = nonce_of(NONCE_A, 1), b = nonce_of(NONCE_B, 1);
    apr_size_t klen;
    const unsigned char *k;

    ac_memstate_init(m, &st, p);
    m->fail_lock = 1;
    assert_int_equal(CHECK(&st, a, 1), AC_REPLAY_ERROR);
    m->fail_lock = 0;
    m->fail_get = 1;
    assert_int_equal(CHECK(&st, a, 1), AC_REPLAY_ERROR);
    assert_int_equal(m->locked, 0);             /* unlocked again */
    m->fail_get = 0;
    m->fail_put = 1;
    assert_int_equal(CHECK(&st, a, 1), AC_REPLAY_ERROR);
    m->fail_put = 0;
    m->fail_gen = 1;
    assert_int_equal(CHECK(&st, a, 1), AC_REPLAY_ERROR);
    m->fail_gen = 0;
    assert_int_equal(CHECK(&st, a, 1), AC_REPLAY_FRESH);
    /* a record of the wrong size is not trusted */
    k = ac_replay_key(p, NONCE_B, &klen);
    ac_memstate_set(m, k, klen, bad, sizeof(bad));
    assert_int_equal(CHECK(&st, b, 1), AC_REPLAY_ERROR);
    assert_int_equal(CHECK(NULL, b, 1), AC_REPLAY_ERROR);
}

/* One machine restarted (a new shmcb: a new generation): the nonces
 * issued before are stale, and are not even looked up. */
static void local_generation(void **state)
{
    apr_pool_t *p = *state;
    ac_memstate mem, *m = &mem;
    ac_state st;
    apr_time_t exp = apr_time_from_sec(1700000360);
    ac_replay_nonce a = nonce_of(NONCE_A, 1), a2 = nonce_of(NONCE_A, 2);

    ac_memstate_init(m, &st, p);
    assert_int_equal(CHECK(&st, a, 1), AC_REPLAY_FRESH);
    ac_memstate_flush(m);
    assert_int_equal(CHECK(&st, a, 1), AC_REPLAY_FLUSHED);
    assert_int_equal(CHECK(&st, a, 2), AC_REPLAY_FLUSHED);
    assert_int_equal(m->locks, 1);
    assert_int_equal(CHECK(&st, a2, 1), AC_REPLAY_FRESH);
    assert_int_equal(CHECK(&st, a2, 1), AC_REPLAY_REUSED);
}

/* A farm's store: one add per nonce and nc, in any order, no window;
 * the group goes with it; the record lives as long as asked. */
static void shared_check(void **state)
{
    apr_pool_t *p = *state;
    ac_memstate mem, *m = &mem;
    ac_state st;
    apr_time_t exp = apr_time_from_sec(1700000360);
    ac_replay_nonce a = nonce_of(NONCE_A, 1), b = nonce_of(NONCE_B, 1);
    apr_size_t klen;
    const unsigned char *k = ac_replay_key(p, NONCE_A, &klen);

    ac_memstate_init_shared(m, &st, p);
    assert_int_equal(CHECK(&st, a, 1), AC_REPLAY_FRESH);
    assert_true(m->expiry == exp);
    assert_string_equal(m->last_group, "0001020304050607");
    assert_non_null(apr_hash_get(m->h, apr_pstrcat(p, (const char *)k,
                                                   ":00000001", NULL),
                                 (apr_ssize_t)klen + 9));
    assert_int_equal(CHECK(&st, a, 1), AC_REPLAY_REUSED);
    assert_int_equal(CHECK(&st, b, 1), AC_REPLAY_FRESH);
    assert_int_equal(CHECK(&st, a, 500), AC_REPLAY_FRESH);
    assert_int_equal(CHECK(&st, a, 2), AC_REPLAY_FRESH);  /* any order */
    assert_int_equal(CHECK(&st, a, 2), AC_REPLAY_REUSED);
    assert_int_equal(CHECK(&st, a, 500), AC_REPLAY_REUSED);
    assert_int_equal(m->locks, 0);
    assert_int_equal(m->adds, 7);
    /* the store down, or its generation unknown: fail closed */
    m->fail_add = 1;
    assert_int_equal(CHECK(&st, a, 3), AC_REPLAY_ERROR);
    m->fail_add = 0;
    m->fail_gen = 1;
    assert_int_equal(CHECK(&st, a, 4), AC_REPLAY_ERROR);
}

/* A farm's store flushed (or restarted, or failed over): whatever add
 * says, a nonce of the old generation is stale, and one of the new
 * generation is checked as ever. */
static void shared_flush(void **state)
{
    apr_pool_t *p = *state;
    ac_memstate mem, *m = &mem;
    ac_state st;
    apr_time_t exp = apr_time_from_sec(1700000360);
    ac_replay_nonce a = nonce_of(NONCE_A, 1), b = nonce_of(NONCE_B, 2);

    ac_memstate_init_shared(m, &st, p);
    assert_int_equal(CHECK(&st, a, 1), AC_REPLAY_FRESH);
    ac_memstate_flush(m);
    assert_int_equal(CHECK(&st, a, 1), AC_REPLAY_FLUSHED);  /* replay */
    assert_int_equal(CHECK(&st, a, 2), AC_REPLAY_FLUSHED);
    assert_int_equal(CHECK(&st, a, 1), AC_REPLAY_FLUSHED);
    assert_int_equal(CHECK(&st, b, 1), AC_REPLAY_FRESH);
    assert_int_equal(CHECK(&st, b, 1), AC_REPLAY_REUSED);
    /* records expire with the nonce */
    m->now = exp;
    assert_int_equal(CHECK(&st, b, 1), AC_REPLAY_FRESH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(window_in_order), AC_TEST(window_out_of_order),
        AC_TEST(window_jumps), AC_TEST(window_refusal_changes_nothing),
        AC_TEST(key_form), AC_TEST(store_check), AC_TEST(store_errors),
        AC_TEST(local_generation), AC_TEST(shared_check),
        AC_TEST(shared_flush),
    };
    return cmocka_run_group_tests_name("ac_replay", tests, NULL, NULL);
}
