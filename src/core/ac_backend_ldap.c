/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* The LDAP back-end's questions (password, HA1, userhash, groups,
 * token) as searches and binds over the connection layer of
 * ac_ldap_conn.h; its set-up and the small LDAP helpers of the API. */
#include "ac_backend_ldap.h"
#include "ac_backend_dbm.h"
#include "ac_ldap_conn.h"
#include "ac_ldap_filter.h"
#include "ac_ldap_group.h"
#include "ac_ldap_url.h"
#include "ac_util.h"
#include "ac_defaults.h"

#include <string.h>
#include <strings.h>
#include <ldap.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include <openssl/crypto.h>

/* ------------------------------------------------------------ search */


/* ------------------------------------------------------------ questions */

typedef struct {
    const char *dn;
    const char *password;
} ac_ldap_bind_args;

static ac_be_status op_user_bind(ac_ldap_call *call, ac_ldap_conn *c,
                                 void *v)
{
    ac_ldap_bind_args *b = v;
    int rc = ac_ldap_simple_bind(call, c, b->dn, b->password);

    switch (rc) {
    case LDAP_SUCCESS:
        return AC_BE_OK;
    case LDAP_INVALID_CREDENTIALS:
        *call->reason = "wrong password";
        return AC_BE_DENIED;
    case LDAP_INAPPROPRIATE_AUTH:
    case LDAP_UNWILLING_TO_PERFORM:
    case LDAP_CONSTRAINT_VIOLATION:
    case LDAP_INSUFFICIENT_ACCESS:
        *call->reason = apr_psprintf(call->p, "LDAP refused the bind as "
                                     "%s: %s", b->dn, ldap_err2string(rc));
        return AC_BE_DENIED;
    default:
        return ac_ldap_failed(call, c, rc, "bind");
    }
}

/*
 * The entry's own spelling of the user: the value of the URL's
 * attribute that LDAP matched to what the client typed ("BOB", " bob"
 * match uid=bob under caseIgnoreMatch), so that REMOTE_USER, "Require
 * user" and "Require not user" see one name (docs/security.md,
 * "Identity").  With several values, the one equal to the typed name
 * but for case and surrounding spaces; else the first.
 */
static void entry_spelling(ac_ldap_search *s, int i, const char *typed,
                           const char **canon)
{
    apr_array_header_t *vals = s->vals[i];
    const char *t = typed;
    apr_size_t n;
    int j;

    if (!canon || !vals || !vals->nelts) {
        return;
    }
    while (*t == ' ') {
        t++;
    }
    for (n = strlen(t); n && t[n - 1] == ' '; n--)
        ;
    *canon = APR_ARRAY_IDX(vals, 0, const char *);
    for (j = 0; j < vals->nelts; j++) {
        const char *v = APR_ARRAY_IDX(vals, j, const char *);
        if (strlen(v) == n && !strncasecmp(v, t, n)) {
            *canon = v;
            return;
        }
    }
}

static ac_be_status ldap_check_password(void *vctx, const char *user,
                                        const char *password,
                                        const char **canon,
                                        const char **reason, apr_pool_t *p)
{
    ac_ldap_ctx *ctx = vctx;
    ac_ldap_call call;
    ac_ldap_search s;
    ac_ldap_bind_args b;
    ac_be_status st;

    /* An empty password would be an unauthenticated bind (RFC 4513
     * §5.1.2), which many servers answer with success. */
    if (!password || !*password) {
        *reason = "empty password";
        return AC_BE_DENIED;
    }
    ac_ldap_call_init(&call, ctx, reason, p);
    ac_ldap_search_init(&s, "user",
                        ac_ldap_and_filter(&call, ctx->url.attr, user, ""),
                        ctx->url.attr, NULL);
    if ((st = ac_ldap_find_one(&call, &s)) != AC_BE_OK) {
        return st;
    }
    if (!*s.dn) {
        *reason = "LDAP entry has an empty DN";
        return AC_BE_DENIED;
    }
    b.dn = s.dn;
    b.password = password;
    st = ac_ldap_run(&call, AC_CONN_BIND, op_user_bind, &b);
    if (st == AC_BE_OK) {
        entry_spelling(&s, 0, user, canon);
    }
    return st;
}

