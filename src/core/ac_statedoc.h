/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * A document fetched by one process for all of them (docs/bearer.md,
 * "Keys from an authorization server"): kept in the shared state
 * (ac_state: shmcb on one machine, memcached or redis in a farm) in
 * chunks small enough for any socache, under keys derived from the
 * server secret, with an HMAC over the whole, so that a cache another
 * party can write to cannot hand the module a key set; and the gate
 * that lets one process at a time, at most once per interval, fetch
 * it.
 */
#ifndef AC_STATEDOC_H
#define AC_STATEDOC_H

#include "ac_state.h"

/* Largest document kept (a key set with certificate chains is ~10 KiB). */
#define AC_STATEDOC_MAX (256 * 1024)

typedef struct {
    const ac_state *state;          /* NULL: nothing is shared          */
    const unsigned char *secret;
    apr_size_t secret_len;
    const char *name;               /* what the document is (its URLs)  */
} ac_statedoc;

/* Keep doc[0..len) as fetched at when, until expiry.  0 on failure
 * (too large, the store refused a chunk). */
int ac_statedoc_put(const ac_statedoc *d, const char *doc, apr_size_t len,
                    apr_time_t when, apr_time_t expiry, apr_pool_t *p);

/* When the kept document was fetched (0: none): one small read. */
apr_time_t ac_statedoc_when(const ac_statedoc *d, apr_pool_t *p);

/* The kept document, its chunks read and its HMAC checked: 1 with *doc
 * (NUL-terminated), *len and *when; 0 when there is none or it does not
 * verify (a chunk evicted, or written by someone without the secret). */
int ac_statedoc_get(const ac_statedoc *d, const char **doc,
                    apr_size_t *len, apr_time_t *when, apr_pool_t *p);

typedef enum {
    AC_GATE_MINE = 0,       /* this caller fetches now                  */
    AC_GATE_RUNNING,        /* another fetch started, not yet finished  */
    AC_GATE_CLOSED          /* one was made less than interval ago      */
} ac_gate_status;

/* Claim the fetch of the document: one caller at a time, at most once
 * per interval, across every process that shares the state.  *since:
 * when the last one started.  Without a state the caller fetches. */
ac_gate_status ac_statedoc_claim(const ac_statedoc *d, apr_time_t now,
                                 apr_interval_time_t interval,
                                 apr_time_t *since, apr_pool_t *p);

/* 1 while the fetch claimed at since runs. */
int ac_statedoc_running(const ac_statedoc *d, apr_time_t since,
                        apr_pool_t *p);

/* The claim made at since is over (whatever came of it). */
void ac_statedoc_release(const ac_statedoc *d, apr_time_t since,
                         apr_interval_time_t interval, apr_pool_t *p);

#endif
