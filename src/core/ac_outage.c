/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_outage.h"

#include <apr_atomic.h>

/* 1 when an outage this process saw has ended since (another process
 * saw the end). */
static int ended_elsewhere(const ac_outage_shared *sh,
                           const ac_outage_local *lo)
{
    return lo->down
           && apr_atomic_read32((volatile apr_uint32_t *)&sh->ended)
              != lo->ended_seen;
}

static void go_down(ac_outage_shared *sh, ac_outage_local *lo,
                    apr_time_t now)
{
    lo->down = 1;
    lo->ended_seen = apr_atomic_read32(&sh->ended);
    lo->last_failure = now;
}

ac_outage_event ac_outage_failed(ac_outage_shared *sh, ac_outage_local *lo,
                                 apr_time_t now)
{
    if (ended_elsewhere(sh, lo)) {
        go_down(sh, lo, now);
        return AC_OUTAGE_LATE_END_START;
    }
    if (lo->down) {
        lo->last_failure = now;
        return AC_OUTAGE_ONGOING;
    }
    go_down(sh, lo, now);
    return AC_OUTAGE_START;
}

ac_outage_event ac_outage_answered(ac_outage_shared *sh,
                                   ac_outage_local *lo, apr_time_t now,
                                   apr_interval_time_t settle)
{
    apr_uint32_t seen = lo->ended_seen;

    if (!lo->down) {
        return AC_OUTAGE_QUIET;
    }
    if (ended_elsewhere(sh, lo)) {
        lo->down = 0;
        return AC_OUTAGE_LATE_END;
    }
    if (now - lo->last_failure < settle) {
        return AC_OUTAGE_QUIET;         /* flapping: still down */
    }
    lo->down = 0;
    /* the first process to see the end counts it for all (another one
     * that saw it at the same moment logs its own end all the same) */
    if (apr_atomic_cas32(&sh->ended, seen + 1, seen) == seen) {
        apr_atomic_set32(&sh->ended_at, (apr_uint32_t)apr_time_sec(now));
    }
    return AC_OUTAGE_END;
}