/* The value "<realm>:<alg>:<hex>" of vals, lower-cased hex, or NULL. */
static const char *pick_ha1(apr_pool_t *p, apr_array_header_t *vals,
                            const char *realm, const char *alg)
{
    const char *prefix = apr_pstrcat(p, realm, ":", alg, ":", NULL);
    apr_size_t n = strlen(prefix);
    int i;

    for (i = 0; i < vals->nelts; i++) {
        const char *v = APR_ARRAY_IDX(vals, i, const char *);

        if (!strncmp(v, prefix, n) && ac_is_hex(v + n, 0)) {
            return ac_lower(p, v + n);
        }
    }
    return NULL;
}

static ac_be_status ldap_get_ha1(void *vctx, const char *user,
                                 const char *realm, const char *alg,
                                 const char **hex, const char **canon,
                                 const char **reason, apr_pool_t *p)
{
    ac_ldap_ctx *ctx = vctx;
    ac_ldap_call call;
    ac_ldap_search s;
    ac_be_status st;

    if (!ctx->conf.digest_attr) {
        *reason = "AuthChallengeLDAPDigestAttribute is not set";
        return AC_BE_UNSUPPORTED;
    }
    ac_ldap_call_init(&call, ctx, reason, p);
    ac_ldap_search_init(&s, "user",
                        ac_ldap_and_filter(&call, ctx->url.attr, user, ""),
                        ctx->conf.digest_attr, ctx->url.attr);
    if ((st = ac_ldap_find_one(&call, &s)) != AC_BE_OK) {
        return st;
    }
    if (!(*hex = pick_ha1(p, s.vals[0], realm, alg))) {
        *reason = apr_psprintf(p, "no %s HA1 for realm \"%s\" in LDAP "
                               "attribute %s", alg, realm,
                               ctx->conf.digest_attr);
        return AC_BE_NOT_FOUND;
    }
    entry_spelling(&s, 1, user, canon);
    return AC_BE_OK;
}

/* The first value of the user-name attribute of a found entry. */
static ac_be_status entry_user(ac_ldap_call *call, ac_ldap_search *s,
                               const char **user)
{
    if (s->vals[0]->nelts == 0) {
        *call->reason = apr_psprintf(call->p, "LDAP entry %s has no %s",
                                     s->dn, call->ctx->url.attr);
        return AC_BE_NOT_FOUND;
    }
    *user = APR_ARRAY_IDX(s->vals[0], 0, const char *);
    return AC_BE_OK;
}

static ac_be_status ldap_resolve_userhash(void *vctx, const char *hash,
                                          const char *realm,
                                          const char *alg,
                                          const char **user,
                                          const char **reason,
                                          apr_pool_t *p)
{
    ac_ldap_ctx *ctx = vctx;
    ac_ldap_call call;
    ac_ldap_search s;
    ac_be_status st;
    const char *lower = ac_lower(p, hash);

    if (!ctx->conf.userhash_attr) {
        *reason = "AuthChallengeLDAPUserhashAttribute is not set";
        return AC_BE_UNSUPPORTED;
    }
    ac_ldap_call_init(&call, ctx, reason, p);
    ac_ldap_search_init(&s, "userhash",
                        ac_ldap_and_filter(&call, ctx->conf.userhash_attr,
                                   apr_pstrcat(p, realm, ":", alg, ":",
                                               lower, NULL), ""),
                        ctx->url.attr, NULL);
    if ((st = ac_ldap_find_one(&call, &s)) != AC_BE_OK) {
        return st;
    }
    return entry_user(&call, &s, user);
}

/* The answer cache's kinds of question. */
#define KIND_GROUP "group"
#define KIND_FILTER "filter"

static ac_be_status ldap_member_of(void *vctx, const char *user,
                                   const char *group, const char **reason,
                                   apr_pool_t *p)
{
    ac_ldap_ctx *ctx = vctx;
    ac_be_status st;

    if (ac_ldap_cache_get(ctx->answers, KIND_GROUP, user, group, &st)) {
        *reason = st == AC_BE_OK ? NULL : "not in the group (cached)";
        return st;
    }
    st = ac_ldap_member_of(ctx, user, group, reason, p);
    ac_ldap_cache_put(ctx->answers, KIND_GROUP, user, group, st);
    return st;
}

