/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* httpd glue: create and merge of the configs, the general directives. */
#include "mod_ac_config.h"

#include "http_core.h"
#include "http_log.h"
#include "ap_provider.h"
#include "mod_auth.h"
#include "apr_atomic.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"

APLOG_USE_MODULE(authchallenge);

ach_dir_conf *ach_dir_conf_of(request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &authchallenge_module);
}

ach_srv_conf *ach_srv_conf_of(server_rec *s)
{
    return ap_get_module_config(s->module_config, &authchallenge_module);
}

void *ach_scheme_conf(const ach_dir_conf *dc, const ac_scheme *s)
{
    return dc->scheme[ac_scheme_slot(s)];
}

void *ach_backend_conf(const ach_dir_conf *dc, const ac_backend_kind *k)
{
    return dc->backend[ac_backend_kind_slot(k)];
}

int ach_request_is_proxy(request_rec *r)
{
    switch (AC_GET(ach_dir_conf_of(r)->proxy_mode, AC_MODE_AUTO)) {
    case AC_MODE_PROXY:
        return 1;
    case AC_MODE_ORIGIN:
        return 0;
    default:
        return r->proxyreq == PROXYREQ_PROXY;
    }
}

/* ------------------------------------------------------ kept memory */

/* What is kept with stable configurations in a child: its merges and
 * places, made by request threads, so allocated under a lock, in a pool
 * that lives as long as the child. */
static apr_pool_t *keep_pool;
static apr_thread_mutex_t *keep_mutex;

void ach_config_child_init(apr_pool_t *p, server_rec *s)
{
    if (apr_pool_create(&keep_pool, p) == APR_SUCCESS
        && apr_thread_mutex_create(&keep_mutex, APR_THREAD_MUTEX_DEFAULT,
                                   p) != APR_SUCCESS) {
        keep_pool = NULL;
    }
}

void ach_keep_lock(void)
{
    apr_thread_mutex_lock(keep_mutex);
}

void ach_keep_unlock(void)
{
    apr_thread_mutex_unlock(keep_mutex);
}

apr_pool_t *ach_keep_pool(void)
{
    return keep_pool;
}

/* ------------------------------------------------------ create, merge */

void *ach_create_dir_conf(apr_pool_t *p, char *dir)
{
    ach_dir_conf *c = apr_pcalloc(p, sizeof(*c));
    int i;

    c->origin = dir ? apr_pstrdup(p, dir) : "";
    /* .htaccess files are read while requests are served */
    c->stable = ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_RUN_MPM;
    c->charset_utf8 = c->proxy_mode = c->header_combined = AC_UNSET;
    c->max_body = c->cred_cache = AC_UNSET;
    c->fail_count = c->fail_window = AC_UNSET;
    for (i = 0; ac_scheme_table[i]; i++) {
        if (ac_scheme_table[i]->conf_create) {
            c->scheme[i] = ac_scheme_table[i]->conf_create(p);
        }
    }
    for (i = 0; ac_backend_kinds[i]; i++) {
        c->backend[i] = ac_backend_kinds[i]->conf_create(p);
    }
    return c;
}

#define MERGE_PTR(f) c->f = add->f ? add->f : base->f
#define MERGE_INT(f) c->f = add->f != AC_UNSET ? add->f : base->f

static ach_dir_conf *merge(apr_pool_t *p, const ach_dir_conf *base,
                           const ach_dir_conf *add)
{
    ach_dir_conf *c = apr_pcalloc(p, sizeof(*c));
    int i;

    c->origin = apr_pstrcat(p, base->origin, "|", add->origin, NULL);
    c->stable = base->stable && add->stable;
    MERGE_PTR(schemes);         MERGE_PTR(providers);
    MERGE_INT(charset_utf8);    MERGE_INT(proxy_mode);
    MERGE_INT(header_combined); MERGE_INT(max_body);
    MERGE_INT(cred_cache);
    /* the failure limit's count and window are one setting */
    c->fail_count = add->fail_count != AC_UNSET ? add->fail_count
                                                : base->fail_count;
    c->fail_window = add->fail_count != AC_UNSET ? add->fail_window
                                                 : base->fail_window;
    for (i = 0; ac_scheme_table[i]; i++) {
        if (ac_scheme_table[i]->conf_merge) {
            c->scheme[i] = ac_scheme_table[i]->conf_merge(p, base->scheme[i],
                                                          add->scheme[i]);
        }
    }
    for (i = 0; ac_backend_kinds[i]; i++) {
        c->backend[i] = ac_backend_kinds[i]->conf_merge(p, base->backend[i],
                                                        add->backend[i]);
    }
    return c;
}

/* A merge kept with its nested section: one per enclosing section. */
struct ach_memo {
    const ach_dir_conf *base;
    ach_dir_conf *merged;
    ach_memo *next;
};

/* The kept merge of base and add, or NULL (read without a lock: the
 * list only grows, each node published whole). */
