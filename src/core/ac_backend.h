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

/* An opaque Bearer token record (docs/bearer.md, "Opaque tokens"). */
typedef struct {
    const char *user;
    apr_time_t exp;                 /* 0: never expires                  */
    apr_array_header_t *scopes;     /* const char *                      */
} ac_token;

typedef struct ac_backend ac_backend;

/* What a cached verdict rests on (ac_backend.stamp). */
typedef enum {
    AC_STAMP_USER,          /* a user's password record                */
    AC_STAMP_TOKEN          /* an opaque token's record (SHA-256 hex)  */
} ac_stamp_kind;

struct ac_backend {
    const char *name;
    void *ctx;
    /* What this back-end adds to the scope of cached verdicts: the data
     * its answers depend on (a file and its type, a directory's URL and
     * settings), never a secret.  NULL: its answers depend on what the
     * module cannot see (an httpd authn provider's own settings), so
     * they are never cached (docs/security.md, "Credential cache"). */
    const char *scope;
    /* The one base algorithm whose Digest HA1 values it keeps (httpd's
     * authn providers: "MD5"); NULL: every one. */
    const char *ha1_only;
    /* Every function may set *reason (never a secret) for the log.
     * *canon (when not NULL) gets the back-end's own spelling of the
     * user found ("bob" for a login as "BOB" that LDAP matched); left
     * alone when the name is used as given. */
    ac_be_status (*check_password)(void *ctx, const char *user,
                                   const char *password,
                                   const char **canon,
                                   const char **reason, apr_pool_t *p);
    /* HA1 = H(user ":" realm ":" password) in lower-case hex for the
     * base algorithm named alg ("MD5", "SHA-256", "SHA-512-256"). */
    ac_be_status (*get_ha1)(void *ctx, const char *user, const char *realm,
                            const char *alg, const char **hex,
                            const char **canon,
                            const char **reason, apr_pool_t *p);
    ac_be_status (*resolve_userhash)(void *ctx, const char *hash,
                                     const char *realm, const char *alg,
                                     const char **user,
                                     const char **reason, apr_pool_t *p);
    /* Is user (the back-end's own spelling, as authenticated) in
     * group?  OK: a member; DENIED: not a member (or no such group);
     * NOT_FOUND: no such user here.  DBM: a name in the user record's
     * group field; LDAP: a group DN, decided on the group entry
     * (docs/ldap.md, "Groups"). */
    ac_be_status (*member_of)(void *ctx, const char *user,
                              const char *group,
                              const char **reason, apr_pool_t *p);
    ac_be_status (*lookup_token)(void *ctx, const char *sha256_hex,
                                 ac_token *out,
                                 const char **reason, apr_pool_t *p);
    /* The stored record a cached verdict about name rests on, as text
     * ("" when there is none): it takes part in the cache key, so an
     * edited or deleted record is a miss on the very next request.
     * NULL (or UNSUPPORTED) where looking it up would cost what the
     * cache saves: then the cache's TTL bounds how long an edit takes
     * (LDAP). */
    ac_be_status (*stamp)(void *ctx, ac_stamp_kind kind, const char *name,
                          const char **out, const char **reason,
                          apr_pool_t *p);
};

/*
 * A kind of back-end the module has of its own (AuthChallengeProvider
 * dbm, ldap): its settings, made and merged like a scheme's, and how
 * to make one.  Back-ends are made once per process for each distinct
 * key, however many places use them (so a DBM handle or an LDAP
 * connection pool is shared).  A new back-end is a new file and a line
 * in ac_backend_kinds (docs/architecture.md, "Adding a back-end").
 */
typedef struct {
    const char *name;               /* as AuthChallengeProvider names it */
    void *(*conf_create)(apr_pool_t *p);
    void *(*conf_merge)(apr_pool_t *p, const void *base, const void *add);
    /* The back-end conf describes, as a key: equal keys share one
     * back-end in a process (it may hold a secret: it stays in the
     * process); NULL when conf is not complete (no file, no URL). */
    const char *(*key)(const void *conf, apr_pool_t *p);
    /* Make it in p (long-lived): the back-end, or NULL and *err. */
    const ac_backend *(*make)(apr_pool_t *p, const void *conf,
                              const char **err);
} ac_backend_kind;

/* Room for every kind's settings in a section. */
#define AC_BACKEND_SLOTS 4

/* Every kind the module has, NULL-terminated (ac_backend.c). */
extern const ac_backend_kind *const ac_backend_kinds[];

/* The kind named name (case-insensitive), or NULL. */
const ac_backend_kind *ac_backend_kind_find(const char *name);

/* k's index in ac_backend_kinds, the slot of its settings. */
int ac_backend_kind_slot(const ac_backend_kind *k);

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
                                       const char **canon,
                                       const char **reason,
                                       apr_pool_t *p);

ac_be_status ac_backend_get_ha1(const ac_backend_list *list,
                                const char *user, const char *realm,
                                const char *alg, const char **hex,
                                const char **canon,
                                const char **reason, apr_pool_t *p);

ac_be_status ac_backend_resolve_userhash(const ac_backend_list *list,
                                         const char *hash,
                                         const char *realm,
                                         const char *alg,
                                         const char **user,
                                         const char **reason,
                                         apr_pool_t *p);

/* Is user in group: the first back-end that knows the user decides. */
ac_be_status ac_backend_member_of(const ac_backend_list *list,
                                  const char *user, const char *group,
                                  const char **reason, apr_pool_t *p);

ac_be_status ac_backend_lookup_token(const ac_backend_list *list,
                                     const char *sha256_hex, ac_token *out,
                                     const char **reason, apr_pool_t *p);

/* The scope of the list's cached verdicts: every back-end's scope, in
 * order; NULL when one of them has none (then nothing is cached). */
const char *ac_backend_list_scope(const ac_backend_list *list,
                                  apr_pool_t *p);

/* Every back-end's stamp of name, in order ("*" for one without); NULL
 * when one failed (a cached verdict is then not trusted). */
const char *ac_backend_stamp(const ac_backend_list *list,
                             ac_stamp_kind kind, const char *name,
                             apr_pool_t *p);

#endif
