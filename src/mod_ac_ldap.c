/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_ldap.h"

#include "http_log.h"
#include "apr_strings.h"

#include "ac_backend_ldap.h"
#include "mod_ac_registry.h"

APLOG_USE_MODULE(authchallenge);

static void ldap_conf(const ac_dir_conf *dc, ac_ldap_conf *lc)
{
    memset(lc, 0, sizeof(*lc));
    lc->url = dc->ldap_url;
    lc->bind_dn = dc->ldap_bind_dn;
    lc->bind_pw = dc->ldap_bind_pw;
    lc->starttls = AC_GET(dc->ldap_starttls, 0);
    lc->ca_cert = dc->ldap_ca_cert;
    lc->timeout = AC_GET(dc->ldap_timeout, AC_DEFAULT_LDAP_TIMEOUT);
    lc->digest_attr = dc->ldap_digest_attr;
    lc->userhash_attr = dc->ldap_userhash_attr;
    lc->token_attr = dc->ldap_token_attr;
    lc->group_attrs = dc->ldap_group_attrs;
}

#define S(x) ((x) ? (x) : "")

/* Every setting that shapes the back-end, as one string. */
static const char *conf_key(apr_pool_t *p, const ac_ldap_conf *lc)
{
    return apr_psprintf(p, "%s\n%s\n%s\n%d\n%s\n%" APR_TIME_T_FMT
                        "\n%s\n%s\n%s\n%s", S(lc->url), S(lc->bind_dn),
                        S(lc->bind_pw), lc->starttls, S(lc->ca_cert),
                        lc->timeout, S(lc->digest_attr),
                        S(lc->userhash_attr), S(lc->token_attr),
                        lc->group_attrs ? apr_array_pstrcat(
                            p, lc->group_attrs, ' ') : "");
}

static const ac_backend *make_ldap(apr_pool_t *p, const void *arg,
                                   const char **err)
{
    const ac_backend *be = NULL;

    *err = ac_backend_ldap_make(p, arg, &be);
    return be;
}

const ac_backend *ac_ldap_backend(request_rec *r, const ac_dir_conf *dc)
{
    const ac_backend *be;
    const char *err;
    ac_ldap_conf lc;

    if (!dc->ldap_url) {
        return NULL;
    }
    ldap_conf(dc, &lc);
    be = ac_registry_get(apr_pstrcat(r->pool, "ldap\n",
                                     conf_key(r->pool, &lc), NULL),
                         make_ldap, &lc, &err);
    if (err) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "AC01050: LDAP: %s",
                      err);
    }
    return be;
}
