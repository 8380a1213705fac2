/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Schemes describe themselves: one ac_scheme per scheme, listed in one
 * table (ac_scheme.c).  An entry carries the scheme's name, the slot of
 * its settings in a place, how its settings are made, merged and
 * finished, what its verdicts add to the credential cache's scope, its
 * challenge and its verification.  The dispatcher (ac_auth.c) and the
 * glue know schemes only through the table, so a new scheme is a new
 * file and one line there (docs/architecture.md, "Adding a scheme").
 */
#ifndef AC_SCHEME_H
#define AC_SCHEME_H

#include "ac_types.h"
#include "ac_backend.h"
#include "ac_authparam.h"
#include "ac_challenge.h"
#include "ac_state.h"
#include "ac_credcache.h"

/* Room for every scheme's settings in a place. */
#define AC_SCHEME_SLOTS 8

typedef struct ac_scheme ac_scheme;

/* The schemes offered in one place, most preferred first. */
typedef struct {
    const ac_scheme *items[AC_SCHEME_SLOTS];
    int count;
} ac_scheme_set;

/*
 * A protected place, as plain data: what a request needs from its
 * directory's configuration, made once per configuration (the glue
 * keeps it with the configuration) and only read by requests.
 */
typedef struct ac_place {
    const char *realm;              /* AuthName                         */
    int charset_utf8;               /* AuthChallengeCharset UTF-8       */
    apr_off_t max_body;             /* largest body read (auth-int,
                                       form-encoded tokens)             */
    ac_scheme_set set;              /* offered, most preferred first    */
    const ac_backend_list *backends;
    const ac_state *state;          /* shared state, or NULL            */
    const ac_credcache *credcache;  /* verified credentials, or NULL    */
    const unsigned char *secret;    /* nonces and cache keys            */
    apr_size_t secret_len;
    /* the secret before the last rotation (NULL: none): its nonces and
     * opaques are still accepted until they expire, nothing new is
     * made with it (docs/operations.md, "Rotation") */
    const unsigned char *secret_prev;
    apr_size_t secret_prev_len;
    /* each scheme's finished settings, at its slot (NULL: none) */
    const void *own[AC_SCHEME_SLOTS];
} ac_place;

/* The settings of scheme s in place pl: own[] is indexed like
 * ac_scheme_table (ac_scheme_slot). */
#define AC_OWN(pl, s) ((pl)->own[ac_scheme_slot(s)])

/* What a scheme's settings may ask of the place being built. */
typedef struct {
    /* The back-end named name ("dbm", "ldap"), as configured for this
     * place, whether or not AuthChallengeProvider lists it; NULL when
     * it is not configured here. */
    const ac_backend *(*backend)(void *ctx, const char *name);
    void *ctx;
    /* Messages for the administrator (const char *), logged once. */
    apr_array_header_t *warnings;
} ac_place_builder;

struct ac_scheme {
    const char *name;               /* as in credentials and challenges */
    /* The AuthType that offers this scheme (with the others of that
     * AuthType), and whether it is taken there only where
     * AuthChallengeProvider is in effect (so httpd's own mod_auth_basic
     * and mod_auth_digest keep every other place). */
    const char *auth_type;
    int needs_provider;
    /* Offered by AuthType Challenge when AuthChallengeSchemes is unset
     * (docs/directives.md gives the order). */
    int by_default;

    /* Its settings: made for each section with nothing set, merged (a
     * nested section inherits what it does not set), and finished once
     * per place: defaults applied (ac_defaults.h), what depends on the
     * place resolved.  NULL: the scheme has no settings of its own. */
    void *(*conf_create)(apr_pool_t *p);
    void *(*conf_merge)(apr_pool_t *p, const void *base, const void *add);
    const void *(*conf_finish)(const void *own, const ac_place *pl,
                               ac_place_builder *b, apr_pool_t *p);
    /* What its verdicts depend on besides the back-ends, for the scope
     * of cached verdicts (docs/security.md, "Credential cache"); NULL:
     * nothing. */
    const char *(*scope)(const ac_place *pl, apr_pool_t *p);

    /* 0 when pl cannot offer this scheme; *why says why. */
    int (*usable)(const ac_place *pl, const char **why);
    /* Add this scheme's challenge(s).  res is the verdict being
     * answered: res->scheme names the scheme that decided, so only that
     * one adds stale= or error=. */
    void (*challenge)(const ac_place *pl, const ac_request *req,
                      const ac_result *res, ac_challenges *out,
                      apr_pool_t *p);
    void (*verify)(const ac_place *pl, const ac_request *req,
                   const ac_credentials *cred, ac_result *res,
                   apr_pool_t *p);
    /* 1: also send this scheme's challenge with a 400 or 403 it decided
     * (RFC 6750 §3 does so for Bearer). */
    int challenge_on_error;
    /* 1: verify takes a token the glue found outside the credentials
     * header, in a form body or the query (RFC 6750 §2.2, §2.3). */
    int takes_other_token;
    /* 1 when verify needs the request body for these (parsed)
     * credentials (Digest auth-int) and they pass every check that
     * comes before it; NULL: never.  A request that would fail anyway
     * is answered without reading its body. */
    int (*wants_body)(const ac_place *pl, const ac_request *req,
                      const ac_credentials *cred, apr_pool_t *p);
};

/* Every scheme the module speaks, in the default order (ac_scheme.c);
 * NULL-terminated. */
extern const ac_scheme *const ac_scheme_table[];

/* The scheme named name (case-insensitive), or NULL. */
const ac_scheme *ac_scheme_find(const char *name);

/* s's index in ac_scheme_table, the slot of its settings. */
int ac_scheme_slot(const ac_scheme *s);

/* Parse "Digest Bearer Basic": fills set; 0 and *bad on an unknown name. */
int ac_scheme_set_parse(ac_scheme_set *set, const char *const *names,
                        int n, const char **bad);

/*
 * The schemes auth_type offers: for "Challenge", those named (names,
 * n) or, with n 0, those by_default; for another AuthType, the schemes
 * of that auth_type.  Schemes that need a provider are left out when
 * have_provider is 0.  0 when auth_type is not this module's at all.
 */
int ac_scheme_set_for(ac_scheme_set *set, const char *auth_type,
                      const char *const *names, int n, int have_provider);

/* 1 when set holds scheme s. */
int ac_scheme_set_has(const ac_scheme_set *set, const ac_scheme *s);

/* The scheme of set named name (case-insensitive), or NULL. */
const ac_scheme *ac_scheme_set_find(const ac_scheme_set *set,
                                    const char *name);

/* Set the verdict fields of res in one call. */
void ac_result_set(ac_result *res, ac_verdict v, const char *reason);

#endif
