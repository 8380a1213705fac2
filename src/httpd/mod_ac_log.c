/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_log.h"

#include "http_config.h"
#include "http_log.h"
#include "apr_atomic.h"
#include "apr_hash.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"

APLOG_USE_MODULE(authchallenge);

/* Once-per-process flags, each the key of a small table: places
 * already warned about, and what is down (the back-ends of a place, the
 * shared cache) to log an outage's start and end once.  Every request
 * that authenticates asks whether something it used was down; n counts
 * the keys set, so that while nothing is down (the normal case) that
 * question costs no lock and no key. */
typedef struct {
    apr_hash_t *keys;
    apr_uint32_t n;
} ac_flags;

static ac_flags warned, down;
static apr_thread_mutex_t *flags_lock;

/* Set (on) or clear key in f; 1 when that changed it. */
static int flip(ac_flags *f, const char *key, int on)
{
    int was;

    apr_thread_mutex_lock(flags_lock);
    was = apr_hash_get(f->keys, key, APR_HASH_KEY_STRING) != NULL;
    if (on && !was) {
        apr_hash_set(f->keys, apr_pstrdup(apr_hash_pool_get(f->keys), key),
                     APR_HASH_KEY_STRING, "");
        apr_atomic_inc32(&f->n);
    }
    else if (!on && was) {
        apr_hash_set(f->keys, key, APR_HASH_KEY_STRING, NULL);
        apr_atomic_dec32(&f->n);
    }
    apr_thread_mutex_unlock(flags_lock);
    return on != was;
}

/* 1 when some key may be set in f (a racing flip is seen by the next
 * request). */
static int any_set(ac_flags *f)
{
    return apr_atomic_read32(&f->n) != 0;
}

int ach_log_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                        apr_pool_t *ptemp, server_rec *s)
{
    warned.keys = apr_hash_make(pconf);
    warned.n = 0;
    down.keys = apr_hash_make(pconf);
    down.n = 0;
    return apr_thread_mutex_create(&flags_lock, APR_THREAD_MUTEX_DEFAULT,
                                   pconf) == APR_SUCCESS
           ? OK : HTTP_INTERNAL_SERVER_ERROR;
}

void ach_log_warn_once(request_rec *r, const char *key, const char *why)
{
    if (flip(&warned, apr_pstrcat(r->pool, key, "\n", why, NULL), 1)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "AC01009: %s", why);
    }
}

/* The outage flag of the shared cache (one per process, like the
 * back-ends' flags). */
#define AC_CACHE_DOWN "cache down"

void ach_log_cache(request_rec *r, int failed, const char *what)
{
    if (failed) {
        int level = flip(&down, AC_CACHE_DOWN, 1) ? APLOG_WARNING
                                                  : APLOG_DEBUG;
        ap_log_rerror(APLOG_MARK, level, 0, r, "AC01008: the shared cache "
                      "is unusable: %s", what);
    }
    else if (any_set(&down) && flip(&down, AC_CACHE_DOWN, 0)) {
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "AC01011: the shared "
                      "cache answers again");
    }
}

static const char *log_user(request_rec *r, const ac_result *res)
{
    return res->log_user
           ? apr_pstrcat(r->pool, " user \"",
                         ap_escape_logitem(r->pool, res->log_user), "\"",
                         NULL)
           : "";
}

/* The outage flag of what res needed: a remote service (an
 * authorization server) of the place, or its back-ends. */
static const char *outage_of(request_rec *r, const char *outage_key,
                             const ac_result *res)
{
    return res->outage ? apr_pstrcat(r->pool, outage_key, "\n",
                                     res->outage, NULL)
                       : outage_key;
}

/* A back-end or the shared cache answered again after an outage: say so
 * once (each has its own flag, so traffic for one does not end the
 * other's outage). */
static void log_recovery(request_rec *r, const char *outage_key,
                         const ac_result *res)
{
    if (res->state == 1 && any_set(&down)
        && flip(&down, AC_CACHE_DOWN, 0)) {
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "AC01011: the shared "
                      "cache answers again");
    }
    if (res->outage && res->verdict != AC_UNAVAILABLE && any_set(&down)
        && flip(&down, outage_of(r, outage_key, res), 0)) {
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "AC01073: %s "
                      "answers again", res->outage);
        return;
    }
    if (res->verdict != AC_UNAVAILABLE && res->verdict != AC_BAD_REQUEST
        && (res->verdict == AC_OK || res->failed) && any_set(&down)
        && flip(&down, outage_key, 0)) {
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "AC01010: the "
                      "back-ends answer again");
    }
}

void ach_log_result(request_rec *r, const char *outage_key,
                    const ac_result *res)
{
    const char *scheme = res->scheme ? res->scheme : "-";
    const char *why = res->reason ? res->reason : "-";
    int level;

    log_recovery(r, outage_key, res);
    switch (res->verdict) {
    case AC_OK:
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "AC01003: client %s "
                      "authenticated: scheme %s%s: %s", r->useragent_ip,
                      scheme, log_user(r, res), why);
        break;
    case AC_UNAVAILABLE:
        /* error once per outage, then info until it is over (the level
         * is computed first: ap_log_rerror evaluates it twice) */
        level = flip(&down, res->state == -1 ? AC_CACHE_DOWN
                            : outage_of(r, outage_key, res), 1)
                ? APLOG_ERR : APLOG_INFO;
        ap_log_rerror(APLOG_MARK, level, 0, r, "AC01004: client %s scheme "
                      "%s%s: cannot authenticate: %s", r->useragent_ip,
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
