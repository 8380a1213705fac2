/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_digest.h"
#include "ac_replay.h"
#include "ac_defaults.h"
#include "ac_util.h"

#include <stdlib.h>
#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>

/* ---------------------------------------------------------------- conf */

static void *digest_conf_create(apr_pool_t *p)
{
    ac_digest_conf *dc = apr_pcalloc(p, sizeof(*dc));

    dc->qop_auth = dc->qop_auth_int = dc->userhash = AC_UNSET;
    dc->nonce_lifetime = dc->replay_check = AC_UNSET;
    return dc;
}

#define MERGE_PTR(f) c->f = add->f ? add->f : base->f
#define MERGE_INT(f) c->f = add->f != AC_UNSET ? add->f : base->f

static void *digest_conf_merge(apr_pool_t *p, const void *basev,
                               const void *addv)
{
    const ac_digest_conf *base = basev, *add = addv;
    ac_digest_conf *c = apr_pcalloc(p, sizeof(*c));

    MERGE_PTR(algorithms);
    /* the qop list is one setting */
    c->qop_auth = add->qop_auth != AC_UNSET ? add->qop_auth
                                            : base->qop_auth;
    c->qop_auth_int = add->qop_auth != AC_UNSET ? add->qop_auth_int
                                                : base->qop_auth_int;
    MERGE_INT(userhash);
    MERGE_PTR(domain);
    MERGE_INT(nonce_lifetime);
    MERGE_INT(replay_check);
    MERGE_PTR(rnd);
    return c;
}

/* 1 when some back-end of pl keeps HA1 values of base algorithm alg
 * (httpd's authn providers know MD5 only). */
static int servable(const ac_place *pl, const char *alg)
{
    int i;

    for (i = 0; pl->backends && i < pl->backends->count; i++) {
        const char *only = pl->backends->items[i]->ha1_only;
        if (!only || !strcasecmp(only, alg)) {
            return 1;
        }
    }
    return 0;
}

/* The configured algorithms (the defaults when none), leaving out
 * those no back-end here can serve. */
static apr_array_header_t *offered_algs(const ac_digest_conf *dc,
                                        const ac_place *pl,
                                        ac_place_builder *b, apr_pool_t *p)
{
    apr_array_header_t *out = apr_array_make(p, 4,
                                             sizeof(const ac_hash_alg *));
    const apr_array_header_t *in = dc->algorithms;
    int i;

    if (!in) {
        ac_hash_parse_list(ac_default.digest_algorithms, &in, p);
    }
    for (i = 0; i < in->nelts; i++) {
        const ac_hash_alg *a = APR_ARRAY_IDX(in, i, const ac_hash_alg *);

        if (servable(pl, a->base)) {
            APR_ARRAY_PUSH(out, const ac_hash_alg *) = a;
        }
        else if (b && b->warnings) {
            APR_ARRAY_PUSH(b->warnings, const char *) = apr_pstrcat(p,
                "Digest ", a->name, " is not offered here: httpd authn "
                "providers have MD5 HA1s only", NULL);
        }
    }
    return out;
}

static const void *digest_conf_finish(const void *own, const ac_place *pl,
                                      ac_place_builder *b, apr_pool_t *p)
{
    const ac_digest_conf *in = own;
    ac_digest_conf *dc = apr_pmemdup(p, in, sizeof(*dc));

    dc->algorithms = offered_algs(in, pl, b, p);
    if (in->qop_auth == AC_UNSET) {
        dc->qop_auth = ac_default.qop_auth;
        dc->qop_auth_int = ac_default.qop_auth_int;
    }
    dc->userhash = AC_GET(in->userhash, ac_default.userhash);
    dc->nonce_lifetime = AC_GET(in->nonce_lifetime,
                                ac_default.nonce_lifetime);
    dc->replay_check = AC_GET(in->replay_check, ac_default.replay_check);
    return dc;
}

