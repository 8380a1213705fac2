/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * One table entry per authentication scheme.  The dispatcher (ac_auth)
 * knows schemes only through this table, so a new scheme is a new file
 * and one line in ac_scheme_table (ac_auth.c).
 */
#ifndef AC_SCHEME_H
#define AC_SCHEME_H

#include "ac_types.h"
#include "ac_backend.h"
#include "ac_authparam.h"
#include "ac_challenge.h"
#include "ac_state.h"
#include "ac_credcache.h"

typedef struct ac_digest_conf ac_digest_conf;   /* ac_digest.h */
typedef struct ac_bearer_conf ac_bearer_conf;   /* ac_bearer.h */

/* The settings of one protected area, as plain data. */
typedef struct {
    const char *realm;              /* AuthName                        */
    int charset_utf8;               /* AuthChallengeCharset UTF-8      */
    const ac_backend_list *backends;
    const ac_digest_conf *digest;   /* NULL: Digest not configured     */
    const ac_bearer_conf *bearer;   /* NULL: Bearer not configured     */
    const ac_state *state;          /* shared state (SPEC §10) or NULL */
    const ac_credcache *credcache;  /* verified credentials, or NULL   */
    const unsigned char *secret;    /* server secret (SPEC §10)        */
    apr_size_t secret_len;
} ac_scheme_conf;

typedef struct ac_scheme ac_scheme;

struct ac_scheme {
    const char *name;               /* "Basic", "Digest", "Bearer"     */
    /* 0 when conf cannot offer this scheme; *why says why (may be NULL
     * to mean always usable). */
    int (*usable)(const ac_scheme_conf *conf, const char **why);
    /* Add this scheme's challenge(s).  res is the verdict being
     * answered: res->scheme names the scheme that decided, so only that
     * one adds stale= or error=. */
    void (*challenge)(const ac_scheme_conf *conf, const ac_request *req,
                      const ac_result *res, ac_challenges *out,
                      apr_pool_t *p);
    void (*verify)(const ac_scheme_conf *conf, const ac_request *req,
                   const ac_credentials *cred, ac_result *res,
                   apr_pool_t *p);
    /* 1: also send this scheme's challenge with a 400 or 403 it decided
     * (RFC 6750 §3 does so for Bearer). */
    int challenge_on_error;
    /* 1 when verify needs the request body for these (parsed)
     * credentials (Digest auth-int) and they pass every check that
     * comes before it; NULL: never.  A request that would fail anyway
     * is answered without reading its body. */
    int (*wants_body)(const ac_scheme_conf *conf, const ac_request *req,
                      const ac_credentials *cred, apr_pool_t *p);
};

extern const ac_scheme ac_scheme_basic;     /* ac_basic.c */
extern const ac_scheme ac_scheme_bearer;    /* ac_bearer.c */
extern const ac_scheme ac_scheme_digest;    /* ac_digest.c */

/* The scheme named name (case-insensitive), or NULL. */
const ac_scheme *ac_scheme_find(const char *name);

#define AC_MAX_SCHEMES 4

/* The schemes offered in one place, most preferred first. */
typedef struct {
    const ac_scheme *items[AC_MAX_SCHEMES];
    int count;
} ac_scheme_set;

/* Set the verdict fields of res in one call. */
void ac_result_set(ac_result *res, ac_verdict v, const char *reason);

#endif
