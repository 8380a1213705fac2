/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue for one request: build an ac_request from r, let the core
 * decide, then turn the verdict into a status, headers in
 * err_headers_out (they survive error pages and mod_proxy), r->user and
 * one log line.  No scheme logic lives here.
 */
#include "mod_ac_request.h"

#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "apr_atomic.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"

#include "ac_auth.h"
#include "ac_digest.h"
#include "ac_faillimit.h"
#include "ac_bearer.h"
#include "mod_ac_config.h"
#include "mod_ac_backends.h"
#include "mod_ac_authz.h"
#include "mod_ac_bearer.h"
#include "mod_ac_body.h"
#include "mod_ac_state.h"

APLOG_USE_MODULE(authchallenge);

static const char *const default_schemes[] = { "Digest", "Bearer",
                                               "Basic" };

static ac_dir_conf *dir_conf(request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &authchallenge_module);
}

/* Once-per-process flags, each the key of a small table: places
 * already warned about an unusable scheme, and what is down (the
 * back-ends of a place, the shared cache) to log an outage's start and
 * end once.  Every request that authenticates asks whether something it
 * used was down; n counts the keys set, so that while nothing is down
 * (the normal case) that question costs no lock and no key. */
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

int ac_request_post_config(apr_pool_t *pconf, apr_pool_t *plog,
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

/* Keyed by the configuration's sections, not by dc itself: httpd merges
 * a fresh dc for every request. */
static void warn_once(request_rec *r, const ac_dir_conf *dc,
                      const char *scheme, const char *why)
{
    if (flip(&warned, apr_pstrcat(r->pool, "unusable ",
                                  r->server->server_hostname, " ",
                                  dc->origin, " ", scheme, NULL), 1)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "AC01009: %s is "
                      "not offered here: %s", scheme, why);
    }
}

/* The outage flag of the shared cache (one per process, like the
 * back-ends' flags). */
#define AC_CACHE_DOWN "cache down"

static void cache_answered(request_rec *r)
{
    if (any_set(&down) && flip(&down, AC_CACHE_DOWN, 0)) {
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "AC01011: the shared "
                      "cache answers again");
    }
}

int ac_request_is_proxy(request_rec *r)
{
    switch (AC_GET(dir_conf(r)->proxy_mode, AC_MODE_AUTO)) {
    case AC_MODE_PROXY:
        return 1;
    case AC_MODE_ORIGIN:
        return 0;
    default:
        return r->proxyreq == PROXYREQ_PROXY;
    }
}

/*
 * Proxy-Authorization is for the proxy that receives it (RFC 9110
 * §11.7.2).  mod_proxy drops it only when r->user is set, so a
 * <Proxy> with "Require all granted" next to an authenticated one
 * forwarded the credentials that browsers send to every URL through
 * the proxy.  Here it goes from every proxied request that this module
 * treats as a proxy's (AuthChallengeProxyMode), whatever the <Proxy>
 * says, unless the administrator chains proxies on purpose.
 */
int ac_proxy_fixups(request_rec *r)
{
    if (r->proxyreq != PROXYREQ_NONE && ac_request_is_proxy(r)
        && !apr_table_get(r->subprocess_env, "Proxy-Chain-Auth")
        && apr_table_get(r->headers_in, "Proxy-Authorization")) {
        apr_table_unset(r->headers_in, "Proxy-Authorization");
    }
    return DECLINED;
}

/*
 * The schemes this module answers for r's AuthType, or 0 when it is not
 * ours: Basic and Digest only where AuthChallengeProvider is in effect
 * (so stock mod_auth_basic / mod_auth_digest keep every other place).
 */
static int owned_schemes(request_rec *r, const ac_dir_conf *dc,
                         ac_scheme_set *set)
{
    const char *type = ap_auth_type(r), *bad;
    const char *const *names;
    int n;

    if (!type) {
        return 0;
    }
    if (!strcasecmp(type, "Challenge")) {
        names = dc->schemes ? (const char *const *)dc->schemes->elts
                            : default_schemes;
        n = dc->schemes ? dc->schemes->nelts : 3;
    }
    else if (!strcasecmp(type, "Bearer")
             || ((!strcasecmp(type, "Basic") || !strcasecmp(type, "Digest"))
                 && dc->providers)) {
        names = &type;
        n = 1;
    }
    else {
        return 0;
    }
    /* names were checked when the configuration was read */
    return ac_scheme_set_parse(set, names, n, &bad);
}

