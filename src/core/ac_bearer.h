/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Bearer (RFC 6750; docs/bearer.md): signed JWTs (ac_jwt) and opaque
 * tokens looked up in a back-end by the SHA-256 of the token, with the
 * status codes and error parameters of RFC 6750 §3.1.
 */
#ifndef AC_BEARER_H
#define AC_BEARER_H

#include "ac_scheme.h"
#include "ac_defaults.h"
#include "ac_jwt.h"

/* Bearer's settings (AC_UNSET or NULL: not set in this section; a
 * finished one, in a place, has checks, user_claim and tokens set). */
typedef struct ac_bearer_conf {
    /* AuthChallengeBearerJWKS / AuthChallengeBearerKey, loaded when the
     * directive is read; a section that names any key replaces the
     * parent's keys as a whole. */
    ac_jwt_keyset *keys;
    const char *issuer;
    apr_array_header_t *audiences;      /* const char *                 */
    apr_interval_time_t leeway;
    int require_exp;
    const char *user_claim;             /* default "sub"                */
    const char *tokens_name;            /* "dbm", "ldap", "off"         */
    int transport;                      /* AC_TRANSPORT_* bits          */
    /* finished */
    ac_jwt_checks checks;
    const ac_backend_list *tokens;      /* NULL: no opaque tokens       */
} ac_bearer_conf;

extern const ac_scheme ac_scheme_bearer;

/* 1 when s is a b64token (RFC 6750 §2.1). */
int ac_bearer_is_b64token(const char *s);

#endif
