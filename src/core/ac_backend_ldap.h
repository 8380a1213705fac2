/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The LDAP back-end (docs/ldap.md) on libldap (OpenLDAP 2.5).
 *
 * Users are found with (&(<URL filter>)(<attr>=<escaped name>)) under
 * the URL's base and scope, as the search identity (bind_dn, or
 * anonymous); a Basic password is then checked by binding as the found
 * entry on a connection kept for user binds only, so the search
 * connections never change identity.
 *
 * Groups are decided on the group entry, nested groups followed
 * breadth-first (ac_ldap_group.h); answers about a user (group,
 * filter) are kept per process for AuthChallengeLDAPGroupCache.
 *
 * Connections are kept per process in two small mutex-protected free
 * lists (search, user bind), opened lazily and reused, each to one host
 * of the URL; a connection that turns out dropped or silent is
 * replaced once, and a host that refuses or stays silent gives way to
 * the next.  Every lookup has ONE deadline (start + timeout) that
 * bounds connect, bind, search and every retry; a connection that
 * timed out is discarded, never reused.
 * A down or silent directory gives AC_BE_ERROR with a reason (the glue
 * logs it once per outage); no reason ever holds a password.
 *
 * The process must ignore SIGPIPE (httpd does): libldap writes to
 * sockets the server may have closed.
 */
#ifndef AC_BACKEND_LDAP_H
#define AC_BACKEND_LDAP_H

#include "ac_backend.h"

/* Plain data, filled by the glue from the directives (AC_UNSET or NULL:
 * not set in this section). */
typedef struct {
    const char *url;        /* AuthChallengeLDAPURL                        */
    const char *bind_dn;    /* search identity; NULL: anonymous            */
    const char *bind_pw;    /* already resolved (see ac_ldap_read_secret)  */
    int starttls;
    const char *ca_cert;    /* CA file for ldaps / StartTLS, or NULL       */
    apr_interval_time_t timeout;    /* whole lookup; <= 0: the default   */
    const char *digest_attr;        /* NULL: no Digest (UNSUPPORTED)      */
    const char *userhash_attr;      /* NULL: no userhash                  */
    const char *token_attr;         /* NULL: no opaque tokens             */
    apr_array_header_t *group_attrs;    /* const char *;
                                           NULL: member uniqueMember */
    int group_is_dn;        /* group values are DNs (1) or user names (0) */
    int group_depth;        /* nested groups followed this deep          */
    apr_interval_time_t group_cache;    /* answers kept; 0: Off          */
} ac_ldap_conf;

/*
 * A back-end for conf (copied, strings included, into p; the idle
 * connections are unbound when p is cleared).
 * Returns NULL and sets *out, or returns a message for the admin (bad
 * URL, bad attribute name) and leaves *out NULL.  No connection is
 * opened here: the first lookup opens one, so a back-end made before
 * httpd forks holds no socket.
 */
const char *ac_backend_ldap_make(apr_pool_t *p, const ac_ldap_conf *conf,
                                 const ac_backend **out);

/*
 * AuthChallengeLDAPBindPassword: "file:path" reads the first line of
 * path (trailing whitespace dropped); anything else is the password
 * itself.  NULL on success, else a message (naming the file, never the
 * password).
 */
const char *ac_ldap_read_secret(apr_pool_t *p, const char *value,
                                const char **out);

/*
 * Require challenge-ldap-filter: OK when the entry of user (found as
 * for a password check) matches filter (RFC 4515, the administrator's,
 * used as given), DENIED when not, NOT_FOUND without such a user,
 * ERROR when the directory fails.  Answers are kept like group answers
 * (AuthChallengeLDAPGroupCache).  be must be an LDAP back-end.
 */
ac_be_status ac_backend_ldap_matches(const ac_backend *be, const char *user,
                                     const char *filter,
                                     const char **reason, apr_pool_t *p);

/* 1 when be is an LDAP back-end. */
int ac_backend_is_ldap(const ac_backend *be);

/* 1 when the two DNs are equal after RFC 4514 normalisation (spaces,
 * escaping), compared case-insensitively (ASCII); 0 otherwise. */
int ac_ldap_dn_equal(const char *a, const char *b);

/* Counters of one back-end's connections, for tests and debugging. */
typedef struct {
    unsigned long opened;   /* ldap_initialize() calls                     */
    unsigned long reused;   /* lookups served by an idle connection        */
    unsigned long dropped;  /* connections discarded (down, timeout)       */
    unsigned long idle;     /* connections idle right now                  */
    unsigned long ops;      /* LDAP operations sent (binds, searches)      */
} ac_ldap_stats;

void ac_backend_ldap_stats(const ac_backend *be, ac_ldap_stats *out);

#endif
