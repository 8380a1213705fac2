/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue: memcached for the shared state of a farm
 * (AuthChallengeCache memcache:host:port,...), through libmemcached.
 * apr_memcache (under mod_socache_memcache) cannot bound a read: it
 * waits for ever once connected (apr_memcache.c conn_connect sets the
 * socket timeout to -1), so a hung server held requests without limit.
 * libmemcached waits in poll() with a timeout set per call, and gives
 * add (set-if-absent) and incr, which memcached makes atomic.
 *
 * Keys of one group go to one server (the *_by_key calls), so a nonce's
 * nc keys and the generation they are checked against are on one
 * server; a failed server is taken out of the hashing
 * (REMOVE_FAILED_SERVERS) and its groups move to another, whose
 * generation differs: the move is noticed, never silently exact-less.
 */
#include "mod_ac_remote.h"

#include "apr_strings.h"
#include "apr_lib.h"

#include <libmemcached/memcached.h>
#include <libmemcached/util.h>

/* Handles kept per child: one per thread that uses the cache at once. */
#define MC_POOL_MAX 256
/* memcached takes an expiry over 30 days as a Unix time. */
#define MC_RELATIVE_MAX (30 * 86400)

typedef struct {
    apr_array_header_t *servers;    /* "host:port"                     */
    memcached_st *master;
    memcached_pool_st *pool;
} mc_ctx;

/* host:port[,host:port...]; a missing port is 11211. */
static const char *mc_create(void **ctxp, const char *args, apr_pool_t *p)
{
    mc_ctx *c = apr_pcalloc(p, sizeof(*c));
    char *list = apr_pstrdup(p, args), *last, *one;

    c->servers = apr_array_make(p, 2, sizeof(const char *));
    for (one = apr_strtok(list, ",", &last); one;
         one = apr_strtok(NULL, ",", &last)) {
        char *host = NULL, *scope = NULL;
        apr_port_t port = 0;

        if (apr_parse_addr_port(&host, &scope, &port, one, p)
            != APR_SUCCESS || !host || scope) {
            return apr_psprintf(p, "memcache: '%s' is not host:port", one);
        }
        APR_ARRAY_PUSH(c->servers, const char *) =
            apr_psprintf(p, "%s:%u", host, port ? port : 11211);
    }
    if (!c->servers->nelts) {
        return "memcache: no server (memcache:host:port[,host:port...])";
    }
    *ctxp = c;
    return NULL;
}

static apr_status_t mc_cleanup(void *v)
{
    mc_ctx *c = v;

    if (c->pool) {
        memcached_pool_destroy(c->pool);
        c->pool = NULL;
    }
    if (c->master) {
        memcached_free(c->master);
        c->master = NULL;
    }
    return APR_SUCCESS;
}

