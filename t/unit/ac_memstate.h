/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * An in-memory ac_state for the unit tests and fuzz harnesses: an
 * apr_hash in one pool, with switches that make calls fail (the whole
 * store down, or only lock, get, put, add or incr) and counters a test
 * can check.  ac_memstate_init makes a local store (with a lock);
 * ac_memstate_init_shared one shared by servers (no lock: add and incr),
 * whose entries expire at m->now (a test moves that clock).
 *
 * It also checks how the core uses a store: no nested lock, every
 * get/put/remove of a local store under the lock, add/incr/generation
 * never under it.  A violation calls abort(), not a cmocka assert, so
 * that plain programs (fuzz_digest.c) can use it too.
 */
#ifndef AC_MEMSTATE_H
#define AC_MEMSTATE_H

#include <stdlib.h>
#include <string.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include "ac_state.h"

#define AC_MEMSTATE_CHECK(c) do { if (!(c)) abort(); } while (0)

typedef struct {
    apr_pool_t *pool;
    apr_hash_t *h;              /* key -> ac_memstate_val *            */
    int down;                   /* every call fails                    */
    int fail_lock, fail_get, fail_put, fail_add, fail_incr, fail_gen;
    int shared;                 /* no lock: a farm's store             */
    int locked;                 /* 1 while the lock is held            */
    int locks;                  /* how many times it was taken         */
    int adds;                   /* add calls                           */
    apr_time_t expiry;          /* of the last put or add              */
    apr_time_t now;             /* shared: entries expire at this time */
    apr_uint64_t gen;           /* the generation (a flush changes it) */
    const char *last_group;     /* the group of the last add           */
} ac_memstate;

/* A stored value. */
typedef struct {
    apr_size_t len;
    unsigned char *bytes;
    apr_time_t expiry;          /* 0: none                             */
} ac_memstate_val;

/* Forget everything, as a flushed or restarted cache does: a new
 * generation. */
static inline void ac_memstate_flush(ac_memstate *m)
{
    apr_hash_clear(m->h);
    m->gen++;
}

/* The live value of key, or NULL. */
static ac_memstate_val *ac_memstate_find(ac_memstate *m,
                                         const unsigned char *key,
                                         apr_size_t klen)
{
    ac_memstate_val *v = apr_hash_get(m->h, key, (apr_ssize_t)klen);

    if (v && m->shared && v->expiry && v->expiry <= m->now) {
        apr_hash_set(m->h, key, (apr_ssize_t)klen, NULL);
        return NULL;
    }
    return v;
}

static ac_state_status ac_memstate_lock(void *ctx)
{
    ac_memstate *m = ctx;

    if (m->down || m->fail_lock) {
        return AC_STATE_ERROR;
    }
    AC_MEMSTATE_CHECK(!m->locked);
    m->locked = 1;
    m->locks++;
    return AC_STATE_OK;
}

static void ac_memstate_unlock(void *ctx)
{
    ac_memstate *m = ctx;

    AC_MEMSTATE_CHECK(m->locked);
    m->locked = 0;
}

static ac_state_status ac_memstate_get(void *ctx, const unsigned char *key,
                                       apr_size_t klen, unsigned char *val,
                                       apr_size_t *len, apr_pool_t *p)
{
    ac_memstate *m = ctx;
    ac_memstate_val *v;

    AC_MEMSTATE_CHECK(m->locked || m->shared);
    if (m->down || m->fail_get) {
        return AC_STATE_ERROR;
    }
    if (!(v = ac_memstate_find(m, key, klen))) {
        return AC_STATE_NOT_FOUND;
    }
    if (v->len > *len) {
        return AC_STATE_ERROR;
    }
    memcpy(val, v->bytes, v->len);
    *len = v->len;
    return AC_STATE_OK;
}

/* Store a value as is, without the lock check: for the store's own
 * put and for a test that plants a record the core did not write. */
static void ac_memstate_set(ac_memstate *m, const unsigned char *key,
                            apr_size_t klen, const unsigned char *val,
                            apr_size_t len)
{
    ac_memstate_val *v = apr_pcalloc(m->pool, sizeof(*v));

    v->len = len;
    v->bytes = apr_pmemdup(m->pool, val, len);
    apr_hash_set(m->h, apr_pmemdup(m->pool, key, klen), (apr_ssize_t)klen,
                 v);
}

