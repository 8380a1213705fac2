/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_log.h"

#include "http_config.h"
#include "http_log.h"
#include "apr_atomic.h"
#include "apr_hash.h"
#include "apr_shm.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"

#include "ac_outage.h"

APLOG_USE_MODULE(authchallenge);

/*
 * Outages (docs/reliability.md, "Outages in the log"): one key per thing
 * that can be down (the back-ends of a place, the shared cache), its
 * state per process in `outages` and, shared by the processes of this
 * configuration, how many of its outages ended, in `slots` (anonymous
 * shared memory made before the fork, found by the key's hash).
 * ac_outage.c decides what to log.  While this process sees nothing
 * down (the normal case) a request asks no lock and no key: `n_down`
 * counts the keys it holds down.
 */
#define AC_SLOTS 512

typedef struct {
    volatile apr_uint32_t hash;     /* 0: free                          */
    ac_outage_shared sh;
} ach_slot;

typedef struct {
    ac_outage_local lo;
    ac_outage_shared *sh;
} ach_outage;

static ach_slot *slots;             /* shared: AC_SLOTS of them         */
static ac_outage_shared spare;      /* when slots are missing or full   */
static apr_hash_t *outages;         /* key → ach_outage, this process   */
static apr_hash_t *warned;          /* keys warned about, this process  */
static apr_uint32_t n_down;
static apr_thread_mutex_t *lock;

int ach_log_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                        apr_pool_t *ptemp, server_rec *s)
{
    apr_shm_t *shm;

    outages = apr_hash_make(pconf);
    warned = apr_hash_make(pconf);
    n_down = 0;
    slots = NULL;
    if (apr_shm_create(&shm, sizeof(ach_slot) * AC_SLOTS, NULL, pconf)
        == APR_SUCCESS) {
        slots = apr_shm_baseaddr_get(shm);
        memset(slots, 0, sizeof(ach_slot) * AC_SLOTS);
    }
    else {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, "AC00022: no shared "
                     "memory for outage states: each process logs the "
                     "outages it sees on its own");
    }
    return apr_thread_mutex_create(&lock, APR_THREAD_MUTEX_DEFAULT, pconf)
           == APR_SUCCESS ? OK : HTTP_INTERNAL_SERVER_ERROR;
}

/* The shared state of key: its slot, found by hash with linear probing
 * and claimed with a compare-and-swap. */
static ac_outage_shared *shared_of(const char *key)
{
    apr_uint32_t h = 2166136261u;       /* FNV-1a */
    const unsigned char *c;
    int i;

    for (c = (const unsigned char *)key; *c; c++) {
        h = (h ^ *c) * 16777619u;
    }
    h = h ? h : 1;
    for (i = 0; slots && i < AC_SLOTS; i++) {
        ach_slot *s = &slots[(h + i) % AC_SLOTS];
        apr_uint32_t was = apr_atomic_cas32(&s->hash, h, 0);

        if (was == 0 || was == h) {
            return &s->sh;
        }
    }
    return &spare;
}

/* Under the lock: key's state in this process (made on first use when
 * make is set; NULL otherwise). */
static ach_outage *outage_of(const char *key, int make)
{
    ach_outage *o = apr_hash_get(outages, key, APR_HASH_KEY_STRING);

    if (!o && make) {
        apr_pool_t *p = apr_hash_pool_get(outages);

        o = apr_pcalloc(p, sizeof(*o));
        o->sh = shared_of(key);
        apr_hash_set(outages, apr_pstrdup(p, key), APR_HASH_KEY_STRING, o);
    }
    return o;
}

/* The outage key of the shared cache (one per configuration, like the
 * back-ends' keys). */
#define AC_CACHE_KEY "the shared cache"

