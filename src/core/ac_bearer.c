/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_bearer.h"
#include "ac_dpop.h"
#include "ac_asmeta.h"
#include "ac_authparam.h"
#include "ac_identity.h"
#include "ac_hash.h"
#include "ac_util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>

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
    bc->refresh = bc->min_refresh = bc->fetch_timeout = AC_UNSET;
    bc->introspect_cache = bc->max_age = AC_UNSET;
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
    c->jwks_file = add->keys ? add->jwks_file : base->jwks_file;
    MERGE_PTR(issuer);
    MERGE_PTR(audiences);
    MERGE_INT(leeway);
    MERGE_INT(require_exp);
    MERGE_PTR(user_claim);
    MERGE_PTR(tokens_name);
    MERGE_INT(transport);
    MERGE_PTR(metadata_url);
    MERGE_PTR(jwks_uri);
    /* the refresh interval and its minimum are one setting */
    c->min_refresh = add->refresh != AC_UNSET ? add->min_refresh
                                              : base->min_refresh;
    MERGE_INT(refresh);
    MERGE_PTR(ca_file);
    MERGE_INT(fetch_timeout);
    MERGE_PTR(introspect);
    MERGE_INT(introspect_cache);
    MERGE_PTR(resource);
    MERGE_PTR(resource_metadata);
    MERGE_PTR(scopes_supported);
    MERGE_INT(max_age);
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

/* "*" among the audiences accepts any on purpose; without
 * AuthChallengeBearerAudience the resource's identifier is the audience
 * (RFC 8707 §2). */
static void finish_audiences(ac_bearer_conf *bc, apr_pool_t *p)
{
    int i, any = 0;

    for (i = 0; bc->audiences && i < bc->audiences->nelts; i++) {
        any |= !strcmp(APR_ARRAY_IDX(bc->audiences, i, const char *), "*");
    }
    if (any) {
        bc->checks.audiences = NULL;
        return;
    }
    if (!bc->audiences && bc->resource) {
        apr_array_header_t *a = apr_array_make(p, 1, sizeof(const char *));

        APR_ARRAY_PUSH(a, const char *) = bc->resource;
        bc->audiences = a;
    }
    bc->checks.audiences = bc->audiences;
}

int ac_bearer_lacks_audience(const ac_bearer_conf *bc)
{
    return (bc->metadata_url || bc->jwks_uri || bc->jwks_file)
           && !bc->audiences && !bc->resource;
}

static void finish_source(ac_bearer_conf *bc, const ac_place *pl,
                          apr_pool_t *p)
{
    ac_keysource_conf kc;

    memset(&kc, 0, sizeof(kc));
    kc.metadata_url = bc->metadata_url;
    kc.jwks_uri = bc->jwks_uri;
    kc.issuer = bc->issuer;
    kc.file_keys = bc->keys;
    kc.http = bc->http;
    kc.refresh = bc->refresh;
    kc.min_refresh = bc->min_refresh;
    bc->source = ac_keysource_for(&kc, pl->state, pl->secret,
                                  pl->secret_len, p);
}

