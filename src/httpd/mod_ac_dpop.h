/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* httpd glue for DPoP (ac_dpop.c is the scheme): its directives, and the
 * DPoP header field and the request's URI for the core. */
#ifndef MOD_AC_DPOP_H
#define MOD_AC_DPOP_H

#include "mod_ac_place.h"

/* The DPoP header field(s) and the absolute URI of the request into
 * req (RFC 9449 §4.3: one field; htu names the URI).  Always OK. */
int ach_dpop_prepare(request_rec *r, const ach_place *pl, ac_request *req);

const char *ach_dpop_mode(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_dpop_nonce(cmd_parms *cmd, void *cfg, int on);
const char *ach_dpop_window(cmd_parms *cmd, void *cfg, const char *arg);

#define ACH_DPOP_CMDS \
    AP_INIT_TAKE1("AuthChallengeBearerDPoP", ach_dpop_mode, NULL, \
        ACH_DIRCTX, "Off, Allowed or Required: DPoP-bound tokens " \
        "(RFC 9449)"), \
    AP_INIT_FLAG("AuthChallengeBearerDPoPNonce", ach_dpop_nonce, NULL, \
        ACH_DIRCTX, "require a server nonce in DPoP proofs"), \
    AP_INIT_TAKE1("AuthChallengeBearerDPoPWindow", ach_dpop_window, NULL, \
        ACH_DIRCTX, "seconds a proof's iat may be from now")

#endif
