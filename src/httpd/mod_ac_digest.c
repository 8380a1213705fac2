/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_digest.h"

#include "apr_strings.h"

#include "ac_digest.h"

static ac_digest_conf *conf_of(void *cfg)
{
    return ach_scheme_conf(cfg, &ac_scheme_digest);
}

const char *ach_digest_alg(cmd_parms *cmd, void *cfg, const char *arg)
{
    ac_digest_conf *d = conf_of(cfg);
    const ac_hash_alg *const *all;
    const ac_hash_alg *alg = ac_hash_find(arg);
    const char *names = "";
    apr_array_header_t *a;
    int i;

    if (!alg) {
        for (all = ac_hash_all(), i = 0; all[i]; i++) {
            names = apr_pstrcat(cmd->pool, names, i ? ", " : "",
                                all[i]->name, NULL);
        }
        return apr_psprintf(cmd->pool, "AuthChallengeDigestAlgorithm: "
                            "unknown algorithm '%s' (%s)", arg, names);
    }
    a = (apr_array_header_t *)d->algorithms;
    if (!a) {
        a = apr_array_make(cmd->pool, 4, sizeof(alg));
        d->algorithms = a;
    }
    APR_ARRAY_PUSH(a, const ac_hash_alg *) = alg;
    return NULL;
}

const char *ach_digest_qop(cmd_parms *cmd, void *cfg, const char *arg)
{
    ac_digest_conf *d = conf_of(cfg);

    if (d->qop_auth == AC_UNSET) {
        d->qop_auth = d->qop_auth_int = 0;
    }
    if (!strcasecmp(arg, "auth")) {
        d->qop_auth = 1;
    }
    else if (!strcasecmp(arg, "auth-int")) {
        d->qop_auth_int = 1;
    }
    else {
        return "AuthChallengeDigestQop: auth and/or auth-int";
    }
    return NULL;
}

const char *ach_digest_userhash(cmd_parms *cmd, void *cfg, int on)
{
    conf_of(cfg)->userhash = on ? 1 : 0;
    return NULL;
}

const char *ach_digest_domain(cmd_parms *cmd, void *cfg, const char *arg)
{
    ac_digest_conf *d = conf_of(cfg);

    d->domain = d->domain ? apr_pstrcat(cmd->pool, d->domain, " ", arg, NULL)
                          : arg;
    return NULL;
}

const char *ach_digest_lifetime(cmd_parms *cmd, void *cfg, const char *arg)
{
    return ach_parse_seconds(cmd, arg, &conf_of(cfg)->nonce_lifetime, 0);
}

const char *ach_digest_replay(cmd_parms *cmd, void *cfg, int on)
{
    conf_of(cfg)->replay_check = on ? 1 : 0;
    return NULL;
}
