/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue: what the module logs about requests and places (tags in
 * docs/operations.md) — one line per verdict, never a secret; an
 * outage (a back-end, the shared cache) at error once when it starts
 * and a notice when it ends, per process; a warning about a place once.
 */
#ifndef MOD_AC_LOG_H
#define MOD_AC_LOG_H

#include "httpd.h"
#include "ac_types.h"

/* post_config: the per-process flags. */
int ach_log_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                        apr_pool_t *ptemp, server_rec *s);

/* Log why once per process for key (a place: AC01009). */
void ach_log_warn_once(request_rec *r, const char *key, const char *why);

/* The verdict res of r, once (AC01001-AC01005), and an outage's start
 * or end: outage_key names the back-ends that answered or failed. */
void ach_log_result(request_rec *r, const char *outage_key,
                    const ac_result *res);

/* The shared cache failed (1) or answered (0) for r: its outage starts
 * (logged once, at level) or ends (AC01011). */
void ach_log_cache(request_rec *r, int failed, const char *what);

#endif
