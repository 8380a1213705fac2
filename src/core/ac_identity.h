/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * A verified identity as the credential cache keeps it: the user name,
 * expiry, claims JSON, scopes and claims, each field as
 * "<length>:<bytes>" (netstring-like), so that a cache hit costs a few
 * strtoul calls (json_loads was a third of a cached Bearer request).
 */
#ifndef AC_IDENTITY_H
#define AC_IDENTITY_H

#include "ac_types.h"

/* user and id as one string (allocated in p). */
const char *ac_identity_encode(const char *user, const ac_identity *id,
                               apr_pool_t *p);

/* The reverse; 0 (and nothing set) for anything ac_identity_encode did
 * not write. */
int ac_identity_decode(const char *text, const char **user,
                       ac_identity **id, apr_pool_t *p);

/* 1 when id carries every scope of need (RFC 6750 §3.1). */
int ac_identity_has_scopes(const ac_identity *id,
                           const apr_array_header_t *need);

/* 1 when id's claim name equals value: a string claim equal to it, an
 * array claim with an element equal to it, or a number or boolean whose
 * JSON text is value ("3", "true").  Names and values are compared
 * case-sensitively (RFC 7519 §4); objects never match.  The claims
 * are id->claims_json: one matcher for tokens fresh or cached. */
int ac_identity_claim_matches(const ac_identity *id, const char *name,
                              const char *value, apr_pool_t *p);

#endif
