/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue for one request: its place (built once, mod_ac_place.c),
 * request_rec → ac_request, the core's verdict → a status, headers in
 * err_headers_out (they survive error pages and mod_proxy), r->user and
 * one log line.  No scheme and no back-end is named here.
 */
#include "mod_ac_request.h"

#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "apr_atomic.h"
#include "apr_strings.h"

#include "ac_auth.h"
#include "mod_ac_authz.h"
#include "mod_ac_backends.h"
#include "mod_ac_body.h"
#include "mod_ac_log.h"
#include "mod_ac_place.h"
#include "mod_ac_state.h"

APLOG_USE_MODULE(authchallenge);

/*
 * Proxy-Authorization is for the proxy that receives it (RFC 9110
 * §11.7.2).  mod_proxy drops it only when r->user is set, so a
 * <Proxy> with "Require all granted" next to an authenticated one
 * forwarded the credentials that browsers send to every URL through
 * the proxy.  Here it goes from every proxied request that this module
 * treats as a proxy's (AuthChallengeProxyMode), whatever the <Proxy>
 * says, unless the administrator chains proxies on purpose.
 */
int ach_proxy_fixups(request_rec *r)
{
    if (r->proxyreq != PROXYREQ_NONE && ach_request_is_proxy(r)
        && !apr_table_get(r->subprocess_env, "Proxy-Chain-Auth")
        && apr_table_get(r->headers_in, "Proxy-Authorization")) {
        apr_table_unset(r->headers_in, "Proxy-Authorization");
    }
    return DECLINED;
}

/* ------------------------------------------------------ verdicts reused */

/*
 * A verdict reached once and reused where httpd runs the same request
 * again (docs/security.md, "Digest uri and sub-requests"):
 *  - sub-requests (DirectoryIndex, SSI) and internal redirects
 *    (ErrorDocument, mod_rewrite), whose uri is not what the client's
 *    Digest response names and whose nc was used by the request itself;
 *  - the request mod_http2 runs again as stream 1 after answering
 *    "Upgrade: h2c" with 101 (RFC 7540 §3.2), once.
 * Reused only for the same credentials in the same place: realm,
 * virtual host, back-ends and keys.
 */
typedef struct {
    const char *user, *scheme, *place, *credentials;
    const apr_array_header_t *headers;
    const ac_identity *identity;
    apr_uint32_t used;              /* h2c: taken once (apr_atomic)    */
} ac_verdict_mem;

#define AC_VERDICT_KEY "authchallenge-verdict"
#define AC_H2C_KEY     "authchallenge-h2c-verdict"

static const apr_array_header_t *copy_headers(apr_pool_t *p,
                                              const apr_array_header_t *h)
{
    apr_array_header_t *out;
    int i;

    if (!h) {
        return NULL;
    }
    out = apr_array_make(p, h->nelts, sizeof(const char *));
    for (i = 0; i < h->nelts; i++) {
        APR_ARRAY_PUSH(out, const char *) =
            apr_pstrdup(p, APR_ARRAY_IDX(h, i, const char *));
    }
    return out;
}

/* The verdict of r, for what may run it again: internal redirects share
 * r->pool, sub-requests look at r->main; an h2c upgrade's re-run finds
 * it with the connection. */
static void remember(request_rec *r, const ach_place *pl,
                     const ac_request *req, const ac_result *res)
{
    ac_verdict_mem *m = apr_pcalloc(r->pool, sizeof(*m));
    const char *up = apr_table_get(r->headers_in, "Upgrade");
    apr_pool_t *cp = r->connection->pool;

    m->user = r->user;
    m->scheme = r->ap_auth_type;
    m->place = pl->id;
    m->credentials = req->credentials;
    m->headers = res->headers;
    m->identity = res->identity;
    apr_pool_userdata_setn(m, AC_VERDICT_KEY, NULL, r->pool);
    if (up && !r->connection->master && req->credentials
        && ap_find_token(r->pool, up, "h2c")) {
        ac_verdict_mem *c = apr_pcalloc(cp, sizeof(*c));

        c->user = apr_pstrdup(cp, m->user);
        c->scheme = apr_pstrdup(cp, m->scheme);
        c->place = apr_pstrdup(cp, m->place);
        c->credentials = apr_pstrdup(cp, m->credentials);
        c->headers = copy_headers(cp, m->headers);
        apr_pool_userdata_set(c, AC_H2C_KEY, NULL, cp);
    }
}