ac_digest_conf *ac_digest_conf_make(apr_pool_t *p)
{
    static const ac_place none;
    ac_place all = none;
    const ac_backend any = { .name = "any" };
    const ac_backend *items[] = { &any };
    const ac_backend_list list = { items, 1 };

    all.backends = &list;
    return (ac_digest_conf *)digest_conf_finish(digest_conf_create(p), &all,
                                                NULL, p);
}

static const char *realm_of(const ac_place *pl)
{
    return pl->realm ? pl->realm : "";
}

/* The configured entry named name (case-insensitive), or NULL. */
static const ac_hash_alg *offered_alg(const ac_digest_conf *dc,
                                      const char *name)
{
    int i;

    for (i = 0; dc->algorithms && i < dc->algorithms->nelts; i++) {
        const ac_hash_alg *a =
            APR_ARRAY_IDX(dc->algorithms, i, const ac_hash_alg *);
        if (a && !strcasecmp(a->name, name)) {
            return a;
        }
    }
    return NULL;
}

/* ------------------------------------------------------ pure functions */

const char *ac_digest_response(apr_pool_t *p, const ac_hash_alg *alg,
                               const char *ha1, const char *nonce,
                               const char *nc, const char *cnonce,
                               const char *qop, const char *method,
                               const char *uri, const char *body_hash)
{
    const char *ha2;

    if (alg->sess) {
        ha1 = ac_hash_hex(p, alg, ha1, nonce, cnonce, NULL);
    }
    ha2 = body_hash ? ac_hash_hex(p, alg, method, uri, body_hash, NULL)
                    : ac_hash_hex(p, alg, method, uri, NULL);
    if (!ha1 || !ha2) {
        return NULL;
    }
    return ac_hash_hex(p, alg, ha1, nonce, nc, cnonce, qop, ha2, NULL);
}

/* RFC 8187 attr-char */
static int is_attr_char(unsigned char c)
{
    return apr_isalnum(c) || (c && strchr("!#$&+-.^_`|~", c));
}

static int hexval(unsigned char c)
{
    return apr_isdigit(c) ? c - '0' : apr_tolower(c) - 'a' + 10;
}

/* value-chars of an ext-value into out; the length, or -1. */
static long pct_decode(const char *s, char *out)
{
    char *w = out;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '%') {
            if (!apr_isxdigit((unsigned char)s[1])
                || !apr_isxdigit((unsigned char)s[2])) {
                return -1;
            }
            *w++ = (char)(hexval((unsigned char)s[1]) * 16
                          + hexval((unsigned char)s[2]));
            s += 2;
        }
        else if (is_attr_char(c)) {
            *w++ = (char)c;
        }
        else {
            return -1;
        }
    }
    *w = '\0';
    return (long)(w - out);
}

const char *ac_digest_decode_ext(apr_pool_t *p, const char *ext)
{
    const char *lang, *s;
    char *out;
    long n;

    if (!ext || strncasecmp(ext, "UTF-8'", 6)) {
        return NULL;            /* RFC 8187: only UTF-8 is required */
    }
    lang = ext + 6;
    for (s = lang; *s && *s != '\''; s++) {
        if (!apr_isalnum((unsigned char)*s) && *s != '-') {
            return NULL;
        }
    }
    if (*s != '\'') {
        return NULL;
    }
    out = apr_palloc(p, strlen(s + 1) + 1);
    n = pct_decode(s + 1, out);
    if (n < 0 || !ac_utf8_valid(out, (apr_size_t)n)
        || ac_has_ctl(out, (apr_size_t)n)) {
        return NULL;
    }
    return out;
}

int ac_digest_wants_body(const ac_credentials *cred)
{
    const ac_param *qop;

    if (!cred || !cred->scheme || strcasecmp(cred->scheme, "Digest")) {
        return 0;
    }
    qop = ac_authparam_find(cred, "qop");
    return qop && !strcmp(qop->value, "auth-int");
}

/* ----------------------------------------------------------- challenge */

static const char *qop_list(const ac_digest_conf *dc)
{
    if (dc->qop_auth && dc->qop_auth_int) {
        return "auth, auth-int";
    }
    return dc->qop_auth_int ? "auth-int" : "auth";
}

