/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue: the module's configuration.  A section's settings are the
 * general ones below plus one slot per scheme and per back-end kind,
 * whose settings the core describes (ac_scheme.conf_*,
 * ac_backend_kind.conf_*): this file knows no scheme and no back-end by
 * name.  Unset markers (AC_UNSET, NULL) let a nested section inherit
 * every setting it does not set itself.
 *
 * A section read with the configuration is stable: it lives as long as
 * the configuration, and so does every merge of stable sections, which
 * is made once per process and kept (ach_merge_dir_conf), and the place
 * built for it (mod_ac_place.c).  An .htaccess section is read for one
 * request and is merged and built for it alone.
 */
#ifndef MOD_AC_CONFIG_H
#define MOD_AC_CONFIG_H

#include "httpd.h"
#include "http_config.h"

#include "ac_scheme.h"

extern module AP_MODULE_DECLARE_DATA authchallenge_module;

/* The authn provider this module registers for httpd's own modules
 * (mod_ac_provider.c, docs/httpd.md). */
#define ACH_AUTHN_PROVIDER "challenge"

typedef enum { AC_MODE_AUTO = 0, AC_MODE_PROXY, AC_MODE_ORIGIN } ac_mode;

typedef struct ach_place_list ach_place_list;   /* mod_ac_place.c */
typedef struct ach_memo ach_memo;               /* mod_ac_config.c */

typedef struct {
    /* The sections this configuration comes from ("|/a|/a/b"): part of
     * the scope of cached verdicts. */
    const char *origin;
    int stable;                         /* read with the configuration  */
    /* general */
    apr_array_header_t *schemes;        /* AuthChallengeSchemes, names  */
    apr_array_header_t *providers;      /* AuthChallengeProvider, names */
    int charset_utf8;
    int proxy_mode;                     /* ac_mode                      */
    int header_combined;
    apr_off_t max_body;                 /* AuthChallengeDigestMaxBody   */
    apr_interval_time_t cred_cache;     /* 0: Off                       */
    int fail_count;                     /* 0: Off                       */
    apr_interval_time_t fail_window;
    /* each scheme's and each back-end kind's settings, at their slots
     * (ac_scheme_slot, ac_backend_kind_slot) */
    void *scheme[AC_SCHEME_SLOTS];
    void *backend[AC_BACKEND_SLOTS];
    /* merges with this one as the nested section, and the places built
     * for this configuration: both made once, kept with it */
    ach_memo *merges;
    ach_place_list *places;
} ach_dir_conf;

typedef struct ac_cache ac_cache;       /* mod_ac_state.c              */

typedef struct {
    const char *cache_spec;             /* AuthChallengeCache          */
    const char *secret_file;            /* AuthChallengeSecretFile     */
    /* run time, set in post_config */
    ac_cache *cache;
    const unsigned char *secret;
    apr_size_t secret_len;
    /* AuthChallengeCacheTimeout (0: unset) */
    apr_interval_time_t cache_timeout;
    /* AuthChallengeSecretFile's second file: the secret before a
     * rotation, and its key (run time) */
    const char *secret_prev_file;
    const unsigned char *secret_prev;
    apr_size_t secret_prev_len;
} ach_srv_conf;

/* r's configuration, and its server's. */
ach_dir_conf *ach_dir_conf_of(request_rec *r);
ach_srv_conf *ach_srv_conf_of(server_rec *s);

/* The settings of scheme s, or of back-end kind k, in a section. */
void *ach_scheme_conf(const ach_dir_conf *dc, const ac_scheme *s);
void *ach_backend_conf(const ach_dir_conf *dc, const ac_backend_kind *k);

/* 1: r answers as a forward proxy (407, Proxy-*): AuthChallengeProxyMode,
 * or, with auto, httpd handling r as one (PROXYREQ_PROXY). */
int ach_request_is_proxy(request_rec *r);

void *ach_create_dir_conf(apr_pool_t *p, char *dir);
void *ach_merge_dir_conf(apr_pool_t *p, void *basev, void *addv);
void *ach_create_srv_conf(apr_pool_t *p, server_rec *s);
void *ach_merge_srv_conf(apr_pool_t *p, void *basev, void *addv);

/* child_init: where kept merges and places are made in this process. */
void ach_config_child_init(apr_pool_t *p, server_rec *s);

