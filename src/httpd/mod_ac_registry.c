/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_registry.h"

#include "apr_hash.h"
#include "apr_strings.h"
#include "apr_thread_rwlock.h"

static apr_pool_t *registry_pool;
static apr_hash_t *registry;
/* read-locked on every request, write-locked only to add a back-end */
static apr_thread_rwlock_t *registry_lock;

/* pconf lives as long as this configuration: a graceful restart drops
 * the back-ends (closing their handles and connections) with it. */
int ach_registry_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp, server_rec *s)
{
    registry_pool = pconf;
    registry = apr_hash_make(pconf);
    return apr_thread_rwlock_create(&registry_lock, pconf)
           == APR_SUCCESS ? OK : HTTP_INTERNAL_SERVER_ERROR;
}

const ac_backend *ach_registry_get(const char *key, ach_registry_make make,
                                  const void *arg, const char **err)
{
    const ac_backend *be;

    *err = NULL;
    if (!registry) {
        *err = "no back-end registry (post_config did not run)";
        return NULL;
    }
    apr_thread_rwlock_rdlock(registry_lock);
    be = apr_hash_get(registry, key, APR_HASH_KEY_STRING);
    apr_thread_rwlock_unlock(registry_lock);
    if (be) {
        return be;
    }
    apr_thread_rwlock_wrlock(registry_lock);
    be = apr_hash_get(registry, key, APR_HASH_KEY_STRING);  /* raced? */
    if (!be && (be = make(registry_pool, arg, err)) != NULL) {
        apr_hash_set(registry, apr_pstrdup(registry_pool, key),
                     APR_HASH_KEY_STRING, be);
    }
    apr_thread_rwlock_unlock(registry_lock);
    return be;
}