static const char *one_challenge(const ac_place *pl,
                                 const ac_hash_alg *alg, const char *nonce,
                                 const char *opaque, int stale,
                                 apr_pool_t *p)
{
    const ac_digest_conf *dc = AC_OWN(pl, &ac_scheme_digest);
    ac_chal *c = ac_chal_new(p, "Digest");

    ac_chal_quoted(c, "realm", realm_of(pl));
    ac_chal_quoted(c, "qop", qop_list(dc));
    ac_chal_token(c, "algorithm", alg->name);
    ac_chal_quoted(c, "nonce", nonce);
    ac_chal_quoted(c, "opaque", opaque);
    if (pl->charset_utf8) {
        ac_chal_token(c, "charset", "UTF-8");
    }
    if (dc->userhash) {
        ac_chal_token(c, "userhash", "true");
    }
    if (dc->domain) {
        ac_chal_quoted(c, "domain", dc->domain);
    }
    if (stale) {
        ac_chal_token(c, "stale", "true");
    }
    return ac_chal_str(c);
}

/* A fresh nonce for pl, with the opaque of its realm: it carries the
 * shared state's generation when the replay check is on (the one this
 * process saw last: issuing asks the store only when it knows none).
 * NULL when there is no safe nonce (no secret, the RNG failed). */
static const char *new_nonce(const ac_place *pl, const ac_digest_conf *dc,
                             const char *realm, const char *opaque,
                             apr_time_t now, apr_pool_t *p)
{
    unsigned char r[AC_NONCE_RAND_LEN];
    char group[AC_NONCE_GROUP_LEN];
    apr_uint64_t gen = 0;
    const ac_state *st = pl->state;

    if (!opaque || !ac_nonce_draw(dc->rnd, r, group)) {
        return NULL;
    }
    if (dc->replay_check && st && st->generation
        && st->generation(st->ctx, group, 0, &gen, p) != AC_STATE_OK) {
        gen = 0;        /* checked against the store: stale then */
    }
    return ac_nonce_issue(p, pl->secret, pl->secret_len, realm, opaque,
                          now, gen, r);
}

/* One challenge per configured algorithm, all with one fresh nonce.
 * Without a secret or when the RNG fails there is no safe nonce: then
 * no Digest challenge at all (the glue still answers 401/407). */
static void digest_challenge(const ac_place *pl,
                             const ac_request *req, const ac_result *res,
                             ac_challenges *out, apr_pool_t *p)
{
    const ac_digest_conf *dc = AC_OWN(pl, &ac_scheme_digest);
    const char *opaque, *nonce;
    int i, stale;

    if (!dc || !dc->algorithms) {
        return;
    }
    opaque = ac_nonce_opaque(p, pl->secret, pl->secret_len,
                             realm_of(pl));
    nonce = new_nonce(pl, dc, realm_of(pl), opaque, req->now, p);
    if (!nonce) {
        return;
    }
    stale = res && res->stale && res->scheme
            && !strcasecmp(res->scheme, "Digest");
    for (i = 0; i < dc->algorithms->nelts; i++) {
        const ac_hash_alg *a =
            APR_ARRAY_IDX(dc->algorithms, i, const ac_hash_alg *);
        ac_challenges_add(out, one_challenge(pl, a, nonce, opaque, stale,
                                             p));
    }
}

static int digest_usable(const ac_place *pl, const char **why)
{
    const ac_digest_conf *dc = AC_OWN(pl, &ac_scheme_digest);
    const char *msg = NULL;

    if (!dc) {
        msg = "Digest is not configured";
    }
    else if (!dc->algorithms || !dc->algorithms->nelts) {
        msg = "no Digest algorithm configured";
    }
    else if (!dc->qop_auth && !dc->qop_auth_int) {
        msg = "no Digest qop configured";
    }
    if (why) {
        *why = msg;
    }
    return msg == NULL;
}

/* -------------------------------------------------------------- verify */

/* One verification: the inputs, the credentials' fields, what is
 * learned on the way. */