static const char *finish_check(const ac_bearer_conf *bc)
{
    if (ac_bearer_lacks_audience(bc)) {
        return "keys come from an authorization server and "
               "AuthChallengeBearerAudience is not set (RFC 9068 §4; "
               "\"AuthChallengeBearerAudience *\" accepts any audience)";
    }
    if (bc->introspect && !bc->introspect->url && !bc->metadata_url) {
        return "AuthChallengeBearerIntrospect auto needs "
               "AuthChallengeBearerMetadataURL";
    }
    if ((bc->metadata_url || bc->jwks_uri) && !bc->source) {
        return "cannot make the key source";
    }
    return NULL;
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
    bc->refresh = AC_GET(in->refresh, ac_default.jwks_refresh);
    bc->min_refresh = AC_GET(in->min_refresh, ac_default.jwks_min_refresh);
    bc->fetch_timeout = AC_GET(in->fetch_timeout, ac_default.fetch_timeout);
    bc->introspect_cache = AC_GET(in->introspect_cache,
                                  ac_default.introspect_cache);
    bc->max_age = AC_GET(in->max_age, 0);
    bc->rfc9068 = in->metadata_url || in->jwks_uri || in->jwks_file;
    bc->checks.issuer = bc->issuer;
    finish_audiences(bc, p);
    bc->checks.leeway = bc->leeway;
    bc->checks.require_exp = bc->require_exp;
    bc->checks.access_token_typ = bc->rfc9068;
    bc->http.ca_file = bc->ca_file;
    bc->http.timeout = bc->fetch_timeout;
    bc->tokens = token_backends(in->tokens_name, b, p);
    if (bc->metadata_url || bc->jwks_uri) {
        finish_source(bc, pl, p);
    }
    bc->unusable = finish_check(bc);      /* bearer_usable says why */
    if (bc->rfc9068 && !bc->issuer && !bc->metadata_url && b
        && b->warnings) {
        APR_ARRAY_PUSH(b->warnings, const char *) = "Bearer: keys of an "
            "authorization server without AuthChallengeBearerIssuer (nor "
            "a metadata URL to discover it): iss is not checked, which "
            "RFC 9068 §4 asks for";
    }
    return bc;
}

/* Everything a Bearer verdict depends on besides the credential: the
 * keys (their fingerprint; for fetched keys each verdict's stamp), every
 * claim check, the user claim, the token back-end and the authorization
 * server (docs/security.md, "Credential cache"). */
static const char *bearer_scope(const ac_place *pl, apr_pool_t *p)
{
    const ac_bearer_conf *bc = AC_OWN(pl, &ac_scheme_bearer);
    const char *tokens = bc->tokens ? ac_backend_list_scope(bc->tokens, p)
                                    : "-";
    const ac_introspect_conf *ic = bc->introspect;

    if (!tokens) {
        return NULL;
    }
    return apr_psprintf(p, "%s\n%s\n%s\n%" APR_TIME_T_FMT "\n%d\n%s\n%s\n"
                        "%d\n%s\n%s\n%s\n%s",
                        ac_jwt_keyset_fingerprint(bc->keys),
                        bc->issuer ? bc->issuer : "", bc->checks.audiences
                        ? apr_array_pstrcat(p, bc->checks.audiences, ' ')
                        : "*", bc->leeway, bc->require_exp, bc->user_claim,
                        tokens, bc->rfc9068,
                        bc->metadata_url ? bc->metadata_url : "",
                        bc->jwks_uri ? bc->jwks_uri : "",
                        ic && ic->url ? ic->url : "",
                        ic ? ic->client_id : "");
}

/* ---------------------------------------------------------- the scheme */

int ac_bearer_tokens_usable(const ac_bearer_conf *bc, const char **why)
{
    if (bc && bc->unusable) {
        *why = bc->unusable;
        return 0;
    }
    if (!bc || ((!bc->keys || !ac_jwt_keyset_count(bc->keys))
                && !bc->tokens && !bc->source && !bc->introspect)) {
        *why = "Bearer has no keys (AuthChallengeBearerJWKS, "
               "AuthChallengeBearerKey, AuthChallengeBearerMetadataURL or "
               "AuthChallengeBearerJWKSURI), no opaque tokens and no "
               "introspection";
        return 0;
    }
    return 1;
}

static int bearer_usable(const ac_place *pl, const char **why)
{
    /* AuthChallengeBearerDPoP Required: tokens come with DPoP only */
    if (ac_dpop_mode(pl) == AC_DPOP_REQUIRED) {
        *why = NULL;
        return 0;
    }
    return ac_bearer_tokens_usable(AC_OWN(pl, &ac_scheme_bearer), why);
}