static ach_dir_conf *kept(const ach_dir_conf *base, const ach_dir_conf *add)
{
    ach_memo *m;

    for (m = apr_atomic_casptr((void *)&add->merges, NULL, NULL); m;
         m = m->next) {
        if (m->base == base) {
            return m->merged;
        }
    }
    return NULL;
}

/*
 * httpd merges the sections of a request on every request.  Stable
 * sections merge to the same settings every time, so their merge is
 * made once per process and kept with the nested section (and with it
 * the place built for it, mod_ac_place.c); the request then costs a
 * pointer comparison per section instead of a copy of every setting.
 */
void *ach_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    ach_dir_conf *base = basev, *add = addv, *c;
    ach_memo *m;

    if (!base->stable || !add->stable || !keep_pool) {
        return merge(p, base, add);     /* .htaccess, or start-up */
    }
    if ((c = kept(base, add)) != NULL) {
        return c;
    }
    ach_keep_lock();
    if ((c = kept(base, add)) == NULL) {
        m = apr_pcalloc(keep_pool, sizeof(*m));
        c = merge(keep_pool, base, add);
        m->base = base;
        m->merged = c;
        m->next = add->merges;
        apr_atomic_casptr((void *)&add->merges, m, m->next);
    }
    ach_keep_unlock();
    return c ? c : merge(p, base, add);
}

void *ach_create_srv_conf(apr_pool_t *p, server_rec *s)
{
    return apr_pcalloc(p, sizeof(ach_srv_conf));
}

void *ach_merge_srv_conf(apr_pool_t *p, void *basev, void *addv)
{
    ach_srv_conf *base = basev, *add = addv;
    ach_srv_conf *c = apr_pcalloc(p, sizeof(*c));

    MERGE_PTR(cache_spec);
    MERGE_PTR(secret_file);
    MERGE_PTR(secret_prev_file);
    c->cache_timeout = add->cache_timeout ? add->cache_timeout
                                          : base->cache_timeout;
    return c;
}

/* ------------------------------------------------------------ helpers */

void ach_push(cmd_parms *cmd, apr_array_header_t **a, const char *arg)
{
    if (!*a) {
        *a = apr_array_make(cmd->pool, 4, sizeof(const char *));
    }
    APR_ARRAY_PUSH(*a, const char *) = arg;
}

const char *ach_parse_seconds(cmd_parms *cmd, const char *arg,
                              apr_interval_time_t *out, int allow_zero)
{
    char *end;
    apr_int64_t v = apr_strtoi64(arg, &end, 10);

    if (*end || end == arg || v < (allow_zero ? 0 : 1) || v > 86400 * 366) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a number of "
                            "seconds", cmd->cmd->name, arg);
    }
    *out = apr_time_from_sec(v);
    return NULL;
}

const char *ach_backend_names(apr_pool_t *p)
{
    const char *names = "";
    int i;

    for (i = 0; ac_backend_kinds[i]; i++) {
        names = apr_pstrcat(p, names, i ? ", " : "", ac_backend_kinds[i]->name,
                            NULL);
    }
    return names;
}

/*
 * .htaccess may not make the module read files (docs/security.md,
 * ".htaccess"): its author could name any file the server can read,
 * and a bind password read from it goes to an LDAP server of the
 * author's choice.  httpd refuses "exec:" there for the same reason.
 */
const char *ach_no_files_in_htaccess(cmd_parms *cmd)
{
    if (ap_check_cmd_context(cmd, NOT_IN_HTACCESS) == NULL) {
        return NULL;
    }
    return apr_psprintf(cmd->pool, "%s names a file (a key, secret, "
                        "certificate or password file) and is not allowed "
                        "in .htaccess", cmd->cmd->name);
}

/* ------------------------------------------------------------ handlers */

const char *ach_set_schemes(cmd_parms *cmd, void *cfg, const char *arg)
{
    ach_dir_conf *c = cfg;
    const char *names = "";
    int i;

    if (!ac_scheme_find(arg)) {
        for (i = 0; ac_scheme_table[i]; i++) {
            names = apr_pstrcat(cmd->pool, names, i ? ", " : "",
                                ac_scheme_table[i]->name, NULL);
        }
        return apr_psprintf(cmd->pool, "AuthChallengeSchemes: unknown "
                            "scheme '%s' (%s)", arg, names);
    }
    ach_push(cmd, &c->schemes, arg);
    return NULL;
}