typedef struct {
    const ac_place *pl;
    const ac_digest_conf *dc;
    const ac_request *req;
    ac_result *res;
    apr_pool_t *p;
    const ac_credentials *cred;
    /* as sent (username* already decoded) */
    const char *username, *realm, *nonce, *uri, *response, *cnonce,
               *opaque, *qop, *nc;
    int ext;                    /* username came as username*         */
    int userhash;
    apr_uint32_t ncv;
    /* learned */
    const ac_hash_alg *alg;
    const char *user;           /* the real user name                 */
    const char *ha1;            /* H(user:realm:password), hex        */
    const char *body_hash;      /* auth-int only                      */
    ac_nonce_info nonce_info;   /* issue time, generation, group      */
    int stale;
} dg_ctx;

static int bad(dg_ctx *x, const char *why)
{
    ac_result_set(x->res, AC_BAD_REQUEST, why);
    return 0;
}

static int refuse(dg_ctx *x, const char *why)
{
    x->res->failed = 1;
    ac_result_set(x->res, AC_CHALLENGE, why);
    return 0;
}

static int unavailable(dg_ctx *x, const char *why)
{
    ac_result_set(x->res, AC_UNAVAILABLE, why);
    return 0;
}

static const char *param(const dg_ctx *x, const char *name)
{
    const ac_param *prm = ac_authparam_find(x->cred, name);
    return prm ? prm->value : NULL;
}

static int parse_username(dg_ctx *x)
{
    const ac_param *plain = ac_authparam_find(x->cred, "username");
    const ac_param *ext = ac_authparam_find(x->cred, "username*");
    apr_size_t n;

    if (plain && ext) {
        return bad(x, "both username and username*");
    }
    if (ext) {
        x->ext = 1;
        x->username = ext->quoted ? NULL
                      : ac_digest_decode_ext(x->p, ext->value);
        if (!x->username) {
            return bad(x, "malformed username*");
        }
        x->res->log_user = x->username;
        return 1;
    }
    if (!plain) {
        return bad(x, "missing username");
    }
    n = strlen(plain->value);
    if (!ac_utf8_valid(plain->value, n)) {
        return bad(x, "user name is not UTF-8");
    }
    if (ac_has_ctl(plain->value, n)) {
        return bad(x, "control character in user name");
    }
    x->username = plain->value;
    x->res->log_user = x->username;
    return 1;
}

static int parse_userhash(dg_ctx *x)
{
    const char *v = param(x, "userhash");

    if (v && strcasecmp(v, "true") && strcasecmp(v, "false")) {
        return bad(x, "userhash is neither true nor false");
    }
    x->userhash = v && !strcasecmp(v, "true");
    if (x->userhash && x->ext) {
        return bad(x, "username* with userhash=true");
    }
    return 1;
}

/* The fields every response needs; nc and cnonce go with qop. */
static int parse_fields(dg_ctx *x)
{
    if (!(x->realm = param(x, "realm"))) {
        return bad(x, "missing realm");
    }
    if (!(x->nonce = param(x, "nonce"))) {
        return bad(x, "missing nonce");
    }
    if (!(x->uri = param(x, "uri"))) {
        return bad(x, "missing uri");
    }
    if (!(x->response = param(x, "response"))) {
        return bad(x, "missing response");
    }
    x->opaque = param(x, "opaque");
    x->qop = param(x, "qop");
    x->cnonce = param(x, "cnonce");
    x->nc = param(x, "nc");
    if (x->nc && !ac_is_hex(x->nc, 8)) {
        return bad(x, "nc is not 8 hex digits");
    }
    if (x->qop && !x->nc) {
        return bad(x, "qop without nc");
    }
    if (x->qop && !x->cnonce) {
        return bad(x, "qop without cnonce");
    }
    x->ncv = x->nc ? (apr_uint32_t)strtoul(x->nc, NULL, 16) : 0;
    return 1;
}

/* uri must name this request (RFC 7616 §3.4.6; docs/digest.md): the
 * path form always; the absolute form too when proxying; host:port for
 * CONNECT. */
