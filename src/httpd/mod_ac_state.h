/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue: the shared state (docs/operations.md) — an ap_socache
 * instance (shmcb by default) and a global mutex for read-modify-write on
 * one machine, or memcached or redis for a farm (mod_ac_remote.c),
 * behind the core's ac_state interface; and the server secret (and the
 * one before a rotation).
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

/* Fill pl->state and the secrets for server s. */
void ach_state_attach(server_rec *s, ac_place *pl);

/* A request starts: it may wait AuthChallengeCacheTimeout for the
 * cache, once in all. */
void ach_state_begin(void);

#endif
