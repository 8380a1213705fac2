/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue: redis for the shared state of a farm
 * (AuthChallengeCache redis:host:port), through libhiredis.
 * mod_socache_redis (apr_redis) has no set-if-absent and waits on a
 * hung server without a useful bound; here every call has a connect,
 * send and receive timeout, add is SET NX PX and incr a script (redis
 * runs a script atomically), so both are exact across servers.
 *
 * Connections are kept per child, one per thread that uses redis at
 * once; one that failed is closed, never reused.
 */
#include "mod_ac_remote.h"

#include "apr_strings.h"
#include "apr_thread_mutex.h"

#include <errno.h>

#include <hiredis/hiredis.h>

/* incr (mod_ac_remote.h): KEYS[1] the counter, ARGV[1] delta, ARGV[2]
 * the expiry in ms for a counter that rises from 0; -1 for a missing
 * counter that is not made. */
static const char incr_script[] =
    "local v = redis.call('GET', KEYS[1]) "
    "local d = tonumber(ARGV[1]) "
    "if not v then "
    "  if d <= 0 then return -1 end "
    "  redis.call('SET', KEYS[1], d, 'PX', ARGV[2]) return d "
    "end "
    "v = tonumber(v) "
    "local n = v + d "
    "if n < 0 then n = 0 end "
    "if v == 0 and n > 0 then "
    "  redis.call('SET', KEYS[1], n, 'PX', ARGV[2]) "
    "else "
    "  redis.call('SET', KEYS[1], n, 'KEEPTTL') "
    "end "
    "return n";

typedef struct rd_conn {
    redisContext *c;
    struct rd_conn *next;
    int reused;                     /* taken from the idle list        */
} rd_conn;

typedef struct {
    const char *host;
    int port;
    const char *name;               /* host:port                       */
    apr_thread_mutex_t *lock;
    rd_conn *idle;
} rd_ctx;

static const char *rd_create(void **ctxp, const char *args, apr_pool_t *p)
{
    rd_ctx *c = apr_pcalloc(p, sizeof(*c));
    char *host = NULL, *scope = NULL;
    apr_port_t port = 0;

    if (strchr(args, ',')) {
        return "redis: one server (redis:host:port); a redis that fails "
               "over does so behind one address";
    }
    if (apr_parse_addr_port(&host, &scope, &port, args, p) != APR_SUCCESS
        || !host || scope) {
        return apr_psprintf(p, "redis: '%s' is not host:port", args);
    }
    c->host = host;
    c->port = port ? port : 6379;
    c->name = apr_psprintf(p, "%s:%d", c->host, c->port);
    *ctxp = c;
    return NULL;
}

static apr_status_t rd_cleanup(void *v)
{
    rd_ctx *c = v;

    while (c->idle) {
        redisFree(c->idle->c);
        c->idle = c->idle->next;
    }
    return APR_SUCCESS;
}

static void rd_child_init(void *ctx, apr_pool_t *p)
{
    rd_ctx *c = ctx;

    apr_thread_mutex_create(&c->lock, APR_THREAD_MUTEX_DEFAULT, p);
    apr_pool_cleanup_register(p, c, rd_cleanup, apr_pool_cleanup_null);
}

static struct timeval tv_of(apr_interval_time_t t)
{
    struct timeval tv;

    if (t < 1000) {
        t = 1000;
    }
    tv.tv_sec = (long)(t / APR_USEC_PER_SEC);
    tv.tv_usec = (long)(t % APR_USEC_PER_SEC);
    return tv;
}

/* A connection for one call that may wait timeout in all. */
static rd_conn *rd_take(rd_ctx *c, apr_interval_time_t timeout)
{
    rd_conn *k = NULL;

    if (!c->lock) {
        return NULL;
    }
    apr_thread_mutex_lock(c->lock);
    if (c->idle) {
        k = c->idle;
        c->idle = k->next;
        k->reused = 1;
    }
    apr_thread_mutex_unlock(c->lock);
    if (!k) {
        redisContext *rc = redisConnectWithTimeout(c->host, c->port,
                                                   tv_of(timeout));
        if (!rc || rc->err) {
            if (rc) {
                redisFree(rc);
            }
            return NULL;
        }
        k = calloc(1, sizeof(*k));
        if (!k) {
            redisFree(rc);
            return NULL;
        }
        k->c = rc;
    }
    if (redisSetTimeout(k->c, tv_of(timeout)) != REDIS_OK) {
        redisFree(k->c);
        free(k);
        return NULL;
    }
    return k;
}

/* Back to the idle list, or closed when it failed: a reply that timed
 * out may still come, and must not answer the next call. */
static void rd_give(rd_ctx *c, rd_conn *k, redisReply *rep)
{
    if (rep) {
        freeReplyObject(rep);
    }
    if (k->c->err) {
        redisFree(k->c);
        free(k);
        return;
    }
    apr_thread_mutex_lock(c->lock);
    k->next = c->idle;
    c->idle = k;
    apr_thread_mutex_unlock(c->lock);
}

/* A kept connection that redis closed meanwhile (it restarted, or
 * dropped idle clients) fails at once, without a reply: it is replaced
 * by a new one and the command sent once more.  A timeout is no such
 * failure and is not repeated. */
static int closed_meanwhile(const rd_conn *k)
{
    return k->reused && (k->c->err == REDIS_ERR_EOF
                         || (k->c->err == REDIS_ERR_IO && errno != EAGAIN
                             && errno != EWOULDBLOCK && errno != EINTR));
}

