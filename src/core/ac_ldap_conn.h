/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The LDAP back-end's connection layer (internal to ac_backend_ldap):
 * per-process free lists of libldap handles (search, user bind) under
 * a mutex; opening a handle to one host of the URL (protocol v3, no
 * referrals, TLS options, StartTLS, the search identity's bind); one
 * deadline per lookup that bounds every step; asynchronous bind and
 * search with ldap_result; and a run that tries a pooled connection,
 * then each host in turn, each attempt with its share of the time left
 * (docs/ldap.md, "Several servers").  Failures become AC_BE_ERROR with
 * a reason that never holds a password.
 */
#ifndef AC_LDAP_CONN_H
#define AC_LDAP_CONN_H

#include <ldap.h>
#include <apr_tables.h>
#include <apr_thread_mutex.h>
#include "ac_backend_ldap.h"
#include "ac_ldap_cache.h"
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
    /* Until when a host that refused or stayed silent is tried after
     * the others (by index in url.hosts). */
    apr_time_t host_down[AC_LDAP_MAX_HOSTS];
    ac_ldap_stats stats;
    ac_ldap_cache *answers; /* AuthChallengeLDAPGroupCache; NULL: Off   */
} ac_ldap_ctx;

/* One lookup: its deadline, and where its reason goes. */
typedef struct {
    ac_ldap_ctx *ctx;
    apr_time_t deadline;
    apr_time_t slice_end;   /* the current attempt's share of it        */
    int lost;               /* the last failure was the connection's or
                               the host's (dropped, refused, silent):
                               another attempt may succeed            */
    int silent;             /* ... it was silence                       */
    const char *failures;   /* what each host did, for the reason       */
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
    char **attr_list;       /* instead of attrs, when set: every value of
                               these attributes of the first entry goes
                               into all                               */
    int sizelimit;
    int missing_ok;         /* no base entry: none found, not an error  */
    int count;              /* entries found                            */
    int missing;            /* the base entry does not exist            */
    int truncated;          /* a size limit cut the answer short        */
    const char *dn;         /* of the first entry                       */
    apr_array_header_t *vals[2];    /* attrs[0], attrs[1] of the first  */
    apr_array_header_t *all;        /* with attr_list                   */
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

/* Run op on a connection of kind (AC_CONN_*): a pooled one, else one
 * to each host in turn (those that failed lately last).  A pooled
 * connection that turns out dropped or silent is replaced once; a host
 * that refuses or stays silent gives way to the next.  Each attempt
 * gets an equal share of the time left, all within the one deadline.
 * Any other failure is the answer. */
ac_be_status ac_ldap_run(ac_ldap_call *call, int kind, ac_ldap_op op,
                         void *args);

/* Simple bind as dn (NULL: anonymous) within the deadline; a libldap
 * result code. */
int ac_ldap_simple_bind(ac_ldap_call *call, ac_ldap_conn *c,
                        const char *dn, const char *pw);

/* libldap code rc of step what as a reason and AC_BE_ERROR; marks c
 * (may be NULL) dead, and the call lost, when it timed out or
 * dropped. */
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

/* The search s (what, filter, attributes set) under the URL's base and
 * scope; exactly one entry, or NOT_FOUND ("... not found in LDAP"), or
 * DENIED for several ("ambiguous ..."). */
ac_be_status ac_ldap_find_one(ac_ldap_call *call, ac_ldap_search *s);

/* (&<URL filter>(attr=<escaped value>)<tail>), in call's pool. */
const char *ac_ldap_and_filter(ac_ldap_call *call, const char *attr,
                               const char *value, const char *tail);

#endif
