/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * OAuth 2.0 token introspection (RFC 7662): ask the authorization
 * server about a token that is not a JWT of a known key, as the client
 * the administrator named (client_secret_basic, RFC 6749 §2.3.1).  The
 * answer's members become claims exactly as a JWT's do (ac_jwt), so
 * REMOTE_USER, scopes and Require bearer-claim work the same way.
 * Neither the token nor the secret nor the answer is in any text this
 * returns.
 */
#ifndef AC_INTROSPECT_H
#define AC_INTROSPECT_H

#include "ac_http.h"
#include "ac_jwt.h"

typedef struct {
    const char *url;            /* the endpoint; NULL: the discovered one */
    const char *client_id;
    const char *secret;         /* read from the secret file at start-up */
} ac_introspect_conf;

typedef enum {
    AC_INTRO_ACTIVE = 0,
    AC_INTRO_INACTIVE,          /* "active": false (RFC 7662 §2.2)      */
    AC_INTRO_ERROR              /* no usable answer: 500, never 401     */
} ac_intro_status;

/* Read an answer (json[0..len)): ACTIVE with out's claims filled,
 * INACTIVE, or ERROR with *why. */
ac_intro_status ac_introspect_parse(const char *json, apr_size_t len,
                                    ac_jwt *out, const char **why,
                                    apr_pool_t *p);

/* POST token to url (the endpoint) as c's client, within http's
 * timeout, and read the answer. */
ac_intro_status ac_introspect(const ac_introspect_conf *c, const char *url,
                              const ac_http_opts *http, const char *token,
                              ac_jwt *out, const char **why,
                              apr_pool_t *p);

#endif
