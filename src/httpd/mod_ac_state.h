/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue: the shared state (docs/operations.md) — an ap_socache instance
 * (shmcb by default; memcache or redis for a farm) behind the core's
 * ac_state interface, a global mutex for read-modify-write, and the
 * server secret.
 */
#ifndef MOD_AC_STATE_H
#define MOD_AC_STATE_H

#include "httpd.h"
#include "ac_scheme.h"

int ach_state_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                        apr_pool_t *ptemp);
int ach_state_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                         apr_pool_t *ptemp, server_rec *s);
void ach_state_child_init(apr_pool_t *p, server_rec *s);

/* Fill pl->state, pl->secret and pl->secret_len for server s. */
void ach_state_attach(server_rec *s, ac_place *pl);

#endif
