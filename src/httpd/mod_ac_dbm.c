/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_dbm.h"

#include "apr_strings.h"

#include "ac_backend_dbm.h"

extern const ac_backend_kind ac_backend_kind_dbm;

static ac_dbm_conf *conf_of(void *cfg)
{
    return ach_backend_conf(cfg, &ac_backend_kind_dbm);
}

/* Allowed in .htaccess, as httpd's own AuthDBMUserFile is: it names the
 * user database of the place, nothing the module sends elsewhere. */
const char *ach_dbm_file(cmd_parms *cmd, void *cfg, const char *arg)
{
    conf_of(cfg)->file = ap_server_root_relative(cmd->pool, arg);
    return conf_of(cfg)->file ? NULL : "AuthChallengeDBMUserFile: bad path";
}

const char *ach_dbm_type(cmd_parms *cmd, void *cfg, const char *arg)
{
    if (!ac_dbm_type_known(arg)) {
        return apr_psprintf(cmd->pool, "AuthChallengeDBMType: unknown type "
                            "'%s' (default, sdbm, gdbm, db)", arg);
    }
    conf_of(cfg)->type = arg;
    return NULL;
}
