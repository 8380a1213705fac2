/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Digest (RFC 7616; docs/digest.md): stateless HMAC nonces (ac_nonce),
 * the nc replay window in the shared state (ac_replay), HA1 and
 * userhash from the back-ends, auth and auth-int, the -sess algorithms.
 *
 * auth-int: the glue reads the request body before verify only when
 * the scheme's wants_body says so, bounded by the place's max_body (a
 * larger body is answered 413 before verify runs), and fills req->body
 * / body_len / body_read.
 */
#ifndef AC_DIGEST_H
#define AC_DIGEST_H

#include "ac_scheme.h"
#include "ac_hash.h"
#include "ac_nonce.h"

/* Digest's settings (AC_UNSET or NULL: not set in this section; a
 * finished one, in a place, has every field set). */
typedef struct ac_digest_conf {
    const apr_array_header_t *algorithms;   /* const ac_hash_alg *, in
                                               the order of the
                                               challenges             */
    int qop_auth;                       /* offer qop=auth              */
    int qop_auth_int;                   /* offer qop=auth-int          */
    int userhash;                       /* offer userhash=true         */
    const char *domain;                 /* space-separated URIs or NULL */
    apr_interval_time_t nonce_lifetime; /* after this a nonce is stale */
    int replay_check;                   /* refuse a reused nc          */
    ac_rand_fn rnd;                     /* NULL: OpenSSL RAND_bytes    */
} ac_digest_conf;

/* Finished settings with every default (ac_defaults.h): SHA-256 then
 * MD5, qop auth, userhash off, lifetime 300 s, replay check on. */
ac_digest_conf *ac_digest_conf_make(apr_pool_t *p);

/* A replay record outlives its nonce by this much (clock skew). */
#define AC_DIGEST_REPLAY_SLACK apr_time_from_sec(60)

extern const ac_scheme ac_scheme_digest;

/* 1 when the parsed credentials ask for qop=auth-int: the glue must read
 * the body before ac_authenticate. */
int ac_digest_wants_body(const ac_credentials *cred);

/*
 * The pure RFC 7616 §3.4.1 computation, for the scheme, the tests and
 * the test clients:
 *
 *   ha1       H(user ":" realm ":" password) in hex, as a back-end stores
 *             it; for a -sess alg it becomes H(ha1 ":" nonce ":" cnonce)
 *   method    the request method for `response`; "" for `rspauth`
 *             (A2 = ":" uri)
 *   body_hash H(body) in hex for qop=auth-int, NULL for auth
 *
 *   result = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" H(A2))
 *
 * Lower-case hex; NULL only if OpenSSL fails.
 */
const char *ac_digest_response(apr_pool_t *p, const ac_hash_alg *alg,
                               const char *ha1, const char *nonce,
                               const char *nc, const char *cnonce,
                               const char *qop, const char *method,
                               const char *uri, const char *body_hash);

/* RFC 8187 ext-value "UTF-8'[lang]'pct-encoded" → the UTF-8 text, or
 * NULL when malformed, another charset, not UTF-8 or with a control
 * character. */
const char *ac_digest_decode_ext(apr_pool_t *p, const char *ext);

#endif