static void bearer_challenge(const ac_place *pl,
                             const ac_request *req, const ac_result *res,
                             ac_challenges *out, apr_pool_t *p)
{
    const ac_bearer_conf *bc = AC_OWN(pl, &ac_scheme_bearer);
    ac_chal *c = ac_chal_new(p, "Bearer");

    ac_chal_quoted(c, "realm", pl->realm ? pl->realm : "");
    if (res && res->scheme && !strcmp(res->scheme, ac_scheme_bearer.name)) {
        ac_bearer_chal_error(c, res);
    }
    ac_bearer_chal_metadata(c, bc);
    ac_challenges_add(out, ac_chal_str(c));
}

void ac_bearer_chal_error(ac_chal *c, const ac_result *res)
{
    int i;

    if (res->verdict == AC_BAD_REQUEST) {
        ac_chal_quoted(c, "error", "invalid_request");
        ac_chal_quoted(c, "error_description", res->reason
                       ? res->reason : "malformed request");
        return;
    }
    if (!res->error) {
        return;
    }
    ac_chal_quoted(c, "error", res->error);
    if (res->error_description) {
        ac_chal_quoted(c, "error_description", res->error_description);
    }
    if (res->scope) {
        ac_chal_quoted(c, "scope", res->scope);
    }
    for (i = 0; res->params && i + 1 < res->params->nelts; i += 2) {
        ac_chal_quoted(c, APR_ARRAY_IDX(res->params, i, const char *),
                       APR_ARRAY_IDX(res->params, i + 1, const char *));
    }
}

void ac_bearer_chal_metadata(ac_chal *c, const ac_bearer_conf *bc)
{
    /* RFC 9728 §5.1: on every challenge, with or without an error */
    if (bc && bc->resource_metadata) {
        ac_chal_quoted(c, "resource_metadata", bc->resource_metadata);
    }
}

static void invalid_token(ac_result *res, const char *why)
{
    res->failed = 1;
    res->error = "invalid_token";
    res->error_description = why;
    ac_result_set(res, AC_CHALLENGE, why);
}

/* The one token of the request, or a 400 (RFC 6750 §3.1,
 * docs/bearer.md: empty, two tokens, a token in more than one
 * transport, bad characters). */
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

/* ---------------------------------------------------------- step-up */

static void add_param(ac_result *res, const char *name, const char *value,
                      apr_pool_t *p)
{
    if (!res->params) {
        res->params = apr_array_make(p, 4, sizeof(const char *));
    }
    APR_ARRAY_PUSH(res->params, const char *) = name;
    APR_ARRAY_PUSH(res->params, const char *) = value;
}

static void step_up(const ac_bearer_conf *bc, const char *acr_values,
                    ac_result *res, apr_pool_t *p)
{
    res->scheme = ac_scheme_bearer.name;
    res->error = "insufficient_user_authentication";
    /* the texts of RFC 9470 §3's examples */
    res->error_description = acr_values
        ? "A different authentication level is required"
        : "More recent authentication is required";
    if (acr_values) {
        add_param(res, "acr_values", acr_values, p);
    }
    if (bc && bc->max_age > 0) {
        add_param(res, "max_age", apr_psprintf(p, "%" APR_TIME_T_FMT,
                                               apr_time_sec(bc->max_age)),
                  p);
    }
    ac_result_set(res, AC_CHALLENGE, res->error_description);
}

void ac_bearer_step_up(const ac_place *pl, const ac_scheme *by,
                       const char *acr_values, ac_result *res, apr_pool_t *p)
{
    memset(res, 0, sizeof(*res));
    step_up(AC_OWN(pl, &ac_scheme_bearer), acr_values, res, p);
    /* a DPoP user is asked in the DPoP scheme (RFC 9449 §7.1) */
    res->scheme = by ? by->name : res->scheme;
}

/* 1 when the token's authentication is older than
 * AuthChallengeBearerMaxAge, or it does not say when it was
 * (auth_time, RFC 9470 §4). */
