/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* The LDAP back-end's connection layer: see ac_ldap_conn.h. */
#include "ac_ldap_conn.h"
#include "ac_ldap_filter.h"

#include <string.h>
#include <apr_strings.h>

/* Idle connections kept per list; more are closed on release. */
#define AC_LDAP_MAX_IDLE 16

/* A host that refused a connection or stayed silent is tried after the
 * others for this long (then in its place in the URL again). */
#define AC_LDAP_HOST_RETRY apr_time_from_sec(30)

struct ac_ldap_conn {
    LDAP *ld;
    int kind;
    int host;               /* index in url.hosts                       */
    int fresh;              /* opened for this attempt, not pooled      */
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

/* Time left of the current attempt's share of the deadline. */
static int time_left(const ac_ldap_call *call, struct timeval *tv)
{
    apr_time_t end = call->slice_end < call->deadline ? call->slice_end
                                                      : call->deadline;
    apr_interval_time_t left = end - apr_time_now();

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

/* The next attempt gets 1/n of the time left: with n attempts still
 * possible, a silent server cannot take the time of those after it. */
static void slice(ac_ldap_call *call, int n)
{
    apr_time_t now = apr_time_now();

    call->slice_end = now + (call->deadline - now) / (n > 0 ? n : 1);
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

static void count_op(ac_ldap_ctx *ctx)
{
    lock(ctx);
    ctx->stats.ops++;
    unlock(ctx);
}

/* What happened to the host of c, for the reason once every attempt
 * failed: the last word about each host counts. */
static void note_host(ac_ldap_call *call, ac_ldap_conn *c, const char *what)
{
    const char *uri = APR_ARRAY_IDX(call->ctx->url.hosts, c->host,
                                    const char *);

    call->failures = apr_pstrcat(call->p, call->failures ? call->failures
                                 : "", "\n", uri, "\t", what, NULL);
}

/* Turn libldap code rc of step what into a reason and AC_BE_ERROR; a
 * connection that timed out, dropped or hit a client-side error is
 * marked dead so that it is closed, not pooled, and the call lost so
 * that another attempt is made. */
ac_be_status ac_ldap_failed(ac_ldap_call *call, ac_ldap_conn *c, int rc,
                            const char *what)
{
    ac_ldap_ctx *ctx = call->ctx;

    if (c && (rc < 0 || is_down(rc))) {
        c->dead = 1;
    }
    if (rc == LDAP_TIMEOUT || expired(call)) {
        call->lost = call->silent = 1;
        *call->reason = apr_psprintf(call->p, "LDAP server %s did not "
                                     "answer within %" APR_TIME_T_FMT
                                     " ms", ctx->url.uris,
                                     apr_time_as_msec(ctx->conf.timeout));
        if (c) {
            note_host(call, c, "");
        }
        return AC_BE_ERROR;
    }
    if (is_down(rc)) {
        call->lost = 1;
        *call->reason = apr_psprintf(call->p, "LDAP server unreachable "
                                     "(%s): %s%s%s", ctx->url.uris,
                                     ldap_err2string(rc),
                                     diagnostic(call, c), tls_hint(ctx));
        if (c) {
            note_host(call, c, apr_pstrcat(call->p, ldap_err2string(rc),
                                           diagnostic(call, c), NULL));
        }
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
    count_op(call->ctx);
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

/* A new handle on one host of the URL: libldap would move on to the
 * next host only when one refuses, not when one is silent (a stopped
 * server still accepts TCP connections), so ac_ldap_run picks the
 * host.  The TCP connect itself happens with the first request. */
static int conn_open(ac_ldap_call *call, ac_ldap_conn *c)
{
    ac_ldap_ctx *ctx = call->ctx;
    int v3 = LDAP_VERSION3, rc;

    rc = ldap_initialize(&c->ld, APR_ARRAY_IDX(ctx->url.hosts, c->host,
                                               const char *));
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

/* A struct for a new connection (under the lock). */
static ac_ldap_conn *new_conn(ac_ldap_ctx *ctx)
{
    ac_ldap_conn *c = ctx->spare;

    if (c) {
        ctx->spare = c->next;
    }
    else {
        c = apr_pcalloc(ctx->pool, sizeof(*c));
    }
    c->ld = NULL;
    c->next = NULL;
    c->dead = 0;
    return c;
}

/* Under the lock: has host i failed lately? */
static int host_is_down(ac_ldap_ctx *ctx, int i, apr_time_t now)
{
    return ctx->host_down[i] > now;
}

static void close_handle(LDAP *ld)
{
    if (ld) {
        ldap_unbind_ext(ld, NULL, NULL);
    }
}

/* An idle connection of kind, or NULL; those to a host that failed
 * lately are closed on the way (they would only be tried last). */
static ac_ldap_conn *take_idle(ac_ldap_ctx *ctx, int kind)
{
    apr_time_t now = apr_time_now();
    ac_ldap_conn *c;

    for (;;) {
        LDAP *drop = NULL;

        lock(ctx);
        if ((c = ctx->idle[kind]) != NULL) {
            ctx->idle[kind] = c->next;
            ctx->nidle[kind]--;
            c->next = NULL;
            if (host_is_down(ctx, c->host, now)) {
                drop = c->ld;
                c->ld = NULL;
                c->next = ctx->spare;
                ctx->spare = c;
                ctx->stats.dropped++;
            }
            else {
                ctx->stats.reused++;
            }
        }
        unlock(ctx);
        if (!drop) {
            break;
        }
        close_handle(drop);
    }
    if (c) {
        c->fresh = 0;
    }
    return c;
}

/* A new connection of kind to host (bound as the search identity for
 * AC_CONN_SEARCH).  *out is set even on failure, for release(). */
static ac_be_status open_conn(ac_ldap_call *call, int kind, int host,
                              ac_ldap_conn **out)
{
    ac_ldap_ctx *ctx = call->ctx;
    ac_ldap_conn *c;
    int rc;

    lock(ctx);
    c = new_conn(ctx);
    ctx->stats.opened++;
    unlock(ctx);
    *out = c;
    c->kind = kind;
    c->host = host;
    c->fresh = 1;
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

/* Close the idle connections to host: when one pooled connection to
 * it turned out dropped or silent, those idle as long are as likely
 * gone (a server restarted, a firewall forgot them). */
static void flush_host(ac_ldap_ctx *ctx, int host)
{
    ac_ldap_conn **pc, *c, *gone = NULL;
    int k;

    lock(ctx);
    for (k = 0; k < 2; k++) {
        for (pc = &ctx->idle[k]; (c = *pc) != NULL; ) {
            if (c->host != host) {
                pc = &c->next;
                continue;
            }
            *pc = c->next;
            ctx->nidle[k]--;
            ctx->stats.dropped++;
            c->next = gone;
            gone = c;
        }
    }
    unlock(ctx);
    for (c = gone; c; c = c->next) {
        close_handle(c->ld);
        c->ld = NULL;
    }
    if (gone) {
        lock(ctx);
        for (c = gone; c->next; c = c->next)
            ;
        c->next = ctx->spare;
        ctx->spare = gone;
        unlock(ctx);
    }
}

/* After an attempt on c: a host that refused a new connection, or was
 * silent, comes last for a while; one that answered is in order
 * again.  A pooled connection that dropped says nothing of its host
 * (the server may have closed it when idle), but of its siblings. */
static void judge_host(ac_ldap_call *call, ac_ldap_conn *c)
{
    ac_ldap_ctx *ctx = call->ctx;

    lock(ctx);
    if (!call->lost) {
        ctx->host_down[c->host] = 0;
    }
    else if (call->silent || c->fresh) {
        ctx->host_down[c->host] = apr_time_now() + AC_LDAP_HOST_RETRY;
    }
    unlock(ctx);
    if (call->lost && !c->fresh) {
        flush_host(ctx, c->host);
    }
}

/* The next host to open a connection to: the first not yet tried in
 * this run that has not failed lately, else the first not yet tried;
 * -1 when every host has been tried. */
static int next_host(ac_ldap_call *call, const char *tried)
{
    ac_ldap_ctx *ctx = call->ctx;
    apr_time_t now = apr_time_now();
    int i, last_resort = -1;

    lock(ctx);
    for (i = 0; i < ctx->url.nhosts; i++) {
        if (tried[i]) {
            continue;
        }
        if (!host_is_down(ctx, i, now)) {
            break;
        }
        if (last_resort < 0) {
            last_resort = i;
        }
    }
    unlock(ctx);
    return i < ctx->url.nhosts ? i : last_resort;
}

static int untried(const ac_ldap_call *call, const char *tried)
{
    int i, n = 0;

    for (i = 0; i < call->ctx->url.nhosts; i++) {
        n += !tried[i];
    }
    return n;
}

/* op on c, then c back to the pool (or closed) and its host judged. */
static ac_be_status attempt(ac_ldap_call *call, ac_ldap_conn *c,
                            ac_ldap_op op, void *args)
{
    ac_be_status st = op(call, c, args);

    judge_host(call, c);
    release(call->ctx, c);
    return st;
}

/* Every attempt failed: one reason for them all.  With several hosts,
 * what each did ("ldap://a: did not answer; ldap://b: ..."). */
static ac_be_status give_up(ac_ldap_call *call, ac_be_status st)
{
    ac_ldap_ctx *ctx = call->ctx;
    char *list, *line, *last;
    const char *out = "";
    int refused = 0;

    if (ctx->url.nhosts < 2 || !call->failures) {
        return st;
    }
    list = apr_pstrdup(call->p, call->failures);
    for (line = apr_strtok(list, "\n", &last); line;
         line = apr_strtok(NULL, "\n", &last)) {
        char *tab = strchr(line, '\t');

        *tab = '\0';
        refused |= tab[1] != '\0';
        if (!strstr(out, apr_pstrcat(call->p, line, ":", NULL))) {
            out = apr_pstrcat(call->p, out, *out ? "; " : "", line, ": ",
                              tab[1] ? tab + 1 : "did not answer", NULL);
        }
    }
    *call->reason = apr_psprintf(call->p, "no LDAP server answered within "
                                 "%" APR_TIME_T_FMT " ms (%s)%s",
                                 apr_time_as_msec(ctx->conf.timeout), out,
                                 refused ? tls_hint(ctx) : "");
    return st;
}

ac_be_status ac_ldap_run(ac_ldap_call *call, int kind, ac_ldap_op op,
                         void *args)
{
    char tried[AC_LDAP_MAX_HOSTS] = { 0 };
    ac_ldap_conn *c;
    ac_be_status st = AC_BE_ERROR;
    int host;

    call->lost = call->silent = 0;
    call->failures = NULL;
    if ((c = take_idle(call->ctx, kind)) != NULL) {
        slice(call, 1 + untried(call, tried));
        st = attempt(call, c, op, args);
        if (!call->lost) {
            return st;
        }
    }
    while (!expired(call) && (host = next_host(call, tried)) >= 0) {
        tried[host] = 1;
        slice(call, 1 + untried(call, tried));
        call->lost = call->silent = 0;
        if ((st = open_conn(call, kind, host, &c)) == AC_BE_OK) {
            st = attempt(call, c, op, args);
        }
        else {
            judge_host(call, c);
            release(call->ctx, c);
        }
        if (!call->lost) {
            return st;
        }
    }
    return give_up(call, st);
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
    s->all = apr_array_make(p, 4, sizeof(const char *));
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
        for (i = 0; s->attr_list && s->attr_list[i]; i++) {
            apr_array_cat(s->all, values(p, ld, e, s->attr_list[i]));
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
    count_op(call->ctx);
    rc = ldap_search_ext(c->ld, s->base, s->scope, s->filter,
                         s->attr_list ? s->attr_list : s->attrs, 0,
                         NULL, NULL, NULL, s->sizelimit, &msgid);
    if (rc == LDAP_SUCCESS) {
        rc = wait_result(call, c, msgid, &res);
    }
    if (rc == LDAP_SUCCESS) {
        rc = result_code(c, res);
    }
    s->missing = rc == LDAP_NO_SUCH_OBJECT && s->missing_ok;
    s->truncated = rc == LDAP_SIZELIMIT_EXCEEDED;
    if (s->missing) {
        rc = LDAP_SUCCESS;
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

ac_be_status ac_ldap_find_one(ac_ldap_call *call, ac_ldap_search *s)
{
    ac_ldap_ctx *ctx = call->ctx;
    ac_be_status st;

    s->base = ctx->url.base;
    s->scope = ctx->url.scope;
    s->sizelimit = 2;               /* two are enough to say "ambiguous" */
    st = ac_ldap_run(call, AC_CONN_SEARCH, ac_ldap_op_search, s);
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

const char *ac_ldap_and_filter(ac_ldap_call *call, const char *attr,
                               const char *value, const char *tail)
{
    return apr_pstrcat(call->p, "(&", call->ctx->url.filter, "(", attr,
                       "=", ac_ldap_escape_str(call->p, value), tail,
                       "))", NULL);
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
    call->slice_end = call->deadline;
    call->lost = call->silent = 0;
    call->failures = NULL;
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