/* The virtual host, as the configuration defines it: the file and line
 * of its <VirtualHost> (two of them with one ServerName are still two),
 * the same on every server of a farm that shares one configuration. */
static const char *vhost_id(request_rec *r)
{
    const server_rec *s = r->server;

    return s->is_virtual && s->defn_name
           ? apr_psprintf(r->pool, "%s:%u", s->defn_name,
                          s->defn_line_number)
           : "main";
}

/*
 * What makes two places share cached verdicts (docs/security.md,
 * "Credential cache"): a verdict cached in one place is reused only
 * where the same credential would be checked against the same data by
 * the same rules — the same virtual host and sections, charset, every
 * back-end's settings and, for Bearer, the key set and every token
 * rule.  NULL when a back-end's answers depend on what the module
 * cannot see (an httpd authn provider): such a place does not cache.
 * Not the port: the servers of a farm share their cache.
 */
static const char *cache_scope(request_rec *r, const ac_dir_conf *dc,
                               const ac_scheme_conf *conf)
{
    const ac_bearer_conf *bc = conf->bearer;
    const char *be = ac_backend_list_scope(conf->backends, r->pool);
    const char *bearer = "";

    if (!be) {
        return NULL;
    }
    if (bc) {
        const char *tokens = bc->tokens
                             ? ac_backend_list_scope(bc->tokens, r->pool)
                             : "-";
        if (!tokens) {
            return NULL;
        }
        bearer = apr_psprintf(r->pool, "%s\n%s\n%s\n%" APR_TIME_T_FMT
                              "\n%d\n%s\n%s",
                              ac_jwt_keyset_fingerprint(bc->keys),
                              bc->checks.issuer ? bc->checks.issuer : "",
                              bc->checks.audiences ? apr_array_pstrcat(
                                  r->pool, bc->checks.audiences, ' ') : "",
                              bc->checks.leeway, bc->checks.require_exp,
                              bc->user_claim ? bc->user_claim : "",
                              tokens);
    }
    return apr_psprintf(r->pool, "%s\n%s\n%d\n%s\n%s", vhost_id(r),
                        dc->origin, conf->charset_utf8, be, bearer);
}

/* 1 when some back-end here is the module's own (dbm, ldap), which
 * serve every Digest algorithm; httpd providers know MD5 only. */
static int own_backend(const ac_dir_conf *dc)
{
    int i;

    for (i = 0; dc->providers && i < dc->providers->nelts; i++) {
        const char *name = APR_ARRAY_IDX(dc->providers, i, const char *);
        if (!strcasecmp(name, "dbm") || !strcasecmp(name, "ldap")) {
            return 1;
        }
    }
    return 0;
}

/* Only the algorithms the back-ends can serve: with httpd providers
 * alone (file, socache, ...) that is MD5 and MD5-sess. */
static apr_array_header_t *servable(request_rec *r, const ac_dir_conf *dc,
                                    apr_array_header_t *algs)
{
    apr_array_header_t *out;
    int i;

    if (own_backend(dc)) {
        return algs;
    }
    out = apr_array_make(r->pool, algs->nelts, sizeof(const ac_hash_alg *));
    for (i = 0; i < algs->nelts; i++) {
        const ac_hash_alg *a = APR_ARRAY_IDX(algs, i, const ac_hash_alg *);
        if (!strcmp(a->base, "MD5")) {
            APR_ARRAY_PUSH(out, const ac_hash_alg *) = a;
        }
        else {
            warn_once(r, dc, apr_pstrcat(r->pool, "Digest ", a->name, NULL),
                      "httpd authn providers have MD5 HA1s only");
        }
    }
    return out;
}

