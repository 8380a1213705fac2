/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_place.h"

#include "http_core.h"
#include "http_protocol.h"
#include "apr_atomic.h"
#include "apr_strings.h"

#include "ac_auth.h"
#include "ac_defaults.h"
#include "mod_ac_backends.h"
#include "mod_ac_log.h"
#include "mod_ac_state.h"

/* The places built for one configuration: one per server, AuthType and
 * AuthName (httpd takes those from other modules' settings, which a
 * configuration of this module's alone does not fix). */
struct ach_place_list {
    ach_place *place;           /* set.count 0: not this module's       */
    ach_place_list *next;
};

static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static const ach_place *find(const ach_dir_conf *dc, request_rec *r,
                             int provider, const char *type,
                             const char *name)
{
    ach_place_list *l;

    for (l = apr_atomic_casptr((void *)&dc->places, NULL, NULL); l;
         l = l->next) {
        const ach_place *pl = l->place;
        if (pl->server == r->server && pl->provider == provider
            && same_text(pl->auth_type, type)
            && same_text(pl->auth_name, name)) {
            return pl;
        }
    }
    return NULL;
}

/* The virtual host, as the configuration defines it: the file and line
 * of its <VirtualHost> (two of them with one ServerName are still two),
 * the same on every server of a farm that shares one configuration. */
static const char *vhost_id(server_rec *s, apr_pool_t *p)
{
    return s->is_virtual && s->defn_name
           ? apr_psprintf(p, "%s:%u", s->defn_name, s->defn_line_number)
           : "main";
}

/* What every offered scheme adds to the scope of cached verdicts; NULL
 * when one of them cannot say (then nothing is cached). */
static const char *schemes_scope(const ac_place *pl, apr_pool_t *p)
{
    const char *out = "";
    int i;

    for (i = 0; i < pl->set.count; i++) {
        const ac_scheme *s = pl->set.items[i];
        const char *one = s->scope ? s->scope(pl, p) : "";

        if (!one) {
            return NULL;
        }
        out = apr_pstrcat(p, out, "\n", s->name, "\n", one, NULL);
    }
    return out;
}

/*
 * What makes two places share cached verdicts (docs/security.md,
 * "Credential cache"): a verdict cached in one place is reused only
 * where the same credential would be checked against the same data by
 * the same rules — the same virtual host and sections, charset, every
 * back-end's settings and whatever the schemes' verdicts depend on (the
 * Bearer key set and token rules).  NULL when a back-end's answers
 * depend on what the module cannot see (an httpd authn provider): such
 * a place does not cache.  Not the port: the servers of a farm share
 * their cache.
 */
static const char *cache_scope(const ach_place *pl, const char *vhost,
                               apr_pool_t *p)
{
    const char *be = ac_backend_list_scope(pl->core.backends, p);
    const char *schemes = schemes_scope(&pl->core, p);

    if (!be || !schemes) {
        return NULL;
    }
    return apr_psprintf(p, "%s\n%s\n%d\n%s\n%s", vhost, pl->dc->origin,
                        pl->core.charset_utf8, be, schemes);
}

/* The place, for a sub-request that may reuse a verdict: realm, vhost,
 * back-ends (by settings, or by provider name) and the schemes' rules. */
static const char *place_id(const ach_place *pl, const char *vhost,
                            apr_pool_t *p)
{
    const char *be = ac_backend_list_scope(pl->core.backends, p);
    const char *schemes = schemes_scope(&pl->core, p);

    return apr_pstrcat(p, vhost, "\n", pl->core.realm ? pl->core.realm : "",
                       "\n", be ? be : "", "\n", pl->dc->providers
                       ? apr_array_pstrcat(p, pl->dc->providers, ' ') : "",
                       "\n", schemes ? schemes : "", NULL);
}

static const ac_backend *named(void *ctx, const char *name)
{
    void **a = ctx;             /* { dc, pool, warnings } */

    return ach_backend_named(a[0], name, a[1], a[2]);
}

/* Each offered scheme's settings finished; those this place cannot
 * offer left out, with a warning. */
static void finish_schemes(ach_place *pl, apr_array_header_t *warn,
                           apr_pool_t *p)
{
    ac_place *core = &pl->core;
    ac_place_builder b;
    void *ctx[3] = { (void *)pl->dc, p, warn };
    int i, n = 0;

    b.backend = named;
    b.ctx = ctx;
    b.warnings = warn;
    for (i = 0; i < core->set.count; i++) {
        const ac_scheme *s = core->set.items[i];
        int slot = ac_scheme_slot(s);

        if (s->conf_finish) {
            core->own[slot] = s->conf_finish(pl->dc->scheme[slot], core, &b,
                                             p);
        }
    }
    for (i = 0; i < core->set.count; i++) {
        const ac_scheme *s = core->set.items[i];
        const char *why = "not configured";

        if (s->usable && !s->usable(core, &why)) {
            APR_ARRAY_PUSH(warn, const char *) = apr_pstrcat(p, s->name,
                " is not offered here: ", why, NULL);
            continue;
        }
        core->set.items[n++] = s;
    }
    core->set.count = n;
}

