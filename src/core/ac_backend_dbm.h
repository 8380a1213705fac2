/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The DBM back-end (docs/directives.md, "Record formats") on APR-util's
 * apr_dbm.  Record keys never
 * hold a secret; values are plain strings:
 *
 *   <user>                       <hash>[:<group>,<group>...[:...]]
 *   <user>:<realm>               MD5 HA1 hex (mod_authn_dbm's format)
 *   <user>:<realm>:<ALG>         HA1 hex for ALG (SHA-256, SHA-512-256, MD5)
 *   userhash:<ALG>:<realm>:<hex> <user>
 *   bearer:<sha256 hex>          <user>|<exp or 0>|<scope> <scope>...
 *
 * The file is opened for each lookup, so edits by htchallenge take
 * effect at once.
 */
#ifndef AC_BACKEND_DBM_H
#define AC_BACKEND_DBM_H

#include "ac_backend.h"

/* AuthChallengeDBMUserFile and AuthChallengeDBMType (NULL: not set in
 * this section; the type defaults to ac_default.dbm_type). */
typedef struct {
    const char *file;
    const char *type;
} ac_dbm_conf;

/* A back-end over path, of APR DBM type ("default", "sdbm", "gdbm",
 * "db").  Allocated in p; safe to share between threads. */
const ac_backend *ac_backend_dbm_make(apr_pool_t *p, const char *path,
                                      const char *type);

/* 1 when APR-util knows the DBM type name. */
int ac_dbm_type_known(const char *type);

/* Record keys, shared with htchallenge so both agree on the format. */
const char *ac_dbm_key_user(apr_pool_t *p, const char *user);
/* alg NULL: the mod_authn_dbm MD5 key <user>:<realm> */
const char *ac_dbm_key_ha1(apr_pool_t *p, const char *user,
                           const char *realm, const char *alg);
const char *ac_dbm_key_userhash(apr_pool_t *p, const char *alg,
                                const char *realm, const char *hex);
const char *ac_dbm_key_token(apr_pool_t *p, const char *sha256_hex);

/* The parsers of record values, pure functions over strings.
 *
 * A "<user>" value "<hash>[:<group>,<group>...[:<comment>]]": its hash;
 * with groups not NULL, also its groups (const char *, in order, empty
 * names dropped; an empty array when there are none). */
const char *ac_dbm_parse_user(apr_pool_t *p, const char *value,
                              apr_array_header_t **groups);
/* An HA1 value: its first field (up to a ':') when that is hex, lower
 * case; else NULL. */
const char *ac_dbm_parse_ha1(apr_pool_t *p, const char *value);
/* Parse a token record value "<user>|<exp>|<scopes>"; 0 if malformed. */
int ac_dbm_parse_token(apr_pool_t *p, const char *value, ac_token *out);

/* Open path as type with APR's flags (APR_DBM_READONLY, ...). */
struct apr_dbm_t;
int ac_dbm_open(struct apr_dbm_t **db, apr_pool_t *p, const char *path,
                const char *type, int mode, const char **err);

#endif
