/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue: the back-end list of a request, from AuthChallengeProvider
 * (dbm and ldap are the module's own; any other name is an httpd authn
 * provider, adapted to the core's ac_backend interface).
 */
#ifndef MOD_AC_BACKENDS_H
#define MOD_AC_BACKENDS_H

#include "httpd.h"
#include "mod_ac_config.h"

/* The back-ends for r, in configured order (never NULL). */
const ac_backend_list *ac_request_backends(request_rec *r,
                                           const ac_dir_conf *dc);

/* The back-end named "dbm", "ldap" or an httpd provider, as configured
 * for r's directory; NULL when it is not configured there. */
const ac_backend *ac_named_backend(request_rec *r, const ac_dir_conf *dc,
                                   const char *name);

/* An httpd authn provider as an ac_backend (Basic, Digest MD5 only). */
const ac_backend *ac_httpd_backend(request_rec *r, const char *name);

/* child_init: DBM files are watched for edits (ac_filewatch.h). */
void ac_backends_child_init(apr_pool_t *p, server_rec *s);

#endif
