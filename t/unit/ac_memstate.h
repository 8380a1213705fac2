/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * An in-memory ac_state for the unit tests and fuzz harnesses: an
 * apr_hash in one pool, with switches that make calls fail (the whole
 * store down, or only lock, get or put) and counters a test can check.
 *
 * It also checks how the core uses a store: no nested lock, and every
 * get/put/remove under the lock.  A violation calls abort(), not a
 * cmocka assert, so that plain programs (fuzz_digest.c) can use it too.
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
    int fail_lock, fail_get, fail_put;
    int locked;                 /* 1 while the lock is held            */
    int locks;                  /* how many times it was taken         */
    apr_time_t expiry;          /* of the last put                     */
} ac_memstate;

/* A stored value. */
typedef struct {
    apr_size_t len;
    unsigned char *bytes;
} ac_memstate_val;

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

    AC_MEMSTATE_CHECK(m->locked);
    if (m->down || m->fail_get) {
        return AC_STATE_ERROR;
    }
    if (!(v = apr_hash_get(m->h, key, (apr_ssize_t)klen))) {
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
    ac_memstate_val *v = apr_palloc(m->pool, sizeof(*v));

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

    AC_MEMSTATE_CHECK(m->locked);
    if (m->down || m->fail_put) {
        return AC_STATE_ERROR;
    }
    ac_memstate_set(m, key, klen, val, len);
    m->expiry = expiry;
    return AC_STATE_OK;
}

static ac_state_status ac_memstate_remove(void *ctx,
                                          const unsigned char *key,
                                          apr_size_t klen, apr_pool_t *p)
{
    ac_memstate *m = ctx;

    AC_MEMSTATE_CHECK(m->locked);
    if (m->down) {
        return AC_STATE_ERROR;
    }
    apr_hash_set(m->h, key, (apr_ssize_t)klen, NULL);
    return AC_STATE_OK;
}

static void ac_memstate_init(ac_memstate *m, ac_state *st, apr_pool_t *p)
{
    memset(m, 0, sizeof(*m));
    m->pool = p;
    m->h = apr_hash_make(p);
    memset(st, 0, sizeof(*st));
    st->ctx = m;
    st->lock = ac_memstate_lock;
    st->unlock = ac_memstate_unlock;
    st->get = ac_memstate_get;
    st->put = ac_memstate_put;
    st->remove = ac_memstate_remove;
}

#endif
