/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * RFC 4515 §3 escaping of an assertion value, so that a user name (or a
 * hash, a realm) is matched literally inside a search filter: '*', '(',
 * ')', '\' and NUL become \2a \28 \29 \5c \00.  Every other byte, UTF-8
 * included, passes through unchanged.
 */
#ifndef AC_LDAP_FILTER_H
#define AC_LDAP_FILTER_H

#include <apr_pools.h>

/* value[0..len) escaped, NUL-terminated, allocated in p. */
const char *ac_ldap_escape(apr_pool_t *p, const char *value, apr_size_t len);

/* ac_ldap_escape() of a NUL-terminated string. */
const char *ac_ldap_escape_str(apr_pool_t *p, const char *value);

/*
 * Check an administrator's filter (Require challenge-ldap-filter) by
 * the grammar of RFC 4515 §3 (with the "(&)" and "(|)" of RFC 4526):
 * one parenthesised filter; and, or, not; equality, approx, >=, <=,
 * presence, substrings, extensible match; attribute descriptions with
 * options; values in UTF-8 with \XX escapes.  Like libldap, it takes
 * spaces after a '(' and around the members of a list.  NULL when the
 * filter is well-formed, else a message that says where it is not.
 */
const char *ac_ldap_filter_check(apr_pool_t *p, const char *filter);

#endif
