/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_provider.h"

#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "ap_provider.h"
#include "mod_auth.h"
#include "apr_strings.h"

#include "ac_authn.h"
#include "mod_ac_config.h"
#include "mod_ac_log.h"
#include "mod_ac_place.h"

APLOG_USE_MODULE(authchallenge);

/*
 * What the provider did for one request, in r->pool (which internal
 * redirects share).  An attempt is reserved against the failure limit
 * once per request, before the first check, and given back once the
 * request is authenticated — by this provider or by another the calling
 * module asks after it — or when nothing could be checked (a back-end
 * down).  An MD5 HA1 handed to mod_auth_digest is checked there: the
 * outcome is learnt afterwards (check_authz: authenticated; the end of
 * the request: not).
 */
typedef struct {
    const request_rec *r;           /* the request the provider served */
    const ach_place *pl;            /* of the reservation              */
    const char *user;               /* the HA1's, for the log          */
    int reserved;
    int ha1_given;
    int done;                       /* authenticated, or given back    */
    apr_int64_t retry_after;        /* blocked: 429, so many s left    */
} ach_prov_note;

#define ACH_PROV_KEY "authchallenge-provider"

static ach_prov_note *note_get(request_rec *r)
{
    void *n = NULL;

    apr_pool_userdata_get(&n, ACH_PROV_KEY, r->pool);
    return n;
}

static ach_prov_note *note_of(request_rec *r, const ach_place *pl)
{
    ach_prov_note *n = note_get(r);

    if (!n) {
        n = apr_pcalloc(r->pool, sizeof(*n));
        n->r = r;
        n->pl = pl;
        apr_pool_userdata_setn(n, ACH_PROV_KEY, NULL, r->pool);
    }
    return n;
}

/* The reserved attempt given back (once). */
static void give_back(request_rec *r, ach_prov_note *n)
{
    if (n->reserved && !n->done) {
        ac_faillimit_release(&n->pl->limit, r->useragent_ip,
                             apr_time_now(), r->pool);
    }
    n->done = 1;
}

/* 1 when r's client is past the failure limit (docs/security.md): the
 * calling module answers 500, which insert_error_filter turns into 429.
 * Otherwise an attempt is reserved (once per request). */
static int blocked(request_rec *r, ach_prov_note *n)
{
    const ac_faillimit *fl = &n->pl->limit;
    apr_int64_t left = 0;
    ac_fl_status st;

    if (n->retry_after) {
        return 1;
    }
    if (!fl->count || n->reserved || n->done) {
        return 0;
    }
    st = ac_faillimit_reserve(fl, r->useragent_ip, apr_time_now(), &left,
                              r->pool);
    ach_log_cache(r, st == AC_FL_ERROR, "failure limit not applied");
    if (st != AC_FL_BLOCK) {
        n->reserved = st == AC_FL_ALLOW;
        return 0;
    }
    n->retry_after = left > 0 ? left : 1;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "AC01007: client %s: "
                  "rate-limited, too many failed attempts (%" APR_INT64_T_FMT
                  " s left)", r->useragent_ip, n->retry_after);
    return 1;
}

/* The log's name for the scheme: the calling module's AuthType. */
static const char *scheme_of(request_rec *r)
{
    const char *type = ap_auth_type(r);

    return apr_pstrcat(r->pool, type ? type : "-",
                       " (authn provider " ACH_AUTHN_PROVIDER ")", NULL);
}

/* The place of r's question, with its back-ends; NULL (and a log line)
 * when it has none. */
static const ach_place *place_of(request_rec *r)
{
    const ach_place *pl = ach_place_provider(r);

    if (!pl->core.backends->count) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "AC01060: the authn "
                      "provider " ACH_AUTHN_PROVIDER " has no back-end "
                      "here: set AuthChallengeDBMUserFile or "
                      "AuthChallengeLDAPURL (or AuthChallengeProvider)");
        return NULL;
    }
    return pl;
}

/* The verdict res logged, and the provider's answer for st. */
static authn_status answer(request_rec *r, ach_prov_note *n,
                           ac_be_status st, ac_result *res)
{
    res->scheme = scheme_of(r);
    ach_log_result(r, n->pl->outage_key, res);
    switch (st) {
    case AC_BE_OK:
        /* the back-end's spelling (docs/ldap.md, REMOTE_USER) */
        r->user = apr_pstrdup(r->pool, res->user);
        return AUTH_USER_FOUND;
    case AC_BE_DENIED:
        return AUTH_DENIED;
    case AC_BE_NOT_FOUND:
        return AUTH_USER_NOT_FOUND;
    default:
        give_back(r, n);            /* nothing was checked */
        return AUTH_GENERAL_ERROR;
    }
}