static int check_uri(dg_ctx *x)
{
    const ac_request *r = x->req;

    if (r->path && !strcmp(x->uri, r->path)) {
        return 1;
    }
    if ((r->proxy || r->connect) && r->target
        && !strcmp(x->uri, r->target)) {
        return 1;
    }
    return bad(x, "uri does not match the request");
}

static int parse_credentials(dg_ctx *x)
{
    if (x->cred->token68) {
        return bad(x, "Digest credentials are a token68");
    }
    return parse_username(x) && parse_userhash(x) && parse_fields(x)
           && check_uri(x);
}

/* What the challenge offered: realm, algorithm, qop.  A missing
 * algorithm means MD5 (RFC 7616 §3.4); a missing qop is an RFC 2069
 * response, refused.  The opaque is checked with the nonce. */
static int check_offer(dg_ctx *x)
{
    const char *alg = param(x, "algorithm");

    if (strcmp(x->realm, realm_of(x->pl))) {
        return refuse(x, "another realm");
    }
    if (!(x->alg = offered_alg(x->dc, alg ? alg : "MD5"))) {
        return refuse(x, "algorithm not offered");
    }
    if (!x->qop) {
        return refuse(x, "no qop (RFC 2069 response)");
    }
    if (!((!strcmp(x->qop, "auth") && x->dc->qop_auth)
          || (!strcmp(x->qop, "auth-int") && x->dc->qop_auth_int))) {
        return refuse(x, "qop not offered");
    }
    if (!x->opaque) {
        return refuse(x, "wrong opaque");
    }
    return 1;
}

/* Why a nonce did not verify: its MAC covers the opaque, so a nonce
 * that verifies proves the opaque too, and the opaques this realm has
 * (of the secret and the previous one) are derived (one more HMAC each)
 * only to name the failure. */
static int nonce_refused(dg_ctx *x)
{
    const ac_place *pl = x->pl;
    const char *opaque = ac_nonce_opaque(x->p, pl->secret, pl->secret_len,
                                         x->realm);
    const char *prev = pl->secret_prev
                       ? ac_nonce_opaque(x->p, pl->secret_prev,
                                         pl->secret_prev_len, x->realm)
                       : NULL;

    if (!opaque) {
        return unavailable(x, "cannot derive the opaque");
    }
    if (!ac_ct_streq(x->opaque, opaque)
        && !(prev && ac_ct_streq(x->opaque, prev))) {
        return refuse(x, "wrong opaque");
    }
    return refuse(x, "invalid nonce");
}

static ac_nonce_status verify_with(dg_ctx *x, const unsigned char *secret,
                                   apr_size_t slen)
{
    return ac_nonce_verify(x->p, secret, slen, x->nonce, x->realm,
                           x->opaque, x->req->now, x->dc->nonce_lifetime,
                           &x->nonce_info);
}

/* An unforgeable nonce, made with the secret or, after a rotation, the
 * previous one; a stale one is remembered, as only a correct response
 * earns stale=true. */
static int check_nonce(dg_ctx *x)
{
    ac_nonce_status st = verify_with(x, x->pl->secret, x->pl->secret_len);

    if (st == AC_NONCE_BAD && x->pl->secret_prev) {
        st = verify_with(x, x->pl->secret_prev, x->pl->secret_prev_len);
    }
    switch (st) {
    case AC_NONCE_OK:
        return 1;
    case AC_NONCE_STALE:
        x->stale = 1;
        return 1;
    default:
        return nonce_refused(x);
    }
}

static int backend_failed(dg_ctx *x, ac_be_status st, const char *why,
                          const char *not_found)
{
    if (st == AC_BE_NOT_FOUND || st == AC_BE_DENIED) {
        return refuse(x, not_found);
    }
    return unavailable(x, why ? why : "back-end error");
}

/* userhash=true: username is H(user ":" realm) of the base algorithm. */
static int resolve_user(dg_ctx *x)
{
    const char *why = NULL, *user = NULL;
    ac_be_status st;

    if (!x->userhash) {
        x->user = x->username;
        return 1;
    }
    if (!x->dc->userhash) {
        return refuse(x, "userhash not offered");
    }
    st = ac_backend_resolve_userhash(x->pl->backends,
                                     ac_lower(x->p, x->username), x->realm,
                                     x->alg->base, &user, &why, x->p);
    AC_RESULT_BACKEND(x->res, st);
    if (st != AC_BE_OK || !user) {
        return backend_failed(x, st, why, "unknown userhash");
    }
    x->user = user;
    x->res->log_user = user;
    return 1;
}

