/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The back-end interface: one table of functions per back-end (DBM, LDAP,
 * an httpd authn provider adapted by the glue).  A back-end answers the
 * questions it can and returns AC_BE_UNSUPPORTED for the others, so a new
 * back-end is one new file that fills this table.
 */
#ifndef AC_BACKEND_H
#define AC_BACKEND_H

#include "ac_types.h"

/* An opaque Bearer token record (SPEC §8, §9). */
typedef struct {
    const char *user;
    apr_time_t exp;                 /* 0: never expires                  */
    apr_array_header_t *scopes;     /* const char *                      */
} ac_token;

typedef struct ac_backend ac_backend;

struct ac_backend {
    const char *name;
    void *ctx;
    /* Every function may set *reason (never a secret) for the log. */
    ac_be_status (*check_password)(void *ctx, const char *user,
                                   const char *password,
                                   const char **reason, apr_pool_t *p);
    /* HA1 = H(user ":" realm ":" password) in lower-case hex for the
     * base algorithm named alg ("MD5", "SHA-256", "SHA-512-256"). */
    ac_be_status (*get_ha1)(void *ctx, const char *user, const char *realm,
                            const char *alg, const char **hex,
                            const char **reason, apr_pool_t *p);
    ac_be_status (*resolve_userhash)(void *ctx, const char *hash,
                                     const char *realm, const char *alg,
                                     const char **user,
                                     const char **reason, apr_pool_t *p);
    ac_be_status (*groups)(void *ctx, const char *user,
                           apr_array_header_t **out,
                           const char **reason, apr_pool_t *p);
    ac_be_status (*lookup_token)(void *ctx, const char *sha256_hex,
                                 ac_token *out,
                                 const char **reason, apr_pool_t *p);
};

/* Back-ends tried in order, as AuthChallengeProvider lists them. */
typedef struct {
    const ac_backend **items;
    int count;
} ac_backend_list;

/*
 * Ask each back-end in turn for a password check.  The first that finds
 * the user decides (OK or DENIED); NOT_FOUND and UNSUPPORTED move on;
 * ERROR stops at once (the directory is down: 500, never 401).
 * *reason says why, for the log (never a secret).
 */
ac_be_status ac_backend_check_password(const ac_backend_list *list,
                                       const char *user,
                                       const char *password,
                                       const char **reason,
                                       apr_pool_t *p);

ac_be_status ac_backend_get_ha1(const ac_backend_list *list,
                                const char *user, const char *realm,
                                const char *alg, const char **hex,
                                const char **reason, apr_pool_t *p);

ac_be_status ac_backend_resolve_userhash(const ac_backend_list *list,
                                         const char *hash,
                                         const char *realm,
                                         const char *alg,
                                         const char **user,
                                         const char **reason,
                                         apr_pool_t *p);

ac_be_status ac_backend_groups(const ac_backend_list *list,
                               const char *user, apr_array_header_t **out,
                               const char **reason, apr_pool_t *p);

ac_be_status ac_backend_lookup_token(const ac_backend_list *list,
                                     const char *sha256_hex, ac_token *out,
                                     const char **reason, apr_pool_t *p);

#endif
