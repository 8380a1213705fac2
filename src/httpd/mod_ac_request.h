/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* httpd glue: the check_authn, note_auth_failure and fixups hooks. */
#ifndef MOD_AC_REQUEST_H
#define MOD_AC_REQUEST_H

#include "httpd.h"

int ach_check_authn(request_rec *r);
int ach_note_auth_failure(request_rec *r, const char *auth_type);

/* fixups: a proxy never passes its clients' Proxy-Authorization on
 * (RFC 9110 §11.7.2), unless the Proxy-Chain-Auth env says so. */
int ach_proxy_fixups(request_rec *r);

#endif