static int too_old(const ac_bearer_conf *bc, const ac_identity *id,
                   apr_time_t now)
{
    const char *at = id && id->claims ? apr_hash_get(id->claims, "auth_time",
                                                     APR_HASH_KEY_STRING)
                                      : NULL;
    char *end;
    double t;

    if (bc->max_age <= 0) {
        return 0;
    }
    t = at ? strtod(at, &end) : 0;
    if (!at || *end || t <= 0 || t > 253402300799.0) {
        return 1;
    }
    return now - (apr_time_t)(t * APR_USEC_PER_SEC) > bc->max_age;
}

/* The verdict for an identity, fresh or cached. */
static void take_identity(const ac_bearer_conf *bc,
                          const ac_request *req, const char *user,
                          ac_identity *id, const char *why, ac_result *res,
                          apr_pool_t *p)
{
    res->log_user = user;
    if (too_old(bc, id, req->now)) {
        step_up(bc, NULL, res, p);
        res->reason = "step-up: the authentication is older than "
                      "AuthChallengeBearerMaxAge";
        return;
    }
    res->user = user;
    res->identity = id;
    ac_result_set(res, AC_OK, why);
}

static int from_cache(const ac_credcache *cc, const char *label,
                      const ac_place *pl, const ac_request *req,
                      const char *tok, const char *stamp,
                      const char **user, ac_identity **id, int *health,
                      apr_pool_t *p)
{
    const char *cached;

    return ac_credcache_get(cc, label, pl->realm, "", tok, stamp, req->now,
                            &cached, health, p)
           && ac_identity_decode(cached, user, id, p);
}

static void to_cache(const ac_credcache *cc, const char *label,
                     const ac_place *pl, const ac_request *req,
                     const char *tok, const char *stamp,
                     ac_result *res, apr_pool_t *p)
{
    if (res->verdict == AC_OK && stamp) {
        ac_credcache_put(cc, label, pl->realm, "", tok, stamp,
                         ac_identity_encode(res->user, res->identity, p),
                         req->now, res->identity->exp, &res->credcache, p);
    }
}

/* ---------------------------------------------------------- introspection */

#define INTROSPECTION "Bearer introspection"

/* The answer's user: the user claim, or for "sub" its "username" when
 * it has no "sub" (RFC 7662 §2.2 has both). */
static const char *intro_user(const ac_bearer_conf *bc, const ac_jwt *j)
{
    const char *u = apr_hash_get(j->claims, bc->user_claim,
                                 APR_HASH_KEY_STRING);

    if (!u && !strcmp(bc->user_claim, "sub")) {
        u = apr_hash_get(j->claims, "username", APR_HASH_KEY_STRING);
    }
    return u;
}

/* An active answer against this place's rules: its times, issuer (when
 * the answer names one) and audiences, as a JWT's. */
static void intro_rules(const ac_bearer_conf *bc, const ac_request *req,
                        const char *issuer, ac_jwt *j, ac_result *res,
                        apr_pool_t *p)
{
    ac_jwt_checks chk = bc->checks;
    ac_identity *id = apr_pcalloc(p, sizeof(*id));
    const char *user = intro_user(bc, j), *why = NULL;
    ac_jwt_status st;

    chk.require_exp = 0;            /* the server said it is active */
    chk.issuer = apr_hash_get(j->claims, "iss", APR_HASH_KEY_STRING)
                 ? issuer : NULL;
    res->log_user = user;
    if ((st = ac_jwt_check_claims(j, &chk, req->now, &why)) != AC_JWT_OK) {
        invalid_token(res, ac_jwt_strerror(st));
        res->reason = why ? why : res->reason;
        return;
    }
    if (!user || !*user) {
        invalid_token(res, "token names no user");
        return;
    }
    id->scopes = j->scopes;
    id->claims = j->claims;
    id->exp = j->exp;
    id->claims_json = claims_text(j->json, p);
    take_identity(bc, req, user, id, "token introspected", res, p);
}

