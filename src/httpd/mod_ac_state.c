/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_state.h"

#include "http_config.h"
#include "http_log.h"
#include "ap_provider.h"
#include "ap_socache.h"
#include "util_mutex.h"
#include "apr_file_info.h"
#include "apr_file_io.h"
#include "apr_hash.h"
#include "apr_lib.h"
#include "apr_strings.h"
#include "apr_global_mutex.h"
#include "apr_thread_mutex.h"

#include <openssl/rand.h>

#include "mod_ac_config.h"

APLOG_USE_MODULE(authchallenge);

#define AC_MUTEX_TYPE   "authchallenge-cache"
#define AC_SECRET_MIN   32
#define AC_SECRET_KEY   "authchallenge-random-secret"

struct ac_cache {
    const char *spec;
    ap_socache_provider_t *prov;
    ap_socache_instance_t *inst;
    apr_global_mutex_t *mutex;
    apr_thread_mutex_t *local;      /* this process's threads, in front */
    server_rec *s;
    ac_state iface;
};

/* ------------------------------------------------ ac_state over socache */

/* A cache server that hangs (rather than dies) keeps the thread that
 * holds the mutex waiting for it: the others give up after this long,
 * and the request goes on as with a cache that is down (the replay
 * check fails closed; the credential cache and failure limit are
 * skipped), instead of every request of the host stalling. */
#define AC_LOCK_WAIT apr_time_from_sec(2)

/* The threads of a process queue on an ordinary mutex of their own before
 * the cross-process one, so at most one thread per process waits for that.
 * APR's default process mutex on Linux is a robust, priority-inheriting
 * pthread mutex: a contended lock goes through the kernel and is handed to
 * the sleeping waiter: with a hundred threads asking for it, lock holders
 * queued behind sleepers (a convoy), and futex calls became the largest
 * single cost of a Digest request under load (docs/performance.md). */
static ac_state_status st_lock(void *ctx)
{
    ac_cache *c = ctx;
    apr_time_t deadline = apr_time_now() + AC_LOCK_WAIT;
    apr_interval_time_t left;
    apr_status_t rv;

    if (c->local) {
        rv = apr_thread_mutex_timedlock(c->local, AC_LOCK_WAIT);
        if (rv == APR_ENOTIMPL) {
            rv = apr_thread_mutex_lock(c->local);
        }
        if (rv != APR_SUCCESS) {
            return AC_STATE_ERROR;
        }
    }
    left = deadline - apr_time_now();
    rv = apr_global_mutex_timedlock(c->mutex, left > 0 ? left : 1);
    if (rv == APR_ENOTIMPL) {
        rv = apr_global_mutex_lock(c->mutex);
    }
    if (rv != APR_SUCCESS && c->local) {
        apr_thread_mutex_unlock(c->local);
    }
    return rv == APR_SUCCESS ? AC_STATE_OK : AC_STATE_ERROR;
}

static void st_unlock(void *ctx)
{
    ac_cache *c = ctx;

    apr_global_mutex_unlock(c->mutex);
    if (c->local) {
        apr_thread_mutex_unlock(c->local);
    }
}

static ac_state_status st_get(void *ctx, const unsigned char *key,
                              apr_size_t klen, unsigned char *val,
                              apr_size_t *len, apr_pool_t *p)
{
    ac_cache *c = ctx;
    unsigned int n = (unsigned int)*len;
    apr_status_t rv;

    rv = c->prov->retrieve(c->inst, c->s, key, (unsigned int)klen, val, &n,
                           p);
    if (rv == APR_NOTFOUND) {
        return AC_STATE_NOT_FOUND;
    }
    *len = n;
    return rv == APR_SUCCESS ? AC_STATE_OK : AC_STATE_ERROR;
}

static ac_state_status st_put(void *ctx, const unsigned char *key,
                              apr_size_t klen, const unsigned char *val,
                              apr_size_t len, apr_time_t expiry,
                              apr_pool_t *p)
{
    ac_cache *c = ctx;

    return c->prov->store(c->inst, c->s, key, (unsigned int)klen, expiry,
                          (unsigned char *)val, (unsigned int)len, p)
           == APR_SUCCESS ? AC_STATE_OK : AC_STATE_ERROR;
}