/* What happened to key: a failure (failed 1) or an answer, at now. */
static ac_outage_event event(const char *key, int failed, apr_time_t now)
{
    ach_outage *o;
    ac_outage_event e;
    int was;

    if (!failed && !apr_atomic_read32(&n_down)) {
        return AC_OUTAGE_QUIET;
    }
    apr_thread_mutex_lock(lock);
    o = outage_of(key, failed);
    if (!o) {
        apr_thread_mutex_unlock(lock);
        return AC_OUTAGE_QUIET;
    }
    was = o->lo.down;
    e = failed ? ac_outage_failed(o->sh, &o->lo, now)
               : ac_outage_answered(o->sh, &o->lo, now,
                                    strcmp(key, AC_CACHE_KEY)
                                    ? AC_OUTAGE_SETTLE
                                    : AC_OUTAGE_SETTLE_CACHE);
    if (was != o->lo.down) {
        if (o->lo.down) {
            apr_atomic_inc32(&n_down);
        }
        else {
            apr_atomic_dec32(&n_down);
        }
    }
    apr_thread_mutex_unlock(lock);
    return e;
}

/* When key's last outage ended, as another process saw it. */
static const char *ended_at(request_rec *r, const char *key)
{
    char when[APR_CTIME_LEN];
    apr_uint32_t s;

    apr_thread_mutex_lock(lock);
    s = apr_atomic_read32(&outage_of(key, 1)->sh->ended_at);
    apr_thread_mutex_unlock(lock);
    apr_ctime(when, apr_time_from_sec(s));
    return apr_pstrdup(r->pool, when);
}

/* The notice that key answers again: now, or earlier, seen by another
 * process while this one was not asked. */
static void log_end(request_rec *r, const char *key, ac_outage_event e,
                    const char *tag, const char *what)
{
    if (e == AC_OUTAGE_END) {
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "%s: %s again", tag,
                      what);
    }
    else if (e == AC_OUTAGE_LATE_END || e == AC_OUTAGE_LATE_END_START) {
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "%s: %s again since "
                      "%s (another process saw it)", tag, what,
                      ended_at(r, key));
    }
}

void ach_log_warn_once(request_rec *r, const char *key, const char *why)
{
    const char *k = apr_pstrcat(r->pool, key, "\n", why, NULL);
    int first;

    apr_thread_mutex_lock(lock);
    first = apr_hash_get(warned, k, APR_HASH_KEY_STRING) == NULL;
    if (first) {
        apr_pool_t *p = apr_hash_pool_get(warned);
        apr_hash_set(warned, apr_pstrdup(p, k), APR_HASH_KEY_STRING, "");
    }
    apr_thread_mutex_unlock(lock);
    if (first) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "AC01009: %s", why);
    }
}

/* The end of the shared cache's outage, when e is one. */
static void cache_end(request_rec *r, ac_outage_event e)
{
    log_end(r, AC_CACHE_KEY, e, "AC01011", "the shared cache answers");
}

static void cache_event(request_rec *r, ac_outage_event e, int level,
                        const char *what)
{
    cache_end(r, e);
    if (e == AC_OUTAGE_START || e == AC_OUTAGE_LATE_END_START) {
        ap_log_rerror(APLOG_MARK, level, 0, r, "AC01008: the shared cache "
                      "is unusable: %s", what);
    }
    else if (e == AC_OUTAGE_ONGOING) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "AC01008: the shared "
                      "cache is unusable: %s", what);
    }
}

void ach_log_cache(request_rec *r, int failed, const char *what)
{
    cache_event(r, event(AC_CACHE_KEY, failed, apr_time_now()),
                APLOG_WARNING, what);
}

static const char *log_user(request_rec *r, const ac_result *res)
{
    return res->log_user
           ? apr_pstrcat(r->pool, " user \"",
                         ap_escape_logitem(r->pool, res->log_user), "\"",
                         NULL)
           : "";
}

/* The outage key of what res needed: a remote service (an
 * authorization server) of the place, or its back-ends. */
static const char *remote_key(request_rec *r, const char *outage_key,
                              const ac_result *res)
{
    return res->outage ? apr_pstrcat(r->pool, outage_key, "\n",
                                     res->outage, NULL)
                       : outage_key;
}

