/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* httpd glue: the check_authn and note_auth_failure hooks. */
#ifndef MOD_AC_REQUEST_H
#define MOD_AC_REQUEST_H

#include "httpd.h"

/* post_config: the per-process state of the request glue. */
int ac_request_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                           apr_pool_t *ptemp, server_rec *s);

int ac_check_authn(request_rec *r);
int ac_note_auth_failure(request_rec *r, const char *auth_type);

/* 1: this request answers as a forward proxy (407, Proxy-*). */
int ac_request_is_proxy(request_rec *r);

/* fixups: a proxy never passes its clients' Proxy-Authorization on
 * (RFC 9110 §11.7.2), unless the Proxy-Chain-Auth env says so. */
int ac_proxy_fixups(request_rec *r);

#endif
