/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_ldap.h"

#include "http_log.h"
#include "apr_hash.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"

#include "ac_backend_ldap.h"

APLOG_USE_MODULE(authchallenge);

static apr_pool_t *ldap_pool;
static apr_hash_t *backends;
static apr_thread_mutex_t *backends_lock;

int ac_ldap_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                        apr_pool_t *ptemp, server_rec *s)
{
    ldap_pool = pconf;
    backends = apr_hash_make(pconf);
    return apr_thread_mutex_create(&backends_lock,
                                   APR_THREAD_MUTEX_DEFAULT, pconf)
           == APR_SUCCESS ? OK : HTTP_INTERNAL_SERVER_ERROR;
}

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

const ac_backend *ac_ldap_backend(request_rec *r, const ac_dir_conf *dc)
{
    const ac_backend *be;
    const char *key, *err = NULL;
    ac_ldap_conf lc;

    if (!dc->ldap_url || !backends) {
        return NULL;
    }
    ldap_conf(dc, &lc);
    key = conf_key(r->pool, &lc);
    apr_thread_mutex_lock(backends_lock);
    be = apr_hash_get(backends, key, APR_HASH_KEY_STRING);
    if (!be) {
        err = ac_backend_ldap_make(ldap_pool, &lc, &be);
        if (be) {
            apr_hash_set(backends, apr_pstrdup(ldap_pool, key),
                         APR_HASH_KEY_STRING, be);
        }
    }
    apr_thread_mutex_unlock(backends_lock);
    if (err) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "AC01050: LDAP: %s",
                      err);
    }
    return be;
}
