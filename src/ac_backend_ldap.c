/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_backend_ldap.h"
#include "ac_backend_dbm.h"
#include "ac_ldap_filter.h"
#include "ac_ldap_url.h"
#include "ac_util.h"

#include <string.h>
#include <strings.h>
#include <ldap.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <openssl/crypto.h>

/* Idle connections kept per list; more are closed on release. */
#define AC_LDAP_MAX_IDLE 16

/* Search connections stay bound as the search identity; user-bind
 * connections only ever carry user binds, so neither list needs a
 * re-bind to restore an identity. */
enum { AC_CONN_SEARCH = 0, AC_CONN_BIND = 1 };

typedef struct ac_ldap_conn ac_ldap_conn;
struct ac_ldap_conn {
    LDAP *ld;
    int kind;
    int dead;               /* dropped or timed out: never reused       */
    ac_ldap_conn *next;
};

typedef struct {
    ac_ldap_conf conf;
    ac_ldap_url url;
    apr_pool_t *pool;       /* conn structs; only under the lock        */
#if APR_HAS_THREADS
    apr_thread_mutex_t *lock;
#endif
    ac_ldap_conn *idle[2];
    int nidle[2];
    ac_ldap_conn *spare;    /* structs without a handle, for reuse      */
    ac_ldap_stats stats;
} ac_ldap_ctx;

/* One lookup: its deadline, and where its reason goes. */
typedef struct {
    ac_ldap_ctx *ctx;
    apr_time_t deadline;
    int down;               /* the last failure was a dropped connection */
    const char **reason;
    apr_pool_t *p;
} ac_ldap_call;

/* A search and what it found. */
typedef struct {
    const char *what;       /* "user", "userhash", "token": for reasons */
    const char *base;
    int scope;
    const char *filter;
    char *attrs[3];         /* NULL-terminated; "1.1": no attributes    */
    int sizelimit;
    int count;              /* entries found                            */
    const char *dn;         /* of the first entry                       */
    apr_array_header_t *vals[2];    /* attrs[0], attrs[1] of the first  */
    apr_array_header_t *dns;        /* every entry's DN                 */
} ac_ldap_search;

static void lock(ac_ldap_ctx *ctx)
{
#if APR_HAS_THREADS
    apr_thread_mutex_lock(ctx->lock);
#endif
}

static void unlock(ac_ldap_ctx *ctx)
{
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(ctx->lock);
#endif
}

/* ------------------------------------------------------------ time */

static int time_left(const ac_ldap_call *call, struct timeval *tv)
{
    apr_interval_time_t left = call->deadline - apr_time_now();

    if (left <= 0) {
        return 0;
    }
    tv->tv_sec = (time_t)apr_time_sec(left);
    tv->tv_usec = (suseconds_t)apr_time_usec(left);
    return 1;
}

static int expired(const ac_ldap_call *call)
{
    return apr_time_now() >= call->deadline;
}

/* Every blocking libldap step (connect, TLS, synchronous calls) gets
 * the time left of the lookup, never a fresh full timeout. */
