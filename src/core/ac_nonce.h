/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Stateless Digest nonces (RFC 7616 §3.3; docs/digest.md):
 *
 *   nonce  = base64url( time || gen || random || mac )    (no padding)
 *   time   = issue time, seconds, 8 bytes big-endian
 *   gen    = the shared store's generation when it was issued, 8 bytes
 *            big-endian (0: not known); docs/digest.md, "Replay check"
 *   random = 8 bytes from the injected RNG
 *   mac    = HMAC-SHA-256(secret, time || gen || random || realm || 0x00
 *                                 || opaque)
 *
 * Any process or server holding the same secret accepts a nonce that any
 * of them issued; nothing is stored.  The opaque is derived from the
 * secret and the realm, so it is the same across a farm.  A nonce whose
 * generation is no longer the store's was issued before the store lost
 * its nonce counts (a flush, a restart): it is answered as stale.  Its
 * random part, in hex, names the group of its keys in the store, so its
 * counts and the generation they are checked against are on one server.
 */
#ifndef AC_NONCE_H
#define AC_NONCE_H

#include <apr_pools.h>
#include <apr_time.h>

/* Fill buf with n random bytes; 1 on success, 0 on failure. */
typedef int (*ac_rand_fn)(unsigned char *buf, apr_size_t n);

/* The default RNG: OpenSSL RAND_bytes. */
int ac_rand_bytes(unsigned char *buf, apr_size_t n);

/* Length of a nonce string (56 bytes in base64url). */
#define AC_NONCE_LEN 75

/* Bytes of the random part, and of its hex form (the group) with NUL. */
#define AC_NONCE_RAND_LEN 8
#define AC_NONCE_GROUP_LEN (2 * AC_NONCE_RAND_LEN + 1)

/* A nonce from a future issue time within this skew is accepted (farm
 * clocks differ a little); beyond it, it is stale. */
#define AC_NONCE_SKEW apr_time_from_sec(30)

typedef enum {
    AC_NONCE_OK = 0,
    AC_NONCE_BAD,       /* forged, truncated, other secret, wrong realm
                           or opaque, not canonical base64url          */
    AC_NONCE_STALE      /* older than the lifetime, or from the future
                           beyond AC_NONCE_SKEW                         */
} ac_nonce_status;

/* What a nonce says of itself once its MAC is verified. */
typedef struct {
    apr_time_t issued;
    apr_uint64_t gen;
    char group[AC_NONCE_GROUP_LEN];
} ac_nonce_info;

/* The random part of a new nonce, drawn with rnd (NULL:
 * ac_rand_bytes), and its group (hex).  0 when the RNG fails. */
int ac_nonce_draw(ac_rand_fn rnd, unsigned char r[AC_NONCE_RAND_LEN],
                  char group[AC_NONCE_GROUP_LEN]);

/* A fresh nonce issued at now in generation gen, with the random part
 * r (ac_nonce_draw).  NULL when HMAC fails (the caller then offers no
 * Digest challenge). */
const char *ac_nonce_issue(apr_pool_t *p, const unsigned char *secret,
                           apr_size_t slen, const char *realm,
                           const char *opaque, apr_time_t now,
                           apr_uint64_t gen,
                           const unsigned char r[AC_NONCE_RAND_LEN]);

/* Check a nonce; on OK or STALE *info (if not NULL) says what it
 * carries. */
ac_nonce_status ac_nonce_verify(apr_pool_t *p, const unsigned char *secret,
                                apr_size_t slen, const char *nonce,
                                const char *realm, const char *opaque,
                                apr_time_t now,
                                apr_interval_time_t lifetime,
                                ac_nonce_info *info);

/* The opaque of realm: base64url of HMAC-SHA-256(secret, "opaque" 0x00
 * realm) cut to 16 bytes (22 characters).  NULL if HMAC fails. */
const char *ac_nonce_opaque(apr_pool_t *p, const unsigned char *secret,
                            apr_size_t slen, const char *realm);

#endif
