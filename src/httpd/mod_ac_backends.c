/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_backends.h"

#include "ap_provider.h"
#include "mod_auth.h"
#include "apr_strings.h"

#include "ac_filewatch.h"
#include "mod_ac_registry.h"

/* ------------------------------------------------ httpd authn providers */

/* The request the calling thread works for (ach_backends_bind). */
static __thread request_rec *bound_request;

void ach_backends_bind(request_rec *r)
{
    bound_request = r;
}

typedef struct {
    const char *name;
    const authn_provider *prov;
} ach_httpd_ctx;

static ac_be_status from_authn(authn_status st, const char **reason,
                               const char *name, apr_pool_t *p)
{
    switch (st) {
    case AUTH_GRANTED:
    case AUTH_USER_FOUND:
        return AC_BE_OK;
    case AUTH_DENIED:
        *reason = "wrong password";
        return AC_BE_DENIED;
    case AUTH_USER_NOT_FOUND:
        return AC_BE_NOT_FOUND;
    default:
        *reason = apr_psprintf(p, "authn provider '%s' failed", name);
        return AC_BE_ERROR;
    }
}

/* The provider's name in r's notes while it is asked, as
 * mod_auth_basic sets it: an <AuthnProviderAlias> finds its settings by
 * it (without it, every alias answered "user not found"). */
static void name_note(request_rec *r, const char *name)
{
    if (name) {
        apr_table_setn(r->notes, AUTHN_PROVIDER_NAME_NOTE, name);
    }
    else {
        apr_table_unset(r->notes, AUTHN_PROVIDER_NAME_NOTE);
    }
}

static ac_be_status httpd_check_password(void *vctx, const char *user,
                                         const char *password,
                                         const char **canon,
                                         const char **reason, apr_pool_t *p)
{
    ach_httpd_ctx *ctx = vctx;
    authn_status st;

    if (!ctx->prov->check_password || !bound_request) {
        return AC_BE_UNSUPPORTED;
    }
    name_note(bound_request, ctx->name);
    bound_request->user = (char *)user;
    st = ctx->prov->check_password(bound_request, user, password);
    name_note(bound_request, NULL);
    /* a provider may give its own spelling in r->user, as
     * mod_authnz_ldap and "challenge" do (ac_auth vets it) */
    if (st == AUTH_GRANTED && bound_request->user
        && strcmp(bound_request->user, user)) {
        *canon = apr_pstrdup(p, bound_request->user);
    }
    return from_authn(st, reason, ctx->name, p);
}

/* The httpd provider API knows only MD5 HA1 (get_realm_hash). */
static ac_be_status httpd_get_ha1(void *vctx, const char *user,
                                  const char *realm, const char *alg,
                                  const char **hex, const char **canon,
                                  const char **reason, apr_pool_t *p)
{
    ach_httpd_ctx *ctx = vctx;
    char *hash = NULL;
    authn_status ast;
    ac_be_status st;

    if (strcasecmp(alg, "MD5") || !ctx->prov->get_realm_hash
        || !bound_request) {
        return AC_BE_UNSUPPORTED;
    }
    name_note(bound_request, ctx->name);
    ast = ctx->prov->get_realm_hash(bound_request, user, realm, &hash);
    name_note(bound_request, NULL);
    st = from_authn(ast, reason, ctx->name, p);
    if (st == AC_BE_OK) {
        if (!hash) {
            return AC_BE_NOT_FOUND;
        }
        *hex = apr_pstrdup(p, hash);
        ap_str_tolower((char *)*hex);
    }
    return st;
}

/* be->scope stays NULL: what the provider answers depends on its own
 * settings (AuthUserFile, ...), which this module cannot see, so its
 * verdicts are never cached (docs/security.md). */