const char *ach_set_provider(cmd_parms *cmd, void *cfg, const char *arg)
{
    ach_dir_conf *c = cfg;

    /* It asks these back-ends itself: one of them it cannot be
     * (docs/httpd.md). */
    if (!strcasecmp(arg, ACH_AUTHN_PROVIDER)) {
        return apr_psprintf(cmd->pool, "AuthChallengeProvider: '%s' is "
                            "this module's authn provider for httpd's own "
                            "modules (AuthBasicProvider %s, ...), it cannot "
                            "be one of its own back-ends: name them (%s)",
                            arg, ACH_AUTHN_PROVIDER,
                            ach_backend_names(cmd->pool));
    }
    if (!ac_backend_kind_find(arg)
        && !ap_lookup_provider(AUTHN_PROVIDER_GROUP, arg,
                               AUTHN_PROVIDER_VERSION)) {
        return apr_psprintf(cmd->pool, "AuthChallengeProvider: unknown "
                            "provider '%s': load the module that provides "
                            "it (e.g. mod_authn_%s)", arg, arg);
    }
    ach_push(cmd, &c->providers, arg);
    return NULL;
}

/* A choice among words: the index of arg in words (ignoring case), or
 * -1. */
static int choice(const char *arg, const char *const *words)
{
    int i;

    for (i = 0; words[i]; i++) {
        if (!strcasecmp(arg, words[i])) {
            return i;
        }
    }
    return -1;
}

const char *ach_set_charset(cmd_parms *cmd, void *cfg, const char *arg)
{
    static const char *const words[] = { "Off", "UTF-8", NULL };
    ach_dir_conf *c = cfg;

    if ((c->charset_utf8 = choice(arg, words)) < 0) {
        return "AuthChallengeCharset: UTF-8 or Off";
    }
    return NULL;
}

const char *ach_set_mode(cmd_parms *cmd, void *cfg, const char *arg)
{
    /* in the order of ac_mode */
    static const char *const words[] = { "auto", "proxy", "origin", NULL };
    ach_dir_conf *c = cfg;

    if ((c->proxy_mode = choice(arg, words)) < 0) {
        return "AuthChallengeProxyMode: auto, proxy or origin";
    }
    return NULL;
}

const char *ach_set_style(cmd_parms *cmd, void *cfg, const char *arg)
{
    static const char *const words[] = { "separate", "combined", NULL };
    ach_dir_conf *c = cfg;

    if ((c->header_combined = choice(arg, words)) < 0) {
        return "AuthChallengeHeaderStyle: separate or combined";
    }
    return NULL;
}

const char *ach_set_max_body(cmd_parms *cmd, void *cfg, const char *arg)
{
    ach_dir_conf *c = cfg;
    char *end;
    apr_int64_t v = apr_strtoi64(arg, &end, 10);

    if (*end || end == arg || v < 0) {
        return "AuthChallengeDigestMaxBody: a number of bytes";
    }
    c->max_body = (apr_off_t)v;
    return NULL;
}

const char *ach_set_cred_cache(cmd_parms *cmd, void *cfg, const char *arg)
{
    ach_dir_conf *c = cfg;

    if (!strcasecmp(arg, "Off")) {
        c->cred_cache = 0;
        return NULL;
    }
    return ach_parse_seconds(cmd, arg, &c->cred_cache, 0);
}

const char *ach_set_fail_limit(cmd_parms *cmd, void *cfg,
                               const char *count, const char *secs)
{
    ach_dir_conf *c = cfg;
    char *end;
    apr_int64_t n;

    if (!strcasecmp(count, "Off") && !secs) {
        c->fail_count = 0;
        c->fail_window = 0;
        return NULL;
    }
    n = apr_strtoi64(count, &end, 10);
    if (*end || end == count || n < 1 || n > 1000000 || !secs) {
        return "AuthChallengeFailureLimit: count seconds, or Off";
    }
    c->fail_count = (int)n;
    return ach_parse_seconds(cmd, secs, &c->fail_window, 0);
}

const char *ach_set_srv(cmd_parms *cmd, void *cfg, const char *arg)
{
    ach_srv_conf *sc = ach_srv_conf_of(cmd->server);

    sc->cache_spec = arg;
    return NULL;
}

/* The secret, and the previous one after a rotation (docs/operations.md,
 * "Rotation"). */
const char *ach_set_secret(cmd_parms *cmd, void *cfg, const char *path,
                           const char *prev)
{
    ach_srv_conf *sc = ach_srv_conf_of(cmd->server);

    sc->secret_file = ap_server_root_relative(cmd->pool, path);
    sc->secret_prev_file = prev ? ap_server_root_relative(cmd->pool, prev)
                                : NULL;
    if (!sc->secret_file || (prev && !sc->secret_prev_file)) {
        return "AuthChallengeSecretFile: invalid path";
    }
    return NULL;
}

/* Whole seconds, 1 to 60: a bound on how long a request may wait for
 * the cache (docs/operations.md, "When the cache hangs"). */
const char *ach_set_cache_timeout(cmd_parms *cmd, void *cfg,
                                  const char *arg)
{
    ach_srv_conf *sc = ach_srv_conf_of(cmd->server);
    char *end;
    apr_int64_t n = apr_strtoi64(arg, &end, 10);

    if (*end || end == arg || n < 1 || n > 60) {
        return "AuthChallengeCacheTimeout: seconds, 1 to 60";
    }
    sc->cache_timeout = apr_time_from_sec(n);
    return NULL;
}
