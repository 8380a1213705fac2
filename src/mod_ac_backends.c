/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_backends.h"

#include "http_log.h"
#include "ap_provider.h"
#include "mod_auth.h"
#include "apr_strings.h"

#include "ac_backend_dbm.h"
#include "ac_filewatch.h"
#include "mod_ac_ldap.h"
#include "mod_ac_registry.h"

APLOG_USE_MODULE(authchallenge);

typedef struct {
    request_rec *r;
    const char *name;
    const authn_provider *prov;
} ac_httpd_ctx;

static ac_be_status from_authn(authn_status st, const char **reason,
                               const char *name, apr_pool_t *p)
{
    switch (st) {
    case AUTH_GRANTED:
        return AC_BE_OK;
    case AUTH_DENIED:
        *reason = "wrong password";
        return AC_BE_DENIED;
    case AUTH_USER_FOUND:
        return AC_BE_OK;
    case AUTH_USER_NOT_FOUND:
        return AC_BE_NOT_FOUND;
    default:
        *reason = apr_psprintf(p, "authn provider '%s' failed", name);
        return AC_BE_ERROR;
    }
}

static ac_be_status httpd_check_password(void *vctx, const char *user,
                                         const char *password,
                                         const char **canon,
                                         const char **reason, apr_pool_t *p)
{
    ac_httpd_ctx *ctx = vctx;

    if (!ctx->prov->check_password) {
        return AC_BE_UNSUPPORTED;
    }
    return from_authn(ctx->prov->check_password(ctx->r, user, password),
                      reason, ctx->name, p);
}

/* The httpd provider API knows only MD5 HA1 (get_realm_hash). */
static ac_be_status httpd_get_ha1(void *vctx, const char *user,
                                  const char *realm, const char *alg,
                                  const char **hex, const char **canon,
                                  const char **reason, apr_pool_t *p)
{
    ac_httpd_ctx *ctx = vctx;
    char *hash = NULL;
    ac_be_status st;

    if (strcasecmp(alg, "MD5") || !ctx->prov->get_realm_hash) {
        return AC_BE_UNSUPPORTED;
    }
    st = from_authn(ctx->prov->get_realm_hash(ctx->r, user, realm, &hash),
                    reason, ctx->name, p);
    if (st == AC_BE_OK) {
        if (!hash) {
            return AC_BE_NOT_FOUND;
        }
        *hex = apr_pstrdup(p, hash);
        ap_str_tolower((char *)*hex);
    }
    return st;
}

const ac_backend *ac_httpd_backend(request_rec *r, const char *name)
{
    ac_backend *be = apr_pcalloc(r->pool, sizeof(*be));
    ac_httpd_ctx *ctx = apr_pcalloc(r->pool, sizeof(*ctx));

    ctx->r = r;
    ctx->name = name;
    ctx->prov = ap_lookup_provider(AUTHN_PROVIDER_GROUP, name,
                                   AUTHN_PROVIDER_VERSION);
    if (!ctx->prov) {
        return NULL;
    }
    be->name = name;
    be->ctx = ctx;
    /* be->scope NULL: what the provider answers depends on its own
     * settings (AuthUserFile, ...), which this module cannot see, so
     * its verdicts are never cached (docs/security.md). */
    be->check_password = httpd_check_password;
    be->get_ha1 = httpd_get_ha1;
    return be;
}

static const ac_backend *make_dbm(apr_pool_t *p, const void *arg,
                                  const char **err)
{
    const char *const *pt = arg;

    return ac_backend_dbm_make(p, pt[0], pt[1]);
}

/* The DBM back-end of this directory, or NULL without a user file: one
 * per file and type per process, so its open handle is shared. */
static const ac_backend *dbm_backend(request_rec *r, const ac_dir_conf *dc)
{
    const char *pt[2], *err;

    if (!dc->dbm_file) {
        return NULL;
    }
    pt[0] = dc->dbm_file;
    pt[1] = dc->dbm_type ? dc->dbm_type : "default";
    return ac_registry_get(apr_pstrcat(r->pool, "dbm\n", pt[1], "\n",
                                       pt[0], NULL), make_dbm, pt, &err);
}

const ac_backend *ac_named_backend(request_rec *r, const ac_dir_conf *dc,
                                   const char *name)
{
    if (!strcasecmp(name, "dbm")) {
        return dbm_backend(r, dc);
    }
    if (!strcasecmp(name, "ldap")) {
        return ac_ldap_backend(r, dc);
    }
    return ac_httpd_backend(r, name);
}

const ac_backend_list *ac_request_backends(request_rec *r,
                                           const ac_dir_conf *dc)
{
    ac_backend_list *list = apr_pcalloc(r->pool, sizeof(*list));
    int i, n = dc->providers ? dc->providers->nelts : 0;

    list->items = apr_pcalloc(r->pool, (n + 1) * sizeof(*list->items));
    for (i = 0; i < n; i++) {
        const char *name = APR_ARRAY_IDX(dc->providers, i, const char *);
        const ac_backend *be = ac_named_backend(r, dc, name);

        if (!be) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "AC00010: "
                          "AuthChallengeProvider %s is not configured here "
                          "(missing AuthChallengeDBMUserFile or "
                          "AuthChallengeLDAPURL?)", name);
            continue;
        }
        list->items[list->count++] = be;
    }
    return list;
}

void ac_backends_child_init(apr_pool_t *p, server_rec *s)
{
    ac_filewatch_enable(p);
}
