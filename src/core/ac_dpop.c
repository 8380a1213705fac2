/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The DPoP scheme (RFC 9449 §7; ac_dpop.h, docs/bearer.md "DPoP").
 */
#include "ac_dpop.h"
#include "ac_bearer.h"
#include "ac_defaults.h"
#include "ac_dpop_proof.h"
#include "ac_hash.h"
#include "ac_nonce.h"
#include "ac_util.h"

#include <string.h>
#include <apr_strings.h>

/* The MAC of a DPoP server nonce covers this in the place of Digest's
 * opaque: a Digest nonce is no DPoP nonce, nor the other way round. */
#define NONCE_DOMAIN "DPoP-Nonce"

/* ---------------------------------------------------------- settings */

static void *dpop_conf_create(apr_pool_t *p)
{
    ac_dpop_conf *dc = apr_pcalloc(p, sizeof(*dc));

    dc->mode = dc->nonce = AC_UNSET;
    dc->window = dc->nonce_lifetime = AC_UNSET;
    return dc;
}

static void *dpop_conf_merge(apr_pool_t *p, const void *basev,
                             const void *addv)
{
    const ac_dpop_conf *base = basev, *add = addv;
    ac_dpop_conf *c = apr_pcalloc(p, sizeof(*c));

    c->mode = add->mode != AC_UNSET ? add->mode : base->mode;
    c->nonce = add->nonce != AC_UNSET ? add->nonce : base->nonce;
    c->window = add->window != AC_UNSET ? add->window : base->window;
    c->nonce_lifetime = AC_UNSET;
    return c;
}

static const void *dpop_conf_finish(const void *own, const ac_place *pl,
                                    ac_place_builder *b, apr_pool_t *p)
{
    const ac_dpop_conf *in = own;
    ac_dpop_conf *dc = apr_pcalloc(p, sizeof(*dc));

    dc->mode = AC_GET(in->mode, ac_default.dpop_mode);
    dc->nonce = AC_GET(in->nonce, ac_default.dpop_nonce);
    dc->window = AC_GET(in->window, ac_default.dpop_window);
    dc->nonce_lifetime = ac_default.dpop_nonce_lifetime;
    return dc;
}

int ac_dpop_mode(const ac_place *pl)
{
    const ac_dpop_conf *dc = AC_OWN(pl, &ac_scheme_dpop);

    return dc ? dc->mode : AC_DPOP_OFF;
}

/* ---------------------------------------------------------- the scheme */

static int dpop_usable(const ac_place *pl, const char **why)
{
    const ac_dpop_conf *dc = AC_OWN(pl, &ac_scheme_dpop);

    if (!dc || dc->mode == AC_DPOP_OFF) {
        *why = NULL;                    /* switched off: not a word */
        return 0;
    }
    /* the token is checked with Bearer's settings */
    if (!ac_bearer_tokens_usable(AC_OWN(pl, &ac_scheme_bearer), why)) {
        return 0;
    }
    if (!pl->state || !pl->state->add || !pl->state->generation) {
        *why = "DPoP needs the shared state (AuthChallengeCache) to see "
               "each proof once";
        return 0;
    }
    return 1;
}

static void dpop_challenge(const ac_place *pl, const ac_request *req,
                           const ac_result *res, ac_challenges *out,
                           apr_pool_t *p)
{
    ac_chal *c = ac_chal_new(p, "DPoP");

    /* RFC 9449 §7.1: error and error_description as RFC 6750 §3, then
     * the algorithms a proof may use */
    if (res && res->scheme && !strcmp(res->scheme, ac_scheme_dpop.name)) {
        ac_bearer_chal_error(c, res);
    }
    else if (res && res->verdict == AC_CHALLENGE && res->scheme
             && !strcasecmp(res->scheme, ac_scheme_bearer.name)
             && ac_dpop_mode(pl) == AC_DPOP_REQUIRED) {
        /* a token sent as Bearer where only DPoP is taken: say why it
         * is refused, rather than ask as if none had come */
        ac_chal_quoted(c, "error", "invalid_token");
        ac_chal_quoted(c, "error_description", "DPoP is required here: "
                       "send the token with the DPoP scheme and a proof");
    }
    ac_chal_quoted(c, "algs", AC_DPOP_ALGS);
    ac_bearer_chal_metadata(c, AC_OWN(pl, &ac_scheme_bearer));
    ac_challenges_add(out, ac_chal_str(c));
}

