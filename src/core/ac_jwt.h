/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * JWS/JWT verification for Bearer (RFC 7515, 7518, 7519; docs/bearer.md).
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
#include <apr_hash.h>
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
/* JSON text of a number or boolean (a json_t *) into buf; NULL for
 * other types and for NULL: how claims become strings. */
const char *ac_jwt_scalar_text(void *json, char *buf, apr_size_t n);

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
/* A key set fetched from an authorization server (RFC 7517): keys this
 * module cannot use (an unknown kty or curve, a short RSA key) are
 * skipped rather than refusing the set, and so are symmetric keys,
 * which a published set must not hold; *note (may be NULL) names the
 * first key skipped.  An error when no usable key is left. */
const char *ac_jwt_keyset_add_fetched(ac_jwt_keyset *ks, const char *json,
                                      apr_size_t len, const char **note);
/* One public key given as a JWK (a json_t * object): the key a DPoP
 * proof carries in its header (RFC 9449 §4.2).  An error when it is a
 * symmetric key, has a private member ("d", ...), is meant for
 * something other than signatures, or cannot be built. */
const char *ac_jwt_keyset_add_public_jwk(ac_jwt_keyset *ks, void *jwk);
/* Every key of from, into ks as well (from stays as it is). */
void ac_jwt_keyset_add_keyset(ac_jwt_keyset *ks, const ac_jwt_keyset *from);
/* 1 when a key of ks has this kid. */
int ac_jwt_keyset_has_kid(const ac_jwt_keyset *ks, const char *kid);
/* Usable keys in the set. */
int ac_jwt_keyset_count(const ac_jwt_keyset *ks);

/* SHA-256 (hex) over every key of ks — kid, allowed algorithms, key
 * material — in the order added: two key sets verify the same tokens
 * the same way only when this is the same (a credential cache scope,
 * docs/security.md).  "" for an empty or NULL set. */
const char *ac_jwt_keyset_fingerprint(const ac_jwt_keyset *ks);

typedef struct {
    const char *issuer;                  /* NULL: not checked            */
    const apr_array_header_t *audiences; /* const char *; NULL/empty:
                                            not checked                  */
    apr_interval_time_t leeway;          /* clock skew on exp/nbf/iat, in
                                            microseconds (apr_time_from_sec) */
    int require_exp;
    /* RFC 9068 §2.1, §4: the header's typ must be absent, JWT, at+jwt
     * or application/at+jwt (dpop+jwt and every other type refused) */
    int access_token_typ;
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
    AC_JWT_BAD_AUDIENCE,
    AC_JWT_BAD_TYPE        /* typ not that of an access token (RFC 9068)*/
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
 * left out.  Names are case-sensitive (RFC 7519 §4: "SUB" is not
 * "sub"), hence a hash, not an apr_table_t.  Values may hold any Unicode
 * except NUL, including control characters: escape them before logging.
 */
typedef struct {
    const char *alg, *kid;          /* kid NULL when absent              */
    apr_time_t exp;                 /* 0 when absent                     */
    apr_array_header_t *scopes;     /* const char *: from "scope" (space-
                                       separated) and "scp" (array of
                                       strings, or a space-separated
                                       string as some IdPs send)        */
    apr_hash_t *claims;             /* const char * → const char *    */
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

/* The kid of token's JOSE header (*kid NULL when it has none): 1 when
 * token looks like a JWS (three parts, a header that is a JSON object
 * with a string alg), 0 otherwise.  Nothing is verified. */
int ac_jwt_peek(const char *token, const char **kid, apr_pool_t *p);

/* The claims of a JSON object (a json_t * from jansson) into out as
 * ac_jwt_verify fills them (exp, scopes, claims, json; the object is
 * referenced, and released with p), after the same type checks of the
 * registered claims: for what an authorization server says of a token
 * by other means (RFC 7662 introspection).  Times are not checked. */
ac_jwt_status ac_jwt_claims_read(void *json, ac_jwt *out,
                                 const char **reason, apr_pool_t *p);

/* The time, issuer and audience checks of ac_jwt_verify on claims that
 * ac_jwt_claims_read filled. */
ac_jwt_status ac_jwt_check_claims(const ac_jwt *jwt,
                                  const ac_jwt_checks *chk, apr_time_t now,
                                  const char **reason);

/* Short text, e.g. "token expired": fit for error_description. */
const char *ac_jwt_strerror(ac_jwt_status st);

#endif
