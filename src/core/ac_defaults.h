/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Every default of the module's settings, in one table (as mod_md keeps
 * its defaults): a setting that no section gives takes its value from
 * here, and docs/directives.md documents these values.  The schemes and
 * back-ends apply them when a place is built (ac_scheme.conf_finish and
 * ac_backend_kind.make), the glue for its own general settings.
 */
#ifndef AC_DEFAULTS_H
#define AC_DEFAULTS_H

#include <apr_time.h>

typedef struct {
    /* general */
    const char *schemes;                /* AuthType Challenge           */
    int charset_utf8;                   /* AuthChallengeCharset UTF-8   */
    apr_interval_time_t cred_cache;     /* AuthChallengeCredentialCache */
    apr_off_t max_body;                 /* AuthChallengeDigestMaxBody   */
    int header_combined;                /* AuthChallengeHeaderStyle     */
    int fail_count;                     /* AuthChallengeFailureLimit    */
    /* Digest (RFC 7616) */
    const char *digest_algorithms;
    int qop_auth, qop_auth_int;
    int userhash;
    apr_interval_time_t nonce_lifetime;
    int replay_check;
    /* Bearer (RFC 6750) */
    apr_interval_time_t leeway;
    int require_exp;
    const char *user_claim;
    int transport;                      /* AC_TRANSPORT_* bits          */
    /* Bearer with an authorization server (RFC 8414, 7662, 9728) */
    apr_interval_time_t jwks_refresh;   /* AuthChallengeBearerJWKSRefresh */
    apr_interval_time_t jwks_min_refresh;
    apr_interval_time_t fetch_timeout;  /* AuthChallengeBearerFetchTimeout */
    apr_interval_time_t introspect_cache; /* ...IntrospectCache        */
    /* back-ends */
    const char *dbm_type;
    int ldap_starttls;
    apr_interval_time_t ldap_timeout;
    const char *ldap_group_attrs;
    int ldap_group_is_dn;       /* AuthChallengeLDAPGroupAttributeIsDN  */
    int ldap_group_depth;               /* AuthChallengeLDAPGroupDepth  */
    apr_interval_time_t ldap_group_cache;   /* AuthChallengeLDAPGroupCache */
    /* shared state */
    apr_interval_time_t cache_timeout;  /* AuthChallengeCacheTimeout    */
} ac_defaults;

/* Where a Bearer token may come from (RFC 6750 §2). */
#define AC_TRANSPORT_HEADER 1
#define AC_TRANSPORT_BODY   2
#define AC_TRANSPORT_QUERY  4

extern const ac_defaults ac_default;

#endif
