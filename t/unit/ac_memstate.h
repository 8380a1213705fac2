/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* An in-memory ac_state for unit tests (an apr_hash in one pool), with a
 * switch that makes every call fail, as a store that is down. */
#ifndef AC_MEMSTATE_H
#define AC_MEMSTATE_H

#include <apr_hash.h>
#include <apr_strings.h>
#include "ac_state.h"

typedef struct {
    apr_pool_t *pool;
    apr_hash_t *h;
    int down;
    int locked;
} ac_memstate;

static ac_state_status mem_lock(void *ctx)
{
    ac_memstate *m = ctx;
    if (m->down) {
        return AC_STATE_ERROR;
    }
    m->locked++;
    return AC_STATE_OK;
}

static void mem_unlock(void *ctx)
{
    ((ac_memstate *)ctx)->locked--;
}

static ac_state_status mem_get(void *ctx, const unsigned char *key,
                               apr_size_t klen, unsigned char *val,
                               apr_size_t *len, apr_pool_t *p)
{
    ac_memstate *m = ctx;
    const unsigned char *v;
    apr_size_t *stored;

    if (m->down) {
        return AC_STATE_ERROR;
    }
    stored = apr_hash_get(m->h, key, (apr_ssize_t)klen);
    if (!stored) {
        return AC_STATE_NOT_FOUND;
    }
    v = (const unsigned char *)(stored + 1);
    if (*stored > *len) {
        return AC_STATE_ERROR;
    }
    memcpy(val, v, *stored);
    *len = *stored;
    return AC_STATE_OK;
}

static ac_state_status mem_put(void *ctx, const unsigned char *key,
                               apr_size_t klen, const unsigned char *val,
                               apr_size_t len, apr_time_t expiry,
                               apr_pool_t *p)
{
    ac_memstate *m = ctx;
    apr_size_t *stored;

    if (m->down) {
        return AC_STATE_ERROR;
    }
    stored = apr_palloc(m->pool, sizeof(apr_size_t) + len);
    *stored = len;
    memcpy(stored + 1, val, len);
    apr_hash_set(m->h, apr_pmemdup(m->pool, key, klen), (apr_ssize_t)klen,
                 stored);
    return AC_STATE_OK;
}

static ac_state_status mem_remove(void *ctx, const unsigned char *key,
                                  apr_size_t klen, apr_pool_t *p)
{
    ac_memstate *m = ctx;
    apr_hash_set(m->h, key, (apr_ssize_t)klen, NULL);
    return AC_STATE_OK;
}

static void ac_memstate_init(ac_memstate *m, ac_state *st, apr_pool_t *p)
{
    memset(m, 0, sizeof(*m));
    m->pool = p;
    m->h = apr_hash_make(p);
    st->ctx = m;
    st->lock = mem_lock;
    st->unlock = mem_unlock;
    st->get = mem_get;
    st->put = mem_put;
    st->remove = mem_remove;
}

#endif
