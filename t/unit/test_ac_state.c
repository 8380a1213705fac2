/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* The credential cache and the failure limit over an in-memory store. */
#include "ac_test.h"
#include "ac_memstate.h"
#include "ac_credcache.h"
#include "ac_faillimit.h"

#define SEC(n) apr_time_from_sec(n)
static const unsigned char secret[32] = "0123456789abcdef0123456789abcdef";

static void cache(void **state)
{
    apr_pool_t *p = *state;
    ac_memstate m;
    ac_state st;
    ac_credcache c = { &st, secret, sizeof(secret), SEC(300), "dbm:/f" };
    ac_credcache other = c;
    const char *v = NULL;
    apr_time_t now = SEC(1000);

    ac_memstate_init(&m, &st, p);
    assert_false(ac_credcache_get(&c, "Basic", "R", "alice", "pw", "st", now, &v,
                                  NULL, p));
    ac_credcache_put(&c, "Basic", "R", "alice", "pw", "st", "alice", now, 0,
                     NULL, p);
    assert_true(ac_credcache_get(&c, "Basic", "R", "alice", "pw", "st", now, &v,
                                 NULL, p));
    assert_string_equal(v, "alice");
    /* another password, realm, scheme or scope: a miss */
    assert_false(ac_credcache_get(&c, "Basic", "R", "alice", "px", "st", now, &v,
                                  NULL, p));
    assert_false(ac_credcache_get(&c, "Basic", "R2", "alice", "pw", "st", now, &v,
                                  NULL, p));
    assert_false(ac_credcache_get(&c, "Bearer", "R", "alice", "pw", "st", now, &v,
                                  NULL, p));
    other.scope = "dbm:/g";
    assert_false(ac_credcache_get(&other, "Basic", "R", "alice", "pw", "st",
                                  now, &v, NULL, p));
    /* another stamp (the user's record was edited): a miss */
    assert_false(ac_credcache_get(&c, "Basic", "R", "alice", "pw", "st2",
                                  now, &v, NULL, p));
    /* no scope: the place does not cache */
    other.scope = NULL;
    assert_false(ac_credcache_enabled(&other));
    ac_credcache_put(&other, "Basic", "R", "bob", "pw", "st", "bob", now, 0,
                     NULL, p);
    assert_false(ac_credcache_get(&other, "Basic", "R", "bob", "pw", "st",
                                  now, &v, NULL, p));
    /* expired after the TTL */
    assert_false(ac_credcache_get(&c, "Basic", "R", "alice", "pw", "st",
                                  now + SEC(300), &v, NULL, p));
    /* bounded by not_after (a token's exp) */
    ac_credcache_put(&c, "Bearer", "R", "", "tok", "st", "{}", now, now + SEC(10),
                     NULL, p);
    assert_true(ac_credcache_get(&c, "Bearer", "R", "", "tok", "st", now + SEC(9),
                                 &v, NULL, p));
    assert_false(ac_credcache_get(&c, "Bearer", "R", "", "tok", "st",
                                  now + SEC(10), &v, NULL, p));
    assert_int_equal(m.locked, 0);
}

/* The store never holds the credential in clear. */
static void no_secret_stored(void **state)
{
    apr_pool_t *p = *state;
    ac_memstate m;
    ac_state st;
    ac_credcache c = { &st, secret, sizeof(secret), SEC(300), "s" };
    apr_hash_index_t *hi;

    ac_memstate_init(&m, &st, p);
    ac_credcache_put(&c, "Basic", "R", "alice", "TopSecretPw", "st", "alice",
                     SEC(1), 0, NULL, p);
    for (hi = apr_hash_first(p, m.h); hi; hi = apr_hash_next(hi)) {
        const void *k;
        apr_ssize_t klen;
        void *v;
        const ac_memstate_val *val;
        apr_hash_this(hi, &k, &klen, &v);
        val = v;
        assert_null(memmem(k, (size_t)klen, "TopSecret", 9));
        assert_null(memmem(val->bytes, val->len, "TopSecret", 9));
    }
}