static int fetch_ha1(dg_ctx *x)
{
    const char *why = NULL, *hex = NULL, *canon = NULL;
    ac_be_status st;

    st = ac_backend_get_ha1(x->pl->backends, x->user, x->realm,
                            x->alg->base, &hex, &canon, &why, x->p);
    AC_RESULT_BACKEND(x->res, st);
    if (st != AC_BE_OK || !hex) {
        return backend_failed(x, st, why, "unknown user");
    }
    x->ha1 = ac_lower(x->p, hex);
    if (canon) {
        /* the back-end's spelling is the user's name from now on
         * (docs/security.md, "Identity"); the response was computed
         * with the HA1 the back-end holds for it */
        x->user = x->res->log_user = canon;
    }
    return 1;
}

/* The expected response, compared in constant time.  Then a stale
 * nonce gets its stale=true. */
static int check_response(dg_ctx *x)
{
    const ac_request *r = x->req;
    const char *expected;

    if (!strcmp(x->qop, "auth-int")) {
        if (!r->body_read) {
            return unavailable(x, "body not read for auth-int");
        }
        x->body_hash = ac_hash_hex_raw(x->p, x->alg,
                                       r->body ? (const void *)r->body
                                               : (const void *)"",
                                       r->body ? r->body_len : 0);
        if (!x->body_hash) {
            return unavailable(x, "cannot hash the body");
        }
    }
    expected = ac_digest_response(x->p, x->alg, x->ha1, x->nonce, x->nc,
                                  x->cnonce, x->qop,
                                  r->method ? r->method : "", x->uri,
                                  x->body_hash);
    if (!expected) {
        return unavailable(x, "cannot compute the response");
    }
    if (!ac_ct_streq(ac_lower(x->p, x->response), expected)) {
        return refuse(x, "wrong response");
    }
    if (x->stale) {
        x->res->stale = 1;
        ac_result_set(x->res, AC_CHALLENGE, "nonce expired");
        return 0;
    }
    return 1;
}

/* Only a correct response reaches here, so a wrong password never uses
 * up an nc; the store failing fails closed. */
static int check_replay(dg_ctx *x)
{
    ac_replay_nonce n;
    apr_time_t expiry;

    if (!x->dc->replay_check) {
        return 1;
    }
    if (!x->pl->state) {
        return unavailable(x, "no shared state for the replay check");
    }
    n.nonce = x->nonce;
    n.group = x->nonce_info.group;
    n.gen = x->nonce_info.gen;
    expiry = x->nonce_info.issued + x->dc->nonce_lifetime
             + AC_DIGEST_REPLAY_SLACK;
    switch (ac_replay_check(x->pl->state, &n, x->ncv, expiry, x->p)) {
    case AC_REPLAY_FRESH:
        x->res->state = 1;
        return 1;
    case AC_REPLAY_REUSED:
        x->res->state = 1;
        return refuse(x, "nc replayed");
    case AC_REPLAY_FLUSHED:
        /* the store forgot the nc values used so far: no response made
         * for this nonce can be told from a replay any more, and the
         * client gets a new nonce without asking its user */
        x->res->state = 1;
        x->res->stale = 1;
        ac_result_set(x->res, AC_CHALLENGE, "nonce from before the shared "
                      "cache lost its nonce counts (flush, restart)");
        return 0;
    default:
        x->res->state = -1;
        return unavailable(x, "replay store unavailable");
    }
}

/* Authentication-Info (RFC 7616 §3.5); rspauth hashes ":" uri, and for
 * auth-int the request body's hash: the response's body is not known
 * when the header goes out (docs/digest.md, "auth-int"). */
