/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The Digest algorithm table (RFC 7616 §6.1): name → OpenSSL digest and
 * -sess flag.  SHA-512-256 is SHA-512/256 (FIPS 180-4, its own IV), not
 * SHA-512 cut short.
 */
#ifndef AC_HASH_H
#define AC_HASH_H

#include <apr_pools.h>
#include <apr_tables.h>

typedef struct ac_hash_alg {
    const char *name;       /* "SHA-256-sess"                          */
    const char *base;       /* "SHA-256": the HA1/userhash algorithm   */
    int sess;               /* 1 for the -sess variants                */
    const char *evp_name;   /* OpenSSL name: "MD5", "SHA256", ...      */
} ac_hash_alg;

/* The entry named name (case-insensitive), or NULL. */
const ac_hash_alg *ac_hash_find(const char *name);

/* All entries, NULL-terminated, in RFC order. */
const ac_hash_alg *const *ac_hash_all(void);

/* A space-separated list of names as entries (const ac_hash_alg *), in
 * order; NULL when every name is known, else the first unknown one. */
const char *ac_hash_parse_list(const char *names,
                               const apr_array_header_t **out,
                               apr_pool_t *p);

/* Lower-case hex H(a ":" b ":" ... ) of the NULL-terminated strings,
 * joined with ':'.  NULL only if OpenSSL fails. */
const char *ac_hash_hex(apr_pool_t *p, const ac_hash_alg *alg, ...);

/* Lower-case hex H(data) of raw bytes. */
const char *ac_hash_hex_raw(apr_pool_t *p, const ac_hash_alg *alg,
                            const void *data, apr_size_t len);

/* HA1 = H(user ":" realm ":" password) with the base algorithm. */
const char *ac_hash_ha1(apr_pool_t *p, const ac_hash_alg *alg,
                        const char *user, const char *realm,
                        const char *password);

/* Lower-case hex SHA-256 of a NUL-terminated string (opaque tokens). */
const char *ac_sha256_hex(apr_pool_t *p, const char *s);

#endif
