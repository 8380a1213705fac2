/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Keys from an authorization server (docs/bearer.md, "Keys from an
 * authorization server"): its metadata (RFC 8414) and key set
 * (RFC 7517) fetched over HTTP(S), kept per process and shared through
 * the shared state, so that one fetch serves every process (and, with
 * memcached or redis, every server of a farm).
 *
 * - A request never waits longer than its deadline (the fetch timeout).
 * - Keys are fetched again every refresh interval, in a thread of their
 *   own while the keys in hand go on verifying tokens.
 * - A token whose kid no key has fetches the set at once, at most once
 *   per min-interval across every process, however many such tokens
 *   come (RFC 7517 §4.5; a rotation is seen at once, a flood of made-up
 *   kids costs one fetch a minute).
 * - Keys once fetched stay in use while the server cannot be reached;
 *   with none at all, the caller answers 500, never 401.
 *
 * Not tied to Bearer: any scheme that verifies tokens of an
 * authorization server takes its keys from here.
 */
#ifndef AC_KEYSOURCE_H
#define AC_KEYSOURCE_H

#include "ac_http.h"
#include "ac_jwt.h"
#include "ac_state.h"

/* Log levels of the messages below (the glue maps them to httpd's). */
typedef enum {
    AC_LOG_ERR = 0, AC_LOG_WARNING, AC_LOG_NOTICE, AC_LOG_INFO,
    AC_LOG_DEBUG
} ac_log_level;

/* Where fetch outcomes are told (set once per process; may be NULL). */
typedef void (*ac_log_fn)(ac_log_level level, const char *msg);
void ac_keysource_set_log(ac_log_fn fn);

typedef struct {
    const char *metadata_url;       /* RFC 8414 / OpenID discovery      */
    const char *jwks_uri;           /* NULL: the metadata's jwks_uri    */
    const char *issuer;             /* configured; NULL: discovered     */
    const ac_jwt_keyset *file_keys; /* keys of files, verified as well  */
    ac_http_opts http;
    apr_interval_time_t refresh, min_refresh;
} ac_keysource_conf;

typedef struct ac_keysource ac_keysource;

/* The process's source for c over this shared state (state NULL or no
 * secret: nothing shared), made the first time and kept for the
 * process's life; equal settings share one (tmp: for the look-up).
 * Sources of the same URLs share their documents and their fetches.
 * NULL when c names nothing to fetch. */
ac_keysource *ac_keysource_for(const ac_keysource_conf *c,
                               const ac_state *state,
                               const unsigned char *secret,
                               apr_size_t secret_len, apr_pool_t *tmp);

/* What a token is checked with. */
typedef struct {
    const ac_jwt_keyset *keys;      /* NULL: the server publishes none  */
    const char *issuer;             /* configured or discovered         */
    const char *introspection;      /* the discovered endpoint, or NULL */
    const char *stamp;              /* keys and issuer: what a cached
                                       verdict rests on               */
    apr_time_t fetched;             /* when they were fetched          */
} ac_keys;

/*
 * The keys for a token whose header names kid (NULL: none): fetched
 * first when there are none yet, or none with that kid (at most once
 * per min_refresh), waiting until deadline at most.  They stay valid
 * until p is cleared.  1 with *out; 0 when no document was ever
 * obtained, with *why (the last fetch's error; no secret).
 */
int ac_keysource_keys(ac_keysource *ks, const char *kid, apr_time_t now,
                      apr_time_t deadline, ac_keys *out, const char **why,
                      apr_pool_t *p);

/* The process is about to exit: fetches under way stop, no new ones
 * start, and this waits (at most wait) for the threads of background
 * refreshes to end, which may otherwise still use the shared state. */
void ac_keysource_shutdown(apr_interval_time_t wait);

/* The metadata URL or key set URL, for messages. */
const char *ac_keysource_name(const ac_keysource *ks);

#endif