static const ac_digest_conf *digest_conf(request_rec *r,
                                         const ac_dir_conf *dc)
{
    ac_digest_conf *d = ac_digest_conf_make(r->pool);

    d->algorithms = servable(r, dc, dc->digest_algs ? dc->digest_algs
                                                    : d->algorithms);
    if (dc->qop_auth != AC_UNSET) {
        d->qop_auth = dc->qop_auth;
        d->qop_auth_int = dc->qop_auth_int;
    }
    d->userhash = AC_GET(dc->userhash, 0);
    d->domain = dc->digest_domain;
    d->nonce_lifetime = AC_GET(dc->nonce_lifetime,
                               AC_DEFAULT_NONCE_LIFETIME);
    d->replay_check = AC_GET(dc->replay_check, 1);
    d->max_body = AC_GET(dc->max_body, AC_DEFAULT_MAX_BODY);
    return d;
}

static int offers(const ac_scheme_set *set, const char *name)
{
    int i;

    for (i = 0; i < set->count; i++) {
        if (!strcmp(set->items[i]->name, name)) {
            return 1;
        }
    }
    return 0;
}

/* The settings of the schemes in set only: a place that offers Basic
 * neither pays for nor warns about Digest's or Bearer's. */
static void scheme_conf(request_rec *r, const ac_dir_conf *dc,
                        const ac_scheme_set *set, ac_scheme_conf *conf)
{
    ac_credcache *cc = apr_pcalloc(r->pool, sizeof(*cc));

    memset(conf, 0, sizeof(*conf));
    conf->realm = ap_auth_name(r);
    conf->charset_utf8 = AC_GET(dc->charset_utf8, 1);
    conf->backends = ac_request_backends(r, dc);
    if (offers(set, "Digest")) {
        conf->digest = digest_conf(r, dc);
    }
    if (offers(set, "Bearer")) {
        conf->bearer = ac_bearer_conf_for(r, dc);
    }
    ac_state_attach(r->server, conf);
    cc->state = conf->state;
    cc->secret = conf->secret;
    cc->secret_len = conf->secret_len;
    cc->ttl = AC_GET(dc->cred_cache, AC_DEFAULT_CRED_CACHE);
    /* only Basic and Bearer cache */
    if (offers(set, "Basic") || offers(set, "Bearer")) {
        cc->scope = cache_scope(r, dc, conf);
    }
    conf->credcache = cc;
}

static void fail_limit(const ac_dir_conf *dc, const ac_scheme_conf *conf,
                       ac_faillimit *fl)
{
    fl->state = conf->state;
    fl->count = AC_GET(dc->fail_count, 0);
    fl->window = dc->fail_window;
}

/* 429 for a client past the failure limit (docs/security.md); else an
 * attempt with credentials is reserved (*reserved 1), to be given back
 * unless its check fails. */
static int limit_reached(request_rec *r, const ac_faillimit *fl,
                         const ac_request *req, int *reserved)
{
    apr_int64_t left = 0;
    ac_fl_status st;

    *reserved = 0;
    if (!fl->count || (!req->credentials && !req->bearer_other_count)) {
        return 0;
    }
    st = ac_faillimit_reserve(fl, req->client, req->now, &left, r->pool);
    if (st == AC_FL_ERROR) {
        int level = flip(&down, AC_CACHE_DOWN, 1) ? APLOG_WARNING
                                                  : APLOG_DEBUG;
        ap_log_rerror(APLOG_MARK, level, 0, r, "AC01008: the shared cache "
                      "is unusable: failure limit not applied");
        return 0;
    }
    cache_answered(r);
    if (st != AC_FL_BLOCK) {
        *reserved = 1;
        return 0;
    }
    apr_table_setn(r->err_headers_out, "Retry-After",
                   apr_psprintf(r->pool, "%" APR_INT64_T_FMT, left));
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "AC01007: client %s: "
                  "rate-limited, too many failed attempts (%" APR_INT64_T_FMT
                  " s left)", req->client, left);
    return 1;
}

/* The path[?query] form of the request-target as the client sent it
 * (RFC 9112 §3.2): the target itself in origin-form, the part after the
 * authority of an absolute-form.  Not httpd's normalised path: a Digest
 * uri names what the client sent (RFC 7616 §3.4.6), "%6F", "//" and
 * ".." included. */
