/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Digest nonce-count anti-replay (docs/digest.md, "Replay window"), as IPsec's
 * anti-replay window (RFC 4303 §3.4.3): per nonce, the highest nc seen
 * and a bitmap of the 64 values below it.  Requests that arrive out of
 * order over parallel connections pass; every reuse, and anything below
 * the window, is refused.  A refused nc changes nothing, so a replay
 * never locks the nonce's rightful user out.
 */
#ifndef AC_REPLAY_H
#define AC_REPLAY_H

#include <apr_pools.h>
#include <apr_time.h>
#include "ac_state.h"

#define AC_REPLAY_WINDOW 64

/* The window of one nonce.  Bit i of seen is nc = highest - 1 - i.  A
 * fresh window has highest 0, so nc 0 (never valid, RFC 7616 §3.4) is
 * refused like a reuse. */
typedef struct {
    apr_uint32_t highest;
    apr_uint64_t seen;
} ac_replay_window;

/* 1 and w updated when nc is new; 0 and w unchanged when it was used or
 * lies below the window. */
int ac_replay_window_accept(ac_replay_window *w, apr_uint32_t nc);

/* Serialised form in the store: highest (4) || seen (8), big-endian. */
#define AC_REPLAY_RECORD_LEN 12

typedef enum {
    AC_REPLAY_FRESH = 0,    /* nc is new: recorded                     */
    AC_REPLAY_REUSED,       /* nc was used (or below the window)       */
    AC_REPLAY_ERROR,        /* the store failed: the caller fails closed */
    AC_REPLAY_FLUSHED       /* the store lost what it held since the
                               nonce was issued (another generation):
                               the nonce is stale                      */
} ac_replay_status;

/* What the check needs to know of a (verified) nonce. */
typedef struct {
    const char *nonce;
    const char *group;      /* its keys' group (ac_state add)          */
    apr_uint64_t gen;       /* the store's generation it was issued in */
} ac_replay_nonce;

/*
 * Accept and record nc for n in st.  A local store keeps the window of
 * the nonce, read and written under the lock; a store shared by servers
 * gets one key per nonce and nc, set with add, exact across the farm
 * (any unused nc is accepted, in any order).  Then the generation: a
 * nonce of another generation than the store's is AC_REPLAY_FLUSHED,
 * even when its nc looked new: the store forgot which were used.
 * expiry: when the record may be forgotten (the nonce's issue time +
 * lifetime + some slack: after that the nonce is stale anyway).
 */
ac_replay_status ac_replay_check(const ac_state *st,
                                 const ac_replay_nonce *n, apr_uint32_t nc,
                                 apr_time_t expiry, apr_pool_t *p);

/* The store key of nonce: "nc:" + the nonce (a shared store: and ":"
 * and the nc in 8 hex digits), which the caller has
 * verified (an authentic nonce is unique and printable, as memcache
 * wants keys).  NULL for an empty nonce, one longer than
 * AC_REPLAY_NONCE_MAX or one with other than token68 characters.  *klen
 * its length. */
#define AC_REPLAY_NONCE_MAX 128
const unsigned char *ac_replay_key(apr_pool_t *p, const char *nonce,
                                   apr_size_t *klen);

#endif
