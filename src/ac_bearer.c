/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_bearer.h"
#include "ac_authparam.h"
#include "ac_identity.h"
#include "ac_hash.h"
#include "ac_util.h"

#include <string.h>
#include <apr_strings.h>
#include <jansson.h>

#define AC_BEARER_MAX_TOKEN 16384

int ac_bearer_is_b64token(const char *s)
{
    return ac_authparam_is_token68(s);
}

int ac_bearer_has_scopes(const apr_array_header_t *have,
                         const apr_array_header_t *need)
{
    int i, j;

    for (i = 0; need && i < need->nelts; i++) {
        const char *want = APR_ARRAY_IDX(need, i, const char *);
        int found = 0;
        for (j = 0; have && j < have->nelts && !found; j++) {
            found = !strcmp(APR_ARRAY_IDX(have, j, const char *), want);
        }
        if (!found) {
            return 0;
        }
    }
    return 1;
}

/* A scalar claim as text: strings as they are, numbers and booleans as
 * JSON writes them; NULL for anything else. */
static const char *scalar_text(json_t *v, apr_pool_t *p)
{
    char *text;
    const char *out;

    if (json_is_string(v)) {
        return json_string_value(v);
    }
    if (!json_is_number(v) && !json_is_boolean(v)) {
        return NULL;
    }
    text = json_dumps(v, JSON_ENCODE_ANY);
    out = text ? apr_pstrdup(p, text) : NULL;
    free(text);
    return out;
}

int ac_identity_claim_matches(const ac_identity *id, const char *name,
                              const char *value, apr_pool_t *p)
{
    json_t *o, *v, *e;
    const char *t;
    size_t i;
    int match = 0;

    if (!id || !id->claims_json
        || !(o = json_loads(id->claims_json, 0, NULL))) {
        return 0;
    }
    v = json_object_get(o, name);
    if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            t = scalar_text(e, p);
            match = match || (t && !strcmp(t, value));
        }
    }
    else if ((t = scalar_text(v, p)) != NULL) {
        match = !strcmp(t, value);
    }
    json_decref(o);
    return match;
}

/* ---------------------------------------------------------- the scheme */

static int bearer_usable(const ac_scheme_conf *conf, const char **why)
{
    const ac_bearer_conf *bc = conf->bearer;

    if (!bc || ((!bc->keys || !ac_jwt_keyset_count(bc->keys))
                && !bc->tokens)) {
        *why = "Bearer has no keys (AuthChallengeBearerJWKS or "
               "AuthChallengeBearerKey) and no opaque tokens";
        return 0;
    }
    return 1;
}

static void bearer_challenge(const ac_scheme_conf *conf,
                             const ac_request *req, const ac_result *res,
                             ac_challenges *out, apr_pool_t *p)
{
    ac_chal *c = ac_chal_new(p, "Bearer");
    int mine = res && res->scheme && !strcmp(res->scheme, "Bearer");

    ac_chal_quoted(c, "realm", conf->realm ? conf->realm : "");
    if (mine && res->verdict == AC_BAD_REQUEST) {
        ac_chal_quoted(c, "error", "invalid_request");
        ac_chal_quoted(c, "error_description", res->reason
                       ? res->reason : "malformed request");
    }
    else if (mine && res->error) {
        ac_chal_quoted(c, "error", res->error);
        if (res->error_description) {
            ac_chal_quoted(c, "error_description", res->error_description);
        }
        if (res->scope) {
            ac_chal_quoted(c, "scope", res->scope);
        }
    }
    ac_challenges_add(out, ac_chal_str(c));
}

static void invalid_token(ac_result *res, const char *why)
{
    res->failed = 1;
    res->error = "invalid_token";
    res->error_description = why;
    ac_result_set(res, AC_CHALLENGE, why);
}

/* A user name from a claim or a token record: UTF-8 without a control
 * character, as Basic and Digest require of theirs (RFC 7617 2.1,
 * RFC 7616 3.4.4); else the token is refused. */
static int user_usable(const char *user)
{
    apr_size_t n = strlen(user);

    return ac_utf8_valid(user, n) && !ac_has_ctl(user, n);
}

/* The one token of the request, or a 400 (SPEC §5: empty, two tokens,
 * a token in more than one transport, bad characters). */
static const char *find_token(const ac_request *req,
                              const ac_credentials *cred, ac_result *res)
{
    const char *tok = NULL;

    if (cred && cred->scheme) {
        if (!cred->token68 || cred->params->nelts) {
            ac_result_set(res, AC_BAD_REQUEST, "no token");
            return NULL;
        }
        tok = cred->token68;
    }
    if ((tok && req->bearer_other_count) || req->bearer_other_count > 1) {
        ac_result_set(res, AC_BAD_REQUEST, "more than one token");
        return NULL;
    }
    /* a token68 from the header is a b64token already (the parser
     * checked it); one from a form or the query is checked here */
    if (!tok && (tok = req->bearer_other) && !ac_bearer_is_b64token(tok)) {
        tok = NULL;
    }
    if (!tok || !*tok || strlen(tok) > AC_BEARER_MAX_TOKEN) {
        ac_result_set(res, AC_BAD_REQUEST, "malformed token");
        return NULL;
    }
    return tok;
}