static void cache_off_or_down(void **state)
{
    apr_pool_t *p = *state;
    ac_memstate m;
    ac_state st;
    ac_credcache c = { &st, secret, sizeof(secret), 0, "s" };
    const char *v;
    int health = 0;

    ac_memstate_init(&m, &st, p);
    /* off: the store is not asked, its health not told */
    ac_credcache_put(&c, "Basic", "R", "a", "pw", "st", "a", SEC(1), 0,
                     &health, p);
    assert_false(ac_credcache_get(&c, "Basic", "R", "a", "pw", "st", SEC(1),
                                  &v, &health, p));
    assert_int_equal(health, 0);
    /* on: a miss and a put are answers */
    c.ttl = SEC(60);
    assert_false(ac_credcache_get(&c, "Basic", "R", "a", "pw", "st", SEC(1),
                                  &v, &health, p));
    assert_int_equal(health, 1);
    health = 0;
    ac_credcache_put(&c, "Basic", "R", "a", "pw", "st", "a", SEC(1), 0,
                     &health, p);
    assert_int_equal(health, 1);
    /* down: a miss, and the store's failure told (to log its outage) */
    m.down = 1;
    ac_credcache_put(&c, "Basic", "R", "b", "pw", "st", "b", SEC(1), 0,
                     &health, p);
    assert_int_equal(health, -1);
    health = 0;
    assert_false(ac_credcache_get(&c, "Basic", "R", "a", "pw", "st", SEC(1),
                                  &v, &health, p));
    assert_int_equal(health, -1);
    /* a failed get alone (the lock works) */
    m.down = 0;
    m.fail_get = 1;
    health = 0;
    assert_false(ac_credcache_get(&c, "Basic", "R", "a", "pw", "st", SEC(1),
                                  &v, &health, p));
    assert_int_equal(health, -1);
    m.fail_get = 0;
    assert_true(ac_credcache_get(&c, "Basic", "R", "a", "pw", "st", SEC(1),
                                 &v, &health, p));
    assert_int_equal(health, 1);
}

/* One failed attempt: reserved, then kept. */
static ac_fl_status fail_once(const ac_faillimit *fl, const char *client,
                              apr_time_t now, apr_int64_t *left,
                              apr_pool_t *p)
{
    return ac_faillimit_reserve(fl, client, now, left, p);
}

static void limit(void **state)
{
    apr_pool_t *p = *state;
    ac_memstate m;
    ac_state st;
    ac_faillimit fl = { &st, 3, SEC(60) };
    apr_int64_t left = 0;
    apr_time_t t0 = SEC(5000);
    int i;

    ac_memstate_init(&m, &st, p);
    for (i = 0; i < 3; i++) {
        assert_int_equal(fail_once(&fl, "10.0.0.1", t0 + SEC(i), &left, p),
                         AC_FL_ALLOW);
    }
    assert_int_equal(ac_faillimit_reserve(&fl, "10.0.0.1", t0 + SEC(10),
                                          &left, p), AC_FL_BLOCK);
    assert_int_equal(left, 50);
    assert_int_equal(ac_faillimit_reserve(&fl, "10.0.0.2", t0 + SEC(10),
                                          &left, p), AC_FL_ALLOW);
    /* the window is fixed: it ends 60 s after the first failure */
    assert_int_equal(ac_faillimit_reserve(&fl, "10.0.0.1", t0 + SEC(59)
                                          + 1, &left, p), AC_FL_BLOCK);
    assert_int_equal(left, 1);
    /* after the window a new failure starts a new one */
    assert_int_equal(fail_once(&fl, "10.0.0.1", t0 + SEC(61), &left, p),
                     AC_FL_ALLOW);
    assert_int_equal(ac_faillimit_reserve(&fl, "10.0.0.1", t0 + SEC(62),
                                          &left, p), AC_FL_ALLOW);
    fl.count = 0;
    assert_int_equal(ac_faillimit_reserve(&fl, "10.0.0.1", t0, &left, p),
                     AC_FL_ALLOW);
    fl.count = 3;
    m.down = 1;
    assert_int_equal(ac_faillimit_reserve(&fl, "10.0.0.1", t0, &left, p),
                     AC_FL_ERROR);
}

/* Reservations are exact: the count-th reservation is the last one
 * granted, whatever the order of their releases; a release gives one
 * back and never goes below zero. */
static void limit_reserve(void **state)
{
    apr_pool_t *p = *state;
    ac_memstate m;
    ac_state st;
    ac_faillimit fl = { &st, 5, SEC(60) };
    apr_int64_t left = 0;
    apr_time_t t0 = SEC(7000);
    int i, granted = 0;

    ac_memstate_init(&m, &st, p);
    for (i = 0; i < 40; i++) {      /* 40 attempts in flight at once */
        granted += ac_faillimit_reserve(&fl, "10.1.1.1", t0, &left, p)
                   == AC_FL_ALLOW;
    }
    assert_int_equal(granted, 5);
    /* one of the five was right: given back, one more may try */
    ac_faillimit_release(&fl, "10.1.1.1", t0, p);
    assert_int_equal(ac_faillimit_reserve(&fl, "10.1.1.1", t0, &left, p),
                     AC_FL_ALLOW);
    assert_int_equal(ac_faillimit_reserve(&fl, "10.1.1.1", t0, &left, p),
                     AC_FL_BLOCK);
    /* all given back: the record goes, nothing below zero */
    for (i = 0; i < 9; i++) {
        ac_faillimit_release(&fl, "10.1.1.1", t0, p);
    }
    for (i = 0; i < 5; i++) {
        assert_int_equal(ac_faillimit_reserve(&fl, "10.1.1.1", t0 + SEC(1),
                                              &left, p), AC_FL_ALLOW);
    }
    assert_int_equal(ac_faillimit_reserve(&fl, "10.1.1.1", t0 + SEC(1),
                                          &left, p), AC_FL_BLOCK);
    assert_int_equal(left, 60);
}

