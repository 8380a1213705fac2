/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_ldap.h"

#include "apr_strings.h"

#include "ac_ldap_url.h"

extern const ac_backend_kind ac_backend_kind_ldap;

static ac_ldap_conf *conf_of(void *cfg)
{
    return ach_backend_conf(cfg, &ac_backend_kind_ldap);
}

const char *ach_ldap_url(cmd_parms *cmd, void *cfg, const char *arg)
{
    ac_ldap_url u;
    const char *err = ac_ldap_url_parse(cmd->pool, arg, &u);

    if (err) {
        return apr_psprintf(cmd->pool, "AuthChallengeLDAPURL: %s", err);
    }
    conf_of(cfg)->url = arg;
    return NULL;
}

const char *ach_ldap_string(cmd_parms *cmd, void *cfg, const char *arg)
{
    *(const char **)((char *)conf_of(cfg) + (size_t)cmd->info) = arg;
    return NULL;
}

/* "file:path" is read now: the password never sits in the config tree
 * twice, and a missing file stops start-up.  Not from .htaccess. */
const char *ach_ldap_bind_pw(cmd_parms *cmd, void *cfg, const char *arg)
{
    const char *err;

    if (!strncmp(arg, "file:", 5)) {
        const char *path;

        if ((err = ach_no_files_in_htaccess(cmd)) != NULL) {
            return err;
        }
        path = ap_server_root_relative(cmd->pool, arg + 5);
        arg = path ? apr_pstrcat(cmd->pool, "file:", path, NULL) : arg;
    }
    err = ac_ldap_read_secret(cmd->pool, arg, &conf_of(cfg)->bind_pw);
    return err ? apr_psprintf(cmd->pool, "AuthChallengeLDAPBindPassword: "
                              "%s", err) : NULL;
}

const char *ach_ldap_starttls(cmd_parms *cmd, void *cfg, int on)
{
    conf_of(cfg)->starttls = on ? 1 : 0;
    return NULL;
}

/* A certificate file: not from .htaccess. */
const char *ach_ldap_ca_cert(cmd_parms *cmd, void *cfg, const char *arg)
{
    const char *err = ach_no_files_in_htaccess(cmd);

    if (err) {
        return err;
    }
    conf_of(cfg)->ca_cert = ap_server_root_relative(cmd->pool, arg);
    return NULL;
}

const char *ach_ldap_timeout(cmd_parms *cmd, void *cfg, const char *arg)
{
    return ach_parse_seconds(cmd, arg, &conf_of(cfg)->timeout, 0);
}

const char *ach_ldap_group_attr(cmd_parms *cmd, void *cfg, const char *arg)
{
    ach_push(cmd, &conf_of(cfg)->group_attrs, arg);
    return NULL;
}

const char *ach_ldap_group_is_dn(cmd_parms *cmd, void *cfg, int on)
{
    conf_of(cfg)->group_is_dn = on ? 1 : 0;
    return NULL;
}

/* 0 (no nested groups) to 100: deeper is a loop, not a directory. */
const char *ach_ldap_group_depth(cmd_parms *cmd, void *cfg,
                                 const char *arg)
{
    char *end;
    apr_int64_t n = apr_strtoi64(arg, &end, 10);

    if (*end || end == arg || n < 0 || n > 100) {
        return apr_psprintf(cmd->pool, "AuthChallengeLDAPGroupDepth: '%s' "
                            "is not a depth from 0 to 100", arg);
    }
    conf_of(cfg)->group_depth = (int)n;
    return NULL;
}

const char *ach_ldap_group_cache(cmd_parms *cmd, void *cfg,
                                 const char *arg)
{
    if (!strcasecmp(arg, "Off")) {
        conf_of(cfg)->group_cache = 0;
        return NULL;
    }
    return ach_parse_seconds(cmd, arg, &conf_of(cfg)->group_cache, 0);
}
