/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue: a store shared by the servers of a farm (memcached, redis;
 * docs/operations.md, "Running a farm") behind the core's ac_state.
 * Each client file (mod_ac_memcache.c, mod_ac_redis.c) speaks its
 * protocol through a maintained library; this unit makes an ac_state of
 * it: keys in one namespace, the generation kept per cache server, and
 * every call bounded by AuthChallengeCacheTimeout for the request as a
 * whole (a request that waited the timeout once does not wait again).
 */
#ifndef MOD_AC_REMOTE_H
#define MOD_AC_REMOTE_H

#include "httpd.h"
#include "ac_state.h"

/* One cache client: the operations its library does atomically.  key
 * is printable (no space, no control character, at most 250 bytes);
 * group (NULL: the key) picks the server; ttl 0 is no expiry; each
 * call waits at most timeout. */
typedef struct {
    const char *name;               /* as in AuthChallengeCache        */
    /* Parse args ("host:port[,host:port...]") into *ctx; NULL or why
     * not. */
    const char *(*create)(void **ctx, const char *args, apr_pool_t *p);
    /* In each child: connections are made there, on first use. */
    void (*child_init)(void *ctx, apr_pool_t *p);
    ac_state_status (*get)(void *ctx, const char *group, const char *key,
                           unsigned char *val, apr_size_t *len,
                           apr_interval_time_t timeout);
    /* only_new: set-if-absent, AC_STATE_EXISTS when it was there. */
    ac_state_status (*set)(void *ctx, const char *group, const char *key,
                           const unsigned char *val, apr_size_t len,
                           apr_interval_time_t ttl, int only_new,
                           apr_interval_time_t timeout);
    ac_state_status (*del)(void *ctx, const char *key,
                           apr_interval_time_t timeout);
    /* ac_state's incr, with a ttl for a counter that rises from 0. */
    ac_state_status (*incr)(void *ctx, const char *key, apr_int64_t delta,
                            apr_interval_time_t ttl, apr_int64_t *value,
                            apr_interval_time_t timeout);
    /* The server that holds group's keys now ("host:port"), in p. */
    const char *(*server_of)(void *ctx, const char *group, apr_pool_t *p);
    /* 1: after a failure the whole client is skipped for a second (one
     * server); 0: the library marks a failed server itself. */
    int breaker;
} ach_remote_client;

extern const ach_remote_client ach_memcache_client;   /* mod_ac_memcache.c */
extern const ach_remote_client ach_redis_client;      /* mod_ac_redis.c */

typedef struct ach_remote ach_remote;

/* The client named by spec's provider ("memcache", "redis"), or NULL. */
const ach_remote_client *ach_remote_find(const char *spec);

/* A store over client c for the args of spec; NULL and *err on error.
 * s: for the log lines (AC01013). */
ach_remote *ach_remote_create(const ach_remote_client *c, const char *args,
                              apr_interval_time_t timeout, server_rec *s,
                              apr_pool_t *p, const char **err);
void ach_remote_child_init(ach_remote *r, apr_pool_t *p);
const ac_state *ach_remote_state(ach_remote *r);

/* A request starts: the cache may make it wait the timeout once in all
 * (a thread handles one request at a time). */
void ach_remote_begin(void);

/* How long the current request may still wait for a cache of this
 * timeout: 0 when it has waited for it already. */
apr_interval_time_t ach_remote_budget(apr_interval_time_t timeout);

/* The current request waited t for a cache (the local store's lock). */
void ach_remote_charge(apr_interval_time_t t);

#endif
