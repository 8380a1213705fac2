/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue for LDAP: one back-end (and so one connection pool) per
 * distinct LDAP configuration per process, however many <Location>s
 * share it.
 */
#ifndef MOD_AC_LDAP_H
#define MOD_AC_LDAP_H

#include "httpd.h"
#include "mod_ac_config.h"

/* The LDAP back-end of r's directory, or NULL without a URL. */
const ac_backend *ac_ldap_backend(request_rec *r, const ac_dir_conf *dc);

#endif
