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
#include "ac_defaults.h"
#include "mod_ac_remote.h"

APLOG_USE_MODULE(authchallenge);

#define AC_MUTEX_TYPE   "authchallenge-cache"
#define AC_SECRET_MIN   32
#define AC_SECRET_KEY   "authchallenge-random-secret"

/* One shared state: an ap_socache instance on one machine (shmcb),
 * or a store shared by servers (memcached, redis: mod_ac_remote.c). */
struct ac_cache {
    const char *spec;
    apr_interval_time_t timeout;    /* AuthChallengeCacheTimeout       */
    server_rec *s;
    const ac_state *state;
    /* socache */
    ap_socache_provider_t *prov;
    ap_socache_instance_t *inst;
    apr_global_mutex_t *mutex;
    apr_thread_mutex_t *local;      /* this process's threads, in front */
    apr_uint64_t gen;               /* drawn with the instance         */
    ac_state iface;
    /* memcached, redis */
    ach_remote *remote;
};

/* ------------------------------------------------ ac_state over socache */

/* The threads of a process queue on an ordinary mutex of their own before
 * the cross-process one, so at most one thread per process waits for that.
 * APR's default process mutex on Linux is a robust, priority-inheriting
 * pthread mutex: a contended lock goes through the kernel and is handed to
 * the sleeping waiter: with a hundred threads asking for it, lock holders
 * queued behind sleepers (a convoy), and futex calls became the largest
 * single cost of a Digest request under load (docs/performance.md). */
/* The wait is bounded by what is left of the request's
 * AuthChallengeCacheTimeout (mod_ac_remote.h): a thread that holds the
 * lock and hangs (a socache provider waiting on a network server)
 * makes the others give up and go on as with a cache that is down. */
