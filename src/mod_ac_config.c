/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* httpd glue: directive handlers, create and merge of the configs. */
#include "mod_ac_config.h"

#include <stddef.h>
#include "http_log.h"
#include "ap_provider.h"
#include "mod_auth.h"
#include "apr_strings.h"

#include "ac_hash.h"
#include "ac_scheme.h"
#include "ac_backend_dbm.h"
#include "ac_jwt.h"
#include "ac_backend_ldap.h"
#include "ac_ldap_url.h"

APLOG_USE_MODULE(authchallenge);

void *ac_create_dir_conf(apr_pool_t *p, char *dir)
{
    ac_dir_conf *c = apr_pcalloc(p, sizeof(*c));

    c->origin = dir ? apr_pstrdup(p, dir) : "";
    c->charset_utf8 = c->proxy_mode = c->header_combined = AC_UNSET;
    c->qop_auth = c->qop_auth_int = c->userhash = AC_UNSET;
    c->nonce_lifetime = c->max_body = c->replay_check = AC_UNSET;
    c->bearer_leeway = c->bearer_require_exp = AC_UNSET;
    c->bearer_transport = AC_UNSET;
    c->ldap_starttls = c->ldap_timeout = AC_UNSET;
    c->cred_cache = c->fail_count = c->fail_window = AC_UNSET;
    return c;
}

#define MERGE_PTR(f) c->f = add->f ? add->f : base->f
#define MERGE_INT(f) c->f = add->f != AC_UNSET ? add->f : base->f

void *ac_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    ac_dir_conf *base = basev, *add = addv;
    ac_dir_conf *c = apr_pcalloc(p, sizeof(*c));

    c->origin = apr_pstrcat(p, base->origin, "|", add->origin, NULL);
    MERGE_PTR(schemes);         MERGE_PTR(providers);
    MERGE_INT(charset_utf8);    MERGE_INT(proxy_mode);
    MERGE_INT(header_combined);
    MERGE_PTR(digest_algs);     MERGE_INT(qop_auth);
    MERGE_INT(qop_auth_int);    MERGE_INT(userhash);
    MERGE_PTR(digest_domain);   MERGE_INT(nonce_lifetime);
    MERGE_INT(replay_check);    MERGE_INT(max_body);
    MERGE_PTR(bearer_keys);
    MERGE_PTR(bearer_issuer);   MERGE_PTR(bearer_audiences);
    MERGE_INT(bearer_leeway);   MERGE_INT(bearer_require_exp);
    MERGE_PTR(bearer_user_claim); MERGE_PTR(bearer_tokens);
    MERGE_INT(bearer_transport);
    MERGE_PTR(dbm_file);        MERGE_PTR(dbm_type);
    MERGE_PTR(ldap_url);        MERGE_PTR(ldap_bind_dn);
    MERGE_PTR(ldap_bind_pw);    MERGE_INT(ldap_starttls);
    MERGE_PTR(ldap_ca_cert);    MERGE_INT(ldap_timeout);
    MERGE_PTR(ldap_digest_attr); MERGE_PTR(ldap_userhash_attr);
    MERGE_PTR(ldap_group_attrs); MERGE_PTR(ldap_token_attr);
    MERGE_INT(cred_cache);
    /* the failure limit's count and window are one setting */
    c->fail_count = add->fail_count != AC_UNSET ? add->fail_count
                                                : base->fail_count;
    c->fail_window = add->fail_count != AC_UNSET ? add->fail_window
                                                 : base->fail_window;
    return c;
}

void *ac_create_srv_conf(apr_pool_t *p, server_rec *s)
{
    return apr_pcalloc(p, sizeof(ac_srv_conf));
}

void *ac_merge_srv_conf(apr_pool_t *p, void *basev, void *addv)
{
    ac_srv_conf *base = basev, *add = addv;
    ac_srv_conf *c = apr_pcalloc(p, sizeof(*c));

    MERGE_PTR(cache_spec);
    MERGE_PTR(secret_file);
    return c;
}

