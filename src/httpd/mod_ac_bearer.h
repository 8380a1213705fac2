/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* httpd glue for Bearer (ac_bearer.c is the scheme): its directives, and
 * tokens in a form body or the query (RFC 6750 §2.2, §2.3). */
#ifndef MOD_AC_BEARER_H
#define MOD_AC_BEARER_H

#include "mod_ac_place.h"

/*
 * Apply AuthChallengeBearerTransport to req: drop a Bearer
 * (Proxy-)Authorization header when the header transport is off, and
 * collect access_token from the query and a form body when those are
 * on.  OK, or an HTTP status (413 for a body too large to read).
 */
int ach_bearer_prepare(request_rec *r, const ach_place *pl,
                       ac_request *req);

const char *ach_bearer_jwks(cmd_parms *cmd, void *cfg, const char *path);
const char *ach_bearer_key(cmd_parms *cmd, void *cfg, const char *alg,
                           const char *path);
const char *ach_bearer_issuer(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_bearer_audience(cmd_parms *cmd, void *cfg,
                                const char *arg);
const char *ach_bearer_leeway(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_bearer_require_exp(cmd_parms *cmd, void *cfg, int on);
const char *ach_bearer_user_claim(cmd_parms *cmd, void *cfg,
                                  const char *arg);
const char *ach_bearer_tokens(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_bearer_transport(cmd_parms *cmd, void *cfg,
                                 const char *arg);

#define ACH_BEARER_CMDS \
    AP_INIT_TAKE1("AuthChallengeBearerJWKS", ach_bearer_jwks, NULL, \
        ACH_DIRCTX, "JSON Web Key Set file"), \
    AP_INIT_TAKE2("AuthChallengeBearerKey", ach_bearer_key, NULL, \
        ACH_DIRCTX, "alg path: a PEM public key or an HMAC secret file"), \
    AP_INIT_TAKE1("AuthChallengeBearerIssuer", ach_bearer_issuer, NULL, \
        ACH_DIRCTX, "required iss"), \
    AP_INIT_ITERATE("AuthChallengeBearerAudience", ach_bearer_audience, \
        NULL, ACH_DIRCTX, "accepted aud values"), \
    AP_INIT_TAKE1("AuthChallengeBearerLeeway", ach_bearer_leeway, NULL, \
        ACH_DIRCTX, "clock skew in seconds"), \
    AP_INIT_FLAG("AuthChallengeBearerRequireExp", ach_bearer_require_exp, \
        NULL, ACH_DIRCTX, "refuse tokens without exp"), \
    AP_INIT_TAKE1("AuthChallengeBearerUserClaim", ach_bearer_user_claim, \
        NULL, ACH_DIRCTX, "claim that becomes REMOTE_USER"), \
    AP_INIT_TAKE1("AuthChallengeBearerTokens", ach_bearer_tokens, NULL, \
        ACH_DIRCTX, "opaque tokens: dbm, ldap or Off"), \
    AP_INIT_ITERATE("AuthChallengeBearerTransport", ach_bearer_transport, \
        NULL, ACH_DIRCTX, "header, body, query")

#endif