static const char *path_as_sent(request_rec *r)
{
    const char *t = r->unparsed_uri, *s;

    if (!t || *t == '/' || *t == '*' || !(s = strstr(t, "://"))) {
        return t;
    }
    s += 3;
    s += strcspn(s, "/?#");
    return *s == '/' ? s : apr_pstrcat(r->pool, "/", s, NULL);
}

static void plain_request(request_rec *r, ac_request *req)
{
    memset(req, 0, sizeof(*req));
    req->proxy = ac_request_is_proxy(r);
    req->connect = r->method_number == M_CONNECT;
    req->method = r->method;
    req->target = r->unparsed_uri;
    req->path = req->connect ? r->unparsed_uri : path_as_sent(r);
    req->credentials = apr_table_get(r->headers_in,
                                     ac_hdr_credentials(req->proxy));
    req->client = r->useragent_ip;
    req->now = apr_time_now();
}


/* Leave out the schemes this configuration cannot offer (SPEC §2). */
static void usable_schemes(request_rec *r, const ac_dir_conf *dc,
                           const ac_scheme_conf *conf, ac_scheme_set *set)
{
    int i, n = 0;

    for (i = 0; i < set->count; i++) {
        const ac_scheme *s = set->items[i];
        const char *why = "not configured";

        if (s->usable && !s->usable(conf, &why)) {
            warn_once(r, dc, s->name, why);
            continue;
        }
        set->items[n++] = s;
    }
    set->count = n;
}