/* ------------------------------------------------------------ helpers */

#define FIELD(T, c, off) (*(T *)((char *)(c) + (off)))

/* Append to the array at the slot; a section that sets it replaces the
 * parent's list as a whole (inheritance is per directive). */
static const char *push_string(cmd_parms *cmd, void *c, const char *arg)
{
    apr_array_header_t **a = &FIELD(apr_array_header_t *, c,
                                    (size_t)cmd->info);
    if (!*a) {
        *a = apr_array_make(cmd->pool, 4, sizeof(const char *));
    }
    APR_ARRAY_PUSH(*a, const char *) = arg;
    return NULL;
}

static const char *parse_seconds(cmd_parms *cmd, const char *arg,
                                 apr_interval_time_t *out, int allow_zero)
{
    char *end;
    apr_int64_t v = apr_strtoi64(arg, &end, 10);

    if (*end || end == arg || v < (allow_zero ? 0 : 1) || v > 86400 * 366) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a number of "
                            "seconds", cmd->cmd->name, arg);
    }
    *out = apr_time_from_sec(v);
    return NULL;
}

static const char *set_seconds(cmd_parms *cmd, void *c, const char *arg)
{
    return parse_seconds(cmd, arg,
                         &FIELD(apr_interval_time_t, c, (size_t)cmd->info),
                         0);
}

static const char *set_int_flag(cmd_parms *cmd, void *c, int on)
{
    FIELD(int, c, (size_t)cmd->info) = on ? 1 : 0;
    return NULL;
}

/* ----------------------------------------------------------- handlers */

static const char *set_schemes(cmd_parms *cmd, void *cv, const char *arg)
{
    ac_dir_conf *c = cv;

    if (!ac_scheme_find(arg)) {
        return apr_psprintf(cmd->pool, "AuthChallengeSchemes: unknown "
                            "scheme '%s' (Basic, Digest, Bearer)", arg);
    }
    return push_string(cmd, c, arg);
}

static const char *set_provider(cmd_parms *cmd, void *cv, const char *arg)
{
    if (strcasecmp(arg, "dbm") && strcasecmp(arg, "ldap")
        && !ap_lookup_provider(AUTHN_PROVIDER_GROUP, arg,
                               AUTHN_PROVIDER_VERSION)) {
        return apr_psprintf(cmd->pool, "AuthChallengeProvider: unknown "
                            "provider '%s': load the module that provides "
                            "it (e.g. mod_authn_%s)", arg, arg);
    }
    return push_string(cmd, cv, arg);
}

static const char *set_charset(cmd_parms *cmd, void *cv, const char *arg)
{
    ac_dir_conf *c = cv;

    if (!strcasecmp(arg, "UTF-8")) {
        c->charset_utf8 = 1;
    }
    else if (!strcasecmp(arg, "Off")) {
        c->charset_utf8 = 0;
    }
    else {
        return "AuthChallengeCharset: UTF-8 or Off";
    }
    return NULL;
}

static const char *set_mode(cmd_parms *cmd, void *cv, const char *arg)
{
    ac_dir_conf *c = cv;

    if (!strcasecmp(arg, "auto")) {
        c->proxy_mode = AC_MODE_AUTO;
    }
    else if (!strcasecmp(arg, "proxy")) {
        c->proxy_mode = AC_MODE_PROXY;
    }
    else if (!strcasecmp(arg, "origin")) {
        c->proxy_mode = AC_MODE_ORIGIN;
    }
    else {
        return "AuthChallengeProxyMode: auto, proxy or origin";
    }
    return NULL;
}

static const char *set_style(cmd_parms *cmd, void *cv, const char *arg)
{
    ac_dir_conf *c = cv;

    if (!strcasecmp(arg, "separate")) {
        c->header_combined = 0;
    }
    else if (!strcasecmp(arg, "combined")) {
        c->header_combined = 1;
    }
    else {
        return "AuthChallengeHeaderStyle: separate or combined";
    }
    return NULL;
}