ac_be_status ac_backend_ldap_matches(const ac_backend *be, const char *user,
                                     const char *filter,
                                     const char **reason, apr_pool_t *p)
{
    ac_ldap_ctx *ctx = be->ctx;
    ac_be_status st;

    if (ac_ldap_cache_get(ctx->answers, KIND_FILTER, user, filter, &st)) {
        *reason = st == AC_BE_OK ? NULL : "no match (cached)";
        return st;
    }
    st = ac_ldap_matches(ctx, user, filter, reason, p);
    ac_ldap_cache_put(ctx->answers, KIND_FILTER, user, filter, st);
    return st;
}

/* The value "<hex>|<exp>|<scopes>" of vals parsed into out, 1 if found
 * and well-formed; the "user|exp|scopes" parser of the DBM back-end
 * reads the part after the hash. */
static int pick_token(apr_pool_t *p, apr_array_header_t *vals,
                      const char *hex, ac_token *out)
{
    apr_size_t n = strlen(hex);
    int i;

    for (i = 0; i < vals->nelts; i++) {
        const char *v = APR_ARRAY_IDX(vals, i, const char *);

        if (strlen(v) > n && v[n] == '|' && !CRYPTO_memcmp(v, hex, n)) {
            return ac_dbm_parse_token(p, apr_pstrcat(p, "-", v + n, NULL),
                                      out);
        }
    }
    return 0;
}

static ac_be_status ldap_lookup_token(void *vctx, const char *sha256_hex,
                                      ac_token *out, const char **reason,
                                      apr_pool_t *p)
{
    ac_ldap_ctx *ctx = vctx;
    ac_ldap_call call;
    ac_ldap_search s;
    ac_be_status st;
    const char *user;

    if (!ctx->conf.token_attr) {
        *reason = "AuthChallengeLDAPTokenAttribute is not set";
        return AC_BE_UNSUPPORTED;
    }
    if (!ac_is_hex(sha256_hex, 64)) {
        *reason = "malformed token hash";
        return AC_BE_NOT_FOUND;
    }
    ac_ldap_call_init(&call, ctx, reason, p);
    ac_ldap_search_init(&s, "token",
                        ac_ldap_and_filter(&call, ctx->conf.token_attr,
                                           sha256_hex, "|*"),
                        ctx->url.attr, ctx->conf.token_attr);
    if ((st = ac_ldap_find_one(&call, &s)) != AC_BE_OK
        || (st = entry_user(&call, &s, &user)) != AC_BE_OK) {
        return st;
    }
    if (!pick_token(p, s.vals[1], sha256_hex, out)) {
        *reason = apr_psprintf(p, "malformed token value in LDAP entry %s",
                               s.dn);
        return AC_BE_ERROR;
    }
    out->user = user;
    return AC_BE_OK;
}

/* ------------------------------------------------------------ set-up */

static const char *check_attrs(apr_pool_t *p, ac_ldap_ctx *ctx)
{
    const char *one[] = { ctx->conf.digest_attr, ctx->conf.userhash_attr,
                          ctx->conf.token_attr };
    apr_array_header_t *g = ctx->conf.group_attrs;
    int i;

    for (i = 0; i < 3; i++) {
        if (one[i] && !ac_ldap_attr_valid(one[i])) {
            return apr_psprintf(p, "bad LDAP attribute name '%s'", one[i]);
        }
    }
    if (!g || g->nelts == 0) {
        char *names = apr_pstrdup(p, ac_default.ldap_group_attrs), *w, *last;

        g = apr_array_make(p, 2, sizeof(const char *));
        for (w = apr_strtok(names, " ", &last); w;
             w = apr_strtok(NULL, " ", &last)) {
            APR_ARRAY_PUSH(g, const char *) = w;
        }
        ctx->conf.group_attrs = g;
    }
    for (i = 0; i < g->nelts; i++) {
        const char *a = APR_ARRAY_IDX(g, i, const char *);

        if (!ac_ldap_attr_valid(a)) {
            return apr_psprintf(p, "bad LDAP group attribute '%s'", a);
        }
    }
    return NULL;
}

