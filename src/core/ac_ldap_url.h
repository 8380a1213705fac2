/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * AuthChallengeLDAPURL (RFC 4516, with mod_authnz_ldap's extension of
 * several space-separated hosts before the '/'):
 *
 *   ldap[s]://host[:port] [host2[:port]...]/basedn?attr?scope?filter
 *
 * attr is the user-name attribute (default uid), scope defaults to sub
 * (not RFC 4516's base: a user search under base is what every admin
 * means), filter to (objectClass=*).  Each piece is parsed by libldap's
 * ldap_url_parse(); this file only splits the host list and applies the
 * defaults.
 */
#ifndef AC_LDAP_URL_H
#define AC_LDAP_URL_H

#include <apr_pools.h>
#include <apr_tables.h>

/* Hosts in one URL, at most: each is given a share of the one timeout. */
#define AC_LDAP_MAX_HOSTS 8

typedef struct {
    const char *scheme;     /* "ldap", "ldaps" or "ldapi"               */
    const char *uris;       /* every host: "ldap://h1 ldap://h2"        */
    int nhosts;
    apr_array_header_t *hosts;  /* one URI a host ("ldap://h1"), in
                                   order: tried one by one, not by
                                   libldap (docs/ldap.md, "Several
                                   servers")                          */
    const char *base;       /* "" when the URL has none                 */
    const char *attr;       /* user-name attribute                      */
    int scope;              /* LDAP_SCOPE_BASE, _ONELEVEL or _SUBTREE   */
    const char *filter;     /* always parenthesised                     */
} ac_ldap_url;

/* NULL on success, else a message for the admin (never NULL-safe: url
 * must be a string). */
const char *ac_ldap_url_parse(apr_pool_t *p, const char *url,
                              ac_ldap_url *out);

/* 1 when name is a plausible attribute description (letters, digits,
 * '-', ';', '.'), so it can be put into a filter unescaped. */
int ac_ldap_attr_valid(const char *name);

#endif