static ac_state_status lock_both(ac_cache *c, apr_interval_time_t wait)
{
    apr_time_t deadline = apr_time_now() + wait;
    apr_interval_time_t left;
    apr_status_t rv;

    if (c->local) {
        rv = apr_thread_mutex_timedlock(c->local, wait);
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

static ac_state_status st_lock(void *ctx)
{
    ac_cache *c = ctx;
    apr_interval_time_t wait = ach_remote_budget(c->timeout);
    apr_time_t t0 = apr_time_now();
    ac_state_status st;

    if (!wait) {
        return AC_STATE_ERROR;
    }
    st = lock_both(c, wait);
    ach_remote_charge(apr_time_now() - t0);
    return st;
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

/* add and incr of a local store: a read and a write under its lock,
 * exact on the machine (the only one that uses the store). */
/* The largest value a local add may find in place of its own. */
#define ADD_SEEN_MAX 8192

static ac_state_status st_add(void *ctx, const char *group,
                              const unsigned char *key, apr_size_t klen,
                              const unsigned char *val, apr_size_t len,
                              apr_time_t expiry, apr_pool_t *p)
{
    ac_cache *c = ctx;
    apr_size_t n = ADD_SEEN_MAX;
    unsigned char *buf = apr_palloc(p, n);
    ac_state_status st;

    if (st_lock(c) != AC_STATE_OK) {
        return AC_STATE_ERROR;
    }
    st = st_get(c, key, klen, buf, &n, p);
    if (st == AC_STATE_NOT_FOUND) {
        st = st_put(c, key, klen, val, len, expiry, p);
    }
    else if (st == AC_STATE_OK) {
        st = AC_STATE_EXISTS;
    }
    st_unlock(c);
    return st;
}

/* A counter of a local store: its value and expiry, big-endian. */
#define CTR_LEN 16

static void ctr_put(unsigned char *b, apr_uint64_t v, apr_uint64_t e)
{
    int i;

    for (i = 0; i < 8; i++) {
        b[i] = (unsigned char)(v >> (56 - 8 * i));
        b[8 + i] = (unsigned char)(e >> (56 - 8 * i));
    }
}

static void ctr_get(const unsigned char *b, apr_int64_t *v, apr_time_t *e)
{
    apr_uint64_t x = 0, y = 0;
    int i;

    for (i = 0; i < 8; i++) {
        x = (x << 8) | b[i];
        y = (y << 8) | b[8 + i];
    }
    *v = (apr_int64_t)x;
    *e = (apr_time_t)y;
}

static ac_state_status st_incr(void *ctx, const unsigned char *key,
                               apr_size_t klen, apr_int64_t delta,
                               apr_time_t expiry, apr_int64_t *value,
                               apr_pool_t *p)
{
    ac_cache *c = ctx;
    unsigned char buf[CTR_LEN];
    apr_size_t n = sizeof(buf);
    apr_int64_t v = 0;
    apr_time_t e = expiry;
    ac_state_status st;

    if (st_lock(c) != AC_STATE_OK) {
        return AC_STATE_ERROR;
    }
    st = st_get(c, key, klen, buf, &n, p);
    if (st == AC_STATE_OK && n == CTR_LEN) {
        ctr_get(buf, &v, &e);
    }
    if (st == AC_STATE_ERROR || (st == AC_STATE_NOT_FOUND && delta <= 0)) {
        st_unlock(c);
        return st;
    }
    if (v == 0 && delta > 0) {
        e = expiry;                 /* rises from 0: a new window     */
    }
    v = v + delta < 0 ? 0 : v + delta;
    ctr_put(buf, (apr_uint64_t)v, (apr_uint64_t)e);
    st = st_put(c, key, klen, buf, CTR_LEN, e, p);
    st_unlock(c);
    *value = v;
    return st;
}

/* One machine's store lives as long as its instance: a new one (httpd
 * restarted, gracefully too: shmcb is made anew) has a new generation,
 * drawn when it is made, so nothing needs to be asked. */
static ac_state_status st_generation(void *ctx, const char *group,
                                     int fresh, apr_uint64_t *gen,
                                     apr_pool_t *p)
{
    *gen = ((ac_cache *)ctx)->gen;
    return AC_STATE_OK;
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

/* A store shared by servers for spec ("memcache:h:p,...",
 * "redis:h:p"). */
static const char *remote_create(ac_cache *c, const ach_remote_client *rc,
                                 apr_pool_t *pconf, apr_pool_t *ptemp)
{
    const char *args = strchr(c->spec, ':'), *err = NULL;

    c->remote = ach_remote_create(rc, args ? args + 1 : "", c->timeout,
                                  c->s, pconf, &err);
    if (!c->remote) {
        return apr_psprintf(ptemp, "AuthChallengeCache %s: %s", c->spec,
                            err);
    }
    c->state = ach_remote_state(c->remote);
    return NULL;
}

/* Create the shared state for spec: memcache and redis here
 * (mod_ac_remote.c), any other name an ap_socache provider ("shmcb",
 * ...) with the mutex. */
static const char *cache_create(ac_cache **out, const char *spec,
                                apr_interval_time_t timeout, int index,
                                server_rec *s, apr_pool_t *pconf,
                                apr_pool_t *ptemp)
{
    static struct ap_socache_hints hints = { 48, 80, 300 };
    ac_cache *c = apr_pcalloc(pconf, sizeof(*c));
    const char *name = spec, *args = strchr(spec, ':'), *err;
    const ach_remote_client *rc = ach_remote_find(spec);
    apr_status_t rv;

    c->spec = spec;
    c->s = s;
    c->timeout = timeout;
    if (rc) {
        if ((err = remote_create(c, rc, pconf, ptemp)) == NULL) {
            *out = c;
        }
        return err;
    }
    if (args) {
        name = apr_pstrmemdup(ptemp, spec, args++ - spec);
    }
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
    if (!(c->gen = ac_state_generation_new(apr_time_now()))) {
        return "AuthChallengeCache: cannot draw its generation";
    }
    c->iface.ctx = c;
    c->iface.lock = st_lock;
    c->iface.unlock = st_unlock;
    c->iface.get = st_get;
    c->iface.put = st_put;
    c->iface.remove = st_remove;
    c->iface.add = st_add;
    c->iface.incr = st_incr;
    c->iface.generation = st_generation;
    c->state = &c->iface;
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

/* Read a file of AuthChallengeSecretFile: its bytes less trailing
 * whitespace, at least 32, and a file nobody else may read. */
static const char *secret_read(const char *path, const unsigned char **key,
                               apr_size_t *klen, apr_pool_t *pconf,
                               apr_pool_t *ptemp)
{
    apr_finfo_t fi;
    char *buf;
    apr_size_t n;
    apr_status_t rv;

    rv = apr_stat(&fi, path, APR_FINFO_PROT | APR_FINFO_SIZE, ptemp);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(ptemp, "AuthChallengeSecretFile %s: cannot "
                            "stat it", path);
    }
    if (fi.protection & APR_FPROT_WREAD) {
        return apr_psprintf(ptemp, "AuthChallengeSecretFile %s is world-"
                            "readable: chmod 0640 it", path);
    }
    if (fi.size > 4096) {
        return apr_psprintf(ptemp, "AuthChallengeSecretFile %s: over 4 "
                            "KiB, not a key file", path);
    }
    buf = apr_palloc(pconf, (apr_size_t)fi.size + 1);
    rv = read_all(path, buf, (apr_size_t)fi.size, &n, ptemp);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(ptemp, "AuthChallengeSecretFile %s: cannot "
                            "read it", path);
    }
    while (n > 0 && apr_isspace(buf[n - 1])) {
        n--;
    }
    if (n < AC_SECRET_MIN) {
        return apr_psprintf(ptemp, "AuthChallengeSecretFile %s: the key "
                            "has %" APR_SIZE_T_FMT " bytes, at least %d are "
                            "needed (htchallenge -S writes one)",
                            path, n, AC_SECRET_MIN);
    }
    *key = (const unsigned char *)buf;
    *klen = n;
    return NULL;
}

/* The secret, and the one before a rotation (docs/operations.md,
 * "Rotation"): the two must differ, or the rotation did not happen. */
static const char *secret_load(ach_srv_conf *sc, apr_pool_t *pconf,
                               apr_pool_t *ptemp)
{
    const char *err = secret_read(sc->secret_file, &sc->secret,
                                  &sc->secret_len, pconf, ptemp);

    sc->secret_prev = NULL;
    sc->secret_prev_len = 0;
    if (err || !sc->secret_prev_file) {
        return err;
    }
    err = secret_read(sc->secret_prev_file, &sc->secret_prev,
                      &sc->secret_prev_len, pconf, ptemp);
    if (!err && sc->secret_prev_len == sc->secret_len
        && !memcmp(sc->secret_prev, sc->secret, sc->secret_len)) {
        err = apr_psprintf(ptemp, "AuthChallengeSecretFile: %s and %s hold "
                           "the same key (a rotation needs a new one: "
                           "htchallenge -S)", sc->secret_file,
                           sc->secret_prev_file);
    }
    return err;
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
    apr_interval_time_t timeout = sc->cache_timeout
                                  ? sc->cache_timeout
                                  : ac_default.cache_timeout;
    const char *err, *id;

    err = sc->secret_file ? secret_load(sc, pconf, ptemp)
                          : secret_random(sc, s);
    if (err) {
        return err;
    }
    /* servers that name one cache with one timeout share it */
    id = apr_psprintf(ptemp, "%s|%" APR_TIME_T_FMT, spec, timeout);
    sc->cache = apr_hash_get(caches, id, APR_HASH_KEY_STRING);
    if (sc->cache) {
        return NULL;
    }
    err = cache_create(&sc->cache, spec, timeout,
                       (int)apr_hash_count(caches), s, pconf, ptemp);
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
    apr_hash_set(caches, apr_pstrdup(ptemp, id), APR_HASH_KEY_STRING,
                 sc->cache);
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
        if (sc->cache && sc->cache->s == v && sc->cache->remote) {
            ach_remote_child_init(sc->cache->remote, p);
        }
        else if (sc->cache && sc->cache->s == v) {
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

    pl->state = sc->cache ? sc->cache->state : NULL;
    pl->secret = sc->secret;
    pl->secret_len = sc->secret_len;
    pl->secret_prev = sc->secret_prev;
    pl->secret_prev_len = sc->secret_prev_len;
}

void ach_state_begin(void)
{
    ach_remote_begin();
}
