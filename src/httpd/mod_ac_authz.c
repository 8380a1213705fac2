/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_authz.h"

#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "ap_provider.h"
#include "mod_auth.h"
#include "apr_lib.h"
#include "apr_strings.h"

#include "ac_auth.h"
#include "ac_backend_ldap.h"
#include "ac_bearer.h"
#include "ac_identity.h"
#include "ac_ldap_filter.h"
#include "ac_util.h"
#include "mod_ac_backends.h"
#include "mod_ac_config.h"
#include "mod_ac_place.h"

APLOG_USE_MODULE(authchallenge);

/* The scopes bearer-scope found missing: the 403 challenge names them. */
#define AC_SCOPE_NOTE "authchallenge-insufficient-scope"
/* The acr values bearer-acr wanted: the step-up challenge names them. */
#define AC_ACR_NOTE "authchallenge-acr-values"

/* AUTHCHALLENGE_CLAIM_<name>, with every octet of name that is not a
 * letter or digit as '_': a safe environment variable name. */
static const char *claim_var(request_rec *r, const char *claim)
{
    char *name = apr_pstrcat(r->pool, "AUTHCHALLENGE_CLAIM_", claim,
                             NULL), *c;

    for (c = name; *c; c++) {
        if (!apr_isalnum(*c)) {
            *c = '_';
        }
    }
    return name;
}

static void not_exported(request_rec *r, const char *claim, const char *why)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "AC01044: claim \"%s\" "
                  "not exported: %s", ap_escape_logitem(r->pool, claim),
                  why);
}

/* Claims reach CGI environments, SSI and, through RequestHeader, other
 * servers: a value with a control character is not exported, and two
 * claims that would share one variable (subprocess_env ignores case:
 * "sub" and "SUB", "a-b" and "a_b") are neither (docs/security.md,
 * "Identity"). */
static void export_claims(request_rec *r, const apr_hash_t *claims)
{
    apr_hash_t *seen = apr_hash_make(r->pool);
    apr_hash_index_t *hi;

    for (hi = apr_hash_first(r->pool, (apr_hash_t *)claims); hi;
         hi = apr_hash_next(hi)) {
        const void *k;
        void *v;
        char *var;

        apr_hash_this(hi, &k, NULL, &v);
        var = apr_pstrdup(r->pool, claim_var(r, k));
        ap_str_tolower(var);
        if (apr_hash_get(seen, var, APR_HASH_KEY_STRING)) {
            not_exported(r, k, "another claim has the same variable name");
            apr_table_unset(r->subprocess_env, claim_var(r, k));
            continue;
        }
        apr_hash_set(seen, var, APR_HASH_KEY_STRING, k);
        if (!ac_text_clean(v)) {
            not_exported(r, k, "its value has a control character");
            continue;
        }
        apr_table_set(r->subprocess_env, claim_var(r, k), v);
    }
}

void ach_authz_set_identity(request_rec *r, const ac_identity *id)
{
    ap_set_module_config(r->request_config, &authchallenge_module,
                         (void *)id);
    if (id && id->claims) {
        export_claims(r, id->claims);
    }
}

static const ac_identity *identity(request_rec *r)
{
    request_rec *main = r->main ? r->main : r;

    return ap_get_module_config(main->request_config,
                                &authchallenge_module);
}

/* The words of a Require line, quotes honoured. */
static apr_array_header_t *words(request_rec *r, const char *line)
{
    apr_array_header_t *a = apr_array_make(r->pool, 4, sizeof(char *));
    const char *w;

    while (line && *line && *(w = ap_getword_conf(r->pool, &line))) {
        APR_ARRAY_PUSH(a, const char *) = w;
    }
    return a;
}

/* The back-ends r's groups come from: its place's, or, where another
 * module authenticated, AuthChallengeProvider's all the same, or else
 * those the authn provider "challenge" answers from (docs/httpd.md). */
static const ac_backend_list *group_backends(request_rec *r)
{
    const ach_place *pl = ach_place_get(r);
    const ach_dir_conf *dc = ach_dir_conf_of(r);
    apr_array_header_t *warn;
    int bound;

    if (pl) {
        return pl->core.backends;
    }
    if (!dc->providers) {
        return ach_place_provider(r)->core.backends;
    }
    warn = apr_array_make(r->pool, 1, sizeof(const char *));
    return ach_backends_for(dc, r->pool, &bound, warn);
}

/* Each group of the line asked of the back-ends in turn (each answer
 * may come from the LDAP group cache): the first the user is in
 * grants. */