/* ---------------------------------------------------------- refusals */

static void refuse(ac_result *res, const char *error, const char *desc,
                   const char *why)
{
    res->failed = 1;
    res->error = error;
    res->error_description = desc;
    ac_result_set(res, AC_CHALLENGE, why ? why : desc);
}

/* RFC 9449 §7.1 */
static void bad_proof(ac_result *res, const char *desc, const char *why)
{
    refuse(res, "invalid_dpop_proof", desc, why);
}

/* A fresh server nonce (RFC 9449 §9), in the shared state's generation
 * of a group of its own; NULL when none can be made. */
static const char *new_nonce(const ac_place *pl, apr_time_t now,
                             apr_pool_t *p)
{
    unsigned char r[AC_NONCE_RAND_LEN];
    char group[AC_NONCE_GROUP_LEN];
    apr_uint64_t gen = 0;
    const ac_state *st = pl->state;

    if (!ac_nonce_draw(NULL, r, group)) {
        return NULL;
    }
    if (st->generation(st->ctx, group, 0, &gen, p) != AC_STATE_OK) {
        gen = 0;            /* checked against the store: refused then */
    }
    return ac_nonce_issue(p, pl->secret, pl->secret_len,
                          pl->realm ? pl->realm : "", NONCE_DOMAIN, now,
                          gen, r);
}

/* 401 use_dpop_nonce with a DPoP-Nonce to use (RFC 9449 §9). */
static void need_nonce(const ac_place *pl, const ac_request *req,
                       ac_result *res, const char *why, apr_pool_t *p)
{
    const char *n = new_nonce(pl, req->now, p);

    refuse(res, "use_dpop_nonce", "Resource server requires nonce in DPoP "
           "proof", why);
    res->failed = 0;            /* the normal first round, no failure */
    if (n) {
        ac_result_header(res, "DPoP-Nonce", n, p);
    }
}

static ac_nonce_status nonce_verify(const ac_place *pl, const ac_dpop_conf
                                    *dc, const char *nonce, apr_time_t now,
                                    ac_nonce_info *info, apr_pool_t *p)
{
    const char *realm = pl->realm ? pl->realm : "";
    ac_nonce_status st = ac_nonce_verify(p, pl->secret, pl->secret_len,
                                         nonce, realm, NONCE_DOMAIN, now,
                                         dc->nonce_lifetime, info);

    if (st == AC_NONCE_BAD && pl->secret_prev) {
        st = ac_nonce_verify(p, pl->secret_prev, pl->secret_prev_len, nonce,
                             realm, NONCE_DOMAIN, now, dc->nonce_lifetime,
                             info);
    }
    return st;
}

/*
 * The proof's jti, once (RFC 9449 §11.1): an atomic add in the shared
 * state, keyed by the key's thumbprint and the jti, kept while the
 * proof's iat is in the window.  A store that lost what it held since
 * (a new generation) cannot tell a replay: with server nonces, a nonce
 * of an older generation is answered with use_dpop_nonce; without
 * them, a proof made before the store's generation began is refused.
 * 1 when the proof is new.
 */
static int jti_once(const ac_place *pl, const ac_dpop_conf *dc,
                    const ac_request *req, const ac_dpop_proof *proof,
                    const ac_nonce_info *ni, ac_result *res, apr_pool_t *p)
{
    const ac_state *st = pl->state;
    const char *h = ac_sha256_hex(p, apr_pstrcat(p, proof->jkt, "\n",
                                                 proof->jti, NULL));
    const char *key = apr_pstrcat(p, "dpop:", h, NULL);
    const char *group = ni ? ni->group : apr_pstrndup(p, h, 16);
    apr_time_t expiry = proof->iat + dc->window + apr_time_from_sec(1);
    ac_state_status s;
    apr_uint64_t gen;

    s = st->add(st->ctx, group, (const unsigned char *)key, strlen(key),
                (const unsigned char *)"1", 1, expiry, p);
    if (s == AC_STATE_OK || s == AC_STATE_EXISTS) {
        s = s == AC_STATE_EXISTS ? s
            : st->generation(st->ctx, group, 1, &gen, p);
    }
    if (s == AC_STATE_ERROR) {
        res->state = -1;
        ac_result_set(res, AC_UNAVAILABLE, "the shared state is unusable: "
                      "DPoP proofs cannot be checked for replay");
        return 0;
    }
    res->state = 1;
    if (s == AC_STATE_EXISTS) {
        bad_proof(res, "DPoP proof replayed", "DPoP proof jti seen before");
        return 0;
    }
    if (ni && ni->gen != gen) {
        need_nonce(pl, req, res, "DPoP nonce from before the shared state "
                   "lost its proofs (flush, restart)", p);
        return 0;
    }
    if (!ni && proof->iat < apr_time_from_sec(AC_STATE_GEN_SINCE(gen) + 1)) {
        bad_proof(res, "DPoP proof made before the server's replay state "
                  "began", "DPoP proof iat before the shared state's "
                  "generation began (flush, restart)");
        return 0;
    }
    return 1;
}