static void introspect(const ac_place *pl, const ac_bearer_conf *bc,
                       const ac_request *req, const char *tok,
                       const ac_keys *k, ac_result *res, apr_pool_t *p)
{
    const char *url = bc->introspect->url ? bc->introspect->url
                      : k ? k->introspection : NULL;
    const char *user, *why = NULL;
    ac_credcache ic;
    ac_identity *id;
    ac_intro_status st;
    ac_jwt j;

    memset(&ic, 0, sizeof(ic));
    if (pl->credcache) {
        ic = *pl->credcache;
    }
    ic.ttl = bc->introspect_cache;
    res->outage = url ? url : bc->metadata_url;
    if (url && from_cache(&ic, INTROSPECTION, pl, req, tok, url, &user,
                          &id, &res->credcache, p)) {
        take_identity(bc, req, user, id, "token introspected (cached)",
                      res, p);
        return;
    }
    st = ac_introspect(bc->introspect, url, &bc->http, tok, &j, &why, p);
    if (st == AC_INTRO_ERROR) {
        ac_result_set(res, AC_UNAVAILABLE, why);
        return;
    }
    if (st == AC_INTRO_INACTIVE) {
        invalid_token(res, "token not active");
        return;
    }
    intro_rules(bc, req, k ? k->issuer : bc->issuer, &j, res, p);
    to_cache(&ic, INTROSPECTION, pl, req, tok, url, res, p);
}

/* The keys of the authorization server (for the discovered endpoint and
 * issuer), or a 500 in res. */
static int server_keys(const ac_bearer_conf *bc, const ac_request *req,
                       const char *kid, ac_keys *k, ac_result *res,
                       apr_pool_t *p)
{
    const char *why = NULL;

    res->outage = ac_keysource_name(bc->source);
    if (ac_keysource_keys(bc->source, kid, req->now,
                          apr_time_now() + bc->fetch_timeout, k, &why, p)) {
        return 1;
    }
    ac_result_set(res, AC_UNAVAILABLE, apr_pstrcat(p, "no keys from ",
                  res->outage, ": ", why, NULL));
    return 0;
}

/* ---------------------------------------------------------- JWTs */