static void set_timeouts(ac_ldap_call *call, ac_ldap_conn *c)
{
    struct timeval tv = { 0, 1000 };

    time_left(call, &tv);
    ldap_set_option(c->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
    ldap_set_option(c->ld, LDAP_OPT_TIMEOUT, &tv);
}

/* ------------------------------------------------------------ errors */

static int is_down(int rc)
{
    return rc == LDAP_SERVER_DOWN || rc == LDAP_UNAVAILABLE
           || rc == LDAP_CONNECT_ERROR;
}

/* The server's or libldap's diagnostic message, as " (...)", or "". */
static const char *diagnostic(ac_ldap_call *call, ac_ldap_conn *c)
{
    char *msg = NULL;
    const char *out = "";

    if (c && c->ld
        && ldap_get_option(c->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg)
           == LDAP_OPT_SUCCESS && msg && *msg
        && strcmp(msg, "(unknown error code)")) {
        out = apr_psprintf(call->p, " (%s)", msg);
    }
    ldap_memfree(msg);
    return out;
}

/* libldap reports a failed TLS handshake or certificate check as a
 * bare connect error: say where to look. */
static const char *tls_hint(const ac_ldap_ctx *ctx)
{
    if (ctx->conf.starttls || !strcmp(ctx->url.scheme, "ldaps")) {
        return " (with TLS: check AuthChallengeLDAPCACert and the name in "
               "the server's certificate)";
    }
    return "";
}

/* Turn libldap code rc of step what into a reason and AC_BE_ERROR; a
 * connection that timed out, dropped or hit a client-side error is
 * marked dead so that it is closed, not pooled. */
static ac_be_status failed(ac_ldap_call *call, ac_ldap_conn *c, int rc,
                           const char *what)
{
    ac_ldap_ctx *ctx = call->ctx;

    if (c && (rc < 0 || is_down(rc))) {
        c->dead = 1;
    }
    if (rc == LDAP_TIMEOUT || expired(call)) {
        *call->reason = apr_psprintf(call->p, "LDAP server %s did not "
                                     "answer within %" APR_TIME_T_FMT
                                     " ms", ctx->url.uris,
                                     apr_time_as_msec(ctx->conf.timeout));
        return AC_BE_ERROR;
    }
    if (is_down(rc)) {
        call->down = 1;
        *call->reason = apr_psprintf(call->p, "LDAP server unreachable "
                                     "(%s): %s%s%s", ctx->url.uris,
                                     ldap_err2string(rc),
                                     diagnostic(call, c), tls_hint(ctx));
        return AC_BE_ERROR;
    }
    *call->reason = apr_psprintf(call->p, "LDAP %s failed: %s%s", what,
                                 ldap_err2string(rc), diagnostic(call, c));
    return AC_BE_ERROR;
}

/* ------------------------------------------------------------ libldap */

/* Wait for the whole answer to msgid until the deadline. */
static int wait_result(ac_ldap_call *call, ac_ldap_conn *c, int msgid,
                       LDAPMessage **res)
{
    struct timeval tv;
    int rc, err = LDAP_SERVER_DOWN;

    *res = NULL;
    if (!time_left(call, &tv)) {
        return LDAP_TIMEOUT;
    }
    rc = ldap_result(c->ld, msgid, LDAP_MSG_ALL, &tv, res);
    if (rc == 0) {
        return LDAP_TIMEOUT;        /* the handle is closed, not reused */
    }
    if (rc < 0) {
        ldap_get_option(c->ld, LDAP_OPT_RESULT_CODE, &err);
        ldap_msgfree(*res);
        *res = NULL;
        return err == LDAP_SUCCESS ? LDAP_SERVER_DOWN : err;
    }
    return LDAP_SUCCESS;
}

static int result_code(ac_ldap_conn *c, LDAPMessage *res)
{
    int err = LDAP_OTHER;
    int rc = ldap_parse_result(c->ld, res, &err, NULL, NULL, NULL, NULL, 0);

    return rc != LDAP_SUCCESS ? rc : err;
}

/* Simple bind as dn (NULL: anonymous), asynchronously so that a silent
 * server costs no more than the time left. */
static int simple_bind(ac_ldap_call *call, ac_ldap_conn *c,
                       const char *dn, const char *pw)
{
    struct berval cred;
    LDAPMessage *res;
    int rc, msgid;

    cred.bv_val = (char *)(pw ? pw : "");
    cred.bv_len = strlen(cred.bv_val);
    set_timeouts(call, c);
    rc = ldap_sasl_bind(c->ld, dn ? dn : "", LDAP_SASL_SIMPLE, &cred,
                        NULL, NULL, &msgid);
    if (rc != LDAP_SUCCESS) {
        return rc;
    }
    if ((rc = wait_result(call, c, msgid, &res)) != LDAP_SUCCESS) {
        return rc;
    }
    rc = result_code(c, res);
    ldap_msgfree(res);
    return rc;
}

static int set_tls(ac_ldap_ctx *ctx, ac_ldap_conn *c)
{
    int demand = LDAP_OPT_X_TLS_DEMAND, client = 0, rc;

    rc = ldap_set_option(c->ld, LDAP_OPT_X_TLS_CACERTFILE,
                         ctx->conf.ca_cert);
    if (rc == LDAP_SUCCESS) {
        rc = ldap_set_option(c->ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
    }
    if (rc == LDAP_SUCCESS) {
        rc = ldap_set_option(c->ld, LDAP_OPT_X_TLS_NEWCTX, &client);
    }
    return rc;
}

/* A new handle on the URL's hosts (libldap tries them in order); the
 * TCP connect itself happens with the first request. */
static int conn_open(ac_ldap_call *call, ac_ldap_conn *c)
{
    ac_ldap_ctx *ctx = call->ctx;
    int v3 = LDAP_VERSION3, rc;

    rc = ldap_initialize(&c->ld, ctx->url.uris);
    if (rc != LDAP_SUCCESS) {
        c->ld = NULL;
        return rc;
    }
    ldap_set_option(c->ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
    ldap_set_option(c->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    set_timeouts(call, c);
    if (ctx->conf.ca_cert && (rc = set_tls(ctx, c)) != LDAP_SUCCESS) {
        return rc;
    }
    if (ctx->conf.starttls) {
        rc = ldap_start_tls_s(c->ld, NULL, NULL);
    }
    return rc;
}

/* ------------------------------------------------------------ pool */

/* Take a connection of kind: an idle one unless fresh, else a new one
 * (bound as the search identity for AC_CONN_SEARCH).  *out is set even
 * on failure, for release(). */
static ac_be_status acquire(ac_ldap_call *call, int kind, int fresh,
                            ac_ldap_conn **out)
{
    ac_ldap_ctx *ctx = call->ctx;
    ac_ldap_conn *c;
    int rc;

    lock(ctx);
    if (!fresh && (c = ctx->idle[kind]) != NULL) {
        ctx->idle[kind] = c->next;
        ctx->nidle[kind]--;
        ctx->stats.reused++;
    }
    else {
        if ((c = ctx->spare) != NULL) {
            ctx->spare = c->next;
        }
        else {
            c = apr_pcalloc(ctx->pool, sizeof(*c));
        }
        c->ld = NULL;
        ctx->stats.opened++;
    }
    unlock(ctx);
    *out = c;
    c->next = NULL;
    if (c->ld) {
        return AC_BE_OK;
    }
    c->kind = kind;
    c->dead = 0;
    rc = conn_open(call, c);
    if (rc == LDAP_SUCCESS && kind == AC_CONN_SEARCH) {
        rc = simple_bind(call, c, ctx->conf.bind_dn, ctx->conf.bind_pw);
    }
    if (rc != LDAP_SUCCESS) {
        c->dead = 1;
        return failed(call, c, rc, ctx->conf.bind_dn
                      ? apr_pstrcat(call->p, "bind as ", ctx->conf.bind_dn,
                                    NULL)
                      : "anonymous bind");
    }
    return AC_BE_OK;
}

/* Back to the idle list, or closed when dead or the list is full. */
static void release(ac_ldap_ctx *ctx, ac_ldap_conn *c)
{
    LDAP *drop = NULL;

    lock(ctx);
    if (c->dead || !c->ld || ctx->nidle[c->kind] >= AC_LDAP_MAX_IDLE) {
        drop = c->ld;
        if (c->dead) {
            ctx->stats.dropped++;
        }
        c->ld = NULL;
        c->next = ctx->spare;
        ctx->spare = c;
    }
    else {
        c->next = ctx->idle[c->kind];
        ctx->idle[c->kind] = c;
        ctx->nidle[c->kind]++;
    }
    unlock(ctx);
    if (drop) {
        ldap_unbind_ext(drop, NULL, NULL);
    }
}

static apr_status_t close_idle(void *v)
{
    ac_ldap_ctx *ctx = v;
    ac_ldap_conn *c;
    int k;

    for (k = 0; k < 2; k++) {
        for (c = ctx->idle[k]; c; c = c->next) {
            ldap_unbind_ext(c->ld, NULL, NULL);
            c->ld = NULL;
        }
        ctx->idle[k] = NULL;
        ctx->nidle[k] = 0;
    }
    return APR_SUCCESS;
}

typedef ac_be_status (*ac_ldap_op)(ac_ldap_call *call, ac_ldap_conn *c,
                                   void *args);

/* Run op on a connection of kind; when the connection turns out
 * dropped (an idle one the server closed, a restarted server), run it
 * once more on a new connection, within the same deadline. */
static ac_be_status run(ac_ldap_call *call, int kind, ac_ldap_op op,
                        void *args)
{
    ac_be_status st = AC_BE_ERROR;
    int attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        ac_ldap_conn *c = NULL;

        call->down = 0;
        st = acquire(call, kind, attempt > 0, &c);
        if (st == AC_BE_OK) {
            st = op(call, c, args);
        }
        release(call->ctx, c);
        if (!call->down || expired(call)) {
            break;
        }
    }
    return st;
}

/* ------------------------------------------------------------ search */

static apr_array_header_t *values(apr_pool_t *p, LDAP *ld, LDAPMessage *e,
                                  const char *attr)
{
    apr_array_header_t *a = apr_array_make(p, 4, sizeof(const char *));
    struct berval **bv;
    int i;

    if (!attr || !strcmp(attr, "1.1")) {
        return a;
    }
    bv = ldap_get_values_len(ld, e, attr);
    for (i = 0; bv && bv[i]; i++) {
        APR_ARRAY_PUSH(a, const char *) =
            apr_pstrmemdup(p, bv[i]->bv_val, bv[i]->bv_len);
    }
    if (bv) {
        ldap_value_free_len(bv);
    }
    return a;
}

/* Copy what the search found into p before the message is freed. */
static void collect(apr_pool_t *p, LDAP *ld, LDAPMessage *res,
                    ac_ldap_search *s)
{
    LDAPMessage *e;
    int i;

    s->count = ldap_count_entries(ld, res);
    s->dns = apr_array_make(p, s->count > 0 ? s->count : 1,
                            sizeof(const char *));
    for (e = ldap_first_entry(ld, res); e; e = ldap_next_entry(ld, e)) {
        char *dn = ldap_get_dn(ld, e);

        APR_ARRAY_PUSH(s->dns, const char *) = apr_pstrdup(p, dn ? dn : "");
        ldap_memfree(dn);
        if (s->dns->nelts > 1) {
            continue;
        }
        s->dn = APR_ARRAY_IDX(s->dns, 0, const char *);
        for (i = 0; i < 2; i++) {
            s->vals[i] = values(p, ld, e, s->attrs[i]);
        }
    }
}

static ac_be_status op_search(ac_ldap_call *call, ac_ldap_conn *c,
                              void *v)
{
    ac_ldap_search *s = v;
    LDAPMessage *res = NULL;
    int rc, msgid;

    set_timeouts(call, c);
    rc = ldap_search_ext(c->ld, s->base, s->scope, s->filter, s->attrs, 0,
                         NULL, NULL, NULL, s->sizelimit, &msgid);
    if (rc == LDAP_SUCCESS) {
        rc = wait_result(call, c, msgid, &res);
    }
    if (rc == LDAP_SUCCESS) {
        rc = result_code(c, res);
    }
    /* A size limit hit still leaves the entries we need to count. */
    if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
        ldap_msgfree(res);
        return failed(call, c, rc, "search");
    }
    collect(call->p, c->ld, res, s);
    ldap_msgfree(res);
    return AC_BE_OK;
}

static void search_init(ac_ldap_search *s, const char *what,
                        const char *filter, const char *a0, const char *a1)
{
    memset(s, 0, sizeof(*s));
    s->what = what;
    s->filter = filter;
    s->attrs[0] = (char *)(a0 ? a0 : "1.1");
    s->attrs[1] = (char *)a1;
}

/* Exactly one entry under the URL's base and scope. */
static ac_be_status find_one(ac_ldap_call *call, ac_ldap_search *s)
{
    ac_ldap_ctx *ctx = call->ctx;
    ac_be_status st;

    s->base = ctx->url.base;
    s->scope = ctx->url.scope;
    s->sizelimit = 2;               /* two are enough to say "ambiguous" */
    st = run(call, AC_CONN_SEARCH, op_search, s);
    if (st != AC_BE_OK) {
        return st;
    }
    if (s->count == 0) {
        *call->reason = apr_psprintf(call->p, "%s not found in LDAP",
                                     s->what);
        return AC_BE_NOT_FOUND;
    }
    if (s->count > 1) {
        /* Not the user's fault, not an outage: refuse, don't guess. */
        *call->reason = apr_psprintf(call->p, "ambiguous %s: more than "
                                     "one LDAP entry matches", s->what);
        return AC_BE_DENIED;
    }
    return AC_BE_OK;
}

/* (&<URL filter>(attr=<escaped value>)) */
static const char *and_filter(ac_ldap_call *call, const char *attr,
                              const char *value, const char *tail)
{
    return apr_pstrcat(call->p, "(&", call->ctx->url.filter, "(", attr,
                       "=", ac_ldap_escape_str(call->p, value), tail,
                       "))", NULL);
}

static void call_init(ac_ldap_call *call, void *vctx, const char **reason,
                      apr_pool_t *p)
{
    call->ctx = vctx;
    call->deadline = apr_time_now() + call->ctx->conf.timeout;
    call->down = 0;
    call->reason = reason;
    call->p = p;
}

/* ------------------------------------------------------------ questions */

typedef struct {
    const char *dn;
    const char *password;
} ac_ldap_bind_args;

static ac_be_status op_user_bind(ac_ldap_call *call, ac_ldap_conn *c,
                                 void *v)
{
    ac_ldap_bind_args *b = v;
    int rc = simple_bind(call, c, b->dn, b->password);

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
        return failed(call, c, rc, "bind");
    }
}

static ac_be_status ldap_check_password(void *vctx, const char *user,
                                        const char *password,
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
    call_init(&call, ctx, reason, p);
    search_init(&s, "user", and_filter(&call, ctx->url.attr, user, ""),
                NULL, NULL);
    if ((st = find_one(&call, &s)) != AC_BE_OK) {
        return st;
    }
    if (!*s.dn) {
        *reason = "LDAP entry has an empty DN";
        return AC_BE_DENIED;
    }
    b.dn = s.dn;
    b.password = password;
    return run(&call, AC_CONN_BIND, op_user_bind, &b);
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
            char *hex = apr_pstrdup(p, v + n);

            ac_str_tolower(hex);
            return hex;
        }
    }
    return NULL;
}