static void set_challenges(request_rec *r, const ac_dir_conf *dc,
                           const ac_scheme_conf *conf,
                           const ac_scheme_set *set, const ac_request *req,
                           const ac_result *res)
{
    const char *name = ac_hdr_challenge(req->proxy);
    apr_array_header_t *v;
    int i;

    v = ac_challenges_values(ac_auth_challenges(conf, set, req, res,
                                                r->pool),
                             AC_GET(dc->header_combined, 0), r->pool);
    if (v->nelts) {
        apr_table_unset(r->err_headers_out, name);
    }
    for (i = 0; i < v->nelts; i++) {
        apr_table_addn(r->err_headers_out, name,
                       APR_ARRAY_IDX(v, i, const char *));
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

/* The outage flag of a place's back-ends. */
static const char *outage_key(request_rec *r, const ac_dir_conf *dc,
                              const ac_scheme_conf *conf)
{
    const char *scope = ac_backend_list_scope(conf->backends, r->pool);

    return apr_pstrcat(r->pool, "down ", vhost_id(r), " ", dc->origin, " ",
                       scope ? scope : "", NULL);
}

/* A back-end or the shared cache answered again after an outage: say so
 * once (each has its own flag, so traffic for one does not end the
 * other's outage). */
static void log_recovery(request_rec *r, const ac_dir_conf *dc,
                         const ac_scheme_conf *conf, const ac_result *res)
{
    if (res->state == 1) {
        cache_answered(r);
    }
    if (res->verdict != AC_UNAVAILABLE && res->verdict != AC_BAD_REQUEST
        && (res->verdict == AC_OK || res->failed) && any_set(&down)
        && flip(&down, outage_key(r, dc, conf), 0)) {
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "AC01010: the "
                      "back-ends answer again");
    }
}

/* One line per event; never a secret (the core's reasons hold none).
 * A failure of the back-ends or of the shared cache is an error once
 * per outage. */
static void log_result(request_rec *r, const ac_dir_conf *dc,
                       const ac_scheme_conf *conf, const ac_result *res)
{
    const char *scheme = res->scheme ? res->scheme : "-";
    const char *why = res->reason ? res->reason : "-";
    int level;

    log_recovery(r, dc, conf, res);

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
                                             : outage_key(r, dc, conf), 1)
                ? APLOG_ERR : APLOG_INFO;
        ap_log_rerror(APLOG_MARK, level,
                      0, r, "AC01004: client %s scheme %s%s: cannot "
                      "authenticate: %s", r->useragent_ip, scheme,
                      log_user(r, res), why);
        return;
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

/*
 * A verdict reached once and reused where httpd runs the same request
 * again (docs/security.md, "Digest uri and sub-requests"):
 *  - sub-requests (DirectoryIndex, SSI) and internal redirects
 *    (ErrorDocument, mod_rewrite), whose uri is not what the client's
 *    Digest response names and whose nc was used by the request itself;
 *  - the request mod_http2 runs again as stream 1 after answering
 *    "Upgrade: h2c" with 101 (RFC 9113 §3.2 of RFC 7540), once.
 * Reused only for the same credentials in the same place: realm,
 * virtual host, back-ends and keys.
 */
typedef struct {
    const char *user, *scheme, *place, *credentials, *info;
    const ac_identity *identity;
    apr_uint32_t used;              /* h2c: taken once (apr_atomic)    */
} ac_verdict_mem;

#define AC_VERDICT_KEY "authchallenge-verdict"
#define AC_H2C_KEY     "authchallenge-h2c-verdict"

static const char *place_id(request_rec *r, const ac_dir_conf *dc,
                            const ac_scheme_conf *conf)
{
    const char *be = ac_backend_list_scope(conf->backends, r->pool);

    return apr_pstrcat(r->pool, vhost_id(r), "\n", conf->realm ? conf->realm
                       : "", "\n", be ? be : "", "\n", dc->providers
                       ? apr_array_pstrcat(r->pool, dc->providers, ' ')
                       : "", "\n", conf->bearer
                       ? ac_jwt_keyset_fingerprint(conf->bearer->keys) : "",
                       NULL);
}

static void remember(request_rec *r, const ac_dir_conf *dc,
                     const ac_scheme_conf *conf, const ac_request *req,
                     const ac_result *res)
{
    ac_verdict_mem *m = apr_pcalloc(r->pool, sizeof(*m));
    const char *up;

    m->user = r->user;
    m->scheme = r->ap_auth_type;
    m->place = place_id(r, dc, conf);
    m->credentials = req->credentials;
    m->info = res->info;
    m->identity = res->identity;
    /* internal redirects share r->pool; sub-requests look at r->main */
    apr_pool_userdata_setn(m, AC_VERDICT_KEY, NULL, r->pool);
    up = apr_table_get(r->headers_in, "Upgrade");
    if (up && !r->connection->master && req->credentials
        && ap_find_token(r->pool, up, "h2c")) {
        ac_verdict_mem *c = apr_pmemdup(r->connection->pool, m, sizeof(*m));

        c->credentials = apr_pstrdup(r->connection->pool, m->credentials);
        c->user = apr_pstrdup(r->connection->pool, m->user);
        c->scheme = apr_pstrdup(r->connection->pool, m->scheme);
        c->place = apr_pstrdup(r->connection->pool, m->place);
        c->info = m->info ? apr_pstrdup(r->connection->pool, m->info) : NULL;
        c->identity = NULL;         /* in r->pool: not kept */
        apr_pool_userdata_set(c, AC_H2C_KEY, NULL, r->connection->pool);
    }
}

/* A verdict r may reuse, or NULL. */
static ac_verdict_mem *recall(request_rec *r, const ac_dir_conf *dc,
                              const ac_scheme_conf *conf,
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
        || strcmp(m->place, place_id(r, dc, conf))) {
        return NULL;
    }
    if (*h2c && apr_atomic_cas32(&m->used, 1, 0) != 0) {
        return NULL;                /* its one re-run was had already */
    }
    return m;
}

static int reuse(request_rec *r, const ac_request *req,
                 const ac_verdict_mem *m, int h2c)
{
    r->user = apr_pstrdup(r->pool, m->user);
    r->ap_auth_type = apr_pstrdup(r->pool, m->scheme);
    if (m->identity) {
        ac_authz_set_identity(r, m->identity);
    }
    if (h2c && m->info && !req->connect) {
        apr_table_setn(r->err_headers_out, ac_hdr_info(req->proxy),
                       m->info);
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "AC01012: user \"%s\": "
                  "the verdict of %s reused", ap_escape_logitem(r->pool,
                  m->user), h2c ? "the request before the h2c upgrade"
                  : "the main request");
    return OK;
}

