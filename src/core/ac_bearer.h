/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Bearer (RFC 6750; docs/bearer.md): signed JWTs (ac_jwt) with keys
 * from files or from an authorization server (ac_keysource: RFC 8414
 * metadata, a JWKS URI; RFC 9068 rules then), opaque tokens looked up
 * in a back-end by the SHA-256 of the token or introspected (RFC 7662),
 * with the status codes and error parameters of RFC 6750 §3.1, the
 * protected resource metadata of RFC 9728 and the step-up challenges of
 * RFC 9470.
 */
#ifndef AC_BEARER_H
#define AC_BEARER_H

#include "ac_scheme.h"
#include "ac_defaults.h"
#include "ac_introspect.h"
#include "ac_jwt.h"
#include "ac_keysource.h"

/* Bearer's settings (AC_UNSET or NULL: not set in this section; a
 * finished one, in a place, has checks, user_claim and tokens set). */
typedef struct ac_bearer_conf {
    /* AuthChallengeBearerJWKS / AuthChallengeBearerKey, loaded when the
     * directive is read; a section that names any key replaces the
     * parent's keys as a whole.  jwks_file: a JWKS file is among them
     * (keys of an authorization server: RFC 9068 rules). */
    ac_jwt_keyset *keys;
    int jwks_file;
    const char *issuer;
    apr_array_header_t *audiences;      /* const char *                 */
    apr_interval_time_t leeway;
    int require_exp;
    const char *user_claim;             /* default "sub"                */
    const char *tokens_name;            /* "dbm", "ldap", "off"         */
    int transport;                      /* AC_TRANSPORT_* bits          */
    /* an authorization server (docs/bearer.md) */
    const char *metadata_url;           /* AuthChallengeBearerMetadataURL */
    const char *jwks_uri;               /* AuthChallengeBearerJWKSURI   */
    apr_interval_time_t refresh;        /* AuthChallengeBearerJWKSRefresh */
    apr_interval_time_t min_refresh;    /* (one setting with refresh)   */
    const char *ca_file;                /* AuthChallengeBearerCACert    */
    apr_interval_time_t fetch_timeout;
    const ac_introspect_conf *introspect;
    apr_interval_time_t introspect_cache;   /* 0: Off                   */
    const char *resource;               /* RFC 9728 resource, RFC 8707  */
    const char *resource_metadata;      /* its URL, on every challenge  */
    apr_array_header_t *scopes_supported;
    apr_interval_time_t max_age;        /* RFC 9470; finished: 0 none   */
    /* finished */
    ac_jwt_checks checks;
    const ac_backend_list *tokens;      /* NULL: no opaque tokens       */
    int rfc9068;                        /* keys of an authorization server */
    const char *unusable;               /* why the place cannot offer it */
    ac_http_opts http;
    ac_keysource *source;               /* this process's, or NULL      */
} ac_bearer_conf;

extern const ac_scheme ac_scheme_bearer;

/* 1 when s is a b64token (RFC 6750 §2.1). */
int ac_bearer_is_b64token(const char *s);

/*
 * Check the access token tok with the finished settings bc of place pl
 * (JWT, opaque token of a back-end, introspection; the credential and
 * introspection caches; RFC 9470 max age) and fill res as Bearer's
 * verify does.  For any scheme that carries such tokens (DPoP).
 */
void ac_bearer_check_token(const ac_place *pl, const ac_bearer_conf *bc,
                           const ac_request *req, const char *tok,
                           ac_result *res, apr_pool_t *p);

/* The refusal RFC 9470 §3 asks for, into res: 401 with
 * error="insufficient_user_authentication", acr_values (NULL: none)
 * and the place's max_age. */
void ac_bearer_step_up(const ac_place *pl, const char *acr_values,
                       ac_result *res, apr_pool_t *p);

/*
 * The protected resource metadata (RFC 9728 §2) for settings bc as a
 * section has them (merged, not finished), as JSON into *json; the
 * issuer discovered when AuthChallengeBearerIssuer is unset (state and
 * secret: the shared state a fetch uses).  NULL, or why not.
 */
const char *ac_bearer_resource_metadata(const ac_bearer_conf *bc,
                                        const ac_state *state,
                                        const unsigned char *secret,
                                        apr_size_t secret_len,
                                        const char **json, apr_pool_t *p);

/* 1 when settings bc take keys from an authorization server
 * (MetadataURL, JWKSURI or a JWKS file) without an audience of their
 * own (AuthChallengeBearerAudience or AuthChallengeBearerResource):
 * RFC 9068 §4 wants one. */
int ac_bearer_lacks_audience(const ac_bearer_conf *bc);

#endif