/* A request that could not be authenticated: error when an outage
 * starts (here), info while it lasts. The shared cache, an
 * authorization server and the back-ends each have their own outage, so
 * traffic for one does not end another's. */
static void log_unavailable(request_rec *r, const char *outage_key,
                            const ac_result *res, apr_time_t now)
{
    const char *key = res->state == -1 ? AC_CACHE_KEY
                                       : remote_key(r, outage_key, res);
    ac_outage_event e = event(key, 1, now);
    int start = e == AC_OUTAGE_START || e == AC_OUTAGE_LATE_END_START;

    if (res->state == -1) {
        cache_end(r, e);
    }
    else if (res->outage) {
        log_end(r, key, e, "AC01073", apr_pstrcat(r->pool, res->outage,
                                                   " answers", NULL));
    }
    else {
        log_end(r, key, e, "AC01010", "the back-ends answer");
    }
    ap_log_rerror(APLOG_MARK, start ? APLOG_ERR : APLOG_INFO, 0, r,
                  "AC01004: client %s scheme %s%s: cannot authenticate: %s",
                  r->useragent_ip, res->scheme ? res->scheme : "-",
                  log_user(r, res), res->reason ? res->reason : "-");
}

/* Something answered: the shared cache, when the verdict used it; an
 * authorization server the verdict needed; the back-ends, when they were
 * asked — not a verdict from the credential cache, which would end an
 * outage the directory is still in. */
static void log_answers(request_rec *r, const char *outage_key,
                        const ac_result *res, apr_time_t now)
{
    if (res->state == 1) {
        cache_end(r, event(AC_CACHE_KEY, 0, now));
    }
    if (res->outage) {
        const char *key = remote_key(r, outage_key, res);

        log_end(r, key, event(key, 0, now), "AC01073",
                apr_pstrcat(r->pool, res->outage, " answers", NULL));
    }
    if (res->backends == 1) {
        log_end(r, outage_key, event(outage_key, 0, now), "AC01010",
                "the back-ends answer");
    }
}

/* The credential cache's store: its failure costs only speed (the
 * credential is checked as if it were not cached) but is the shared
 * cache's outage all the same, logged once per process like the failure
 * limit's; its answer ends that outage unless the verdict found the
 * cache unusable. */
static void log_credcache(request_rec *r, const ac_result *res,
                          apr_time_t now)
{
    if (res->credcache == -1) {
        cache_event(r, event(AC_CACHE_KEY, 1, now), APLOG_WARNING,
                    "credential cache not used");
    }
    else if (res->credcache == 1 && res->state != -1) {
        cache_end(r, event(AC_CACHE_KEY, 0, now));
    }
}

void ach_log_result(request_rec *r, const char *outage_key,
                    const ac_result *res)
{
    const char *scheme = res->scheme ? res->scheme : "-";
    const char *why = res->reason ? res->reason : "-";
    apr_time_t now = apr_time_now();

    if (res->verdict == AC_UNAVAILABLE) {
        log_unavailable(r, outage_key, res, now);
        log_credcache(r, res, now);
        return;
    }
    log_answers(r, outage_key, res, now);
    log_credcache(r, res, now);
    switch (res->verdict) {
    case AC_OK:
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "AC01003: client %s "
                      "authenticated: scheme %s%s: %s", r->useragent_ip,
                      scheme, log_user(r, res), why);
        break;
    case AC_BAD_REQUEST:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "AC01002: client %s "
                      "scheme %s%s: bad request: %s", r->useragent_ip,
                      scheme, log_user(r, res), why);
        break;
    default:
        if (res->failed) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "AC01001: client "
                          "%s scheme %s%s: authentication failed: %s",
                          r->useragent_ip, scheme, log_user(r, res), why);
        }
        else {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "AC01005: client "
                          "%s scheme %s: %s", r->useragent_ip, scheme, why);
        }
        break;
    }
}