static redisReply *rd_argv(rd_conn *k, int argc, const char **argv,
                           const size_t *lens)
{
    redisReply *rep = redisCommandArgv(k->c, argc, argv, lens);
    redisContext *fresh;
    struct timeval tv;

    if (rep || !closed_meanwhile(k)) {
        return rep;
    }
    tv = k->c->timeout ? *k->c->timeout : tv_of(APR_USEC_PER_SEC);
    fresh = redisConnectWithTimeout(k->c->tcp.host, k->c->tcp.port, tv);
    if (!fresh || fresh->err || redisSetTimeout(fresh, tv) != REDIS_OK) {
        if (fresh) {
            redisFree(fresh);
        }
        return NULL;                /* k->c keeps its error: closed   */
    }
    redisFree(k->c);
    k->c = fresh;
    k->reused = 0;
    return redisCommandArgv(k->c, argc, argv, lens);
}

static ac_state_status rd_get(void *ctx, const char *group, const char *key,
                              unsigned char *val, apr_size_t *len,
                              apr_interval_time_t timeout)
{
    rd_ctx *c = ctx;
    rd_conn *k = rd_take(c, timeout);
    const char *argv[] = { "GET", key };
    size_t lens[] = { 3, strlen(key) };
    redisReply *rep;
    ac_state_status st = AC_STATE_ERROR;

    if (!k) {
        return AC_STATE_ERROR;
    }
    rep = rd_argv(k, 2, argv, lens);
    if (rep && rep->type == REDIS_REPLY_NIL) {
        st = AC_STATE_NOT_FOUND;
    }
    else if (rep && rep->type == REDIS_REPLY_STRING && rep->len <= *len) {
        memcpy(val, rep->str, rep->len);
        *len = rep->len;
        st = AC_STATE_OK;
    }
    rd_give(c, k, rep);
    return st;
}

static ac_state_status rd_set(void *ctx, const char *group, const char *key,
                              const unsigned char *val, apr_size_t len,
                              apr_interval_time_t ttl, int only_new,
                              apr_interval_time_t timeout)
{
    rd_ctx *c = ctx;
    rd_conn *k = rd_take(c, timeout);
    char ms[32];
    const char *argv[6] = { "SET", key, (const char *)val };
    size_t lens[6] = { 3, strlen(key), len };
    int argc = 3;
    redisReply *rep;
    ac_state_status st = AC_STATE_ERROR;

    if (!k) {
        return AC_STATE_ERROR;
    }
    if (only_new) {
        argv[argc] = "NX";
        lens[argc++] = 2;
    }
    if (ttl) {
        apr_snprintf(ms, sizeof(ms), "%" APR_INT64_T_FMT,
                     (apr_int64_t)((ttl + 999) / 1000));
        argv[argc] = "PX";
        lens[argc++] = 2;
        argv[argc] = ms;
        lens[argc++] = strlen(ms);
    }
    rep = rd_argv(k, argc, argv, lens);
    if (rep && rep->type == REDIS_REPLY_STATUS) {
        st = AC_STATE_OK;
    }
    else if (rep && rep->type == REDIS_REPLY_NIL && only_new) {
        st = AC_STATE_EXISTS;
    }
    rd_give(c, k, rep);
    return st;
}

static ac_state_status rd_del(void *ctx, const char *key,
                              apr_interval_time_t timeout)
{
    rd_ctx *c = ctx;
    rd_conn *k = rd_take(c, timeout);
    const char *argv[] = { "DEL", key };
    size_t lens[] = { 3, strlen(key) };
    redisReply *rep;
    ac_state_status st;

    if (!k) {
        return AC_STATE_ERROR;
    }
    rep = rd_argv(k, 2, argv, lens);
    st = rep && rep->type == REDIS_REPLY_INTEGER ? AC_STATE_OK
                                                 : AC_STATE_ERROR;
    rd_give(c, k, rep);
    return st;
}

static ac_state_status rd_incr(void *ctx, const char *key,
                               apr_int64_t delta, apr_interval_time_t ttl,
                               apr_int64_t *value,
                               apr_interval_time_t timeout)
{
    rd_ctx *c = ctx;
    rd_conn *k = rd_take(c, timeout);
    char d[32], ms[32];
    const char *argv[] = { "EVAL", incr_script, "1", key, d, ms };
    size_t lens[6];
    redisReply *rep;
    ac_state_status st = AC_STATE_ERROR;

    if (!k) {
        return AC_STATE_ERROR;
    }
    apr_snprintf(d, sizeof(d), "%" APR_INT64_T_FMT, delta);
    apr_snprintf(ms, sizeof(ms), "%" APR_INT64_T_FMT,
                 (apr_int64_t)(ttl ? (ttl + 999) / 1000 : 1));
    lens[0] = 4;
    lens[1] = sizeof(incr_script) - 1;
    lens[2] = 1;
    lens[3] = strlen(key);
    lens[4] = strlen(d);
    lens[5] = strlen(ms);
    rep = rd_argv(k, 6, argv, lens);
    if (rep && rep->type == REDIS_REPLY_INTEGER) {
        *value = rep->integer;
        st = rep->integer < 0 ? AC_STATE_NOT_FOUND : AC_STATE_OK;
    }
    rd_give(c, k, rep);
    return st;
}

static const char *rd_server_of(void *ctx, const char *group,
                                apr_pool_t *p)
{
    return ((rd_ctx *)ctx)->name;
}

const ach_remote_client ach_redis_client = {
    .name = "redis",
    .create = rd_create,
    .child_init = rd_child_init,
    .get = rd_get,
    .set = rd_set,
    .del = rd_del,
    .incr = rd_incr,
    .server_of = rd_server_of,
    .breaker = 1,
};