static ac_be_status ldap_get_ha1(void *vctx, const char *user,
                                 const char *realm, const char *alg,
                                 const char **hex, const char **reason,
                                 apr_pool_t *p)
{
    ac_ldap_ctx *ctx = vctx;
    ac_ldap_call call;
    ac_ldap_search s;
    ac_be_status st;

    if (!ctx->conf.digest_attr) {
        *reason = "AuthChallengeLDAPDigestAttribute is not set";
        return AC_BE_UNSUPPORTED;
    }
    call_init(&call, ctx, reason, p);
    search_init(&s, "user", and_filter(&call, ctx->url.attr, user, ""),
                ctx->conf.digest_attr, NULL);
    if ((st = find_one(&call, &s)) != AC_BE_OK) {
        return st;
    }
    if (!(*hex = pick_ha1(p, s.vals[0], realm, alg))) {
        *reason = apr_psprintf(p, "no %s HA1 for realm \"%s\" in LDAP "
                               "attribute %s", alg, realm,
                               ctx->conf.digest_attr);
        return AC_BE_NOT_FOUND;
    }
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
    char *lower = apr_pstrdup(p, hash);

    if (!ctx->conf.userhash_attr) {
        *reason = "AuthChallengeLDAPUserhashAttribute is not set";
        return AC_BE_UNSUPPORTED;
    }
    ac_str_tolower(lower);
    call_init(&call, ctx, reason, p);
    search_init(&s, "userhash",
                and_filter(&call, ctx->conf.userhash_attr,
                           apr_pstrcat(p, realm, ":", alg, ":", lower,
                                       NULL), ""),
                ctx->url.attr, NULL);
    if ((st = find_one(&call, &s)) != AC_BE_OK) {
        return st;
    }
    return entry_user(&call, &s, user);
}