/* ---------------------------------------------------------- verify */

static void dpop_verify(const ac_place *pl, const ac_request *req,
                        const ac_credentials *cred, ac_result *res,
                        apr_pool_t *p)
{
    const ac_dpop_conf *dc = AC_OWN(pl, &ac_scheme_dpop);
    const ac_bearer_conf *bc = AC_OWN(pl, &ac_scheme_bearer);
    ac_nonce_info ni, *nip = NULL;
    ac_dpop_expect x;
    ac_dpop_proof proof;
    const char *tok, *why = NULL;
    int proof_error = 0;
    ac_dpop_status ps;

    if (!cred || !cred->token68 || cred->params->nelts
        || !ac_bearer_is_b64token(cred->token68)) {
        ac_result_set(res, AC_BAD_REQUEST, "no token");
        return;
    }
    tok = cred->token68;
    /* RFC 9449 §4.3 check 1: exactly one DPoP header field */
    if (req->dpop_count != 1) {
        bad_proof(res, req->dpop_count ? "more than one DPoP proof"
                                       : "no DPoP proof", NULL);
        return;
    }
    x.method = req->method;
    x.url = req->url;
    x.token = tok;
    x.now = req->now;
    x.window = dc->window;
    if ((ps = ac_dpop_proof_check(req->dpop_proof, &x, &proof, &why, p))
        != AC_DPOP_OK) {
        bad_proof(res, ac_dpop_strerror(ps), why);
        return;
    }
    if (dc->nonce) {
        if (!proof.nonce) {
            need_nonce(pl, req, res, "DPoP proof without a server nonce", p);
            return;
        }
        switch (nonce_verify(pl, dc, proof.nonce, req->now, &ni, p)) {
        case AC_NONCE_OK:
            nip = &ni;
            break;
        case AC_NONCE_STALE:
            need_nonce(pl, req, res, "DPoP nonce expired", p);
            return;
        default:
            need_nonce(pl, req, res, "DPoP nonce not ours", p);
            return;
        }
    }
    ac_bearer_check_token(pl, bc, req, tok, res, p);
    res->scheme = ac_scheme_dpop.name;
    if (res->verdict != AC_OK) {
        return;
    }
    if (!ac_bearer_confirmed(res->identity, req, proof.jkt, &why,
                             &proof_error, p)) {
        ac_result r = *res;

        memset(res, 0, sizeof(*res));
        res->scheme = r.scheme;
        res->log_user = r.user;
        if (proof_error) {
            bad_proof(res, why, NULL);
        }
        else {
            refuse(res, "invalid_token", why, NULL);
        }
        return;
    }
    if (!jti_once(pl, dc, req, &proof, nip, res, p)) {
        res->user = NULL;
        res->identity = NULL;
        return;
    }
    /* RFC 9449 §8.2: a new nonce before this one expires */
    if (nip && req->now - nip->issued > dc->nonce_lifetime / 2) {
        const char *n = new_nonce(pl, req->now, p);

        if (n) {
            ac_result_header(res, "DPoP-Nonce", n, p);
        }
    }
}

const ac_scheme ac_scheme_dpop = {
    .name = "DPoP",
    .auth_type = "Bearer",
    .needs_provider = 0,
    .by_default = 1,
    .uses = &ac_scheme_bearer,
    .conf_create = dpop_conf_create,
    .conf_merge = dpop_conf_merge,
    .conf_finish = dpop_conf_finish,
    .scope = NULL,
    .usable = dpop_usable,
    .challenge = dpop_challenge,
    .verify = dpop_verify,
    .challenge_on_error = 1,
    .takes_other_token = 0,
    .wants_body = NULL,
};
