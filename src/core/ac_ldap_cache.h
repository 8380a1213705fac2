/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * AuthChallengeLDAPGroupCache: a per-process cache of the directory's
 * yes/no answers about a user (in this group? matches this filter?),
 * each kept for the cache's lifetime (docs/ldap.md, "Group cache").
 *
 * A fixed table of slots, allocated once: a key (kind, user, group or
 * filter) is hashed with SHA-256 and lives in the slot its hash names,
 * holding the whole hash, so two keys never share an answer; a key
 * that lands on a taken slot replaces it.  Memory does not grow with
 * the number of users, and no key text is kept.  Thread-safe.
 */
#ifndef AC_LDAP_CACHE_H
#define AC_LDAP_CACHE_H

#include <apr_pools.h>
#include <apr_time.h>
#include "ac_types.h"

typedef struct ac_ldap_cache ac_ldap_cache;

/* A cache in p whose answers live for ttl; NULL when ttl <= 0 (Off) or
 * it cannot be made. */
ac_ldap_cache *ac_ldap_cache_make(apr_pool_t *p, apr_interval_time_t ttl);

/* The answer (OK, DENIED or NOT_FOUND) kept for the key of the three
 * strings (kind, user, what), 1; or 0 when none is, or it expired. */
int ac_ldap_cache_get(ac_ldap_cache *c, const char *kind, const char *user,
                      const char *what, ac_be_status *answer);

/* Keep answer for that key (an ERROR is never kept). */
void ac_ldap_cache_put(ac_ldap_cache *c, const char *kind, const char *user,
                       const char *what, ac_be_status answer);

#endif
