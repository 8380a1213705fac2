/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Failure limit (SPEC §11): more than `count` failed credential checks
 * from one client address within a fixed window of `window` (it starts
 * at the first failure) → 429 until the window has passed.  Counted in
 * the shared state, so across all processes (and servers of a farm).
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

/* Is client blocked now? */
ac_fl_status ac_faillimit_check(const ac_faillimit *fl, const char *client,
                                apr_time_t now, apr_int64_t *retry_after,
                                apr_pool_t *p);

/* Count one failure of client. */
ac_fl_status ac_faillimit_record(const ac_faillimit *fl, const char *client,
                                 apr_time_t now, apr_pool_t *p);

#endif
