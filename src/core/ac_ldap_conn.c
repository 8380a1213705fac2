/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* The LDAP back-end's connection layer: see ac_ldap_conn.h. */
#include "ac_ldap_conn.h"

#include <string.h>
#include <apr_strings.h>

/* Idle connections kept per list; more are closed on release. */
#define AC_LDAP_MAX_IDLE 16

struct ac_ldap_conn {
    LDAP *ld;
    int kind;
    int dead;               /* dropped or timed out: never reused       */
    ac_ldap_conn *next;
};

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
ac_be_status ac_ldap_failed(ac_ldap_call *call, ac_ldap_conn *c, int rc,
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
int ac_ldap_simple_bind(ac_ldap_call *call, ac_ldap_conn *c,
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
        rc = ac_ldap_simple_bind(call, c, ctx->conf.bind_dn, ctx->conf.bind_pw);
    }
    if (rc != LDAP_SUCCESS) {
        c->dead = 1;
        return ac_ldap_failed(call, c, rc, ctx->conf.bind_dn
                              ? apr_pstrcat(call->p, "bind as ",
                                            ctx->conf.bind_dn, NULL)
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

/* Run op on a connection of kind; when the connection turns out
 * dropped (an idle one the server closed, a restarted server), run it
 * once more on a new connection, within the same deadline. */
ac_be_status ac_ldap_run(ac_ldap_call *call, int kind, ac_ldap_op op,
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

ac_be_status ac_ldap_op_search(ac_ldap_call *call, ac_ldap_conn *c,
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
        return ac_ldap_failed(call, c, rc, "search");
    }
    collect(call->p, c->ld, res, s);
    ldap_msgfree(res);
    return AC_BE_OK;
}

void ac_ldap_search_init(ac_ldap_search *s, const char *what,
                         const char *filter, const char *a0, const char *a1)
{
    memset(s, 0, sizeof(*s));
    s->what = what;
    s->filter = filter;
    s->attrs[0] = (char *)(a0 ? a0 : "1.1");
    s->attrs[1] = (char *)a1;
}

void ac_ldap_call_init(ac_ldap_call *call, void *vctx, const char **reason,
                       apr_pool_t *p)
{
    call->ctx = vctx;
    call->deadline = apr_time_now() + call->ctx->conf.timeout;
    call->down = 0;
    call->reason = reason;
    call->p = p;
}

/* ------------------------------------------------------------ set-up */

const char *ac_ldap_conn_setup(apr_pool_t *p, ac_ldap_ctx *ctx)
{
    int version;

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
    return NULL;
}

void ac_ldap_conn_stats(ac_ldap_ctx *ctx, ac_ldap_stats *out)
{
    lock(ctx);
    *out = ctx->stats;
    out->idle = (unsigned long)(ctx->nidle[0] + ctx->nidle[1]);
    unlock(ctx);
}