static void build(ach_place *pl, request_rec *r, apr_pool_t *p)
{
    const ach_dir_conf *dc = pl->dc;
    ac_place *core = &pl->core;
    apr_array_header_t *warn = apr_array_make(p, 2, sizeof(const char *));
    const char *vhost = vhost_id(r->server, p);
    int i;

    core->realm = pl->auth_name;
    core->charset_utf8 = AC_GET(dc->charset_utf8, ac_default.charset_utf8);
    core->max_body = AC_GET(dc->max_body, ac_default.max_body);
    core->backends = pl->provider ? ach_backends_own(dc, p, warn)
                                  : ach_backends_for(dc, p, &pl->bound,
                                                     warn);
    ach_state_attach(r->server, core);
    finish_schemes(pl, warn, p);
    pl->header_combined = AC_GET(dc->header_combined,
                                 ac_default.header_combined);
    pl->credcache.state = core->state;
    pl->credcache.secret = core->secret;
    pl->credcache.secret_len = core->secret_len;
    pl->credcache.ttl = AC_GET(dc->cred_cache, ac_default.cred_cache);
    pl->credcache.scope = cache_scope(pl, vhost, p);
    core->credcache = &pl->credcache;
    pl->limit.state = core->state;
    pl->limit.count = AC_GET(dc->fail_count, ac_default.fail_count);
    pl->limit.window = dc->fail_window;
    pl->id = place_id(pl, vhost, p);
    pl->outage_key = apr_pstrcat(p, vhost, " ", dc->origin, " ",
                                 ac_backend_list_scope(core->backends, p),
                                 NULL);
    for (i = 0; i < warn->nelts; i++) {
        ach_log_warn_once(r, apr_pstrcat(p, vhost, dc->origin, NULL),
                          APR_ARRAY_IDX(warn, i, const char *));
    }
}

/* A new place for r in p: built, or not this module's (set.count 0);
 * the provider's is always built (and offers no scheme). */
static ach_place *make(const ach_dir_conf *dc, request_rec *r,
                       int provider, const char *type, const char *name,
                       apr_pool_t *p)
{
    ach_place *pl = apr_pcalloc(p, sizeof(*pl));
    const apr_array_header_t *names = dc->schemes;

    pl->dc = dc;
    pl->server = r->server;
    pl->provider = provider;
    pl->auth_type = type ? apr_pstrdup(p, type) : NULL;
    pl->auth_name = name ? apr_pstrdup(p, name) : NULL;
    if (provider
        || ac_scheme_set_for(&pl->core.set, type, names
                             ? (const char *const *)names->elts : NULL,
                             names ? names->nelts : 0,
                             dc->providers != NULL)) {
        build(pl, r, p);
    }
    return pl;
}

/* Keep pl with dc (the list only grows; a node is published whole). */
static void keep(ach_dir_conf *dc, ach_place *pl, ach_place_list *node)
{
    node->place = pl;
    node->next = dc->places;
    apr_atomic_casptr((void *)&dc->places, node, node->next);
}

/* The place of r (provider: the authn provider's), found or built. */
static const ach_place *get(request_rec *r, int provider, const char *type,
                            const char *name)
{
    ach_dir_conf *dc = ach_dir_conf_of(r);
    const ach_place *pl = find(dc, r, provider, type, name);
    ach_place_list *node;
    apr_pool_t *kp = ach_keep_pool();

    if (!pl && dc->stable && kp) {
        ach_keep_lock();
        if (!(pl = find(dc, r, provider, type, name))) {
            /* in the child's kept memory, as dc is kept */
            ach_place *made = make(dc, r, provider, type, name, kp);

            node = apr_pcalloc(kp, sizeof(*node));
            keep(dc, made, node);
            pl = made;
        }
        ach_keep_unlock();
    }
    else if (!pl && !dc->stable) {  /* .htaccess: for this request */
        ach_place *made = make(dc, r, provider, type, name, r->pool);

        node = apr_pcalloc(r->pool, sizeof(*node));
        keep(dc, made, node);
        pl = made;
    }
    else if (!pl) {                 /* no child yet: nothing kept */
        pl = make(dc, r, provider, type, name, r->pool);
    }
    return pl;
}

const ach_place *ach_place_get(request_rec *r)
{
    const ach_place *pl = get(r, 0, ap_auth_type(r), ap_auth_name(r));

    return pl->core.set.count ? pl : NULL;
}

/* The AuthType does not matter here (Basic, Digest and form ask alike);
 * the realm does: it is part of what a cached verdict rests on. */
const ach_place *ach_place_provider(request_rec *r)
{
    return get(r, 1, NULL, ap_auth_name(r));
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

void ach_place_request(request_rec *r, ac_request *req)
{
    memset(req, 0, sizeof(*req));
    req->proxy = ach_request_is_proxy(r);
    req->connect = r->method_number == M_CONNECT;
    req->method = r->method;
    req->target = r->unparsed_uri;
    req->path = req->connect ? r->unparsed_uri : path_as_sent(r);
    req->credentials = apr_table_get(r->headers_in,
                                     ac_hdr_credentials(req->proxy));
    req->client = r->useragent_ip;
    req->now = apr_time_now();
}

void ach_place_respond(request_rec *r, const ach_place *pl,
                       const ac_request *req, const ac_result *res)
{
    const char *name = ac_hdr_challenge(req->proxy);
    apr_array_header_t *v;
    int i;

    v = ac_challenges_values(ac_auth_challenges(&pl->core, req, res,
                                                r->pool),
                             pl->header_combined, r->pool);
    if (v->nelts) {
        apr_table_unset(r->err_headers_out, name);
    }
    for (i = 0; i < v->nelts; i++) {
        apr_table_addn(r->err_headers_out, name,
                       APR_ARRAY_IDX(v, i, const char *));
    }
    for (i = 0; res->headers && i + 1 < res->headers->nelts; i += 2) {
        apr_table_setn(r->err_headers_out,
                       APR_ARRAY_IDX(res->headers, i, const char *),
                       APR_ARRAY_IDX(res->headers, i + 1, const char *));
    }
}