static const char *set_digest_alg(cmd_parms *cmd, void *cv,
                                  const char *arg)
{
    ac_dir_conf *c = cv;
    const ac_hash_alg *alg = ac_hash_find(arg);

    if (!alg) {
        return apr_psprintf(cmd->pool, "AuthChallengeDigestAlgorithm: "
                            "unknown algorithm '%s' (MD5, MD5-sess, SHA-256,"
                            " SHA-256-sess, SHA-512-256, SHA-512-256-sess)",
                            arg);
    }
    if (!c->digest_algs) {
        c->digest_algs = apr_array_make(cmd->pool, 4, sizeof(alg));
    }
    APR_ARRAY_PUSH(c->digest_algs, const ac_hash_alg *) = alg;
    return NULL;
}

static const char *set_qop(cmd_parms *cmd, void *cv, const char *arg)
{
    ac_dir_conf *c = cv;

    if (c->qop_auth == AC_UNSET) {
        c->qop_auth = c->qop_auth_int = 0;
    }
    if (!strcasecmp(arg, "auth")) {
        c->qop_auth = 1;
    }
    else if (!strcasecmp(arg, "auth-int")) {
        c->qop_auth_int = 1;
    }
    else {
        return "AuthChallengeDigestQop: auth and/or auth-int";
    }
    return NULL;
}

static const char *set_domain(cmd_parms *cmd, void *cv, const char *arg)
{
    ac_dir_conf *c = cv;

    c->digest_domain = c->digest_domain
        ? apr_pstrcat(cmd->pool, c->digest_domain, " ", arg, NULL) : arg;
    return NULL;
}

static const char *set_max_body(cmd_parms *cmd, void *cv, const char *arg)
{
    ac_dir_conf *c = cv;
    char *end;
    apr_int64_t v = apr_strtoi64(arg, &end, 10);

    if (*end || end == arg || v < 0) {
        return "AuthChallengeDigestMaxBody: a number of bytes";
    }
    c->max_body = (apr_off_t)v;
    return NULL;
}

/*
 * .htaccess may not make the module read files (docs/security.md,
 * ".htaccess"): its author could name any file the server can read,
 * and a bind password read from it goes to an LDAP server of the
 * author's choice.  httpd refuses "exec:" there for the same reason.
 * NULL where the directive is allowed.
 */
static const char *no_files_in_htaccess(cmd_parms *cmd)
{
    if (ap_check_cmd_context(cmd, NOT_IN_HTACCESS) == NULL) {
        return NULL;
    }
    return apr_psprintf(cmd->pool, "%s names a file (a key, secret, "
                        "certificate or password file) and is not allowed "
                        "in .htaccess", cmd->cmd->name);
}

/* Keys are read and checked now, so a bad key stops start-up with a
 * message instead of failing the first request.  alg NULL: a JWKS. */
static const char *add_key(cmd_parms *cmd, ac_dir_conf *c, const char *alg,
                           const char *path)
{
    const char *full, *err;

    if ((err = no_files_in_htaccess(cmd)) != NULL) {
        return err;
    }
    full = ap_server_root_relative(cmd->pool, path);

    if (!full) {
        return apr_psprintf(cmd->pool, "%s: bad path %s", cmd->cmd->name,
                            path);
    }
    if (!c->bearer_keys) {
        c->bearer_keys = ac_jwt_keyset_make(cmd->pool);
    }
    err = alg ? ac_jwt_keyset_add_key_file(c->bearer_keys, alg, full)
              : ac_jwt_keyset_add_jwks_file(c->bearer_keys, full);
    return err ? apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err)
               : NULL;
}