static ac_state_status st_remove(void *ctx, const unsigned char *key,
                                 apr_size_t klen, apr_pool_t *p)
{
    ac_cache *c = ctx;
    apr_status_t rv = c->prov->remove(c->inst, c->s, key,
                                      (unsigned int)klen, p);

    return rv == APR_SUCCESS || rv == APR_NOTFOUND ? AC_STATE_OK
                                                   : AC_STATE_ERROR;
}

/* ------------------------------------------------------ configuration */

int ach_state_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                        apr_pool_t *ptemp)
{
    return ap_mutex_register(pconf, AC_MUTEX_TYPE, NULL, APR_LOCK_DEFAULT,
                             0) == APR_SUCCESS ? OK : 500;
}

static apr_status_t cache_cleanup(void *v)
{
    ac_cache *c = v;

    if (c->inst) {
        c->prov->destroy(c->inst, c->s);
        c->inst = NULL;
    }
    return APR_SUCCESS;
}

/* Create one socache instance for spec ("shmcb", "memcache:h:p", ...). */
static const char *cache_create(ac_cache **out, const char *spec,
                                int index, server_rec *s, apr_pool_t *pconf,
                                apr_pool_t *ptemp)
{
    static struct ap_socache_hints hints = { 48, 80, 300 };
    ac_cache *c = apr_pcalloc(pconf, sizeof(*c));
    const char *name = spec, *args = strchr(spec, ':'), *err;
    apr_status_t rv;

    if (args) {
        name = apr_pstrmemdup(ptemp, spec, args++ - spec);
    }
    c->spec = spec;
    c->s = s;
    c->prov = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name,
                                 AP_SOCACHE_PROVIDER_VERSION);
    if (!c->prov) {
        return apr_psprintf(ptemp, "AuthChallengeCache %s: no socache "
                            "provider '%s' (LoadModule socache_%s_module)",
                            spec, name, name);
    }
    if ((err = c->prov->create(&c->inst, args, ptemp, pconf)) != NULL) {
        return apr_psprintf(ptemp, "AuthChallengeCache %s: %s", spec, err);
    }
    rv = c->prov->init(c->inst, "authchallenge", &hints, s, pconf);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(ptemp, "AuthChallengeCache %s: cannot "
                            "initialise (%d)", spec, rv);
    }
    apr_pool_cleanup_register(pconf, c, cache_cleanup,
                              apr_pool_cleanup_null);
    /* one instance per cache: file-based mutexes get their own file */
    rv = ap_global_mutex_create(&c->mutex, NULL, AC_MUTEX_TYPE,
                                apr_itoa(ptemp, index), s, pconf, 0);
    if (rv != APR_SUCCESS) {
        return "AuthChallengeCache: cannot create its mutex";
    }
    c->iface.ctx = c;
    c->iface.lock = st_lock;
    c->iface.unlock = st_unlock;
    c->iface.get = st_get;
    c->iface.put = st_put;
    c->iface.remove = st_remove;
    *out = c;
    return NULL;
}

static apr_status_t read_all(const char *path, char *buf, apr_size_t size,
                             apr_size_t *n, apr_pool_t *p)
{
    apr_file_t *f;
    apr_status_t rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, p);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    rv = apr_file_read_full(f, buf, size, n);
    apr_file_close(f);
    return rv == APR_EOF ? APR_SUCCESS : rv;
}

/* Read AuthChallengeSecretFile: its bytes less trailing whitespace, at
 * least 32, and a file nobody else may read. */