/* Long-lived memory of this process, for what is kept with stable
 * configurations (NULL before child_init): allocate from it only under
 * its lock. */
apr_pool_t *ach_keep_pool(void);
void ach_keep_lock(void);
void ach_keep_unlock(void);

/* ------------------------------------------------ for directive handlers
 * Shared by every file that adds directives (mod_ac_digest.c, ...). */

/* The settings of cmd's scheme / back-end kind in section cfg. */
#define ACH_SCHEME_CONF(cfg, s)  ach_scheme_conf((cfg), (s))
#define ACH_BACKEND_CONF(cfg, k) ach_backend_conf((cfg), (k))

/* "seconds" (allow_zero: 0 is allowed) into *out; NULL or a message. */
const char *ach_parse_seconds(cmd_parms *cmd, const char *arg,
                              apr_interval_time_t *out, int allow_zero);

/* Append arg to the array *a (made on first use): a section that sets
 * the directive replaces the parent's list as a whole. */
void ach_push(cmd_parms *cmd, apr_array_header_t **a, const char *arg);

/* The module's own back-end kinds, for messages: "dbm, ldap". */
const char *ach_backend_names(apr_pool_t *p);

/* NULL where cmd may name a file; in .htaccess a message: a document
 * author must not make the module read files (docs/security.md,
 * ".htaccess"). */
const char *ach_no_files_in_htaccess(cmd_parms *cmd);

/* The general directives: AP_INIT_* entries for the module's one table
 * (mod_authchallenge.c), as each file that adds directives gives its. */
const char *ach_set_schemes(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_set_provider(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_set_charset(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_set_mode(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_set_style(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_set_max_body(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_set_cred_cache(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_set_fail_limit(cmd_parms *cmd, void *cfg,
                               const char *count, const char *secs);
const char *ach_set_srv(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_set_secret(cmd_parms *cmd, void *cfg, const char *path,
                           const char *prev);
const char *ach_set_cache_timeout(cmd_parms *cmd, void *cfg,
                                  const char *arg);

/* Where each directive may appear: the per-directory ones everywhere,
 * .htaccess included with AllowOverride AuthConfig. */
#define ACH_DIRCTX (RSRC_CONF | ACCESS_CONF | OR_AUTHCFG)

#define ACH_GENERAL_CMDS \
    AP_INIT_ITERATE("AuthChallengeSchemes", ach_set_schemes, NULL, \
        ACH_DIRCTX, "schemes offered by AuthType Challenge"), \
    AP_INIT_ITERATE("AuthChallengeProvider", ach_set_provider, NULL, \
        ACH_DIRCTX, "back-ends: dbm, ldap or an authn provider"), \
    AP_INIT_TAKE1("AuthChallengeCharset", ach_set_charset, NULL, \
        ACH_DIRCTX, "UTF-8 or Off"), \
    AP_INIT_TAKE1("AuthChallengeProxyMode", ach_set_mode, NULL, \
        ACH_DIRCTX, "auto, proxy or origin"), \
    AP_INIT_TAKE1("AuthChallengeHeaderStyle", ach_set_style, NULL, \
        ACH_DIRCTX, "separate or combined"), \
    AP_INIT_TAKE1("AuthChallengeDigestMaxBody", ach_set_max_body, NULL, \
        ACH_DIRCTX, "largest request body read (auth-int, form tokens)"), \
    AP_INIT_TAKE1("AuthChallengeCredentialCache", ach_set_cred_cache, \
        NULL, ACH_DIRCTX, "seconds, or Off"), \
    AP_INIT_TAKE12("AuthChallengeFailureLimit", ach_set_fail_limit, NULL, \
        ACH_DIRCTX, "count seconds, or Off"), \
    AP_INIT_TAKE1("AuthChallengeCache", ach_set_srv, (void *)0, \
        RSRC_CONF, "socache provider[:args] for the shared state"), \
    AP_INIT_TAKE12("AuthChallengeSecretFile", ach_set_secret, NULL, \
        RSRC_CONF, "file with the server secret [and the previous one]"), \
    AP_INIT_TAKE1("AuthChallengeCacheTimeout", ach_set_cache_timeout, \
        NULL, RSRC_CONF, "seconds any cache call may wait (default 1)")

#endif
