/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_bearer.h"
#include "ac_authparam.h"
#include "ac_identity.h"
#include "ac_hash.h"
#include "ac_util.h"

#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include <jansson.h>

#define AC_BEARER_MAX_TOKEN 16384

int ac_bearer_is_b64token(const char *s)
{
    return ac_authparam_is_token68(s);
}

/* ---------------------------------------------------------- settings */

static void *bearer_conf_create(apr_pool_t *p)
{
    ac_bearer_conf *bc = apr_pcalloc(p, sizeof(*bc));

    bc->leeway = bc->require_exp = bc->transport = AC_UNSET;
    return bc;
}

#define MERGE_PTR(f) c->f = add->f ? add->f : base->f
#define MERGE_INT(f) c->f = add->f != AC_UNSET ? add->f : base->f

static void *bearer_conf_merge(apr_pool_t *p, const void *basev,
                               const void *addv)
{
    const ac_bearer_conf *base = basev, *add = addv;
    ac_bearer_conf *c = apr_pcalloc(p, sizeof(*c));

    MERGE_PTR(keys);
    MERGE_PTR(issuer);
    MERGE_PTR(audiences);
    MERGE_INT(leeway);
    MERGE_INT(require_exp);
    MERGE_PTR(user_claim);
    MERGE_PTR(tokens_name);
    MERGE_INT(transport);
    return c;
}

/* Opaque tokens: the back-end AuthChallengeBearerTokens names, as
 * configured here (AuthChallengeProvider need not list it). */
static const ac_backend_list *token_backends(const char *name,
                                             ac_place_builder *b,
                                             apr_pool_t *p)
{
    ac_backend_list *list;
    const ac_backend *be;

    if (!name || !strcasecmp(name, "off")) {
        return NULL;
    }
    if (!b || !b->backend || !(be = b->backend(b->ctx, name))) {
        if (b && b->warnings) {
            APR_ARRAY_PUSH(b->warnings, const char *) = apr_pstrcat(p,
                "AuthChallengeBearerTokens ", name, ": that back-end is "
                "not configured here", NULL);
        }
        return NULL;
    }
    list = apr_pcalloc(p, sizeof(*list));
    list->items = apr_pcalloc(p, sizeof(*list->items));
    list->items[0] = be;
    list->count = 1;
    return list;
}

static const void *bearer_conf_finish(const void *own, const ac_place *pl,
                                      ac_place_builder *b, apr_pool_t *p)
{
    const ac_bearer_conf *in = own;
    ac_bearer_conf *bc = apr_pmemdup(p, in, sizeof(*bc));

    bc->leeway = AC_GET(in->leeway, ac_default.leeway);
    bc->require_exp = AC_GET(in->require_exp, ac_default.require_exp);
    bc->user_claim = in->user_claim ? in->user_claim
                                    : ac_default.user_claim;
    bc->transport = AC_GET(in->transport, ac_default.transport);
    bc->checks.issuer = bc->issuer;
    bc->checks.audiences = bc->audiences;
    bc->checks.leeway = bc->leeway;
    bc->checks.require_exp = bc->require_exp;
    bc->tokens = token_backends(in->tokens_name, b, p);
    return bc;
}

/* Everything a Bearer verdict depends on besides the credential: the
 * keys (their fingerprint), every claim check, the user claim and the
 * token back-end (docs/security.md, "Credential cache"). */
static const char *bearer_scope(const ac_place *pl, apr_pool_t *p)
{
    const ac_bearer_conf *bc = AC_OWN(pl, &ac_scheme_bearer);
    const char *tokens = bc->tokens ? ac_backend_list_scope(bc->tokens, p)
                                    : "-";

    if (!tokens) {
        return NULL;
    }
    return apr_psprintf(p, "%s\n%s\n%s\n%" APR_TIME_T_FMT "\n%d\n%s\n%s",
                        ac_jwt_keyset_fingerprint(bc->keys),
                        bc->issuer ? bc->issuer : "", bc->audiences
                        ? apr_array_pstrcat(p, bc->audiences, ' ') : "",
                        bc->leeway, bc->require_exp, bc->user_claim,
                        tokens);
}