static ac_state_status ac_memstate_put(void *ctx, const unsigned char *key,
                                       apr_size_t klen,
                                       const unsigned char *val,
                                       apr_size_t len, apr_time_t expiry,
                                       apr_pool_t *p)
{
    ac_memstate *m = ctx;

    AC_MEMSTATE_CHECK(m->locked || m->shared);
    if (m->down || m->fail_put) {
        return AC_STATE_ERROR;
    }
    ac_memstate_set(m, key, klen, val, len);
    ((ac_memstate_val *)apr_hash_get(m->h, key, (apr_ssize_t)klen))
        ->expiry = expiry;
    m->expiry = expiry;
    return AC_STATE_OK;
}

static ac_state_status ac_memstate_remove(void *ctx,
                                          const unsigned char *key,
                                          apr_size_t klen, apr_pool_t *p)
{
    ac_memstate *m = ctx;

    AC_MEMSTATE_CHECK(m->locked || m->shared);
    if (m->down) {
        return AC_STATE_ERROR;
    }
    apr_hash_set(m->h, key, (apr_ssize_t)klen, NULL);
    return AC_STATE_OK;
}

static ac_state_status ac_memstate_add(void *ctx, const char *group,
                                       const unsigned char *key,
                                       apr_size_t klen,
                                       const unsigned char *val,
                                       apr_size_t len, apr_time_t expiry,
                                       apr_pool_t *p)
{
    ac_memstate *m = ctx;

    AC_MEMSTATE_CHECK(!m->locked);
    m->adds++;
    if (m->down || m->fail_add) {
        return AC_STATE_ERROR;
    }
    m->last_group = group ? apr_pstrdup(m->pool, group) : NULL;
    if (ac_memstate_find(m, key, klen)) {
        return AC_STATE_EXISTS;
    }
    ac_memstate_set(m, key, klen, val, len);
    ((ac_memstate_val *)apr_hash_get(m->h, key, (apr_ssize_t)klen))
        ->expiry = expiry;
    m->expiry = expiry;
    return AC_STATE_OK;
}

/* A counter: 8 bytes, host order, in the value. */
static ac_state_status ac_memstate_incr(void *ctx, const unsigned char *key,
                                        apr_size_t klen, apr_int64_t delta,
                                        apr_time_t expiry,
                                        apr_int64_t *value, apr_pool_t *p)
{
    ac_memstate *m = ctx;
    ac_memstate_val *v;
    apr_int64_t n = 0;

    AC_MEMSTATE_CHECK(!m->locked);
    if (m->down || m->fail_incr) {
        return AC_STATE_ERROR;
    }
    if (!(v = ac_memstate_find(m, key, klen)) && delta <= 0) {
        return AC_STATE_NOT_FOUND;
    }
    if (v) {
        AC_MEMSTATE_CHECK(v->len == sizeof(n));
        memcpy(&n, v->bytes, sizeof(n));
    }
    if (n == 0 && delta > 0) {
        ac_memstate_set(m, key, klen, (const unsigned char *)&n,
                        sizeof(n));
        v = apr_hash_get(m->h, key, (apr_ssize_t)klen);
        v->expiry = expiry;
    }
    n = n + delta < 0 ? 0 : n + delta;
    memcpy(v->bytes, &n, sizeof(n));
    *value = n;
    return AC_STATE_OK;
}

static ac_state_status ac_memstate_generation(void *ctx, const char *group,
                                              int fresh, apr_uint64_t *gen,
                                              apr_pool_t *p)
{
    ac_memstate *m = ctx;

    AC_MEMSTATE_CHECK(!m->locked);
    if (m->down || m->fail_gen) {
        return AC_STATE_ERROR;
    }
    *gen = m->gen;
    return AC_STATE_OK;
}

static void ac_memstate_init(ac_memstate *m, ac_state *st, apr_pool_t *p)
{
    memset(m, 0, sizeof(*m));
    m->pool = p;
    m->h = apr_hash_make(p);
    m->gen = 1;
    memset(st, 0, sizeof(*st));
    st->ctx = m;
    st->lock = ac_memstate_lock;
    st->unlock = ac_memstate_unlock;
    st->get = ac_memstate_get;
    st->put = ac_memstate_put;
    st->remove = ac_memstate_remove;
    st->add = ac_memstate_add;
    st->incr = ac_memstate_incr;
    st->generation = ac_memstate_generation;
}

/* A store shared by servers: no lock. */
static inline void ac_memstate_init_shared(ac_memstate *m, ac_state *st,
                                    apr_pool_t *p)
{
    ac_memstate_init(m, st, p);
    m->shared = 1;
    st->lock = NULL;
    st->unlock = NULL;
}

#endif
