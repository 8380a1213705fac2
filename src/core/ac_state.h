/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The shared-state interface (docs/operations.md): a small key/value
 * store with expiry that the glue backs with shmcb (or another ap_socache
 * provider) and a global mutex on one machine, with memcached or redis
 * for a farm, and the unit tests with a hash table.  Nonce counts, the
 * credential cache and failure counters are all built on it in the core.
 *
 * Two kinds of store:
 *  - local (lock != NULL): one machine; get/put/remove are called under
 *    the lock, so a read-modify-write of several calls is exact;
 *  - shared by servers (lock == NULL: memcached, redis): no lock can span
 *    the farm, so what must be exact uses add and incr, which the store
 *    itself makes atomic (memcached add/incr, redis SET NX / a script).
 * Every store has add, incr and generation; a local store makes them
 * atomic with its lock (take it around them is not needed, nor allowed).
 *
 * Every call is bounded in time by the store (AuthChallengeCacheTimeout):
 * AC_STATE_ERROR then, and the callers decide (fail closed or go on).
 */
#ifndef AC_STATE_H
#define AC_STATE_H

#include <apr_pools.h>
#include <apr_time.h>

typedef enum {
    AC_STATE_OK = 0,
    AC_STATE_NOT_FOUND,
    AC_STATE_ERROR,         /* the store is unusable or too slow        */
    AC_STATE_EXISTS         /* add: the key is there already            */
} ac_state_status;

typedef struct ac_state {
    void *ctx;
    /* Serialise a read-modify-write of get/put/remove calls.  NULL for
     * a store shared by servers: use add and incr there. */
    ac_state_status (*lock)(void *ctx);
    void (*unlock)(void *ctx);
    /* *len: in, the buffer size; out, the value's length. */
    ac_state_status (*get)(void *ctx, const unsigned char *key,
                           apr_size_t klen, unsigned char *val,
                           apr_size_t *len, apr_pool_t *p);
    ac_state_status (*put)(void *ctx, const unsigned char *key,
                           apr_size_t klen, const unsigned char *val,
                           apr_size_t len, apr_time_t expiry,
                           apr_pool_t *p);
    ac_state_status (*remove)(void *ctx, const unsigned char *key,
                              apr_size_t klen, apr_pool_t *p);

    /*
     * Set key to val unless it exists: AC_STATE_OK (this call stored
     * it), AC_STATE_EXISTS (it was there: nothing changed) or
     * AC_STATE_ERROR.  Of any number of concurrent adds of one key, on
     * any servers, exactly one gets OK (exactly-once: a Digest nc, a
     * DPoP jti).  group (NULL: none) keeps keys together: keys of one
     * group are on one cache server, whose generation is the group's.
     */
    ac_state_status (*add)(void *ctx, const char *group,
                           const unsigned char *key, apr_size_t klen,
                           const unsigned char *val, apr_size_t len,
                           apr_time_t expiry, apr_pool_t *p);
    /*
     * Add delta (which may be negative) to the counter at key and give
     * its new value in *value.  A missing key is made with the value
     * delta when delta > 0, else AC_STATE_NOT_FOUND; a counter never
     * goes below 0.  When a counter rises from 0 (made, or at 0), its
     * expiry is set to expiry: a new window starts.
     */
    ac_state_status (*incr)(void *ctx, const unsigned char *key,
                            apr_size_t klen, apr_int64_t delta,
                            apr_time_t expiry, apr_int64_t *value,
                            apr_pool_t *p);
    /*
     * The generation of the server holding group's keys: a number that
     * changes whenever that server may have lost what it held (restart,
     * flush, failover to another server), never 0.  fresh 1: ask the
     * store now (to check a nonce); 0: the value this process saw last
     * will do (to issue one).
     */
    ac_state_status (*generation)(void *ctx, const char *group, int fresh,
                                  apr_uint64_t *gen, apr_pool_t *p);
} ac_state;

/*
 * A new generation made at now: its high 40 bits are the second it began
 * (Unix time), its low 24 bits random, never 0.  What a store held
 * before that second may be lost: a DPoP proof made before it cannot be
 * told from a replay (docs/bearer.md, "DPoP").  0 when the RNG fails.
 */
apr_uint64_t ac_state_generation_new(apr_time_t now);

/* The second generation gen began (0 for one of another form). */
#define AC_STATE_GEN_SINCE(gen) ((apr_time_t)((gen) >> 24))

#endif