static const char *set_bearer_key(cmd_parms *cmd, void *cv,
                                  const char *alg, const char *path)
{
    return add_key(cmd, cv, alg, path);
}

static const char *set_bearer_jwks(cmd_parms *cmd, void *cv,
                                   const char *path)
{
    return add_key(cmd, cv, NULL, path);
}

static const char *set_leeway(cmd_parms *cmd, void *cv, const char *arg)
{
    ac_dir_conf *c = cv;

    return parse_seconds(cmd, arg, &c->bearer_leeway, 1);
}

static const char *set_tokens(cmd_parms *cmd, void *cv, const char *arg)
{
    ac_dir_conf *c = cv;

    if (strcasecmp(arg, "dbm") && strcasecmp(arg, "ldap")
        && strcasecmp(arg, "Off")) {
        return "AuthChallengeBearerTokens: dbm, ldap or Off";
    }
    c->bearer_tokens = apr_pstrdup(cmd->pool, arg);
    ap_str_tolower((char *)c->bearer_tokens);
    return NULL;
}

static const char *set_transport(cmd_parms *cmd, void *cv, const char *arg)
{
    ac_dir_conf *c = cv;
    int bit = !strcasecmp(arg, "header") ? AC_TRANSPORT_HEADER
            : !strcasecmp(arg, "body") ? AC_TRANSPORT_BODY
            : !strcasecmp(arg, "query") ? AC_TRANSPORT_QUERY : 0;

    if (!bit) {
        return "AuthChallengeBearerTransport: header, body and/or query";
    }
    c->bearer_transport = (c->bearer_transport == AC_UNSET ? 0
                           : c->bearer_transport) | bit;
    return NULL;
}

static const char *set_path(cmd_parms *cmd, void *cv, const char *arg)
{
    FIELD(const char *, cv, (size_t)cmd->info)
        = ap_server_root_relative(cmd->pool, arg);
    return NULL;
}

/* A certificate or key file: not from .htaccess. */
static const char *set_secret_path(cmd_parms *cmd, void *cv,
                                   const char *arg)
{
    const char *err = no_files_in_htaccess(cmd);

    return err ? err : set_path(cmd, cv, arg);
}

static const char *set_dbm_type(cmd_parms *cmd, void *cv, const char *arg)
{
    ac_dir_conf *c = cv;

    if (!ac_dbm_type_known(arg)) {
        return apr_psprintf(cmd->pool, "AuthChallengeDBMType: unknown type "
                            "'%s' (default, sdbm, gdbm, db)", arg);
    }
    c->dbm_type = arg;
    return NULL;
}

static const char *set_ldap_url(cmd_parms *cmd, void *cv, const char *arg)
{
    ac_dir_conf *c = cv;
    ac_ldap_url u;
    const char *err = ac_ldap_url_parse(cmd->pool, arg, &u);

    if (err) {
        return apr_psprintf(cmd->pool, "AuthChallengeLDAPURL: %s", err);
    }
    c->ldap_url = arg;
    return NULL;
}

/* "file:path" is read now: the password never sits in the config tree
 * twice, and a missing file stops start-up. */
static const char *set_ldap_pw(cmd_parms *cmd, void *cv, const char *arg)
{
    ac_dir_conf *c = cv;
    const char *err;

    if (!strncmp(arg, "file:", 5)) {
        const char *path;

        if ((err = no_files_in_htaccess(cmd)) != NULL) {
            return err;
        }
        path = ap_server_root_relative(cmd->pool, arg + 5);
        arg = path ? apr_pstrcat(cmd->pool, "file:", path, NULL) : arg;
    }
    err = ac_ldap_read_secret(cmd->pool, arg, &c->ldap_bind_pw);
    return err ? apr_psprintf(cmd->pool, "AuthChallengeLDAPBindPassword: "
                              "%s", err) : NULL;
}