/* The conf, with its strings, copied into p. */
static void copy_conf(apr_pool_t *p, ac_ldap_conf *to,
                      const ac_ldap_conf *from)
{
    *to = *from;
    to->url = apr_pstrdup(p, from->url);
    to->bind_dn = apr_pstrdup(p, from->bind_dn);
    to->bind_pw = apr_pstrdup(p, from->bind_pw);
    to->ca_cert = apr_pstrdup(p, from->ca_cert);
    to->digest_attr = apr_pstrdup(p, from->digest_attr);
    to->userhash_attr = apr_pstrdup(p, from->userhash_attr);
    to->token_attr = apr_pstrdup(p, from->token_attr);
    if (from->group_attrs) {
        int i;

        to->group_attrs = apr_array_make(p, from->group_attrs->nelts,
                                         sizeof(const char *));
        for (i = 0; i < from->group_attrs->nelts; i++) {
            APR_ARRAY_PUSH(to->group_attrs, const char *) = apr_pstrdup(
                p, APR_ARRAY_IDX(from->group_attrs, i, const char *));
        }
    }
}

#define S(x) ((x) ? (x) : "")

/* The settings that shape what the directory answers, as one string:
 * its cache scope (the bind password is not among them: it changes who
 * asks, not what is answered). */
static const char *ldap_scope(apr_pool_t *p, const ac_ldap_conf *c)
{
    return apr_psprintf(p, "ldap\n%s\n%s\n%d\n%s\n%s\n%s\n%s\n%s\n%d\n%d",
                        S(c->url), S(c->bind_dn), c->starttls, S(c->ca_cert),
                        S(c->digest_attr), S(c->userhash_attr),
                        S(c->token_attr),
                        c->group_attrs ? apr_array_pstrcat(
                            p, c->group_attrs, ' ') : "",
                        c->group_is_dn, c->group_depth);
}

static ac_backend *fill(apr_pool_t *p, ac_ldap_ctx *ctx)
{
    ac_backend *be = apr_pcalloc(p, sizeof(*be));

    be->name = "ldap";
    be->ctx = ctx;
    be->scope = ldap_scope(p, &ctx->conf);
    be->check_password = ldap_check_password;
    be->get_ha1 = ldap_get_ha1;
    be->resolve_userhash = ldap_resolve_userhash;
    be->member_of = ldap_member_of;
    be->lookup_token = ldap_lookup_token;
    return be;
}

const char *ac_backend_ldap_make(apr_pool_t *p, const ac_ldap_conf *conf,
                                 const ac_backend **out)
{
    ac_ldap_ctx *ctx = apr_pcalloc(p, sizeof(*ctx));
    const char *err;

    *out = NULL;
    if (!conf->url) {
        return "AuthChallengeLDAPURL is not set";
    }
    copy_conf(p, &ctx->conf, conf);
    if ((err = ac_ldap_url_parse(p, conf->url, &ctx->url)) != NULL
        || (err = check_attrs(p, ctx)) != NULL) {
        return err;
    }
    if (conf->bind_dn && (!conf->bind_pw || !*conf->bind_pw)) {
        return "AuthChallengeLDAPBindDN needs AuthChallengeLDAPBindPassword";
    }
    if (ctx->conf.timeout <= 0) {
        ctx->conf.timeout = ac_default.ldap_timeout;
    }
    ctx->conf.starttls = AC_GET(ctx->conf.starttls,
                                ac_default.ldap_starttls);
    ctx->conf.group_is_dn = AC_GET(ctx->conf.group_is_dn,
                                   ac_default.ldap_group_is_dn);
    ctx->conf.group_depth = AC_GET(ctx->conf.group_depth,
                                   ac_default.ldap_group_depth);
    ctx->conf.group_cache = AC_GET(ctx->conf.group_cache,
                                   ac_default.ldap_group_cache);
    ctx->answers = ac_ldap_cache_make(p, ctx->conf.group_cache);
    if ((err = ac_ldap_conn_setup(p, ctx)) != NULL) {
        return err;
    }
    *out = fill(p, ctx);
    return NULL;
}

