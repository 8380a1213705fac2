/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* httpd glue: the DBM back-end's directives (ac_backend_dbm.c is the
 * back-end). */
#ifndef MOD_AC_DBM_H
#define MOD_AC_DBM_H

#include "mod_ac_config.h"

const char *ach_dbm_file(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_dbm_type(cmd_parms *cmd, void *cfg, const char *arg);

#define ACH_DBM_CMDS \
    AP_INIT_TAKE1("AuthChallengeDBMUserFile", ach_dbm_file, NULL, \
        ACH_DIRCTX, "the DBM user database"), \
    AP_INIT_TAKE1("AuthChallengeDBMType", ach_dbm_type, NULL, ACH_DIRCTX, \
        "default, sdbm, gdbm or db")

#endif