static const char *claims_text(void *json, apr_pool_t *p)
{
    char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
    const char *out = text ? apr_pstrdup(p, text) : NULL;

    free(text);
    return out;
}

static void verify_jwt(const ac_bearer_conf *bc, const ac_request *req,
                       const char *tok, ac_result *res, apr_pool_t *p)
{
    const char *why = NULL, *user;
    ac_identity *id = apr_pcalloc(p, sizeof(*id));
    ac_jwt jwt;
    ac_jwt_status st;

    memset(&jwt, 0, sizeof(jwt));
    st = ac_jwt_verify(bc->keys, &bc->checks, tok, req->now, &jwt, &why, p);
    /* claims are there once the signature is good, even when a claim
     * check then fails: name the user in the log (SPEC §11) */
    user = jwt.claims ? apr_table_get(jwt.claims, bc->user_claim
                                      ? bc->user_claim : "sub") : NULL;
    if (st != AC_JWT_OK) {
        invalid_token(res, ac_jwt_strerror(st));
        res->log_user = user;
        if (why) {
            res->reason = why;
        }
        return;
    }
    if (!user || !*user) {
        invalid_token(res, "token names no user");
        return;
    }
    if (!user_usable(user)) {
        invalid_token(res, "token names an unusable user");
        return;
    }
    id->scopes = jwt.scopes;
    id->claims = jwt.claims;
    id->exp = jwt.exp;
    id->claims_json = claims_text(jwt.json, p);
    res->user = res->log_user = user;
    res->identity = id;
    ac_result_set(res, AC_OK, "token verified");
}

static void verify_opaque(const ac_bearer_conf *bc, const ac_request *req,
                          const char *tok, ac_result *res, apr_pool_t *p)
{
    ac_identity *id = apr_pcalloc(p, sizeof(*id));
    const char *reason = NULL;
    ac_token t;
    ac_be_status st;

    memset(&t, 0, sizeof(t));
    st = ac_backend_lookup_token(bc->tokens, ac_sha256_hex(p, tok), &t,
                                 &reason, p);
    if (st == AC_BE_ERROR) {
        ac_result_set(res, AC_UNAVAILABLE, reason);
        return;
    }
    if (st != AC_BE_OK) {
        invalid_token(res, "unknown token");
        return;
    }
    res->log_user = t.user;
    if (!user_usable(t.user)) {
        invalid_token(res, "token names an unusable user");
        return;
    }
    if (t.exp && t.exp <= req->now) {
        invalid_token(res, "token expired");
        return;
    }
    id->scopes = t.scopes;
    id->claims = apr_table_make(p, 2);
    id->exp = t.exp;
    res->user = t.user;
    res->identity = id;
    ac_result_set(res, AC_OK, "token found");
}

static int is_jwt(const char *tok)
{
    const char *dot = strchr(tok, '.');

    return dot && strchr(dot + 1, '.') != NULL;
}

static void bearer_verify(const ac_scheme_conf *conf, const ac_request *req,
                          const ac_credentials *cred, ac_result *res,
                          apr_pool_t *p)
{
    const ac_bearer_conf *bc = conf->bearer;
    const char *tok = find_token(req, cred, res), *cached, *user;
    ac_identity *id;

    if (!tok) {
        return;
    }
    if (ac_credcache_get(conf->credcache, "Bearer", conf->realm, "", tok,
                         req->now, &cached, p)
        && ac_identity_decode(cached, &user, &id, p)) {
        res->user = res->log_user = user;
        res->identity = id;
        ac_result_set(res, AC_OK, "token verified (cached)");
        return;
    }
    if (bc->keys && ac_jwt_keyset_count(bc->keys) && is_jwt(tok)) {
        verify_jwt(bc, req, tok, res, p);
    }
    else if (bc->tokens) {
        verify_opaque(bc, req, tok, res, p);
    }
    else {
        invalid_token(res, "unknown token");
    }
    if (res->verdict == AC_OK) {
        ac_credcache_put(conf->credcache, "Bearer", conf->realm, "", tok,
                         ac_identity_encode(res->user, res->identity, p),
                         req->now, res->identity->exp, p);
    }
}

const ac_scheme ac_scheme_bearer = {
    "Bearer",
    bearer_usable,
    bearer_challenge,
    bearer_verify,
    1,
    NULL
};