int ac_backend_is_ldap(const ac_backend *be)
{
    return be && be->member_of == ldap_member_of;
}

void ac_backend_ldap_stats(const ac_backend *be, ac_ldap_stats *out)
{
    ac_ldap_conn_stats(be->ctx, out);
}

const char *ac_ldap_read_secret(apr_pool_t *p, const char *value,
                                const char **out)
{
    char buf[1024];
    apr_size_t n = sizeof(buf) - 1;
    apr_file_t *f;
    const char *path;

    if (strncmp(value, "file:", 5)) {
        *out = value;
        return NULL;
    }
    path = value + 5;
    if (apr_file_open(&f, path, APR_FOPEN_READ, 0, p) != APR_SUCCESS) {
        return apr_psprintf(p, "cannot read LDAP bind password file %s",
                            path);
    }
    apr_file_read_full(f, buf, n, &n);
    apr_file_close(f);
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    for (n = strlen(buf); n > 0 && (buf[n - 1] == ' '
                                    || buf[n - 1] == '\t'); n--) {
        buf[n - 1] = '\0';
    }
    if (!*buf) {
        return apr_psprintf(p, "LDAP bind password file %s is empty", path);
    }
    *out = apr_pstrdup(p, buf);
    OPENSSL_cleanse(buf, sizeof(buf));
    return NULL;
}

int ac_ldap_dn_equal(const char *a, const char *b)
{
    char *na = NULL, *nb = NULL;
    int eq;

    if (ldap_dn_normalize(a, LDAP_DN_FORMAT_LDAP, &na,
                          LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS
        && ldap_dn_normalize(b, LDAP_DN_FORMAT_LDAP, &nb,
                             LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS) {
        eq = !strcasecmp(na, nb);
    }
    else {
        eq = !strcasecmp(a, b);     /* not a DN: compare as written */
    }
    ldap_memfree(na);
    ldap_memfree(nb);
    return eq;
}

/* ------------------------------------------------------------- kind */

static void *ldap_conf_create(apr_pool_t *p)
{
    ac_ldap_conf *c = apr_pcalloc(p, sizeof(*c));

    c->starttls = c->timeout = AC_UNSET;
    c->group_is_dn = c->group_depth = AC_UNSET;
    c->group_cache = AC_UNSET;
    return c;
}

#define MERGE_PTR(f) c->f = add->f ? add->f : base->f
#define MERGE_INT(f) c->f = add->f != AC_UNSET ? add->f : base->f

static void *ldap_conf_merge(apr_pool_t *p, const void *basev,
                             const void *addv)
{
    const ac_ldap_conf *base = basev, *add = addv;
    ac_ldap_conf *c = apr_pcalloc(p, sizeof(*c));

    MERGE_PTR(url);             MERGE_PTR(bind_dn);
    MERGE_PTR(bind_pw);         MERGE_INT(starttls);
    MERGE_PTR(ca_cert);         MERGE_INT(timeout);
    MERGE_PTR(digest_attr);     MERGE_PTR(userhash_attr);
    MERGE_PTR(token_attr);      MERGE_PTR(group_attrs);
    MERGE_INT(group_is_dn);     MERGE_INT(group_depth);
    MERGE_INT(group_cache);
    return c;
}

/* Every setting that shapes a back-end (its connections included), as
 * one string; the bind password too: two places with different ones
 * must not share connections. */
static const char *ldap_key(const void *conf, apr_pool_t *p)
{
    const ac_ldap_conf *c = conf;

    return c->url ? apr_pstrcat(p, ldap_scope(p, c), "\n", S(c->bind_pw),
                                "\n", apr_ltoa(p, (long)apr_time_sec(
                                    c->timeout)), "\n", apr_psprintf(p,
                                    "%" APR_TIME_T_FMT, c->group_cache),
                                NULL) : NULL;
}

static const ac_backend *ldap_make(apr_pool_t *p, const void *conf,
                                   const char **err)
{
    const ac_backend *be = NULL;

    *err = ac_backend_ldap_make(p, conf, &be);
    return be;
}

const ac_backend_kind ac_backend_kind_ldap = {
    "ldap",
    ldap_conf_create,
    ldap_conf_merge,
    ldap_key,
    ldap_make
};
