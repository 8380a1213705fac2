/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue: read a request body during authentication (Digest
 * auth-int hashes it, Bearer may find its token in it) and put it back,
 * unchanged, for the handler — a CGI or mod_proxy still sees every byte.
 */
#ifndef MOD_AC_BODY_H
#define MOD_AC_BODY_H

#include "httpd.h"

#define AC_KEPT_BODY_FILTER "AUTHCHALLENGE_KEPT_BODY"

void ach_body_register(apr_pool_t *p);

/*
 * Read the body of r (at most max bytes) into r->pool and re-inject it.
 * OK, HTTP_REQUEST_ENTITY_TOO_LARGE when it is larger, or another HTTP
 * status on a read error.  A second call returns the same bytes.
 */
int ach_body_keep(request_rec *r, apr_off_t max, const char **data,
                 apr_size_t *len);

#endif