static const char *set_cred_cache(cmd_parms *cmd, void *cv,
                                  const char *arg)
{
    ac_dir_conf *c = cv;

    if (!strcasecmp(arg, "Off")) {
        c->cred_cache = 0;
        return NULL;
    }
    return parse_seconds(cmd, arg, &c->cred_cache, 0);
}

static const char *set_fail_limit(cmd_parms *cmd, void *cv,
                                  const char *count, const char *secs)
{
    ac_dir_conf *c = cv;
    char *end;
    apr_int64_t n;

    if (!strcasecmp(count, "Off") && !secs) {
        c->fail_count = 0;
        c->fail_window = 0;
        return NULL;
    }
    n = apr_strtoi64(count, &end, 10);
    if (*end || end == count || n < 1 || n > 1000000 || !secs) {
        return "AuthChallengeFailureLimit: count seconds, or Off";
    }
    c->fail_count = (int)n;
    return parse_seconds(cmd, secs, &c->fail_window, 0);
}

static const char *set_srv(cmd_parms *cmd, void *cv, const char *arg)
{
    ac_srv_conf *sc = ap_get_module_config(cmd->server->module_config,
                                           &authchallenge_module);

    if (cmd->info) {
        sc->secret_file = ap_server_root_relative(cmd->pool, arg);
    }
    else {
        sc->cache_spec = arg;
    }
    return NULL;
}

/* ---------------------------------------------------------- the table */

#define DIRCTX (RSRC_CONF | ACCESS_CONF | OR_AUTHCFG)
#define OFF(f) (void *)APR_OFFSETOF(ac_dir_conf, f)

