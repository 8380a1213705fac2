/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue: configuration.  Per-directory settings keep "unset" markers
 * (AC_UNSET for ints, NULL for pointers) so that a nested section
 * inherits every setting it does not set itself.
 */
#ifndef MOD_AC_CONFIG_H
#define MOD_AC_CONFIG_H

#include "httpd.h"
#include "http_config.h"

#include "ac_scheme.h"

extern module AP_MODULE_DECLARE_DATA authchallenge_module;

#define AC_UNSET (-1)

typedef enum { AC_MODE_AUTO = 0, AC_MODE_PROXY, AC_MODE_ORIGIN } ac_mode;

struct ac_jwt_keyset;

typedef struct {
    /* The sections this configuration comes from ("/a|/a/b"): two
     * places share cached credentials only when this is the same. */
    const char *origin;
    /* general */
    apr_array_header_t *schemes;        /* AuthChallengeSchemes, names  */
    apr_array_header_t *providers;      /* AuthChallengeProvider, names */
    int charset_utf8;
    int proxy_mode;                     /* ac_mode                      */
    int header_combined;
    /* Digest */
    apr_array_header_t *digest_algs;    /* const ac_hash_alg *          */
    int qop_auth, qop_auth_int;         /* set together                 */
    int userhash;
    const char *digest_domain;
    apr_interval_time_t nonce_lifetime; /* AC_UNSET                     */
    int replay_check;
    apr_off_t max_body;                 /* AC_UNSET                     */
    /* Bearer */
    /* AuthChallengeBearerJWKS and AuthChallengeBearerKey, loaded when
     * the directive is read; a section that names any key replaces the
     * parent's keys as a whole. */
    struct ac_jwt_keyset *bearer_keys;
    const char *bearer_issuer;
    apr_array_header_t *bearer_audiences;
    apr_interval_time_t bearer_leeway;
    int bearer_require_exp;
    const char *bearer_user_claim;
    const char *bearer_tokens;          /* "dbm", "ldap", "off"         */
    int bearer_transport;               /* bit mask of AC_TRANSPORT_*   */
    /* DBM */
    const char *dbm_file;
    const char *dbm_type;
    /* LDAP */
    const char *ldap_url;
    const char *ldap_bind_dn;
    const char *ldap_bind_pw;
    int ldap_starttls;
    const char *ldap_ca_cert;
    apr_interval_time_t ldap_timeout;
    const char *ldap_digest_attr;
    const char *ldap_userhash_attr;
    apr_array_header_t *ldap_group_attrs;
    const char *ldap_token_attr;
    /* speed and abuse */
    apr_interval_time_t cred_cache;     /* 0: Off                       */
    int fail_count;                     /* 0: Off                       */
    apr_interval_time_t fail_window;
} ac_dir_conf;

#define AC_TRANSPORT_HEADER 1
#define AC_TRANSPORT_BODY   2
#define AC_TRANSPORT_QUERY  4

typedef struct ac_cache ac_cache;       /* mod_ac_state.c              */

typedef struct {
    const char *cache_spec;             /* AuthChallengeCache          */
    const char *secret_file;            /* AuthChallengeSecretFile     */
    /* run time, set in post_config */
    ac_cache *cache;
    const unsigned char *secret;
    apr_size_t secret_len;
} ac_srv_conf;

/* Defaults where a setting is unset (SPEC). */
#define AC_DEFAULT_NONCE_LIFETIME  apr_time_from_sec(300)
#define AC_DEFAULT_MAX_BODY        1048576
#define AC_DEFAULT_LEEWAY          apr_time_from_sec(60)
#define AC_DEFAULT_LDAP_TIMEOUT    apr_time_from_sec(5)
#define AC_DEFAULT_CRED_CACHE      apr_time_from_sec(300)

/* The value of an int setting, or its default when unset. */
#define AC_GET(v, def) ((v) == AC_UNSET ? (def) : (v))

void *ac_create_dir_conf(apr_pool_t *p, char *dir);
void *ac_merge_dir_conf(apr_pool_t *p, void *basev, void *addv);
void *ac_create_srv_conf(apr_pool_t *p, server_rec *s);
void *ac_merge_srv_conf(apr_pool_t *p, void *basev, void *addv);

extern const command_rec ac_cmds[];

#endif
