/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * DPoP proofs (RFC 9449 §4): the checks of §4.3 that depend on the proof
 * and the request alone — its form, type, algorithm, key, signature,
 * htm, htu, iat and ath.  What needs more (the server nonce, the jti
 * seen before, the token's cnf.jkt) is the DPoP scheme's (ac_dpop.c),
 * which gets what it needs for that in ac_dpop_proof.
 */
#ifndef AC_DPOP_PROOF_H
#define AC_DPOP_PROOF_H

#include <apr_pools.h>
#include <apr_time.h>

/* The JWS algorithms a proof may use, as for the "algs" parameter of a
 * DPoP challenge (RFC 9449 §7.1): asymmetric only (§4.3 check 5). */
#define AC_DPOP_ALGS "ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 " \
                     "RS512 EdDSA"

/* Longest jti kept (characters); a longer one is refused. */
#define AC_DPOP_MAX_JTI 256

/* What the request says a proof must match. */
typedef struct {
    const char *method;             /* htm                               */
    const char *url;                /* the absolute URI the request went
                                       to: htu is compared with it (query
                                       and fragment ignored, both sides
                                       normalised: ac_uri.h)            */
    const char *token;              /* the access token: ath is its
                                       SHA-256 (RFC 9449 §4.2)           */
    apr_time_t now;
    apr_interval_time_t window;     /* iat at most this far from now    */
} ac_dpop_expect;

/* A proof that passed. */
typedef struct {
    const char *alg;
    const char *jkt;                /* RFC 7638 SHA-256 thumbprint of the
                                       proof's key, base64url           */
    const char *jti;
    apr_time_t iat;
    const char *nonce;              /* NULL: the proof has none          */
} ac_dpop_proof;

typedef enum {
    AC_DPOP_OK = 0,
    AC_DPOP_MALFORMED,      /* not a JWS, not JSON, a claim missing or
                               of the wrong type                        */
    AC_DPOP_BAD_TYP,        /* typ is not dpop+jwt                       */
    AC_DPOP_BAD_ALG,        /* none, symmetric or unknown                */
    AC_DPOP_BAD_KEY,        /* jwk missing, private, unusable, or not
                               for alg                                  */
    AC_DPOP_BAD_SIGNATURE,
    AC_DPOP_BAD_HTM,
    AC_DPOP_BAD_HTU,
    AC_DPOP_BAD_IAT,        /* outside the window                        */
    AC_DPOP_BAD_ATH         /* missing, or not the token's hash          */
} ac_dpop_status;

/*
 * Check proof (the DPoP header field's value) against x.  On AC_DPOP_OK
 * out is filled; *reason (reason may be NULL) gets a short text for the
 * log on a failure, never a part of the proof.
 */
ac_dpop_status ac_dpop_proof_check(const char *proof,
                                   const ac_dpop_expect *x,
                                   ac_dpop_proof *out, const char **reason,
                                   apr_pool_t *p);

/* The RFC 7638 SHA-256 thumbprint, base64url, of the JWK (a json_t *
 * object) of kty RSA, EC or OKP; NULL for another or a member missing. */
const char *ac_dpop_jkt(void *jwk, apr_pool_t *p);

/* Short text for error_description. */
const char *ac_dpop_strerror(ac_dpop_status st);

#endif