/* (|(member=<dn>)(uniqueMember=<dn>)...) */
static const char *group_filter(ac_ldap_call *call, const char *dn)
{
    apr_array_header_t *attrs = call->ctx->conf.group_attrs;
    const char *esc = ac_ldap_escape_str(call->p, dn);
    const char *f = "(|";
    int i;

    for (i = 0; i < attrs->nelts; i++) {
        f = apr_pstrcat(call->p, f, "(", APR_ARRAY_IDX(attrs, i, char *),
                        "=", esc, ")", NULL);
    }
    return apr_pstrcat(call->p, f, ")", NULL);
}

static void add_unique(apr_array_header_t *out, const char *dn)
{
    int i;

    for (i = 0; i < out->nelts; i++) {
        if (ac_ldap_dn_equal(APR_ARRAY_IDX(out, i, const char *), dn)) {
            return;
        }
    }
    APR_ARRAY_PUSH(out, const char *) = dn;
}

static ac_be_status ldap_groups(void *vctx, const char *user,
                                apr_array_header_t **out,
                                const char **reason, apr_pool_t *p)
{
    ac_ldap_ctx *ctx = vctx;
    ac_ldap_call call;
    ac_ldap_search s, g;
    ac_be_status st;
    int i;

    call_init(&call, ctx, reason, p);
    search_init(&s, "user", and_filter(&call, ctx->url.attr, user, ""),
                "memberOf", NULL);
    if ((st = find_one(&call, &s)) != AC_BE_OK) {
        return st;
    }
    search_init(&g, "group", group_filter(&call, s.dn), NULL, NULL);
    g.base = ctx->conf.group_base ? ctx->conf.group_base : ctx->url.base;
    g.scope = LDAP_SCOPE_SUBTREE;
    if ((st = run(&call, AC_CONN_SEARCH, op_search, &g)) != AC_BE_OK) {
        return st;
    }
    *out = apr_array_make(p, s.vals[0]->nelts + g.dns->nelts + 1,
                          sizeof(const char *));
    for (i = 0; i < s.vals[0]->nelts; i++) {
        add_unique(*out, APR_ARRAY_IDX(s.vals[0], i, const char *));
    }
    for (i = 0; i < g.dns->nelts; i++) {
        add_unique(*out, APR_ARRAY_IDX(g.dns, i, const char *));
    }
    return AC_BE_OK;
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

        if (!strncmp(v, hex, n) && v[n] == '|') {
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
    call_init(&call, ctx, reason, p);
    search_init(&s, "token", and_filter(&call, ctx->conf.token_attr,
                                        sha256_hex, "|*"),
                ctx->url.attr, ctx->conf.token_attr);
    if ((st = find_one(&call, &s)) != AC_BE_OK
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
        g = apr_array_make(p, 2, sizeof(const char *));
        APR_ARRAY_PUSH(g, const char *) = "member";
        APR_ARRAY_PUSH(g, const char *) = "uniqueMember";
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
    to->group_base = apr_pstrdup(p, from->group_base);
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

static ac_backend *fill(apr_pool_t *p, ac_ldap_ctx *ctx)
{
    ac_backend *be = apr_pcalloc(p, sizeof(*be));

    be->name = "ldap";
    be->ctx = ctx;
    be->check_password = ldap_check_password;
    be->get_ha1 = ldap_get_ha1;
    be->resolve_userhash = ldap_resolve_userhash;
    be->groups = ldap_groups;
    be->lookup_token = ldap_lookup_token;
    return be;
}

const char *ac_backend_ldap_make(apr_pool_t *p, const ac_ldap_conf *conf,
                                 const ac_backend **out)
{
    ac_ldap_ctx *ctx = apr_pcalloc(p, sizeof(*ctx));
    const char *err;
    int version;

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
        ctx->conf.timeout = AC_LDAP_DEFAULT_TIMEOUT;
    }
    ctx->pool = p;
#if APR_HAS_THREADS
    if (apr_thread_mutex_create(&ctx->lock, APR_THREAD_MUTEX_DEFAULT, p)
        != APR_SUCCESS) {
        return "cannot create the LDAP connection pool mutex";
    }
#endif
    /* libldap initialises its global options on first use, racily:
     * do it now, before any thread exists. */
    ldap_get_option(NULL, LDAP_OPT_PROTOCOL_VERSION, &version);
    apr_pool_cleanup_register(p, ctx, close_idle, apr_pool_cleanup_null);
    *out = fill(p, ctx);
    return NULL;
}

void ac_backend_ldap_stats(const ac_backend *be, ac_ldap_stats *out)
{
    ac_ldap_ctx *ctx = be->ctx;

    lock(ctx);
    *out = ctx->stats;
    out->idle = (unsigned long)(ctx->nidle[0] + ctx->nidle[1]);
    unlock(ctx);
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
