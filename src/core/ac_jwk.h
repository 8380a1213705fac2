/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Internals of the JWT keyset (ac_jwt.h has the public part): the JWS
 * algorithm table, one verification key and its allowed algorithms.
 * Used by ac_jwt.c only.
 */
#ifndef AC_JWK_H
#define AC_JWK_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <openssl/evp.h>
#include "ac_jwt.h"

typedef enum {
    AC_JWA_HMAC,
    AC_JWA_RSA,         /* RSASSA-PKCS1-v1_5 */
    AC_JWA_PSS,         /* RSASSA-PSS, MGF1 with the same hash, salt =
                           hash length */
    AC_JWA_ECDSA,
    AC_JWA_EDDSA
} ac_jwa_kind;

typedef struct {
    const char *name;   /* "RS256"                                        */
    ac_jwa_kind kind;
    int hash;           /* index into the keyset's digests (0: SHA-256,
                           1: SHA-384, 2: SHA-512); -1 for EdDSA          */
    int size;           /* HMAC: hash bytes; ECDSA: coordinate bytes      */
} ac_jwa;

/* The algorithm named name (exact, case-sensitive), or NULL. */
const ac_jwa *ac_jwa_find(const char *name);
/* Its bit in a key's allowed set. */
unsigned ac_jwa_bit(const ac_jwa *a);

typedef struct {
    const char *kid;        /* NULL: none (matches any token kid when no
                               key has that kid)                         */
    unsigned algs;          /* allowed algorithms (ac_jwa_bit)           */
    EVP_PKEY *pkey;         /* public key; NULL for an HMAC secret       */
    const unsigned char *secret;
    apr_size_t secret_len;
} ac_jwk;

struct ac_jwt_keyset {
    apr_pool_t *pool;
    apr_array_header_t *keys;   /* ac_jwk *                              */
    EVP_MD *md[3];              /* SHA-256/384/512, fetched once         */
    const char *fingerprint;    /* of every key kept, in order           */
};

#endif
