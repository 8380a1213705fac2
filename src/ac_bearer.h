/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Bearer (RFC 6750): signed JWTs (ac_jwt) and opaque tokens looked up in
 * a back-end by the SHA-256 of the token, with the exact status codes
 * and error parameters of SPEC §5.
 */
#ifndef AC_BEARER_H
#define AC_BEARER_H

#include "ac_scheme.h"
#include "ac_jwt.h"

struct ac_bearer_conf {
    const ac_jwt_keyset *keys;          /* NULL: no JWT accepted        */
    ac_jwt_checks checks;
    const char *user_claim;             /* default "sub"                */
    const ac_backend_list *tokens;      /* NULL: no opaque tokens       */
};

extern const ac_scheme ac_scheme_bearer;

/* 1 when s is a b64token (RFC 6750 §2.1). */
int ac_bearer_is_b64token(const char *s);

/* 1 when every scope of need is in have. */
int ac_bearer_has_scopes(const apr_array_header_t *have,
                         const apr_array_header_t *need);

/* The claim equals value, or (an array claim) contains it. */
int ac_identity_claim_matches(const ac_identity *id, const char *name,
                              const char *value, apr_pool_t *p);

#endif
