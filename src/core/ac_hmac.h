/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* HMAC-SHA-256 over a list of fields, each length-prefixed so that no
 * two different lists give the same input (OpenSSL does the HMAC). */
#ifndef AC_HMAC_H
#define AC_HMAC_H

#include <apr_pools.h>

#define AC_HMAC_LEN 32

/* out = HMAC-SHA-256(key, len(f1) f1 len(f2) f2 ...); the fields are
 * NUL-terminated strings and the list ends with NULL.  0 on failure. */
int ac_hmac_fields(const unsigned char *key, apr_size_t klen,
                   unsigned char out[AC_HMAC_LEN], ...);

/* out = HMAC-SHA-256(key, data): the one-shot of OpenSSL without its
 * per-call algorithm fetch.  0 on failure (and for an empty key). */
int ac_hmac_sha256(const unsigned char *key, apr_size_t klen,
                   const void *data, apr_size_t len,
                   unsigned char out[AC_HMAC_LEN]);

#endif