/* The failure limit over a store shared by servers: a counter changed
 * with incr, exact whatever the order; the window is the counter's
 * life, its start a second key for Retry-After. */
static void limit_shared(void **state)
{
    apr_pool_t *p = *state;
    ac_memstate m;
    ac_state st;
    ac_faillimit fl = { &st, 5, SEC(60) };
    apr_int64_t left = 0;
    apr_time_t t0 = SEC(7000);
    int i, granted = 0;

    ac_memstate_init_shared(&m, &st, p);
    m.now = t0;
    for (i = 0; i < 40; i++) {
        granted += ac_faillimit_reserve(&fl, "10.1.1.1", t0, &left, p)
                   == AC_FL_ALLOW;
    }
    assert_int_equal(granted, 5);
    assert_int_equal(left, 60);
    assert_int_equal(m.locks, 0);
    ac_faillimit_release(&fl, "10.1.1.1", t0, p);
    assert_int_equal(ac_faillimit_reserve(&fl, "10.1.1.1", t0 + SEC(10),
                                          &left, p), AC_FL_ALLOW);
    assert_int_equal(ac_faillimit_reserve(&fl, "10.1.1.1", t0 + SEC(10),
                                          &left, p), AC_FL_BLOCK);
    assert_int_equal(left, 50);         /* from the first failure      */
    assert_int_equal(ac_faillimit_reserve(&fl, "10.0.0.2", t0, &left, p),
                     AC_FL_ALLOW);
    /* the window passes with the counter */
    m.now = t0 + SEC(60);
    assert_int_equal(ac_faillimit_reserve(&fl, "10.1.1.1", t0 + SEC(60),
                                          &left, p), AC_FL_ALLOW);
    /* all given back: a new failure starts a new window */
    for (i = 0; i < 3; i++) {
        ac_faillimit_release(&fl, "10.1.1.1", t0 + SEC(61), p);
    }
    for (i = 0; i < 5; i++) {
        assert_int_equal(ac_faillimit_reserve(&fl, "10.1.1.1", t0 + SEC(70),
                                              &left, p), AC_FL_ALLOW);
    }
    assert_int_equal(ac_faillimit_reserve(&fl, "10.1.1.1", t0 + SEC(71),
                                          &left, p), AC_FL_BLOCK);
    assert_int_equal(left, 59);
    /* the store down: allowed, and said so */
    m.down = 1;
    assert_int_equal(ac_faillimit_reserve(&fl, "10.1.1.1", t0, &left, p),
                     AC_FL_ERROR);
}

/* The credential cache over a store shared by servers: no lock. */
static void cache_shared(void **state)
{
    apr_pool_t *p = *state;
    ac_memstate m;
    ac_state st;
    ac_credcache c = { &st, secret, sizeof(secret), SEC(300), "dbm:/f" };
    const char *v = NULL;

    ac_memstate_init_shared(&m, &st, p);
    ac_credcache_put(&c, "Basic", "R", "alice", "pw", "st", "alice", SEC(1),
                     0, NULL, p);
    assert_true(ac_credcache_get(&c, "Basic", "R", "alice", "pw", "st",
                                 SEC(2), &v, NULL, p));
    assert_string_equal(v, "alice");
    assert_int_equal(m.locks, 0);
}

/* A generation tells the second it began, and two differ. */
static void generation_since(void **state)
{
    apr_time_t now = apr_time_from_sec(1700000000) + 123456;
    apr_uint64_t a = ac_state_generation_new(now);
    apr_uint64_t b = ac_state_generation_new(now);

    (void)state;
    assert_true(a != 0 && b != 0);
    assert_int_equal(AC_STATE_GEN_SINCE(a), 1700000000);
    assert_int_equal(AC_STATE_GEN_SINCE(b), 1700000000);
    assert_true((a & 0xffffff) != 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(cache), AC_TEST(no_secret_stored), AC_TEST(cache_off_or_down),
        AC_TEST(limit), AC_TEST(limit_reserve), AC_TEST(limit_shared),
        AC_TEST(cache_shared), AC_TEST(generation_since),
    };
    return cmocka_run_group_tests_name("ac_state", tests, NULL, NULL);
}
