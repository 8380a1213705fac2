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
/* An authorization server (docs/bearer.md): RFC 8414, 7662, 9728, 9470 */
const char *ach_bearer_url(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_bearer_refresh(cmd_parms *cmd, void *cfg, const char *secs,
                               const char *min);
const char *ach_bearer_introspect(cmd_parms *cmd, void *cfg,
                                  const char *url, const char *client,
                                  const char *file);
const char *ach_bearer_seconds(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_bearer_ca_cert(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_bearer_resource(cmd_parms *cmd, void *cfg,
                                const char *arg);
const char *ach_bearer_scopes_supported(cmd_parms *cmd, void *cfg,
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
        NULL, ACH_DIRCTX, "header, body, query"), \
    AP_INIT_TAKE1("AuthChallengeBearerMetadataURL", ach_bearer_url, \
        (void *)0, ACH_DIRCTX, "authorization server metadata (RFC 8414)"), \
    AP_INIT_TAKE1("AuthChallengeBearerJWKSURI", ach_bearer_url, (void *)1, \
        ACH_DIRCTX, "URL of the authorization server's key set"), \
    AP_INIT_TAKE1("AuthChallengeBearerResourceMetadata", ach_bearer_url, \
        (void *)2, ACH_DIRCTX, "URL of this resource's metadata " \
        "(RFC 9728)"), \
    AP_INIT_TAKE12("AuthChallengeBearerJWKSRefresh", ach_bearer_refresh, \
        NULL, ACH_DIRCTX, "seconds [min-seconds]: keys fetched again"), \
    AP_INIT_TAKE3("AuthChallengeBearerIntrospect", ach_bearer_introspect, \
        NULL, ACH_DIRCTX, "url|auto client_id secret-file (RFC 7662)"), \
    AP_INIT_TAKE1("AuthChallengeBearerIntrospectCache", ach_bearer_seconds, \
        (void *)0, ACH_DIRCTX, "seconds, or Off"), \
    AP_INIT_TAKE1("AuthChallengeBearerFetchTimeout", ach_bearer_seconds, \
        (void *)1, ACH_DIRCTX, "seconds a fetch may take"), \
    AP_INIT_TAKE1("AuthChallengeBearerMaxAge", ach_bearer_seconds, \
        (void *)2, ACH_DIRCTX, "seconds since auth_time (RFC 9470)"), \
    AP_INIT_TAKE1("AuthChallengeBearerCACert", ach_bearer_ca_cert, NULL, \
        ACH_DIRCTX, "PEM trust anchors for the fetches"), \
    AP_INIT_TAKE1("AuthChallengeBearerResource", ach_bearer_resource, \
        NULL, ACH_DIRCTX, "this resource's identifier (RFC 9728)"), \
    AP_INIT_ITERATE("AuthChallengeBearerScopesSupported", \
        ach_bearer_scopes_supported, NULL, ACH_DIRCTX, \
        "scopes_supported of the resource metadata")

#endif
