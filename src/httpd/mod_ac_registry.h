/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue: back-ends kept per process, one per distinct configuration
 * (a DBM file, an LDAP directory), however many <Location>s use it — so
 * open handles and connection pools are shared, and made lazily in the
 * child, never before the fork.
 */
#ifndef MOD_AC_REGISTRY_H
#define MOD_AC_REGISTRY_H

#include "httpd.h"
#include "ac_backend.h"

int ach_registry_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp, server_rec *s);

/* Make a back-end in p (long-lived), or return NULL and set *err. */
typedef const ac_backend *(*ach_registry_make)(apr_pool_t *p,
                                              const void *arg,
                                              const char **err);

/* The back-end registered under key, made with make(arg) the first
 * time.  NULL (and *err) when it cannot be made. */
const ac_backend *ach_registry_get(const char *key, ach_registry_make make,
                                  const void *arg, const char **err);

#endif
