/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The shared-state interface (docs/operations.md): a small key/value store with
 * expiry and a lock, that the glue backs with an ap_socache provider
 * (shmcb, memcache, redis) and a global mutex, and the unit tests with a
 * hash table.  Nonce counts, the credential cache and failure counters
 * are all built on it in the core.
 */
#ifndef AC_STATE_H
#define AC_STATE_H

#include <apr_pools.h>
#include <apr_time.h>

typedef enum {
    AC_STATE_OK = 0,
    AC_STATE_NOT_FOUND,
    AC_STATE_ERROR          /* the store is unusable                   */
} ac_state_status;

typedef struct ac_state {
    void *ctx;
    /* Serialise a read-modify-write (may be no-ops for a store that
     * cannot lock across servers: then it is best effort). */
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
} ac_state;

#endif
