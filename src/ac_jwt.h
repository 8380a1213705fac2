/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * JWS/JWT verification for Bearer (SPEC §5; RFC 7515, 7518, 7519).
 *
 * A keyset is built once at configuration time (from JWKS files and
 * AuthChallengeBearerKey files) and then only read: ac_jwt_verify may be
 * called concurrently from many threads on one keyset.
 *
 * Every key verifies only the algorithms it was configured for (no
 * algorithm confusion): a JWK with "alg" that algorithm alone, a JWK
 * without it the algorithms of its key type (RSA: RS* and PS*; EC: the
 * ES* of its curve; OKP Ed25519: EdDSA; oct: the HS* whose hash is no
 * longer than the secret), an AuthChallengeBearerKey key exactly its alg.
 * An HS* token is therefore never checked against a public key.
 *
 * Key choice: a token "kid" picks the keys with that kid; when none has
 * it, the keys without a kid (AuthChallengeBearerKey keys, kid-less JWKs)
 * are tried, so a single PEM key accepts tokens whatever their kid; when
 * there is none of those either: AC_JWT_NO_KEY.  Without a token kid,
 * every key allowed to verify the token's alg is tried.
 *
 * Key sizes (RFC 7518 §3.2, §3.3): RSA keys under 2048 bits and HMAC
 * secrets shorter than the hash output are refused at configuration.
 */
#ifndef AC_JWT_H
#define AC_JWT_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

/* Longest token accepted (characters). */
#define AC_JWT_MAX_TOKEN 16384

typedef struct ac_jwt_keyset ac_jwt_keyset;

ac_jwt_keyset *ac_jwt_keyset_make(apr_pool_t *p);

/* Each returns NULL on success or an error message for the admin (it may
 * name a file, a key index and a kid, never key material). */

/* A JWK Set ({"keys":[...]}) or a single JWK object.  Keys with "use"
 * other than "sig", or "key_ops" without "verify", are skipped; a set
 * with no usable key is an error. */
const char *ac_jwt_keyset_add_jwks(ac_jwt_keyset *ks, const char *json,
                                   apr_size_t len);
const char *ac_jwt_keyset_add_jwks_file(ac_jwt_keyset *ks,
                                        const char *path);
/* AuthChallengeBearerKey alg path: a PEM public key (or a PEM X.509
 * certificate) for RS/PS/ES/EdDSA, or an HMAC secret file for HS* (the
 * file's bytes; one trailing LF or CRLF dropped; a file that looks like
 * a PEM key is refused for HS*). */
const char *ac_jwt_keyset_add_key_file(ac_jwt_keyset *ks, const char *alg,
                                       const char *path);
/* The same from memory: data, len are the file's bytes (copied). */
const char *ac_jwt_keyset_add_key(ac_jwt_keyset *ks, const char *alg,
                                  const void *data, apr_size_t len);
/* Usable keys in the set. */
int ac_jwt_keyset_count(const ac_jwt_keyset *ks);

typedef struct {
    const char *issuer;                  /* NULL: not checked            */
    const apr_array_header_t *audiences; /* const char *; NULL/empty:
                                            not checked                  */
    apr_interval_time_t leeway;          /* clock skew on exp/nbf/iat, in
                                            microseconds (apr_time_from_sec) */
    int require_exp;
} ac_jwt_checks;

typedef enum {
    AC_JWT_OK = 0,
    AC_JWT_MALFORMED,      /* not three base64url parts, bad JSON, claims
                              not an object, wrong claim types, "crit"  */
    AC_JWT_ALG_REFUSED,    /* alg none, unknown alg, or an alg no
                              configured key is allowed to verify       */
    AC_JWT_NO_KEY,         /* kid names no key                          */
    AC_JWT_BAD_SIGNATURE,
    AC_JWT_EXPIRED,
    AC_JWT_NOT_YET_VALID,  /* nbf in the future beyond leeway           */
    AC_JWT_IAT_FUTURE,     /* iat more than leeway in the future        */
    AC_JWT_NO_EXP,         /* require_exp and no exp                    */
    AC_JWT_BAD_ISSUER,
    AC_JWT_BAD_AUDIENCE
} ac_jwt_status;

/*
 * A verified token.  ac_jwt_verify zeroes it first; alg and kid are set
 * once the header is read; exp, scopes, claims and json once the
 * signature is good, so they are also there for AC_JWT_EXPIRED and the
 * other claim failures (e.g. to log "sub").
 *
 * claims: every top-level claim as text.  Strings as they are, numbers
 * and booleans as JSON text ("42", "1.5", "true"), an array of strings
 * joined with ' ', any other array or object as compact JSON; null is
 * left out.  Beware: apr_table_t keys are case-insensitive, so claims
 * differing only in case share an entry (use ac_jwt_claim_matches or the
 * json for exact matching).  Values may hold any Unicode except NUL,
 * including control characters: escape them before logging.
 */
typedef struct {
    const char *alg, *kid;          /* kid NULL when absent              */
    apr_time_t exp;                 /* 0 when absent                     */
    apr_array_header_t *scopes;     /* const char *: from "scope" (space-
                                       separated) and "scp" (array of
                                       strings, or a space-separated
                                       string as some IdPs send)        */
    apr_table_t *claims;
    void *json;                     /* the claims json_t *, released by a
                                       cleanup of the verify pool       */
} ac_jwt;

/* Verify token (the compact JWS, without "Bearer ") at time now.
 * *reason (when reason is not NULL) gets a short text for the log on any
 * failure; it never holds the token or any part of it. */
ac_jwt_status ac_jwt_verify(const ac_jwt_keyset *ks,
                            const ac_jwt_checks *chk, const char *token,
                            apr_time_t now, ac_jwt *out,
                            const char **reason, apr_pool_t *p);

/* 1 when claim name equals value: a string claim equal to it, an array
 * claim with an element equal to it, or a number/boolean whose JSON text
 * is value.  Case-sensitive names and values. */
int ac_jwt_claim_matches(const ac_jwt *jwt, const char *name,
                         const char *value);

/* Short text, e.g. "token expired": fit for error_description. */
const char *ac_jwt_strerror(ac_jwt_status st);

#endif
