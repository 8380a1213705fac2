/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * When to log that something the module depends on (the back-ends of a
 * place, the shared cache) is down or back, so that the error log tells
 * the truth per process (docs/reliability.md, "Outages in the log"):
 * exactly one error line when an outage starts and one notice when it
 * ends, in each process that saw it.
 *
 * Two rules make that hold:
 *  - Damping: while something is down, an answer less than `settle`
 *    after the last failure does not end the outage (a directory that
 *    is shutting down answers some requests on connections it still
 *    has, between failures: without this the log read "error,
 *    recovered, error, recovered" within 8 ms).
 *  - Shared ends: the processes of a server share, per key, how many
 *    outages have ended.  A process that saw an outage start but got no
 *    request while it ended learns of the end at its next request, logs
 *    it then (late, and says so), and treats a new failure as a new
 *    outage rather than as more of the old one.
 *
 * Plain data: the glue keeps `ac_outage_shared` in shared memory (one
 * per key, found by hash) and `ac_outage_local` per process.
 */
#ifndef AC_OUTAGE_H
#define AC_OUTAGE_H

#include <apr_time.h>

/* Per key, shared by the processes (apr_atomic updates). */
typedef struct {
    volatile apr_uint32_t ended;    /* outages of this key that ended   */
    volatile apr_uint32_t ended_at; /* when the last one ended (s)      */
} ac_outage_shared;

/* Per key, in one process. */
typedef struct {
    int down;                       /* this process saw it go down      */
    apr_uint32_t ended_seen;        /* shared->ended when it did        */
    apr_time_t last_failure;
} ac_outage_local;

typedef enum {
    AC_OUTAGE_QUIET = 0,    /* nothing to log                           */
    AC_OUTAGE_START,        /* log at error: it went down               */
    AC_OUTAGE_ONGOING,      /* log at info: still down                  */
    AC_OUTAGE_END,          /* log a notice: it answers again           */
    AC_OUTAGE_LATE_END,     /* log a notice: it answered again while
                               this process was not asked (ended_at)   */
    AC_OUTAGE_LATE_END_START/* both: the old outage ended, a new one
                               started: a notice, then an error        */
} ac_outage_event;

/* A failure at now. */
ac_outage_event ac_outage_failed(ac_outage_shared *sh, ac_outage_local *lo,
                                 apr_time_t now);

/* An answer at now; settle: how long after the last failure an answer
 * ends the outage. */
ac_outage_event ac_outage_answered(ac_outage_shared *sh,
                                   ac_outage_local *lo, apr_time_t now,
                                   apr_interval_time_t settle);

/* Damping used by the glue: an answer 50 ms after the last failure
 * ends an outage (a directory that shuts down flaps for milliseconds). */
#define AC_OUTAGE_SETTLE apr_time_from_msec(50)

#endif
