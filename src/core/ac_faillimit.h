/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Failure limit (docs/security.md, "Failure limit"): once `count`
 * credential checks from one client address have failed within a fixed
 * window of `window` (it starts at the first failure), every further
 * attempt gets 429 until the window has passed.  Counted in the shared
 * state, so across all processes (and servers of a farm).
 *
 * Exact under concurrency: an attempt is reserved (counted as a
 * failure) before its credential is checked, in one step (under a local
 * store's lock; with a store shared by servers, its atomic incr), and
 * given back when the check did not fail.  Checking first and counting
 * after, under two locks, let 40 parallel wrong passwords through a
 * limit of 5.
 */
#ifndef AC_FAILLIMIT_H
#define AC_FAILLIMIT_H

#include "ac_state.h"

typedef struct {
    const ac_state *state;          /* NULL: no limit can be kept      */
    int count;                      /* 0: Off                          */
    apr_interval_time_t window;
} ac_faillimit;

typedef enum {
    AC_FL_ALLOW = 0,
    AC_FL_BLOCK,                    /* *retry_after seconds left       */
    AC_FL_ERROR                     /* store unusable: allow, log      */
} ac_fl_status;

/* Reserve one attempt of client: AC_FL_ALLOW (now counted as a
 * failure), AC_FL_BLOCK (the limit is reached; *retry_after seconds
 * left, nothing counted) or AC_FL_ERROR (nothing counted). */
ac_fl_status ac_faillimit_reserve(const ac_faillimit *fl,
                                  const char *client, apr_time_t now,
                                  apr_int64_t *retry_after, apr_pool_t *p);

/* Give a reserved attempt back: the credential was right, or was never
 * checked (malformed, a back-end down). */
void ac_faillimit_release(const ac_faillimit *fl, const char *client,
                          apr_time_t now, apr_pool_t *p);

#endif
