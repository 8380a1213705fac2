/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The LDAP back-end's connection layer (internal to ac_backend_ldap):
 * per-process free lists of libldap handles (search, user bind) under
 * a mutex; opening a handle (protocol v3, no referrals, TLS options,
 * StartTLS, the search identity's bind); one deadline per lookup that
 * bounds every step; asynchronous bind and search with ldap_result; and
 * a run that re-opens a dropped connection once.  Failures become
 * AC_BE_ERROR with a reason that never holds a password.
 */
#ifndef AC_LDAP_CONN_H
#define AC_LDAP_CONN_H

#include <ldap.h>
#include <apr_tables.h>
#include <apr_thread_mutex.h>
#include "ac_backend_ldap.h"
#include "ac_ldap_url.h"

/* Search connections stay bound as the search identity; user-bind
 * connections only ever carry user binds, so neither list needs a
 * re-bind to restore an identity. */
enum { AC_CONN_SEARCH = 0, AC_CONN_BIND = 1 };

typedef struct ac_ldap_conn ac_ldap_conn;

/* One back-end: its configuration, and its connections (these only
 * through the functions below). */
typedef struct {
    ac_ldap_conf conf;
    ac_ldap_url url;
    apr_pool_t *pool;       /* conn structs; only under the lock        */
#if APR_HAS_THREADS
    apr_thread_mutex_t *lock;
#endif
    ac_ldap_conn *idle[2];
    int nidle[2];
    ac_ldap_conn *spare;    /* structs without a handle, for reuse      */
    ac_ldap_stats stats;
} ac_ldap_ctx;

/* One lookup: its deadline, and where its reason goes. */
typedef struct {
    ac_ldap_ctx *ctx;
    apr_time_t deadline;
    int down;               /* the last failure was a dropped connection */
    const char **reason;
    apr_pool_t *p;
} ac_ldap_call;

/* A search and what it found. */
typedef struct {
    const char *what;       /* "user", "userhash", "token": for reasons */
    const char *base;
    int scope;
    const char *filter;
    char *attrs[3];         /* NULL-terminated; "1.1": no attributes    */
    int sizelimit;
    int count;              /* entries found                            */
    const char *dn;         /* of the first entry                       */
    apr_array_header_t *vals[2];    /* attrs[0], attrs[1] of the first  */
    apr_array_header_t *dns;        /* every entry's DN                 */
} ac_ldap_search;

/* An operation on one connection, for ac_ldap_run. */
typedef ac_be_status (*ac_ldap_op)(ac_ldap_call *call, ac_ldap_conn *c,
                                   void *args);

/* After ctx->conf and ctx->url are set: the mutex, libldap's global
 * options, and a cleanup on p that unbinds the idle connections.  NULL
 * on success, else a message. */
const char *ac_ldap_conn_setup(apr_pool_t *p, ac_ldap_ctx *ctx);
void ac_ldap_conn_stats(ac_ldap_ctx *ctx, ac_ldap_stats *out);

/* A lookup on ctx starting now, ending at now + conf.timeout. */
void ac_ldap_call_init(ac_ldap_call *call, void *vctx, const char **reason,
                       apr_pool_t *p);

/* Run op on a connection of kind (AC_CONN_*); a dropped connection is
 * replaced and op run once more, within the same deadline. */
ac_be_status ac_ldap_run(ac_ldap_call *call, int kind, ac_ldap_op op,
                         void *args);

/* Simple bind as dn (NULL: anonymous) within the deadline; a libldap
 * result code. */
int ac_ldap_simple_bind(ac_ldap_call *call, ac_ldap_conn *c,
                        const char *dn, const char *pw);

/* libldap code rc of step what as a reason and AC_BE_ERROR; marks c
 * (may be NULL) dead when it timed out or dropped. */
ac_be_status ac_ldap_failed(ac_ldap_call *call, ac_ldap_conn *c, int rc,
                            const char *what);

/* Search attrs a0 (NULL: none) and a1 (may be NULL) with filter; base,
 * scope and sizelimit are the caller's to set. */
void ac_ldap_search_init(ac_ldap_search *s, const char *what,
                         const char *filter, const char *a0,
                         const char *a1);

/* An ac_ldap_op: the search args (an ac_ldap_search *) describes,
 * filling in count, dn, vals and dns.  A size limit hit still counts. */
ac_be_status ac_ldap_op_search(ac_ldap_call *call, ac_ldap_conn *c,
                               void *args);

#endif