static const char *secret_load(ach_srv_conf *sc, apr_pool_t *pconf,
                               apr_pool_t *ptemp)
{
    apr_finfo_t fi;
    char *buf;
    apr_size_t n;
    apr_status_t rv;

    rv = apr_stat(&fi, sc->secret_file, APR_FINFO_PROT | APR_FINFO_SIZE,
                  ptemp);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(ptemp, "AuthChallengeSecretFile %s: cannot "
                            "stat it", sc->secret_file);
    }
    if (fi.protection & APR_FPROT_WREAD) {
        return apr_psprintf(ptemp, "AuthChallengeSecretFile %s is world-"
                            "readable: chmod 0640 it", sc->secret_file);
    }
    if (fi.size > 4096) {
        return apr_psprintf(ptemp, "AuthChallengeSecretFile %s: over 4 "
                            "KiB, not a key file", sc->secret_file);
    }
    buf = apr_palloc(pconf, (apr_size_t)fi.size + 1);
    rv = read_all(sc->secret_file, buf, (apr_size_t)fi.size, &n, ptemp);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(ptemp, "AuthChallengeSecretFile %s: cannot "
                            "read it", sc->secret_file);
    }
    while (n > 0 && apr_isspace(buf[n - 1])) {
        n--;
    }
    if (n < AC_SECRET_MIN) {
        return apr_psprintf(ptemp, "AuthChallengeSecretFile %s: the key "
                            "has %" APR_SIZE_T_FMT " bytes, at least %d are "
                            "needed (htchallenge -S writes one)",
                            sc->secret_file, n, AC_SECRET_MIN);
    }
    sc->secret = (const unsigned char *)buf;
    sc->secret_len = n;
    return NULL;
}

/* Without a secret file: 32 random bytes kept in the process pool, so
 * they survive graceful restarts (and nonces with them). */
static const char *secret_random(ach_srv_conf *sc, server_rec *s)
{
    apr_pool_t *pp = s->process->pool;
    void *data = NULL;

    apr_pool_userdata_get(&data, AC_SECRET_KEY, pp);
    if (!data) {
        data = apr_palloc(pp, AC_SECRET_MIN);
        if (RAND_bytes(data, AC_SECRET_MIN) != 1) {
            return "cannot draw a random server secret";
        }
        apr_pool_userdata_set(data, AC_SECRET_KEY, apr_pool_cleanup_null,
                              pp);
    }
    sc->secret = data;
    sc->secret_len = AC_SECRET_MIN;
    return NULL;
}

static const char *setup_server(server_rec *s, apr_hash_t *caches,
                                apr_pool_t *pconf, apr_pool_t *ptemp)
{
    ach_srv_conf *sc = ap_get_module_config(s->module_config,
                                           &authchallenge_module);
    const char *spec = sc->cache_spec ? sc->cache_spec : "shmcb";
    const char *err;

    err = sc->secret_file ? secret_load(sc, pconf, ptemp)
                          : secret_random(sc, s);
    if (err) {
        return err;
    }
    sc->cache = apr_hash_get(caches, spec, APR_HASH_KEY_STRING);
    if (sc->cache) {
        return NULL;
    }
    err = cache_create(&sc->cache, spec, (int)apr_hash_count(caches), s,
                       pconf, ptemp);
    if (err) {
        if (sc->cache_spec) {
            return err;             /* asked for it by name: stop here */
        }
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, "AC00020: %s; Digest "
                     "replay checks, the credential cache and failure "
                     "limits are unavailable", err);
        sc->cache = NULL;
        return NULL;
    }
    apr_hash_set(caches, spec, APR_HASH_KEY_STRING, sc->cache);
    return NULL;
}

int ach_state_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                         apr_pool_t *ptemp, server_rec *s)
{
    apr_hash_t *caches = apr_hash_make(ptemp);
    server_rec *v;

    for (v = s; v; v = v->next) {
        const char *err = setup_server(v, caches, pconf, ptemp);
        if (err) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, v, "AC00021: %s", err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    return OK;
}

void ach_state_child_init(apr_pool_t *p, server_rec *s)
{
    server_rec *v;

    for (v = s; v; v = v->next) {
        ach_srv_conf *sc = ap_get_module_config(v->module_config,
                                               &authchallenge_module);
        if (sc->cache && sc->cache->s == v) {
            apr_global_mutex_child_init(&sc->cache->mutex,
                apr_global_mutex_lockfile(sc->cache->mutex), p);
            apr_thread_mutex_create(&sc->cache->local,
                                    APR_THREAD_MUTEX_DEFAULT, p);
        }
    }
}

void ach_state_attach(server_rec *s, ac_place *pl)
{
    ach_srv_conf *sc = ap_get_module_config(s->module_config,
                                           &authchallenge_module);

    pl->state = sc->cache ? &sc->cache->iface : NULL;
    pl->secret = sc->secret;
    pl->secret_len = sc->secret_len;
}