/* A verdict r may reuse, or NULL. */
static ac_verdict_mem *recall(request_rec *r, const ach_place *pl,
                              const ac_request *req, int *h2c)
{
    ac_verdict_mem *m = NULL;
    request_rec *o;

    *h2c = 0;
    if (!req->credentials) {
        return NULL;
    }
    for (o = (r->main || r->prev) ? r : NULL; o && !m; o = o->main) {
        apr_pool_userdata_get((void **)&m, AC_VERDICT_KEY, o->pool);
    }
    if (!m && r->connection->master && !r->main && !r->prev) {
        apr_pool_userdata_get((void **)&m, AC_H2C_KEY,
                              r->connection->master->pool);
        *h2c = m != NULL;
    }
    if (!m || strcmp(m->credentials, req->credentials)
        || strcmp(m->place, pl->id)) {
        return NULL;
    }
    if (*h2c && apr_atomic_cas32(&m->used, 1, 0) != 0) {
        return NULL;                /* its one re-run was had already */
    }
    return m;
}

static int reuse(request_rec *r, const ac_verdict_mem *m, int h2c)
{
    int i;

    r->user = apr_pstrdup(r->pool, m->user);
    r->ap_auth_type = apr_pstrdup(r->pool, m->scheme);
    if (m->identity) {
        ach_authz_set_identity(r, m->identity);
    }
    for (i = 0; h2c && m->headers && i + 1 < m->headers->nelts; i += 2) {
        apr_table_setn(r->err_headers_out,
                       APR_ARRAY_IDX(m->headers, i, const char *),
                       APR_ARRAY_IDX(m->headers, i + 1, const char *));
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "AC01012: user \"%s\": "
                  "the verdict of %s reused", ap_escape_logitem(r->pool,
                  m->user), h2c ? "the request before the h2c upgrade"
                  : "the main request");
    return OK;
}

/* ------------------------------------------------------- one request */

/* 429 for a client past the failure limit (docs/security.md); else an
 * attempt with credentials is reserved (*reserved 1), to be given back
 * unless its check fails. */
static int limit_reached(request_rec *r, const ach_place *pl,
                         const ac_request *req, int *reserved)
{
    apr_int64_t left = 0;
    ac_fl_status st;

    *reserved = 0;
    if (!pl->limit.count
        || (!req->credentials && !req->bearer_other_count)) {
        return 0;
    }
    st = ac_faillimit_reserve(&pl->limit, req->client, req->now, &left,
                              r->pool);
    ach_log_cache(r, st == AC_FL_ERROR, "failure limit not applied");
    if (st != AC_FL_BLOCK) {
        *reserved = st == AC_FL_ALLOW;
        return 0;
    }
    apr_table_setn(r->err_headers_out, "Retry-After",
                   apr_psprintf(r->pool, "%" APR_INT64_T_FMT, left));
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "AC01007: client %s: "
                  "rate-limited, too many failed attempts (%" APR_INT64_T_FMT
                  " s left)", req->client, left);
    return 1;
}

/* Digest auth-int: the body, bounded, read before the core decides (and
 * only for credentials that pass every other check). */
static int read_body(request_rec *r, const ach_place *pl, ac_request *req)
{
    const char *data;
    int st;

    if (!ac_auth_wants_body(&pl->core, req, r->pool)) {
        return OK;
    }
    st = ach_body_keep(r, pl->core.max_body, &data, &req->body_len);
    if (st != OK) {
        return st;
    }
    req->body = (const unsigned char *)data;
    req->body_read = 1;
    return OK;
}