static authz_status group_check(request_rec *r, const char *line,
                                const void *parsed)
{
    apr_array_header_t *want = words(r, line);
    const ac_backend_list *list;
    int i;

    if (!r->user) {
        return AUTHZ_DENIED_NO_USER;
    }
    ach_backends_bind(r);
    list = group_backends(r);
    for (i = 0; i < want->nelts; i++) {
        const char *reason = NULL, *g = APR_ARRAY_IDX(want, i, const char *);
        ac_be_status st = ac_backend_member_of(list, r->user, g, &reason,
                                               r->pool);

        if (st == AC_BE_OK) {
            return AUTHZ_GRANTED;
        }
        if (st == AC_BE_ERROR) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "AC01040: groups of "
                          "\"%s\": %s", ap_escape_logitem(r->pool, r->user),
                          ap_escape_logitem(r->pool, reason));
            return AUTHZ_GENERAL_ERROR;
        }
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "AC01041: user \"%s\" "
                      "not in %s: %s", ap_escape_logitem(r->pool, r->user),
                      ap_escape_logitem(r->pool, g),
                      ap_escape_logitem(r->pool, reason));
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "AC01041: user \"%s\" is "
                  "in none of the groups: %s",
                  ap_escape_logitem(r->pool, r->user),
                  ap_escape_logitem(r->pool, line));
    return AUTHZ_DENIED;
}

/* ------------------------------------------------ challenge-ldap-filter */

/* The filter of a Require line: one quoted word, or the line as it is
 * (a filter may hold spaces); the outer parentheses may be left out,
 * as mod_authnz_ldap's ldap-filter wants them.  NULL and *err when it
 * is not an RFC 4515 filter. */
static const char *filter_of(apr_pool_t *p, const char *line,
                             const char **err)
{
    const char *f;

    while (apr_isspace(*line)) {
        line++;
    }
    if (*line == '"' || *line == '\'') {
        f = ap_getword_conf(p, &line);
        if (*line) {
            *err = "one filter, in quotes";
            return NULL;
        }
    }
    else {
        char *t = apr_pstrdup(p, line);
        apr_size_t n = strlen(t);

        while (n && apr_isspace(t[n - 1])) {
            t[--n] = '\0';
        }
        f = t;
    }
    if (*f && *f != '(') {
        f = apr_pstrcat(p, "(", f, ")", NULL);
    }
    *err = *f ? ac_ldap_filter_check(p, f) : "no filter";
    return *err ? NULL : f;
}

/* Checked with the configuration: a bad filter stops httpd -t. */
static const char *filter_parse(cmd_parms *cmd, const char *line,
                                const void **parsed)
{
    const char *err, *f = filter_of(cmd->pool, line, &err);

    if (!f) {
        return apr_psprintf(cmd->pool, "Require challenge-ldap-filter: %s",
                            err);
    }
    *parsed = f;
    return NULL;
}

/* The LDAP back-end of r's place, else the one configured for its
 * directory (as Bearer tokens find theirs); NULL when there is none. */
static const ac_backend *ldap_backend(request_rec *r)
{
    const ach_place *pl = ach_place_get(r);
    int i;

    for (i = 0; pl && i < pl->core.backends->count; i++) {
        if (ac_backend_is_ldap(pl->core.backends->items[i])) {
            return pl->core.backends->items[i];
        }
    }
    return ach_backend_named(ach_dir_conf_of(r), "ldap", r->pool, NULL);
}

static authz_status filter_check(request_rec *r, const char *line,
                                 const void *parsed)
{
    const ac_backend *be;
    const char *reason = NULL;
    ac_be_status st;

    if (!r->user) {
        return AUTHZ_DENIED_NO_USER;
    }
    if (!parsed || !(be = ldap_backend(r))) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "AC01045: Require "
                      "challenge-ldap-filter: %s", parsed ? "no LDAP "
                      "directory here (AuthChallengeLDAPURL)" : "no filter");
        return AUTHZ_GENERAL_ERROR;
    }
    st = ac_backend_ldap_matches(be, r->user, parsed, &reason, r->pool);
    if (st == AC_BE_OK) {
        return AUTHZ_GRANTED;
    }
    if (st == AC_BE_ERROR) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "AC01046: filter %s for "
                      "\"%s\": %s", ap_escape_logitem(r->pool, parsed),
                      ap_escape_logitem(r->pool, r->user),
                      ap_escape_logitem(r->pool, reason));
        return AUTHZ_GENERAL_ERROR;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "AC01047: user \"%s\" "
                  "does not match %s: %s",
                  ap_escape_logitem(r->pool, r->user),
                  ap_escape_logitem(r->pool, parsed),
                  ap_escape_logitem(r->pool, reason));
    return AUTHZ_DENIED;
}

static authz_status scope_check(request_rec *r, const char *line,
                                const void *parsed)
{
    const ac_identity *id = identity(r);
    apr_array_header_t *need = words(r, line);

    if (!r->user) {
        return AUTHZ_DENIED_NO_USER;
    }
    if (ac_identity_has_scopes(id, need)) {
        return AUTHZ_GRANTED;
    }
    apr_table_setn(r->notes, AC_SCOPE_NOTE,
                   apr_array_pstrcat(r->pool, need, ' '));
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "AC01042: user \"%s\": "
                  "insufficient scope, needs: %s",
                  ap_escape_logitem(r->pool, r->user),
                  ap_escape_logitem(r->pool, line));
    return AUTHZ_DENIED;
}