/* ---------------------------------------------------------- the scheme */

static int bearer_usable(const ac_place *pl, const char **why)
{
    const ac_bearer_conf *bc = AC_OWN(pl, &ac_scheme_bearer);

    if (!bc || ((!bc->keys || !ac_jwt_keyset_count(bc->keys))
                && !bc->tokens)) {
        *why = "Bearer has no keys (AuthChallengeBearerJWKS or "
               "AuthChallengeBearerKey) and no opaque tokens";
        return 0;
    }
    return 1;
}

static void bearer_challenge(const ac_place *pl,
                             const ac_request *req, const ac_result *res,
                             ac_challenges *out, apr_pool_t *p)
{
    ac_chal *c = ac_chal_new(p, "Bearer");
    int mine = res && res->scheme && !strcmp(res->scheme, "Bearer");

    ac_chal_quoted(c, "realm", pl->realm ? pl->realm : "");
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

/* The one token of the request, or a 400 (RFC 6750 §3.1, docs/bearer.md: empty, two tokens,
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
     * check then fails: name the user in the log (docs/security.md) */
    user = jwt.claims ? apr_hash_get(jwt.claims, bc->user_claim,
                                     APR_HASH_KEY_STRING) : NULL;
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
    AC_RESULT_BACKEND(res, st);
    if (st == AC_BE_ERROR) {
        ac_result_set(res, AC_UNAVAILABLE, reason);
        return;
    }
    if (st != AC_BE_OK) {
        invalid_token(res, "unknown token");
        return;
    }
    res->log_user = t.user;
    if (t.exp && t.exp <= req->now) {
        invalid_token(res, "token expired");
        return;
    }
    id->scopes = t.scopes;
    id->claims = apr_hash_make(p);
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

static void bearer_verify(const ac_place *pl, const ac_request *req,
                          const ac_credentials *cred, ac_result *res,
                          apr_pool_t *p)
{
    const ac_bearer_conf *bc = AC_OWN(pl, &ac_scheme_bearer);
    const char *tok = find_token(req, cred, res), *cached, *user;
    const char *stamp = "";
    int jwt;
    ac_identity *id;

    if (!tok) {
        return;
    }
    jwt = bc->keys && ac_jwt_keyset_count(bc->keys) && is_jwt(tok);
    /* an opaque token's verdict rests on its record (revocation) */
    if (!jwt && bc->tokens && ac_credcache_enabled(pl->credcache)) {
        stamp = ac_backend_stamp(bc->tokens, AC_STAMP_TOKEN,
                                 ac_sha256_hex(p, tok), p);
    }
    if (stamp && ac_credcache_get(pl->credcache, "Bearer", pl->realm,
                                  "", tok, stamp, req->now, &cached, p)
        && ac_identity_decode(cached, &user, &id, p)) {
        res->user = res->log_user = user;
        res->identity = id;
        ac_result_set(res, AC_OK, "token verified (cached)");
        return;
    }
    if (jwt) {
        verify_jwt(bc, req, tok, res, p);
    }
    else if (bc->tokens) {
        verify_opaque(bc, req, tok, res, p);
    }
    else {
        invalid_token(res, "unknown token");
    }
    if (res->verdict == AC_OK && stamp) {
        ac_credcache_put(pl->credcache, "Bearer", pl->realm, "", tok,
                         stamp,
                         ac_identity_encode(res->user, res->identity, p),
                         req->now, res->identity->exp, p);
    }
}

const ac_scheme ac_scheme_bearer = {
    .name = "Bearer",               /* RFC 6750 */
    .auth_type = "Bearer",
    .by_default = 1,
    .conf_create = bearer_conf_create,
    .conf_merge = bearer_conf_merge,
    .conf_finish = bearer_conf_finish,
    .scope = bearer_scope,
    .usable = bearer_usable,
    .challenge = bearer_challenge,
    .verify = bearer_verify,
    .challenge_on_error = 1,
    .takes_other_token = 1,
};