/* What the offered schemes' glue does first (Bearer: tokens in the
 * query or a form body). */
static int prepare(request_rec *r, const ach_place *pl, ac_request *req)
{
    const ach_scheme_glue *g;
    int st;

    for (g = ach_scheme_glues; g->scheme; g++) {
        if (ac_scheme_set_has(&pl->core.set, g->scheme)
            && (st = g->prepare(r, pl, req)) != OK) {
            return st;
        }
    }
    return OK;
}

static int respond(request_rec *r, const ach_place *pl,
                   const ac_request *req, const ac_result *res)
{
    ach_log_result(r, pl->outage_key, res);
    if (res->verdict == AC_OK) {
        r->user = apr_pstrdup(r->pool, res->user);
        r->ap_auth_type = apr_pstrdup(r->pool, res->scheme);
        if (res->identity) {
            ach_authz_set_identity(r, res->identity);
        }
        ach_place_respond(r, pl, req, res);
        remember(r, pl, req, res);
        return OK;
    }
    ach_place_respond(r, pl, req, res);
    return ac_verdict_status(res->verdict, req->proxy);
}

/*
 * A request whose credentials were refused is answered without reading
 * its body: httpd would read and discard it to keep the connection
 * alive, so a client could make the server take in any amount of data
 * with credentials it knows to be wrong (docs/security.md, "auth-int").
 * The connection closes after the answer instead.  A request without
 * credentials (the first step of every challenge) keeps its connection.
 */
static int refused(request_rec *r, const ac_request *req, int status)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");

    if (status != OK && (req->credentials || req->bearer_other_count)
        && !req->body_read
        && (apr_table_get(r->headers_in, "Transfer-Encoding")
            || (cl && apr_atoi64(cl) > 0))) {
        r->connection->keepalive = AP_CONN_CLOSE;
    }
    return status;
}

int ach_check_authn(request_rec *r)
{
    const ach_place *pl = ach_place_get(r);
    ac_verdict_mem *m;
    ac_request req;
    ac_result res;
    int st, reserved, h2c;

    if (!pl) {
        return DECLINED;
    }
    ach_state_begin();
    if (!pl->core.set.count) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "AC01006: AuthType %s: "
                      "no usable scheme is configured here",
                      ap_auth_type(r));
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    ach_place_request(r, &req);
    memset(&res, 0, sizeof(res));
    if ((m = recall(r, pl, &req, &h2c)) != NULL) {
        return reuse(r, m, h2c);
    }
    if ((st = prepare(r, pl, &req)) != OK) {
        return st;
    }
    if (limit_reached(r, pl, &req, &reserved)) {
        return refused(r, &req, HTTP_TOO_MANY_REQUESTS);
    }
    if (pl->bound) {
        ach_backends_bind(r);
    }
    if ((st = read_body(r, pl, &req)) == OK) {
        ac_authenticate(&pl->core, &req, &res, r->pool);
        st = respond(r, pl, &req, &res);
    }
    if (reserved && !res.failed) {
        ac_faillimit_release(&pl->limit, req.client, req.now, r->pool);
    }
    return refused(r, &req, st);
}

/* Called by httpd (mod_authz_core) when authorization refuses a user:
 * add our challenges so the client can try again. */
int ach_note_auth_failure(request_rec *r, const char *auth_type)
{
    const ach_place *pl = ach_place_get(r);
    ac_request req;
    ac_result res;

    if (!pl) {
        return DECLINED;
    }
    ach_state_begin();
    ach_place_request(r, &req);
    memset(&res, 0, sizeof(res));
    ac_result_set(&res, AC_CHALLENGE, "authorization refused");
    ach_place_respond(r, pl, &req, &res);
    return OK;
}