const command_rec ac_cmds[] = {
    AP_INIT_ITERATE("AuthChallengeSchemes", set_schemes,
        OFF(schemes), DIRCTX, "schemes offered by AuthType Challenge"),
    AP_INIT_ITERATE("AuthChallengeProvider", set_provider,
        OFF(providers), DIRCTX, "back-ends: dbm, ldap or an authn provider"),
    AP_INIT_TAKE1("AuthChallengeCharset", set_charset, NULL, DIRCTX,
        "UTF-8 or Off"),
    AP_INIT_TAKE1("AuthChallengeProxyMode", set_mode, NULL, DIRCTX,
        "auto, proxy or origin"),
    AP_INIT_TAKE1("AuthChallengeHeaderStyle", set_style, NULL, DIRCTX,
        "separate or combined"),
    AP_INIT_ITERATE("AuthChallengeDigestAlgorithm", set_digest_alg, NULL,
        DIRCTX, "Digest algorithms, most preferred first"),
    AP_INIT_ITERATE("AuthChallengeDigestQop", set_qop, NULL, DIRCTX,
        "auth and/or auth-int"),
    AP_INIT_FLAG("AuthChallengeDigestUserhash", set_int_flag, OFF(userhash),
        DIRCTX, "offer userhash=true"),
    AP_INIT_ITERATE("AuthChallengeDigestDomain", set_domain, NULL, DIRCTX,
        "URIs of the protection space"),
    AP_INIT_TAKE1("AuthChallengeNonceLifetime", set_seconds,
        OFF(nonce_lifetime), DIRCTX, "seconds before a nonce is stale"),
    AP_INIT_FLAG("AuthChallengeDigestReplayCheck", set_int_flag,
        OFF(replay_check), DIRCTX, "refuse reused nonce counts"),
    AP_INIT_TAKE1("AuthChallengeDigestMaxBody", set_max_body, NULL, DIRCTX,
        "largest body hashed for auth-int"),
    AP_INIT_TAKE1("AuthChallengeBearerJWKS", set_bearer_jwks, NULL,
        DIRCTX, "JSON Web Key Set file"),
    AP_INIT_TAKE2("AuthChallengeBearerKey", set_bearer_key, NULL, DIRCTX,
        "alg path: a PEM public key or an HMAC secret file"),
    AP_INIT_TAKE1("AuthChallengeBearerIssuer", ap_set_string_slot,
        OFF(bearer_issuer), DIRCTX, "required iss"),
    AP_INIT_ITERATE("AuthChallengeBearerAudience", push_string,
        OFF(bearer_audiences), DIRCTX, "accepted aud values"),
    AP_INIT_TAKE1("AuthChallengeBearerLeeway", set_leeway, NULL, DIRCTX,
        "clock skew in seconds"),
    AP_INIT_FLAG("AuthChallengeBearerRequireExp", set_int_flag,
        OFF(bearer_require_exp), DIRCTX, "refuse tokens without exp"),
    AP_INIT_TAKE1("AuthChallengeBearerUserClaim", ap_set_string_slot,
        OFF(bearer_user_claim), DIRCTX, "claim that becomes REMOTE_USER"),
    AP_INIT_TAKE1("AuthChallengeBearerTokens", set_tokens, NULL, DIRCTX,
        "opaque tokens: dbm, ldap or Off"),
    AP_INIT_ITERATE("AuthChallengeBearerTransport", set_transport, NULL,
        DIRCTX, "header, body, query"),
    AP_INIT_TAKE1("AuthChallengeDBMUserFile", set_path, OFF(dbm_file),
        DIRCTX, "the DBM user database"),
    AP_INIT_TAKE1("AuthChallengeDBMType", set_dbm_type, NULL, DIRCTX,
        "default, sdbm, gdbm or db"),
    AP_INIT_TAKE1("AuthChallengeLDAPURL", set_ldap_url, NULL, DIRCTX,
        "RFC 4516 LDAP URL"),
    AP_INIT_TAKE1("AuthChallengeLDAPBindDN", ap_set_string_slot,
        OFF(ldap_bind_dn), DIRCTX, "search identity"),
    AP_INIT_TAKE1("AuthChallengeLDAPBindPassword", set_ldap_pw, NULL,
        DIRCTX, "its password, or file:path"),
    AP_INIT_FLAG("AuthChallengeLDAPStartTLS", set_int_flag,
        OFF(ldap_starttls), DIRCTX, "StartTLS before binding"),
    AP_INIT_TAKE1("AuthChallengeLDAPCACert", set_secret_path,
        OFF(ldap_ca_cert),
        DIRCTX, "CA certificate for ldaps/StartTLS"),
    AP_INIT_TAKE1("AuthChallengeLDAPTimeout", set_seconds,
        OFF(ldap_timeout), DIRCTX, "seconds for a whole lookup"),
    AP_INIT_TAKE1("AuthChallengeLDAPDigestAttribute", ap_set_string_slot,
        OFF(ldap_digest_attr), DIRCTX, "attribute with realm:ALG:HA1"),
    AP_INIT_TAKE1("AuthChallengeLDAPUserhashAttribute", ap_set_string_slot,
        OFF(ldap_userhash_attr), DIRCTX, "attribute with userhashes"),
    AP_INIT_ITERATE("AuthChallengeLDAPGroupAttribute", push_string,
        OFF(ldap_group_attrs), DIRCTX, "group membership attributes"),
    AP_INIT_TAKE1("AuthChallengeLDAPTokenAttribute", ap_set_string_slot,
        OFF(ldap_token_attr), DIRCTX, "attribute with opaque tokens"),
    AP_INIT_TAKE1("AuthChallengeCredentialCache", set_cred_cache, NULL,
        DIRCTX, "seconds, or Off"),
    AP_INIT_TAKE12("AuthChallengeFailureLimit", set_fail_limit, NULL,
        DIRCTX, "count seconds, or Off"),
    AP_INIT_TAKE1("AuthChallengeCache", set_srv, (void *)0, RSRC_CONF,
        "socache provider[:args] for the shared state"),
    AP_INIT_TAKE1("AuthChallengeSecretFile", set_srv, (void *)1, RSRC_CONF,
        "file with the server secret"),
    { NULL }
};