static authn_status check_password(request_rec *r, const char *user,
                                   const char *password)
{
    const ach_place *pl = place_of(r);
    ach_prov_note *n;
    ac_result res;
    ac_be_status st;
    authn_status as;

    if (!pl) {
        return AUTH_GENERAL_ERROR;
    }
    n = note_of(r, pl);
    if (blocked(r, n)) {
        return AUTH_GENERAL_ERROR;
    }
    st = ac_authn_check_password(&pl->core, user, password, apr_time_now(),
                                 &res, r->pool);
    as = answer(r, n, st, &res);
    if (as == AUTH_USER_FOUND) {
        give_back(r, n);
        as = AUTH_GRANTED;
    }
    return as;
}

static authn_status get_realm_hash(request_rec *r, const char *user,
                                   const char *realm, char **rethash)
{
    const ach_place *pl = place_of(r);
    const char *hex = NULL;
    ach_prov_note *n;
    ac_result res;
    ac_be_status st;

    if (!pl) {
        return AUTH_GENERAL_ERROR;
    }
    n = note_of(r, pl);
    if (blocked(r, n)) {
        return AUTH_GENERAL_ERROR;
    }
    st = ac_authn_realm_hash(&pl->core, user, realm, &hex, &res, r->pool);
    if (st == AC_BE_OK) {
        /* the check is the caller's: its outcome is logged then */
        ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, "AC01061: user "
                      "\"%s\": MD5 HA1 given to the calling module",
                      ap_escape_logitem(r->pool, res.user));
        r->user = apr_pstrdup(r->pool, res.user);
        n->ha1_given = 1;
        n->user = r->user;
        *rethash = apr_pstrdup(r->pool, hex);
        return AUTH_USER_FOUND;
    }
    return answer(r, n, st, &res);
}

/* The outcome of a check the calling module made with an HA1 of ours,
 * logged as this module logs its own (AC01003, AC01001). */
static void log_outcome(request_rec *r, const ach_prov_note *n, int ok)
{
    ac_result res;

    memset(&res, 0, sizeof(res));
    res.scheme = scheme_of(r);
    res.log_user = n->user;
    res.backends = 1;               /* they answered with the HA1 */
    if (ok) {
        ac_result_set(&res, AC_OK, "MD5 HA1 matched (the calling module "
                      "checked the response)");
    }
    else {
        res.failed = 1;
        ac_result_set(&res, AC_CHALLENGE, "the response does not match "
                      "the MD5 HA1 (checked by the calling module)");
    }
    ach_log_result(r, n->pl->outage_key, &res);
}

/* check_authz runs only for an authenticated request: the reserved
 * attempt goes back; an HA1 of ours did its work.  Only for the request
 * the provider served: an internal redirect (an ErrorDocument) shares
 * its pool and inherits its r->user. */
static int authenticated(request_rec *r)
{
    ach_prov_note *n = note_get(r);

    if (n && n->r == r && !n->done && r->user) {
        if (n->ha1_given) {
            log_outcome(r, n, 1);
        }
        give_back(r, n);
    }
    return DECLINED;
}

/* The end of a request that never got there: an HA1 of ours did not
 * match (the reserved attempt stays counted). */
static int finished(request_rec *r)
{
    ach_prov_note *n = note_get(r);

    if (n && !n->done && n->ha1_given) {
        log_outcome(r, n, 0);
        n->done = 1;
    }
    return DECLINED;
}

/*
 * A provider can only answer "error" to say "blocked", which the
 * calling module turns into 500; no hook may change that status before
 * the error page is built, this is the last place that can
 * (mod_ac_authz.c does the same for its 403).  RFC 6585 §4: 429 with
 * Retry-After.
 */
static void too_many(request_rec *r)
{
    ach_prov_note *n = note_get(r);

    if (!n || !n->retry_after || r->status != HTTP_INTERNAL_SERVER_ERROR) {
        return;
    }
    r->status = HTTP_TOO_MANY_REQUESTS;
    apr_table_setn(r->err_headers_out, "Retry-After",
                   apr_psprintf(r->pool, "%" APR_INT64_T_FMT,
                                n->retry_after));
    /* the page text was chosen for 500: give it ours */
    ap_custom_response(r, HTTP_INTERNAL_SERVER_ERROR, "<!DOCTYPE HTML "
                       "PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>"
                       "<title>429 Too Many Requests</title></head><body>"
                       "<h1>Too Many Requests</h1><p>Too many failed "
                       "attempts: try again later.</p></body></html>\n");
}

static const authn_provider provider = { check_password, get_realm_hash };

void ach_provider_register(apr_pool_t *p)
{
    ap_register_auth_provider(p, AUTHN_PROVIDER_GROUP, ACH_AUTHN_PROVIDER,
                              AUTHN_PROVIDER_VERSION, &provider,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_check_authz(authenticated, NULL, NULL, APR_HOOK_FIRST,
                        AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_log_transaction(finished, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_insert_error_filter(too_many, NULL, NULL, APR_HOOK_MIDDLE);
}
