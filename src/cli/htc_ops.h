/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* htchallenge's operations, one per mode; each exits on failure with
 * the exit code of htc_msg.h. */
#ifndef HTC_OPS_H
#define HTC_OPS_H

#include <apr_pools.h>
#include "htc_options.h"

void htc_cmd_add(apr_pool_t *p, const htc_options *o);     /* default */
void htc_cmd_delete(apr_pool_t *p, const htc_options *o);  /* -D */
void htc_cmd_list(apr_pool_t *p, const htc_options *o);    /* -l */
void htc_cmd_verify(apr_pool_t *p, const htc_options *o);  /* -v */
void htc_cmd_token(apr_pool_t *p, const htc_options *o);   /* -T */
void htc_cmd_secret(apr_pool_t *p, const htc_options *o);  /* -S */
void htc_cmd_ldif(apr_pool_t *p, const htc_options *o);    /* -L */

#endif
