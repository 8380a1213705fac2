/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The LDAP back-end's authorization questions (internal to
 * ac_backend_ldap), asked of the directory without a cache:
 *
 * - is the user in a group: decided on the group entry, wherever it is
 *   (as mod_authnz_ldap's "Require ldap-group"): one of
 *   AuthChallengeLDAPGroupAttribute on the group equals the user's DN
 *   (or, IsDN Off, the user's name), or the user's memberOf names the
 *   group; else, up to AuthChallengeLDAPGroupDepth levels down, the
 *   members of the group that are groups themselves (groupOfNames,
 *   groupOfUniqueNames), breadth-first, each group looked at once
 *   (docs/ldap.md, "Groups");
 * - does the user's own entry match a filter (a base-scope search on
 *   the user's DN).
 */
#ifndef AC_LDAP_GROUP_H
#define AC_LDAP_GROUP_H

#include "ac_ldap_conn.h"

/* Groups looked at for one question, at most: a directory that nests
 * more (or a loop the DNs hide) gets "no" rather than a long search. */
#define AC_LDAP_MAX_GROUPS 1000

/* OK: a member; DENIED: not (reason says why); NOT_FOUND: no such user;
 * ERROR: the directory failed.  group must be a DN. */
ac_be_status ac_ldap_member_of(ac_ldap_ctx *ctx, const char *user,
                               const char *group, const char **reason,
                               apr_pool_t *p);

/* OK when the user's entry matches filter (RFC 4515, used as given);
 * DENIED, NOT_FOUND, ERROR as above. */
ac_be_status ac_ldap_matches(ac_ldap_ctx *ctx, const char *user,
                             const char *filter, const char **reason,
                             apr_pool_t *p);

/* The key of a DN for comparisons (RFC 4514 normalised, ASCII
 * lower-case), or NULL when dn is empty or not a DN. */
const char *ac_ldap_dn_key(apr_pool_t *p, const char *dn);

#endif
