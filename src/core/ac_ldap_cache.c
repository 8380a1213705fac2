/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* The LDAP answer cache: see ac_ldap_cache.h. */
#include "ac_ldap_cache.h"

#include <string.h>
#include <apr_thread_mutex.h>
#include <openssl/evp.h>

/* Slots per cache: 48 bytes each. */
#define AC_LDAP_CACHE_SLOTS 2048

typedef struct {
    unsigned char key[32];          /* SHA-256 of the key               */
    apr_time_t expires;             /* 0: empty                         */
    int answer;
} ac_ldap_slot;

struct ac_ldap_cache {
    apr_interval_time_t ttl;
#if APR_HAS_THREADS
    apr_thread_mutex_t *lock;
#endif
    ac_ldap_slot *slots;
};

ac_ldap_cache *ac_ldap_cache_make(apr_pool_t *p, apr_interval_time_t ttl)
{
    ac_ldap_cache *c;

    if (ttl <= 0) {
        return NULL;
    }
    c = apr_pcalloc(p, sizeof(*c));
    c->ttl = ttl;
    c->slots = apr_pcalloc(p, AC_LDAP_CACHE_SLOTS * sizeof(*c->slots));
#if APR_HAS_THREADS
    if (apr_thread_mutex_create(&c->lock, APR_THREAD_MUTEX_DEFAULT, p)
        != APR_SUCCESS) {
        return NULL;
    }
#endif
    return c;
}

/* SHA-256 of the three strings, each with its terminating NUL: no two
 * triples give the same input. */
static int digest(const char *kind, const char *user, const char *what,
                  unsigned char out[32])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL)
             && EVP_DigestUpdate(md, kind, strlen(kind) + 1)
             && EVP_DigestUpdate(md, user, strlen(user) + 1)
             && EVP_DigestUpdate(md, what, strlen(what) + 1)
             && EVP_DigestFinal_ex(md, out, NULL);

    EVP_MD_CTX_free(md);
    return ok;
}

static ac_ldap_slot *slot_of(ac_ldap_cache *c, const unsigned char *key)
{
    apr_uint32_t i = (apr_uint32_t)key[0] << 24 | (apr_uint32_t)key[1] << 16
                     | (apr_uint32_t)key[2] << 8 | key[3];

    return &c->slots[i % AC_LDAP_CACHE_SLOTS];
}

static void lock(ac_ldap_cache *c)
{
#if APR_HAS_THREADS
    apr_thread_mutex_lock(c->lock);
#endif
}

static void unlock(ac_ldap_cache *c)
{
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(c->lock);
#endif
}

int ac_ldap_cache_get(ac_ldap_cache *c, const char *kind, const char *user,
                      const char *what, ac_be_status *answer)
{
    unsigned char key[32];
    ac_ldap_slot *s;
    int hit;

    if (!c || !digest(kind, user, what, key)) {
        return 0;
    }
    s = slot_of(c, key);
    lock(c);
    hit = s->expires > apr_time_now() && !memcmp(s->key, key, sizeof(key));
    if (hit) {
        *answer = (ac_be_status)s->answer;
    }
    unlock(c);
    return hit;
}

void ac_ldap_cache_put(ac_ldap_cache *c, const char *kind, const char *user,
                       const char *what, ac_be_status answer)
{
    unsigned char key[32];
    ac_ldap_slot *s;

    if (!c || answer == AC_BE_ERROR || answer == AC_BE_UNSUPPORTED
        || !digest(kind, user, what, key)) {
        return;
    }
    s = slot_of(c, key);
    lock(c);
    memcpy(s->key, key, sizeof(key));
    s->answer = (int)answer;
    s->expires = apr_time_now() + c->ttl;
    unlock(c);
}