static int respond(request_rec *r, const ac_dir_conf *dc,
                   const ac_scheme_conf *conf, const ac_scheme_set *set,
                   const ac_request *req, const ac_result *res)
{
    log_result(r, dc, conf, res);
    if (res->verdict == AC_OK) {
        r->user = apr_pstrdup(r->pool, res->user);
        r->ap_auth_type = apr_pstrdup(r->pool, res->scheme);
        if (res->identity) {
            ac_authz_set_identity(r, res->identity);
        }
        if (res->info && !req->connect) {
            apr_table_setn(r->err_headers_out, ac_hdr_info(req->proxy),
                           res->info);
        }
        remember(r, dc, conf, req, res);
        return OK;
    }
    set_challenges(r, dc, conf, set, req, res);
    return ac_verdict_status(res->verdict, req->proxy);
}

/* Digest auth-int: the body, bounded, read before the core decides. */
static int read_body(request_rec *r, const ac_scheme_conf *conf,
                     const ac_scheme_set *set, ac_request *req)
{
    const char *data;
    int st;

    if (!ac_auth_wants_body(conf, set, req, r->pool)) {
        return OK;
    }
    st = ac_body_keep(r, conf->digest->max_body, &data, &req->body_len);
    if (st != OK) {
        return st;
    }
    req->body = (const unsigned char *)data;
    req->body_read = 1;
    return OK;
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
    if (status != OK && (req->credentials || req->bearer_other_count)
        && !req->body_read && (apr_table_get(r->headers_in,
                                             "Transfer-Encoding")
                               || apr_atoi64(apr_table_get(r->headers_in,
                                             "Content-Length")
                                             ? apr_table_get(r->headers_in,
                                               "Content-Length") : "0"))) {
        r->connection->keepalive = AP_CONN_CLOSE;
    }
    return status;
}

/* Everything one request needs, built once by prepare(). */
typedef struct {
    ac_dir_conf *dc;
    ac_scheme_set set;
    ac_scheme_conf conf;
    ac_request req;
} ac_call;

/* 0 when r's AuthType is not this module's here; else fill c. */
static int prepare(request_rec *r, ac_call *c)
{
    c->dc = dir_conf(r);
    if (!owned_schemes(r, c->dc, &c->set)) {
        return 0;
    }
    scheme_conf(r, c->dc, &c->set, &c->conf);
    usable_schemes(r, c->dc, &c->conf, &c->set);
    plain_request(r, &c->req);
    return 1;
}

int ac_check_authn(request_rec *r)
{
    ac_faillimit fl;
    ac_result res;
    ac_verdict_mem *m;
    ac_call c;
    int st, reserved, h2c;

    if (!prepare(r, &c)) {
        return DECLINED;
    }
    if (!c.set.count) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "AC01006: AuthType %s: "
                      "no usable scheme is configured here",
                      ap_auth_type(r));
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if ((m = recall(r, c.dc, &c.conf, &c.req, &h2c)) != NULL) {
        return reuse(r, &c.req, m, h2c);
    }
    if (offers(&c.set, "Bearer")
        && (st = ac_bearer_transports(r, c.dc, &c.req)) != OK) {
        return st;
    }
    fail_limit(c.dc, &c.conf, &fl);
    if (limit_reached(r, &fl, &c.req, &reserved)) {
        return refused(r, &c.req, HTTP_TOO_MANY_REQUESTS);
    }
    if ((st = read_body(r, &c.conf, &c.set, &c.req)) != OK) {
        if (reserved) {
            ac_faillimit_release(&fl, c.req.client, c.req.now, r->pool);
        }
        return st;
    }
    ac_authenticate(&c.conf, &c.set, &c.req, &res, r->pool);
    if (reserved && !res.failed) {
        ac_faillimit_release(&fl, c.req.client, c.req.now, r->pool);
    }
    return refused(r, &c.req, respond(r, c.dc, &c.conf, &c.set, &c.req,
                                      &res));
}

/* Called by httpd (mod_authz_core) when authorization refuses a user: add
 * our challenges so the client can try again. */
int ac_note_auth_failure(request_rec *r, const char *auth_type)
{
    ac_result res;
    ac_call c;

    if (!prepare(r, &c)) {
        return DECLINED;
    }
    memset(&res, 0, sizeof(res));
    ac_result_set(&res, AC_CHALLENGE, "authorization refused");
    set_challenges(r, c.dc, &c.conf, &c.set, &c.req, &res);
    return OK;
}
