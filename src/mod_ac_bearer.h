/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* httpd glue for Bearer: its settings, and tokens in the body or query. */
#ifndef MOD_AC_BEARER_H
#define MOD_AC_BEARER_H

#include "httpd.h"
#include "mod_ac_config.h"
#include "ac_bearer.h"

/* The Bearer settings of r's directory (never NULL). */
const ac_bearer_conf *ac_bearer_conf_for(request_rec *r,
                                         const ac_dir_conf *dc);

/*
 * Apply AuthChallengeBearerTransport to req: drop a Bearer
 * (Proxy-)Authorization header when the header transport is off, and
 * collect access_token from the query and a form body when those are
 * on.  OK, or an HTTP status (413 for a body too large to read).
 */
int ac_bearer_transports(request_rec *r, const ac_dir_conf *dc,
                         ac_request *req);

#endif
