/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * DPoP (RFC 9449; docs/bearer.md, "DPoP"): "Authorization: DPoP <token>"
 * with a proof of the client's key in the DPoP header field.  A scheme
 * of its own, built on Bearer's settings for the token itself (keys,
 * issuer, audiences, introspection): the proof is checked here
 * (ac_dpop_proof.c), then the token as Bearer checks it, then the token's
 * cnf.jkt against the proof's key, then the proof's jti, once, in the
 * shared state (atomic add: exact across processes and servers).
 */
#ifndef AC_DPOP_H
#define AC_DPOP_H

#include "ac_scheme.h"

enum {
    AC_DPOP_OFF = 0,        /* the scheme is not offered                */
    AC_DPOP_ALLOWED,        /* offered beside Bearer                    */
    AC_DPOP_REQUIRED        /* offered instead of Bearer                */
};

/* DPoP's settings (AC_UNSET: not set in this section). */
typedef struct ac_dpop_conf {
    int mode;                           /* AuthChallengeBearerDPoP      */
    int nonce;                          /* AuthChallengeBearerDPoPNonce */
    apr_interval_time_t window;         /* AuthChallengeBearerDPoPWindow */
    /* finished */
    apr_interval_time_t nonce_lifetime;
} ac_dpop_conf;

extern const ac_scheme ac_scheme_dpop;

/* The mode in effect in place pl: AC_DPOP_OFF when DPoP is not among
 * the schemes its AuthType offers (its settings are finished only
 * then). */
int ac_dpop_mode(const ac_place *pl);

#endif
