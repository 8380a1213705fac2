/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* httpd glue: Digest's directives (the scheme itself is ac_digest.c). */
#ifndef MOD_AC_DIGEST_H
#define MOD_AC_DIGEST_H

#include "mod_ac_config.h"

const char *ach_digest_alg(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_digest_qop(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_digest_userhash(cmd_parms *cmd, void *cfg, int on);
const char *ach_digest_domain(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_digest_lifetime(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_digest_replay(cmd_parms *cmd, void *cfg, int on);

#define ACH_DIGEST_CMDS \
    AP_INIT_ITERATE("AuthChallengeDigestAlgorithm", ach_digest_alg, NULL, \
        ACH_DIRCTX, "Digest algorithms, most preferred first"), \
    AP_INIT_ITERATE("AuthChallengeDigestQop", ach_digest_qop, NULL, \
        ACH_DIRCTX, "auth and/or auth-int"), \
    AP_INIT_FLAG("AuthChallengeDigestUserhash", ach_digest_userhash, NULL, \
        ACH_DIRCTX, "offer userhash=true"), \
    AP_INIT_ITERATE("AuthChallengeDigestDomain", ach_digest_domain, NULL, \
        ACH_DIRCTX, "URIs of the protection space"), \
    AP_INIT_TAKE1("AuthChallengeNonceLifetime", ach_digest_lifetime, NULL, \
        ACH_DIRCTX, "seconds before a nonce is stale"), \
    AP_INIT_FLAG("AuthChallengeDigestReplayCheck", ach_digest_replay, \
        NULL, ACH_DIRCTX, "refuse reused nonce counts")

#endif