static authz_status claim_check(request_rec *r, const char *line,
                                const void *parsed)
{
    apr_array_header_t *w = words(r, line);
    const char *name;
    int i;

    if (!r->user) {
        return AUTHZ_DENIED_NO_USER;
    }
    if (w->nelts < 2) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "AC01043: Require "
                      "bearer-claim needs a claim name and a value");
        return AUTHZ_GENERAL_ERROR;
    }
    name = APR_ARRAY_IDX(w, 0, const char *);
    for (i = 1; i < w->nelts; i++) {
        if (ac_identity_claim_matches(identity(r), name,
                                      APR_ARRAY_IDX(w, i, const char *),
                                      r->pool)) {
            return AUTHZ_GRANTED;
        }
    }
    return AUTHZ_DENIED;
}

/* RFC 9470: the token's acr is one of the values, or the client is
 * asked to step up (ac_bearer_step_up, in refusal_challenge below). */
static authz_status acr_check(request_rec *r, const char *line,
                              const void *parsed)
{
    const ac_identity *id = identity(r);
    apr_array_header_t *want = words(r, line);
    const char *acr = id && id->claims ? apr_hash_get(id->claims, "acr",
                                                      APR_HASH_KEY_STRING)
                                       : NULL;
    int i;

    if (!r->user) {
        return AUTHZ_DENIED_NO_USER;
    }
    for (i = 0; acr && i < want->nelts; i++) {
        if (!strcmp(acr, APR_ARRAY_IDX(want, i, const char *))) {
            return AUTHZ_GRANTED;
        }
    }
    apr_table_setn(r->notes, AC_ACR_NOTE,
                   apr_array_pstrcat(r->pool, want, ' '));
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "AC01070: user \"%s\": "
                  "step-up, acr \"%s\" is none of: %s",
                  ap_escape_logitem(r->pool, r->user),
                  ap_escape_logitem(r->pool, acr ? acr : ""),
                  ap_escape_logitem(r->pool, line));
    return AUTHZ_DENIED;
}

/*
 * httpd answers the denial of an authenticated user with 401 (unless
 * AuthzSendForbiddenOnFailure), and no hook may change that status
 * before the error page is built; this is the last place that can.
 * A bearer-scope denial turns the 401/407 into 403, with the
 * insufficient_scope challenge of RFC 6750 §3.1 that the scheme which
 * authenticated the user makes, through the core like every other; a
 * bearer-acr denial of a Bearer user is a 401/407 with the step-up
 * challenge of RFC 9470 §3.
 */
static void refusal_challenge(request_rec *r)
{
    const char *scopes = apr_table_get(r->notes, AC_SCOPE_NOTE);
    const char *acr = apr_table_get(r->notes, AC_ACR_NOTE);
    const ach_place *pl;
    const ac_scheme *by;
    ac_request req;
    ac_result res;
    int was = r->status;

    if ((!scopes && !acr) || (was != HTTP_UNAUTHORIZED
                              && was != HTTP_FORBIDDEN
                              && was != HTTP_PROXY_AUTHENTICATION_REQUIRED)
        || !(pl = ach_place_get(r))
        || !(by = ac_scheme_set_find(&pl->core.set, r->ap_auth_type))
        || (!scopes && by != &ac_scheme_bearer)) {
        return;
    }
    ach_place_request(r, &req);
    if (scopes) {
        ac_auth_forbid(&res, by, "insufficient_scope", scopes);
    }
    else {
        ac_bearer_step_up(&pl->core, acr, &res, r->pool);
    }
    ach_place_respond(r, pl, &req, &res);
    r->status = ac_verdict_status(res.verdict, req.proxy);
    if (was != r->status && scopes) {
        /* the page text was chosen for the old status: give it ours */
        ap_custom_response(r, was, "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD "
                           "HTML 2.0//EN\">\n<html><head><title>403 "
                           "Forbidden</title></head><body><h1>Forbidden"
                           "</h1><p>The token lacks a required scope.</p>"
                           "</body></html>\n");
    }
}

static const authz_provider group_provider = { group_check, NULL };
static const authz_provider filter_provider = { filter_check,
                                                filter_parse };
static const authz_provider scope_provider = { scope_check, NULL };
static const authz_provider claim_provider = { claim_check, NULL };
static const authz_provider acr_provider = { acr_check, NULL };

void ach_authz_register(apr_pool_t *p)
{
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "challenge-group",
                              AUTHZ_PROVIDER_VERSION, &group_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP,
                              "challenge-ldap-filter",
                              AUTHZ_PROVIDER_VERSION, &filter_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "bearer-scope",
                              AUTHZ_PROVIDER_VERSION, &scope_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "bearer-claim",
                              AUTHZ_PROVIDER_VERSION, &claim_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "bearer-acr",
                              AUTHZ_PROVIDER_VERSION, &acr_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_insert_error_filter(refusal_challenge, NULL, NULL,
                                APR_HOOK_MIDDLE);
}