static const char *auth_info(dg_ctx *x)
{
    const ac_digest_conf *dc = x->dc;
    const char *rspauth, *info, *next;

    rspauth = ac_digest_response(x->p, x->alg, x->ha1, x->nonce, x->nc,
                                 x->cnonce, x->qop, "", x->uri,
                                 x->body_hash);
    if (!rspauth) {
        return NULL;
    }
    info = apr_pstrcat(x->p, "qop=", x->qop,
                       ", rspauth=", ac_authparam_quote(x->p, rspauth),
                       ", cnonce=", ac_authparam_quote(x->p, x->cnonce),
                       ", nc=", x->nc, NULL);
    if (x->req->now - x->nonce_info.issued > dc->nonce_lifetime / 2) {
        next = new_nonce(x->pl, dc, x->realm, x->opaque, x->req->now,
                         x->p);
        if (next) {
            info = apr_pstrcat(x->p, info, ", nextnonce=",
                               ac_authparam_quote(x->p, next), NULL);
        }
    }
    return info;
}

static void accept_user(dg_ctx *x)
{
    const char *info = auth_info(x);

    if (!info) {
        unavailable(x, "cannot compute rspauth");
        return;
    }
    x->res->user = x->user;
    /* not on CONNECT: mod_proxy_connect writes its 200 line itself */
    if (!x->req->connect) {
        ac_result_header(x->res, ac_hdr_info(x->req->proxy), info, x->p);
    }
    /* the log says what the client chose, among what was offered */
    ac_result_set(x->res, AC_OK, apr_pstrcat(x->p,
                  "digest verified (", x->alg->name, ", qop=", x->qop,
                  x->userhash ? ", userhash)" : ")", NULL));
}

static int start(dg_ctx *x, const ac_place *pl,
                 const ac_request *req, const ac_credentials *cred,
                 ac_result *res, apr_pool_t *p)
{
    memset(x, 0, sizeof(*x));
    x->pl = pl;
    x->dc = AC_OWN(pl, &ac_scheme_digest);
    x->req = req;
    x->res = res;
    x->p = p;
    x->cred = cred;
    if (!x->dc || !pl->secret || !pl->secret_len) {
        return unavailable(x, "Digest has no configuration or no secret");
    }
    return 1;
}

/* Everything that can be checked without the body: the fields, what
 * the challenge offered, the nonce and opaque, the user. */
static int before_body(dg_ctx *x)
{
    return parse_credentials(x) && check_offer(x) && check_nonce(x)
           && resolve_user(x) && fetch_ha1(x);
}

static void digest_verify(const ac_place *pl, const ac_request *req,
                          const ac_credentials *cred, ac_result *res,
                          apr_pool_t *p)
{
    dg_ctx x;

    if (start(&x, pl, req, cred, res, p) && before_body(&x)
        && check_response(&x) && check_replay(&x)) {
        accept_user(&x);
    }
}

/* Read a body only where auth-int is offered, and only for a response
 * that passes every check that comes before the body's hash: an
 * anonymous client must not make the server read (up to max_body) for
 * nothing (docs/security.md).  verify() then fails where this did. */
static int digest_wants_body(const ac_place *pl,
                             const ac_request *req,
                             const ac_credentials *cred, apr_pool_t *p)
{
    ac_result scratch;
    dg_ctx x;

    memset(&scratch, 0, sizeof(scratch));
    const ac_digest_conf *dc = AC_OWN(pl, &ac_scheme_digest);

    return dc && dc->qop_auth_int
           && ac_digest_wants_body(cred)
           && start(&x, pl, req, cred, &scratch, p) && before_body(&x);
}

/* What a Digest verdict depends on besides the back-ends: nothing is
 * cached (every response is checked), but the realm is in every key. */
const ac_scheme ac_scheme_digest = {
    .name = "Digest",               /* RFC 7616 */
    .auth_type = "Digest",
    .needs_provider = 1,
    .by_default = 1,
    .conf_create = digest_conf_create,
    .conf_merge = digest_conf_merge,
    .conf_finish = digest_conf_finish,
    .usable = digest_usable,
    .challenge = digest_challenge,
    .verify = digest_verify,
    .wants_body = digest_wants_body,
};