static void mc_child_init(void *ctx, apr_pool_t *p)
{
    mc_ctx *c = ctx;
    int i;

    c->master = memcached_create(NULL);
    if (!c->master) {
        return;
    }
    for (i = 0; i < c->servers->nelts; i++) {
        char *hp = apr_pstrdup(p, APR_ARRAY_IDX(c->servers, i, char *));
        char *colon = strrchr(hp, ':');

        *colon = '\0';
        memcached_server_add(c->master, hp, (in_port_t)atoi(colon + 1));
    }
    memcached_behavior_set(c->master, MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
    /* a failed server: skipped for a second, its groups hashed to the
     * others meanwhile (their generation tells), then tried again
     * (without DEAD_TIMEOUT an ejected server never comes back) */
    memcached_behavior_set(c->master,
                           MEMCACHED_BEHAVIOR_SERVER_FAILURE_LIMIT, 1);
    memcached_behavior_set(c->master, MEMCACHED_BEHAVIOR_RETRY_TIMEOUT, 1);
    memcached_behavior_set(c->master,
                           MEMCACHED_BEHAVIOR_REMOVE_FAILED_SERVERS, 1);
    memcached_behavior_set(c->master, MEMCACHED_BEHAVIOR_DEAD_TIMEOUT, 1);
    c->pool = memcached_pool_create(c->master, 1, MC_POOL_MAX);
    apr_pool_cleanup_register(p, c, mc_cleanup, apr_pool_cleanup_null);
}

/* A handle for one call that may wait timeout (µs): every wait of
 * libmemcached (connect, poll) is bounded by it. */
static memcached_st *mc_take(mc_ctx *c, apr_interval_time_t timeout)
{
    struct timespec ts;
    memcached_return_t rc;
    memcached_st *m;
    uint64_t ms = (uint64_t)(timeout / 1000);

    if (!c->pool) {
        return NULL;
    }
    ts.tv_sec = (time_t)(timeout / APR_USEC_PER_SEC);
    ts.tv_nsec = (long)(timeout % APR_USEC_PER_SEC) * 1000;
    m = memcached_pool_fetch(c->pool, &ts, &rc);
    if (m) {
        memcached_behavior_set(m, MEMCACHED_BEHAVIOR_POLL_TIMEOUT,
                               ms ? ms : 1);
        memcached_behavior_set(m, MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT,
                               ms ? ms : 1);
    }
    return m;
}

static void mc_give(mc_ctx *c, memcached_st *m)
{
    memcached_pool_release(c->pool, m);
}

static time_t mc_exptime(apr_interval_time_t ttl)
{
    apr_int64_t s;

    if (!ttl) {
        return 0;
    }
    s = (ttl + APR_USEC_PER_SEC - 1) / APR_USEC_PER_SEC;
    return s > MC_RELATIVE_MAX ? (time_t)(apr_time_sec(apr_time_now()) + s)
                               : (time_t)s;
}

static const char *route(const char *group, const char *key)
{
    return group ? group : key;
}

static ac_state_status mc_get(void *ctx, const char *group,
                              const char *key, unsigned char *val,
                              apr_size_t *len, apr_interval_time_t timeout)
{
    mc_ctx *c = ctx;
    memcached_st *m = mc_take(c, timeout);
    memcached_return_t rc;
    const char *g = route(group, key);
    size_t n = 0;
    uint32_t flags;
    char *v;
    ac_state_status st = AC_STATE_ERROR;

    if (!m) {
        return AC_STATE_ERROR;
    }
    v = memcached_get_by_key(m, g, strlen(g), key, strlen(key), &n, &flags,
                             &rc);
    if (v && rc == MEMCACHED_SUCCESS && n <= *len) {
        memcpy(val, v, n);
        *len = n;
        st = AC_STATE_OK;
    }
    else if (rc == MEMCACHED_NOTFOUND) {
        st = AC_STATE_NOT_FOUND;
    }
    free(v);
    mc_give(c, m);
    return st;
}

static ac_state_status mc_set(void *ctx, const char *group,
                              const char *key, const unsigned char *val,
                              apr_size_t len, apr_interval_time_t ttl,
                              int only_new, apr_interval_time_t timeout)
{
    mc_ctx *c = ctx;
    memcached_st *m = mc_take(c, timeout);
    memcached_return_t rc;
    const char *g = route(group, key);

    if (!m) {
        return AC_STATE_ERROR;
    }
    rc = (only_new ? memcached_add_by_key : memcached_set_by_key)
         (m, g, strlen(g), key, strlen(key), (const char *)val, len,
          mc_exptime(ttl), 0);
    mc_give(c, m);
    if (rc == MEMCACHED_SUCCESS || rc == MEMCACHED_STORED) {
        return AC_STATE_OK;
    }
    return only_new && (rc == MEMCACHED_NOTSTORED
                        || rc == MEMCACHED_DATA_EXISTS)
           ? AC_STATE_EXISTS : AC_STATE_ERROR;
}

static ac_state_status mc_del(void *ctx, const char *key,
                              apr_interval_time_t timeout)
{
    mc_ctx *c = ctx;
    memcached_st *m = mc_take(c, timeout);
    memcached_return_t rc;

    if (!m) {
        return AC_STATE_ERROR;
    }
    rc = memcached_delete(m, key, strlen(key), 0);
    mc_give(c, m);
    return rc == MEMCACHED_SUCCESS || rc == MEMCACHED_DELETED
           || rc == MEMCACHED_NOTFOUND ? AC_STATE_OK : AC_STATE_ERROR;
}

/* memcached's incr and decr are atomic; a missing counter is made with
 * add (a racing add loses and increments instead); a counter that rose
 * from 0 gets its expiry anew with touch.  decr stops at 0 by itself. */
static ac_state_status mc_count(memcached_st *m, const char *key,
                                apr_int64_t delta, apr_interval_time_t ttl,
                                apr_int64_t *value)
{
    size_t klen = strlen(key);
    uint64_t v = 0;
    memcached_return_t rc;
    char num[32];
    int tries;

    if (delta <= 0) {
        rc = memcached_decrement(m, key, klen, (uint32_t)-delta, &v);
        *value = (apr_int64_t)v;
        return rc == MEMCACHED_SUCCESS ? AC_STATE_OK
               : rc == MEMCACHED_NOTFOUND ? AC_STATE_NOT_FOUND
                                          : AC_STATE_ERROR;
    }
    for (tries = 0; tries < 2; tries++) {
        rc = memcached_increment(m, key, klen, (uint32_t)delta, &v);
        if (rc == MEMCACHED_SUCCESS) {
            *value = (apr_int64_t)v;
            if (v == (uint64_t)delta
                && memcached_touch(m, key, klen, mc_exptime(ttl))
                   != MEMCACHED_SUCCESS) {
                return AC_STATE_ERROR;
            }
            return AC_STATE_OK;
        }
        if (rc != MEMCACHED_NOTFOUND) {
            return AC_STATE_ERROR;
        }
        apr_snprintf(num, sizeof(num), "%" APR_INT64_T_FMT, delta);
        rc = memcached_add(m, key, klen, num, strlen(num), mc_exptime(ttl),
                           0);
        if (rc == MEMCACHED_SUCCESS || rc == MEMCACHED_STORED) {
            *value = delta;
            return AC_STATE_OK;
        }
        if (rc != MEMCACHED_NOTSTORED && rc != MEMCACHED_DATA_EXISTS) {
            return AC_STATE_ERROR;
        }
    }
    return AC_STATE_ERROR;
}

static ac_state_status mc_incr(void *ctx, const char *key,
                               apr_int64_t delta, apr_interval_time_t ttl,
                               apr_int64_t *value,
                               apr_interval_time_t timeout)
{
    mc_ctx *c = ctx;
    memcached_st *m = mc_take(c, timeout);
    ac_state_status st;

    if (!m) {
        return AC_STATE_ERROR;
    }
    st = mc_count(m, key, delta, ttl, value);
    mc_give(c, m);
    return st;
}

static const char *mc_server_of(void *ctx, const char *group,
                                apr_pool_t *p)
{
    mc_ctx *c = ctx;
    memcached_st *m = mc_take(c, APR_USEC_PER_SEC);
    const memcached_instance_st *in;
    memcached_return_t rc;
    const char *g = group ? group : "-", *out = NULL;

    if (!m) {
        return NULL;
    }
    in = memcached_server_by_key(m, g, strlen(g), &rc);
    if (in) {
        out = apr_psprintf(p, "%s:%u", memcached_server_name(in),
                           (unsigned)memcached_server_port(in));
    }
    mc_give(c, m);
    return out;
}

const ach_remote_client ach_memcache_client = {
    .name = "memcache",
    .create = mc_create,
    .child_init = mc_child_init,
    .get = mc_get,
    .set = mc_set,
    .del = mc_del,
    .incr = mc_incr,
    .server_of = mc_server_of,
    .breaker = 0,
};
