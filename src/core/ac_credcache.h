/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The verified-credential cache (docs/security.md, "Credential cache").
 * The key is HMAC-SHA-256(secret, scheme, scope, realm, user,
 * credential, stamp): the store never sees a password or a token, and a
 * key cannot be computed without the server secret.  The value is what
 * authorization needs afterwards (the user, or a Bearer token's claims)
 * — never a secret.
 *
 * "scope" is everything the verdict depends on besides the credential:
 * the virtual host and sections, the back-ends' settings, the key set
 * and token rules; NULL means the place cannot cache (its verdicts
 * depend on what the module cannot see).  "stamp" is the stored record
 * the verdict rests on (ac_backend_stamp), so an edited or deleted
 * record is a miss at once.
 */
#ifndef AC_CREDCACHE_H
#define AC_CREDCACHE_H

#include "ac_state.h"

typedef struct {
    const ac_state *state;          /* NULL: no cache                  */
    const unsigned char *secret;
    apr_size_t secret_len;
    apr_interval_time_t ttl;        /* 0: Off                          */
    const char *scope;
} ac_credcache;

#define AC_CREDCACHE_MAX_VALUE 4096

/* 1 and *value (in p) on a live entry; 0 on a miss or any error.
 * *health (may be NULL) is set to 1 when the store answered (a hit or
 * a miss), -1 when it failed, and left alone when it was not asked: an
 * unusable store costs speed, never a verdict, but its outage is logged
 * (docs/operations.md). */
int ac_credcache_get(const ac_credcache *c, const char *scheme,
                     const char *realm, const char *user,
                     const char *credential, const char *stamp,
                     apr_time_t now, const char **value, int *health,
                     apr_pool_t *p);

/* Remember a verified credential until min(now + ttl, not_after);
 * not_after 0 means no bound of its own (a token without exp).  *health
 * as for ac_credcache_get. */
void ac_credcache_put(const ac_credcache *c, const char *scheme,
                      const char *realm, const char *user,
                      const char *credential, const char *stamp,
                      const char *value, apr_time_t now,
                      apr_time_t not_after, int *health, apr_pool_t *p);

/* 1 when c can be used at all: on, with a store, a secret and a scope
 * (the callers skip the work of a stamp otherwise). */
int ac_credcache_enabled(const ac_credcache *c);

#endif