static void verify_jwt(const ac_bearer_conf *bc, const ac_request *req,
                       const ac_jwt_keyset *keys, const ac_jwt_checks *chk,
                       const char *tok, ac_jwt_status *st, ac_result *res,
                       apr_pool_t *p)
{
    const char *why = NULL, *user;
    ac_identity *id = apr_pcalloc(p, sizeof(*id));
    ac_jwt jwt;

    memset(&jwt, 0, sizeof(jwt));
    *st = ac_jwt_verify(keys, chk, tok, req->now, &jwt, &why, p);
    /* claims are there once the signature is good, even when a claim
     * check then fails: name the user in the log (docs/security.md) */
    user = jwt.claims ? apr_hash_get(jwt.claims, bc->user_claim,
                                     APR_HASH_KEY_STRING) : NULL;
    if (*st != AC_JWT_OK) {
        invalid_token(res, ac_jwt_strerror(*st));
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
    take_identity(bc, req, user, id, "token verified", res, p);
}

/* A JWT: keys from files or the authorization server; the verdict is
 * cached under the keys' stamp, so a rotation that drops a key ends the
 * verdicts it gave at once (docs/security.md, "Credential cache"). */
static void check_jwt(const ac_place *pl, const ac_bearer_conf *bc,
                      const ac_request *req, const char *tok,
                      const char *kid, ac_result *res, apr_pool_t *p)
{
    const ac_jwt_keyset *keys = bc->keys;
    ac_jwt_checks chk = bc->checks;
    const char *stamp = "", *user;
    ac_identity *id;
    ac_jwt_status st;
    ac_keys k;

    if (bc->source) {
        if (!server_keys(bc, req, kid, &k, res, p)) {
            return;
        }
        keys = k.keys;
        stamp = k.stamp;
        chk.issuer = chk.issuer ? chk.issuer : k.issuer;
    }
    if (from_cache(pl->credcache, "Bearer", pl, req, tok, stamp, &user, &id,
                   &res->credcache, p)) {
        take_identity(bc, req, user, id, "token verified (cached)", res, p);
        return;
    }
    verify_jwt(bc, req, keys, &chk, tok, &st, res, p);
    if (st == AC_JWT_NO_KEY && bc->introspect) {
        memset(res, 0, sizeof(*res));
        res->scheme = ac_scheme_bearer.name;
        introspect(pl, bc, req, tok, bc->source ? &k : NULL, res, p);
        return;
    }
    to_cache(pl->credcache, "Bearer", pl, req, tok, stamp, res, p);
}

/* ---------------------------------------------------------- opaque */

/* An opaque token of the back-end; 0 when it has none such (the
 * introspection may know it). */
static int verify_opaque(const ac_place *pl, const ac_bearer_conf *bc,
                         const ac_request *req, const char *tok,
                         ac_result *res, apr_pool_t *p)
{
    ac_identity *id = apr_pcalloc(p, sizeof(*id));
    const char *reason = NULL, *stamp = "", *user, *hash;
    ac_token t;
    ac_be_status st;

    hash = ac_sha256_hex(p, tok);
    /* an opaque token's verdict rests on its record (revocation) */
    if (ac_credcache_enabled(pl->credcache)) {
        stamp = ac_backend_stamp(bc->tokens, AC_STAMP_TOKEN, hash, p);
    }
    if (stamp && from_cache(pl->credcache, "Bearer", pl, req, tok, stamp,
                            &user, &id, &res->credcache, p)) {
        take_identity(bc, req, user, id, "token verified (cached)", res, p);
        return 1;
    }
    memset(&t, 0, sizeof(t));
    st = ac_backend_lookup_token(bc->tokens, hash, &t, &reason, p);
    AC_RESULT_BACKEND(res, st);
    if (st == AC_BE_ERROR) {
        ac_result_set(res, AC_UNAVAILABLE, reason);
        return 1;
    }
    if (st != AC_BE_OK) {
        if (bc->introspect) {
            return 0;
        }
        invalid_token(res, "unknown token");
        return 1;
    }
    res->log_user = t.user;
    if (t.exp && t.exp <= req->now) {
        invalid_token(res, "token expired");
        return 1;
    }
    id->scopes = t.scopes;
    id->claims = apr_hash_make(p);
    id->exp = t.exp;
    take_identity(bc, req, t.user, id, "token found", res, p);
    to_cache(pl->credcache, "Bearer", pl, req, tok, stamp, res, p);
    return 1;
}

static int is_jwt(const char *tok)
{
    const char *dot = strchr(tok, '.');

    return dot && strchr(dot + 1, '.') != NULL;
}

/* ---------------------------------------------------------- a token */

void ac_bearer_check_token(const ac_place *pl, const ac_bearer_conf *bc,
                           const ac_request *req, const char *tok,
                           ac_result *res, apr_pool_t *p)
{
    const char *kid = NULL;
    int jws = 0;
    ac_keys k;

    /* the header's kid, and whether it parses, matter only to keys of
     * an authorization server and to introspection: read for them */
    if (bc->source || bc->introspect) {
        jws = ac_jwt_peek(tok, &kid, p);
    }

    /* two dots and keys: a JWT, a malformed one unless it may be an
     * opaque token for the introspection endpoint */
    if (is_jwt(tok) && (jws || !bc->introspect)
        && ((bc->keys && ac_jwt_keyset_count(bc->keys)) || bc->source)) {
        check_jwt(pl, bc, req, tok, kid, res, p);
        return;
    }
    if (bc->tokens && verify_opaque(pl, bc, req, tok, res, p)) {
        return;
    }
    if (!bc->introspect) {
        invalid_token(res, "unknown token");
        return;
    }
    if (!bc->introspect->url && !server_keys(bc, req, NULL, &k, res, p)) {
        return;
    }
    introspect(pl, bc, req, tok, bc->introspect->url ? NULL : &k, res, p);
}

static void bearer_verify(const ac_place *pl, const ac_request *req,
                          const ac_credentials *cred, ac_result *res,
                          apr_pool_t *p)
{
    const ac_bearer_conf *bc = AC_OWN(pl, &ac_scheme_bearer);
    const char *tok = find_token(req, cred, res), *why = NULL;
    int proof_error;

    if (!tok) {
        return;
    }
    ac_bearer_check_token(pl, bc, req, tok, res, p);
    if (res->verdict == AC_OK
        && !ac_bearer_confirmed(res->identity, req, NULL, &why,
                                &proof_error, p)) {
        const char *user = res->user;

        res->user = NULL;
        res->identity = NULL;
        invalid_token(res, why);
        res->log_user = user;
    }
}

/* ---------------------------------------------------------- RFC 9728 */

static const char *metadata_issuer(const ac_bearer_conf *bc,
                                   const ac_state *state,
                                   const unsigned char *secret,
                                   apr_size_t slen, apr_pool_t *p)
{
    ac_bearer_conf f = *bc;
    ac_place pl;
    const char *why, *cand[2];
    ac_keys k;

    if (bc->issuer || !bc->metadata_url) {
        return bc->issuer;
    }
    memset(&pl, 0, sizeof(pl));
    pl.state = state;
    pl.secret = secret;
    pl.secret_len = slen;
    f.refresh = AC_GET(bc->refresh, ac_default.jwks_refresh);
    f.min_refresh = AC_GET(bc->min_refresh, ac_default.jwks_min_refresh);
    f.http.ca_file = bc->ca_file;
    f.http.timeout = AC_GET(bc->fetch_timeout, ac_default.fetch_timeout);
    finish_source(&f, &pl, p);
    if (f.source && ac_keysource_keys(f.source, NULL, apr_time_now(),
                                      apr_time_now() + f.http.timeout, &k,
                                      &why, p) && k.issuer) {
        return k.issuer;
    }
    /* not fetched yet: the issuer that the metadata URL names */
    return ac_asmeta_issuers_of(bc->metadata_url, cand, p) ? cand[0] : NULL;
}

const char *ac_bearer_resource_metadata(const ac_bearer_conf *bc,
                                        const ac_state *state,
                                        const unsigned char *secret,
                                        apr_size_t secret_len,
                                        const char **json, apr_pool_t *p)
{
    static const char *const methods[] = { "header", "body", "query" };
    const char *iss;
    json_t *o, *a;
    char *text;
    int i, t = AC_GET(bc->transport, ac_default.transport);

    if (!bc->resource) {
        return "AuthChallengeBearerResource is not set here";
    }
    iss = metadata_issuer(bc, state, secret, secret_len, p);
    o = json_object();
    json_object_set_new(o, "resource", json_string(bc->resource));
    if (iss) {
        json_object_set_new(o, "authorization_servers",
                            json_pack("[s]", iss));
    }
    a = json_array();
    for (i = 0; i < 3; i++) {
        if (t & (1 << i)) {                 /* AC_TRANSPORT_* order */
            json_array_append_new(a, json_string(methods[i]));
        }
    }
    json_object_set_new(o, "bearer_methods_supported", a);
    if (bc->scopes_supported) {
        a = json_array();
        for (i = 0; i < bc->scopes_supported->nelts; i++) {
            json_array_append_new(a, json_string(APR_ARRAY_IDX(
                bc->scopes_supported, i, const char *)));
        }
        json_object_set_new(o, "scopes_supported", a);
    }
    text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!text) {
        return "cannot write the metadata (a value is not UTF-8?)";
    }
    *json = apr_pstrdup(p, text);
    free(text);
    return NULL;
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
