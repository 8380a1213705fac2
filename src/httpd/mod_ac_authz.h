/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue: the Require providers challenge-group, bearer-scope and
 * bearer-claim (docs/directives.md), what they need to know of an
 * authenticated request (its ac_identity), and the 403 that answers a
 * missing scope (RFC 6750 §3.1).
 */
#ifndef MOD_AC_AUTHZ_H
#define MOD_AC_AUTHZ_H

#include "httpd.h"
#include "ac_types.h"

void ach_authz_register(apr_pool_t *p);

/* Remember the identity of r's client for the providers, and export its
 * claims as AUTHCHALLENGE_CLAIM_<name>. */
void ach_authz_set_identity(request_rec *r, const ac_identity *id);

#endif