static const ac_backend *httpd_backend(const char *name, apr_pool_t *p)
{
    ac_backend *be = apr_pcalloc(p, sizeof(*be));
    ach_httpd_ctx *ctx = apr_pcalloc(p, sizeof(*ctx));

    ctx->name = name;
    ctx->prov = ap_lookup_provider(AUTHN_PROVIDER_GROUP, name,
                                   AUTHN_PROVIDER_VERSION);
    if (!ctx->prov) {
        return NULL;
    }
    be->name = name;
    be->ctx = ctx;
    be->ha1_only = "MD5";
    be->check_password = httpd_check_password;
    be->get_ha1 = httpd_get_ha1;
    return be;
}

/* ------------------------------------------------ the module's own */

static const ac_backend *make_own(apr_pool_t *p, const void *arg,
                                  const char **err)
{
    const void *const *ka = arg;        /* { kind, conf } */
    const ac_backend_kind *k = ka[0];

    return k->make(p, ka[1], err);
}

const ac_backend *ach_backend_named(const ach_dir_conf *dc,
                                    const char *name, apr_pool_t *p,
                                    apr_array_header_t *warnings)
{
    const ac_backend_kind *k = ac_backend_kind_find(name);
    const void *ka[2];
    const ac_backend *be;
    const char *key, *err;

    if (!k || !(key = k->key(ach_backend_conf(dc, k), p))) {
        return NULL;
    }
    ka[0] = k;
    ka[1] = ach_backend_conf(dc, k);
    be = ach_registry_get(key, make_own, ka, &err);
    if (!be && warnings) {
        APR_ARRAY_PUSH(warnings, const char *) = apr_psprintf(p,
            "AuthChallengeProvider %s: %s", name, err ? err : "cannot be "
            "made");
    }
    return be;
}

const ac_backend_list *ach_backends_for(const ach_dir_conf *dc,
                                        apr_pool_t *p, int *bound,
                                        apr_array_header_t *warnings)
{
    ac_backend_list *list = apr_pcalloc(p, sizeof(*list));
    int i, n = dc->providers ? dc->providers->nelts : 0;

    *bound = 0;
    list->items = apr_pcalloc(p, (n + 1) * sizeof(*list->items));
    for (i = 0; i < n; i++) {
        const char *name = APR_ARRAY_IDX(dc->providers, i, const char *);
        const ac_backend *be;

        if (ac_backend_kind_find(name)) {
            be = ach_backend_named(dc, name, p, warnings);
        }
        else if ((be = httpd_backend(name, p)) != NULL) {
            *bound = 1;
        }
        if (!be) {
            APR_ARRAY_PUSH(warnings, const char *) = apr_psprintf(p,
                "AuthChallengeProvider %s is not configured here "
                "(no file or URL for it?)", name);
            continue;
        }
        list->items[list->count++] = be;
    }
    return list;
}

const ac_backend_list *ach_backends_own(const ach_dir_conf *dc,
                                        apr_pool_t *p,
                                        apr_array_header_t *warnings)
{
    ac_backend_list *list = apr_pcalloc(p, sizeof(*list));
    int i, listed = 0, n = dc->providers ? dc->providers->nelts : 0;
    const ac_backend *be;

    list->items = apr_pcalloc(p, (n + AC_BACKEND_SLOTS + 1)
                                 * sizeof(*list->items));
    for (i = 0; i < n; i++) {
        const char *name = APR_ARRAY_IDX(dc->providers, i, const char *);

        if (!ac_backend_kind_find(name)) {
            continue;
        }
        listed = 1;
        if ((be = ach_backend_named(dc, name, p, warnings)) != NULL) {
            list->items[list->count++] = be;
        }
        else {
            APR_ARRAY_PUSH(warnings, const char *) = apr_psprintf(p,
                "AuthChallengeProvider %s is not configured here "
                "(no file or URL for it?)", name);
        }
    }
    for (i = 0; !listed && ac_backend_kinds[i]; i++) {
        be = ach_backend_named(dc, ac_backend_kinds[i]->name, p, warnings);
        if (be) {
            list->items[list->count++] = be;
        }
    }
    return list;
}

void ach_backends_child_init(apr_pool_t *p, server_rec *s)
{
    ac_filewatch_enable(p);
}
