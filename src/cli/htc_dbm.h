/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* htchallenge: the DBM file; every function exits on a DBM error. */
#ifndef HTC_DBM_H
#define HTC_DBM_H

#include <apr_dbm.h>
#include <apr_tables.h>
#include "htc_options.h"

/* Before the password prompt: the type is known, and FILE exists or
 * -c may create it. */
void htc_check_file(apr_pool_t *p, const htc_options *o);
apr_dbm_t *htc_open_dbm(apr_pool_t *p, const htc_options *o, int mode);
/* The value of key, or NULL when there is none. */
const char *htc_fetch(apr_pool_t *p, apr_dbm_t *db, const char *key);
void htc_store(apr_dbm_t *db, const char *key, const char *value);
void htc_delete_key(apr_dbm_t *db, const char *key);
/* Every key (const char *), in DBM order. */
apr_array_header_t *htc_all_keys(apr_pool_t *p, apr_dbm_t *db);
/* Every record (ac_record, kind NULL), read before any change. */
apr_array_header_t *htc_all_records(apr_pool_t *p, apr_dbm_t *db);

#endif
