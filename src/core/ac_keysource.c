/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_keysource.h"
#include "ac_asmeta.h"
#include "ac_hash.h"
#include "ac_statedoc.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>

/* With no keys at all, a fetch is tried again after this long: the
 * first request after the server is back must not wait min_refresh. */
#define NO_KEYS_RETRY apr_time_from_sec(1)
/* How often a request that waits for another process's fetch looks. */
#define POLL apr_time_from_msec(20)
/* How often a process looks for a document another one fetched: a key
 * the server dropped stops verifying in every process this soon. */
#define SHARED_CHECK apr_time_from_sec(1)
/* A shared document outlives its refresh interval by this much, so that
 * a new process finds the keys while the server is down. */
#define KEEP_SHARED apr_time_from_sec(86400)

/* ---------------------------------------------------------- generations
 * One fetched document, parsed: replaced whole by a newer one, freed
 * when the last request that holds it is done. */

typedef struct gen {
    apr_pool_t *pool;
    ac_jwt_keyset *keys;            /* NULL: none                       */
    const char *issuer, *jwks_uri, *introspection, *stamp;
    apr_time_t fetched;             /* when the document was fetched    */
    apr_time_t meta_fetched;        /* when its metadata was            */
    int refs;                       /* under ks->mu; 1 for being current */
} gen;

struct ac_keysource {
    ac_keysource_conf c;
    const char *name;
    ac_statedoc doc;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    gen *cur;
    int busy;                       /* a refresh is running             */
    apr_time_t next_try;            /* no refresh for age before this   */
    apr_time_t next_shared;         /* look at the shared state then    */
    apr_time_t local_since;         /* this process's last fetch        */
    int down;                       /* the last fetch failed            */
    const char *error;              /* its message (in err_pool)        */
    apr_pool_t *err_pool;
};

static ac_log_fn log_fn;

/* Background refreshes running, and the process exiting (below). */
static pthread_mutex_t bg_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bg_cv = PTHREAD_COND_INITIALIZER;
static int bg_running;
static volatile int exiting;

void ac_keysource_set_log(ac_log_fn fn)
{
    log_fn = fn;
}

static void say(ac_log_level lv, apr_pool_t *p, const char *fmt, ...)
{
    va_list ap;
    const char *msg;

    if (!log_fn) {
        return;
    }
    va_start(ap, fmt);
    msg = apr_pvsprintf(p, fmt, ap);
    va_end(ap);
    log_fn(lv, msg);
}

const char *ac_keysource_name(const ac_keysource *ks)
{
    return ks->name;
}

static apr_pool_t *new_pool(void)
{
    apr_pool_t *p = NULL;

    /* unmanaged: made and destroyed by any thread, no parent's lock */
    return apr_pool_create_unmanaged_ex(&p, NULL, NULL) == APR_SUCCESS
           ? p : NULL;
}

/* Drop one reference (under ks->mu); the pool goes with the last. */
static void gen_unref(gen *g)
{
    if (g && --g->refs == 0) {
        apr_pool_destroy(g->pool);
    }
}

/* ----------------------------------------------------- the document
 * What one fetch learnt, as the shared state keeps it: fields as
 * "<length>:<bytes>" (metadata time, issuer, jwks_uri, introspection
 * endpoint, key set). */

static const char *field(const char *s, apr_pool_t *p)
{
    return apr_psprintf(p, "%" APR_SIZE_T_FMT ":%s", strlen(s ? s : ""),
                        s ? s : "");
}

static const char *doc_encode(apr_time_t meta, const char *iss,
                              const char *jwks_uri, const char *intro,
                              const char *jwks, apr_pool_t *p)
{
    return apr_pstrcat(p, field(apr_psprintf(p, "%" APR_TIME_T_FMT, meta),
                                p),
                       field(iss, p), field(jwks_uri, p), field(intro, p),
                       field(jwks, p), NULL);
}

static const char *take(const char **s, apr_pool_t *p)
{
    char *colon;
    unsigned long n;
    const char *v;

    if (**s < '0' || **s > '9') {
        return NULL;
    }
    n = strtoul(*s, &colon, 10);
    if (*colon != ':' || strlen(colon + 1) < n) {
        return NULL;
    }
    v = apr_pstrmemdup(p, colon + 1, n);
    *s = colon + 1 + n;
    return v;
}

static const char *or_null(const char *s)
{
    return s && *s ? s : NULL;
}

/* A generation from a document, or NULL and *why. */
static gen *gen_make(const ac_keysource *ks, const char *doc,
                     apr_time_t fetched, const char **why)
{
    apr_pool_t *p = new_pool();
    const char *s = doc, *meta, *f[4], *note = NULL;
    gen *g;
    int i;

    if (!p) {
        *why = "out of memory";
        return NULL;
    }
    g = apr_pcalloc(p, sizeof(*g));
    g->pool = p;
    g->fetched = fetched;
    g->refs = 1;
    if (!(meta = take(&s, p))) {
        *why = "a damaged shared document";
        apr_pool_destroy(p);
        return NULL;
    }
    for (i = 0; i < 4; i++) {
        if (!(f[i] = take(&s, p))) {
            *why = "a damaged shared document";
            apr_pool_destroy(p);
            return NULL;
        }
    }
    g->meta_fetched = apr_atoi64(meta);
    g->issuer = ks->c.issuer ? ks->c.issuer : or_null(f[0]);
    g->jwks_uri = or_null(f[1]);
    g->introspection = or_null(f[2]);
    if (*f[3] || ks->c.file_keys) {
        g->keys = ac_jwt_keyset_make(p);
        ac_jwt_keyset_add_keyset(g->keys, ks->c.file_keys);
    }
    if (*f[3] && (*why = ac_jwt_keyset_add_fetched(g->keys, f[3],
                                                   strlen(f[3]), &note))) {
        apr_pool_destroy(p);
        return NULL;
    }
    if (note) {
        say(AC_LOG_INFO, p, "AC01074: %s: %s", g->jwks_uri, note);
    }
    g->stamp = apr_pstrcat(p, ac_jwt_keyset_fingerprint(g->keys), "\n",
                           g->issuer ? g->issuer : "", NULL);
    return g;
}

/* Make g current (under ks->mu). */
static void install(ac_keysource *ks, gen *g)
{
    gen *old = ks->cur;

    ks->cur = g;
    gen_unref(old);
}

/* ------------------------------------------------------------- fetch */

static apr_interval_time_t left(apr_time_t deadline)
{
    apr_interval_time_t l = deadline - apr_time_now();

    return l > 0 ? l : 1;
}

static const char *get_json(const ac_keysource *ks, const char *url,
                            apr_time_t deadline, ac_http_resp *r,
                            apr_pool_t *p)
{
    ac_http_opts o = ks->c.http;
    const char *why;

    o.timeout = left(deadline);
    o.abort_flag = &exiting;
    if ((why = ac_http_get(&o, url, r, p)) != NULL) {
        return why;
    }
    return r->status == 200 ? NULL
           : apr_psprintf(p, "%s: HTTP status %ld", url, r->status);
}

/* The metadata, fetched again when older than the refresh interval. */
static const char *fetch_meta(const ac_keysource *ks, const gen *cur,
                              apr_time_t now, apr_time_t deadline,
                              ac_asmeta *m, apr_time_t *when, apr_pool_t *p)
{
    ac_http_resp r;
    const char *why;

    memset(m, 0, sizeof(*m));
    *when = 0;
    if (!ks->c.metadata_url) {
        return NULL;
    }
    if (cur && now - cur->meta_fetched < ks->c.refresh) {
        m->issuer = cur->issuer;
        m->jwks_uri = cur->jwks_uri;
        m->introspection_endpoint = cur->introspection;
        *when = cur->meta_fetched;
        return NULL;
    }
    if ((why = get_json(ks, ks->c.metadata_url, deadline, &r, p))) {
        return why;
    }
    *when = now;
    why = ac_asmeta_parse(r.body, r.len, ks->c.metadata_url, ks->c.issuer,
                          m, p);
    return why ? apr_pstrcat(p, ks->c.metadata_url, ": ", why, NULL) : NULL;
}

/* Fetch metadata and keys: the document (*doc), or why not. */
static const char *fetch(const ac_keysource *ks, const gen *cur,
                         apr_time_t now, apr_time_t deadline,
                         const char **doc, apr_pool_t *p)
{
    const char *why, *uri, *note;
    apr_time_t meta_when;
    ac_http_resp r = { 0, "", 0 };
    ac_asmeta m;

    if ((why = fetch_meta(ks, cur, now, deadline, &m, &meta_when, p))) {
        return why;
    }
    uri = ks->c.jwks_uri ? ks->c.jwks_uri : m.jwks_uri;
    if (uri && (why = get_json(ks, uri, deadline, &r, p))) {
        return why;
    }
    /* refuse a set without one usable key before it replaces any */
    if (uri && (why = ac_jwt_keyset_add_fetched(ac_jwt_keyset_make(p),
                                                r.body, r.len, &note))) {
        return apr_pstrcat(p, uri, ": ", why, NULL);
    }
    if (uri && strlen(r.body) != r.len) {
        return apr_pstrcat(p, uri, ": a NUL byte in the key set", NULL);
    }
    *doc = doc_encode(meta_when, m.issuer, uri, m.introspection_endpoint,
                      r.body, p);
    return NULL;
}

/* ------------------------------------------------------------ refresh */

static int satisfied(const ac_keysource *ks, const gen *g, const char *kid,
                     apr_time_t now)
{
    if (!g) {
        return 0;
    }
    return kid ? ac_jwt_keyset_has_kid(g->keys, kid)
               : now - g->fetched < ks->c.refresh;
}

/* A document in the shared state newer than ours: taken in. */
static void take_shared(ac_keysource *ks, apr_pool_t *p)
{
    const char *doc, *why = NULL;
    apr_size_t len;
    apr_time_t when, have;
    int recovered = 0;
    gen *g;

    pthread_mutex_lock(&ks->mu);
    have = ks->cur ? ks->cur->fetched : 0;
    pthread_mutex_unlock(&ks->mu);
    if (ac_statedoc_when(&ks->doc, p) <= have
        || !ac_statedoc_get(&ks->doc, &doc, &len, &when, p) || when <= have
        || !(g = gen_make(ks, doc, when, &why))) {
        return;
    }
    pthread_mutex_lock(&ks->mu);
    if (!ks->cur || ks->cur->fetched < when) {
        install(ks, g);
        g = NULL;
        /* another process fetched them: the outage is over here too */
        recovered = ks->down;
        ks->down = 0;
    }
    pthread_mutex_unlock(&ks->mu);
    if (g) {
        gen_unref(g);
    }
    if (recovered) {
        say(AC_LOG_NOTICE, p, "AC01072: keys from %s fetched (by another "
            "process)", ks->name);
    }
}

static void failed(ac_keysource *ks, const char *why, apr_pool_t *p)
{
    int first, have;

    pthread_mutex_lock(&ks->mu);
    first = !ks->down;
    have = ks->cur != NULL;
    ks->down = 1;
    apr_pool_clear(ks->err_pool);
    ks->error = apr_pstrdup(ks->err_pool, why);
    pthread_mutex_unlock(&ks->mu);
    say(first ? AC_LOG_WARNING : AC_LOG_DEBUG, p, "AC01071: keys from %s "
        "not fetched: %s; %s", ks->name, why, have
        ? "the keys fetched before stay in use" : "no keys yet");
}

static void fetched(ac_keysource *ks, const char *doc, apr_time_t now,
                    apr_pool_t *p)
{
    const char *why = NULL;
    gen *g = gen_make(ks, doc, now, &why);
    int was_down;

    if (!g) {
        failed(ks, why, p);
        return;
    }
    ac_statedoc_put(&ks->doc, doc, strlen(doc), now,
                    now + ks->c.refresh + KEEP_SHARED, p);
    pthread_mutex_lock(&ks->mu);
    install(ks, g);
    was_down = ks->down;
    ks->down = 0;
    pthread_mutex_unlock(&ks->mu);
    say(was_down ? AC_LOG_NOTICE : AC_LOG_DEBUG, p, "AC01072: keys from "
        "%s fetched (%d)", ks->name, ac_jwt_keyset_count(g->keys));
}

/* Another process fetches: wait (until deadline) for its document. */
static void wait_shared(ac_keysource *ks, apr_time_t since,
                        apr_time_t deadline, apr_pool_t *p)
{
    while (apr_time_now() + POLL < deadline) {
        apr_sleep(POLL);
        if (ac_statedoc_when(&ks->doc, p) >= since) {
            take_shared(ks, p);
            return;
        }
        if (!ac_statedoc_running(&ks->doc, since, p)) {
            return;                 /* it failed */
        }
    }
}

/* May this process fetch now?  Its own gate first (a shared one may
 * have been evicted: then this one still holds), then the shared one;
 * its own counts only the fetches it made. */
static ac_gate_status claim(ac_keysource *ks, apr_time_t now,
                            apr_time_t *since, apr_pool_t *p)
{
    apr_interval_time_t iv;
    ac_gate_status st;
    int closed;

    pthread_mutex_lock(&ks->mu);
    iv = ks->cur ? ks->c.min_refresh : NO_KEYS_RETRY;
    iv = iv < ks->c.min_refresh ? iv : ks->c.min_refresh;
    closed = ks->local_since && ks->local_since <= now + iv
             && now - ks->local_since < iv;
    pthread_mutex_unlock(&ks->mu);
    *since = now;
    if (closed) {
        return AC_GATE_CLOSED;
    }
    if ((st = ac_statedoc_claim(&ks->doc, now, iv, since, p))
        == AC_GATE_MINE) {
        pthread_mutex_lock(&ks->mu);
        ks->local_since = now;
        pthread_mutex_unlock(&ks->mu);
    }
    return st;
}

/* Bring the keys up to date for kid (NULL: for their age), by the
 * shared state or a fetch; one caller at a time (ks->busy). */
static void refresh(ac_keysource *ks, const char *kid, apr_time_t deadline,
                    apr_pool_t *p)
{
    apr_time_t now = apr_time_now(), since;
    const char *doc = NULL, *why;
    ac_gate_status st;
    int ok;

    take_shared(ks, p);
    pthread_mutex_lock(&ks->mu);
    ok = satisfied(ks, ks->cur, kid, now);
    pthread_mutex_unlock(&ks->mu);
    if (ok) {
        return;
    }
    st = claim(ks, now, &since, p);
    if (st == AC_GATE_RUNNING) {
        wait_shared(ks, since, deadline, p);
    }
    if (st != AC_GATE_MINE) {
        return;
    }
    /* cur is only replaced by this thread while busy: read unlocked */
    why = fetch(ks, ks->cur, now, deadline, &doc, p);
    if (why) {
        failed(ks, why, p);
    }
    else {
        fetched(ks, doc, now, p);
    }
    ac_statedoc_release(&ks->doc, since, ks->c.min_refresh, p);
}

static void *background(void *v)
{
    ac_keysource *ks = v;
    apr_pool_t *p = new_pool();

    if (p && !exiting) {
        refresh(ks, NULL, apr_time_now() + ks->c.http.timeout, p);
    }
    if (p) {
        apr_pool_destroy(p);
    }
    pthread_mutex_lock(&ks->mu);
    ks->busy = 0;
    pthread_cond_broadcast(&ks->cv);
    pthread_mutex_unlock(&ks->mu);
    pthread_mutex_lock(&bg_mu);
    bg_running--;
    pthread_cond_broadcast(&bg_cv);
    pthread_mutex_unlock(&bg_mu);
    return NULL;
}

void ac_keysource_shutdown(apr_interval_time_t wait)
{
    apr_time_t until = apr_time_now() + wait;
    struct timespec ts;

    ts.tv_sec = (time_t)apr_time_sec(until);
    ts.tv_nsec = (long)apr_time_usec(until) * 1000;
    pthread_mutex_lock(&bg_mu);
    exiting = 1;
    while (bg_running > 0
           && pthread_cond_timedwait(&bg_cv, &bg_mu, &ts) != ETIMEDOUT) {
    }
    pthread_mutex_unlock(&bg_mu);
}

/* Keys older than the refresh interval: fetched again by a thread of
 * their own (under ks->mu; not busy). */
static void start_background(ac_keysource *ks, apr_time_t now)
{
    pthread_attr_t a;
    pthread_t t;

    ks->next_try = now + NO_KEYS_RETRY;
    if (exiting || pthread_attr_init(&a) != 0) {
        return;
    }
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    ks->busy = 1;
    pthread_mutex_lock(&bg_mu);
    bg_running++;
    pthread_mutex_unlock(&bg_mu);
    if (pthread_create(&t, &a, background, ks) != 0) {
        ks->busy = 0;
        pthread_mutex_lock(&bg_mu);
        bg_running--;
        pthread_mutex_unlock(&bg_mu);
    }
    pthread_attr_destroy(&a);
}

/* ------------------------------------------------------------ requests */

static apr_status_t release(void *v)
{
    void **a = v;                   /* { ks, gen } */
    ac_keysource *ks = a[0];

    pthread_mutex_lock(&ks->mu);
    gen_unref(a[1]);
    pthread_mutex_unlock(&ks->mu);
    return APR_SUCCESS;
}

/* Wait for the running refresh, until deadline (under ks->mu). */
static void wait_busy(ac_keysource *ks, apr_time_t deadline)
{
    struct timespec ts;

    ts.tv_sec = (time_t)apr_time_sec(deadline);
    ts.tv_nsec = (long)apr_time_usec(deadline) * 1000;
    while (ks->busy && apr_time_now() < deadline) {
        if (pthread_cond_timedwait(&ks->cv, &ks->mu, &ts) == ETIMEDOUT) {
            break;
        }
    }
}

static int needs(const gen *g, const char *kid)
{
    return !g || (kid && !ac_jwt_keyset_has_kid(g->keys, kid));
}

int ac_keysource_keys(ac_keysource *ks, const char *kid, apr_time_t now,
                      apr_time_t deadline, ac_keys *out, const char **why,
                      apr_pool_t *p)
{
    void **hold;
    gen *g;
    int tried = 0;

    pthread_mutex_lock(&ks->mu);
    if (ks->cur && !ks->busy && now >= ks->next_shared && ks->doc.state) {
        /* what another process fetched (a rotation, a dropped key) */
        ks->busy = 1;
        ks->next_shared = now + SHARED_CHECK;
        pthread_mutex_unlock(&ks->mu);
        take_shared(ks, p);
        pthread_mutex_lock(&ks->mu);
        ks->busy = 0;
        pthread_cond_broadcast(&ks->cv);
    }
    while (needs(ks->cur, kid) && !tried && apr_time_now() < deadline) {
        if (ks->busy) {
            wait_busy(ks, deadline);
            continue;
        }
        ks->busy = tried = 1;
        pthread_mutex_unlock(&ks->mu);
        refresh(ks, kid, deadline, p);
        pthread_mutex_lock(&ks->mu);
        ks->busy = 0;
        pthread_cond_broadcast(&ks->cv);
    }
    if ((g = ks->cur) != NULL && !ks->busy && now >= ks->next_try
        && now - g->fetched >= ks->c.refresh) {
        start_background(ks, now);
    }
    if (g) {
        g->refs++;
    }
    *why = g ? NULL : apr_pstrdup(p, ks->error ? ks->error
                                  : "not fetched yet");
    pthread_mutex_unlock(&ks->mu);
    if (!g) {
        return 0;
    }
    hold = apr_palloc(p, 2 * sizeof(*hold));
    hold[0] = ks;
    hold[1] = g;
    apr_pool_cleanup_register(p, hold, release, apr_pool_cleanup_null);
    out->keys = g->keys;
    out->issuer = g->issuer;
    out->introspection = g->introspection;
    out->stamp = g->stamp;
    out->fetched = g->fetched;
    return 1;
}

/* ------------------------------------------------------------ registry */

typedef struct entry {
    const char *key;
    ac_keysource *ks;
    struct entry *next;
} entry;

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static entry *registry;
static apr_pool_t *registry_pool;

static const char *sdup(apr_pool_t *p, const char *s)
{
    return s ? apr_pstrdup(p, s) : NULL;
}

static ac_keysource *make(const ac_keysource_conf *c, const ac_state *st,
                          const unsigned char *secret, apr_size_t slen,
                          apr_pool_t *p)
{
    ac_keysource *ks = apr_pcalloc(p, sizeof(*ks));

    ks->c = *c;
    ks->c.metadata_url = sdup(p, c->metadata_url);
    ks->c.jwks_uri = sdup(p, c->jwks_uri);
    ks->c.issuer = sdup(p, c->issuer);
    ks->c.http.ca_file = sdup(p, c->http.ca_file);
    ks->name = ks->c.metadata_url ? ks->c.metadata_url : ks->c.jwks_uri;
    ks->doc.state = st;
    ks->doc.secret = secret;
    ks->doc.secret_len = slen;
    ks->doc.name = apr_pstrcat(p, "keys\n", ks->c.metadata_url
                               ? ks->c.metadata_url : "", "\n",
                               ks->c.jwks_uri ? ks->c.jwks_uri : "", "\n",
                               ks->c.issuer ? ks->c.issuer : "", NULL);
    if (!(ks->err_pool = new_pool())
        || pthread_mutex_init(&ks->mu, NULL) != 0
        || pthread_cond_init(&ks->cv, NULL) != 0) {
        return NULL;
    }
    return ks;
}

ac_keysource *ac_keysource_for(const ac_keysource_conf *c,
                               const ac_state *state,
                               const unsigned char *secret,
                               apr_size_t secret_len, apr_pool_t *tmp)
{
    apr_pool_t *p;
    const char *key;
    entry *e;

    if (!c->metadata_url && !c->jwks_uri) {
        return NULL;
    }
    key = apr_psprintf(tmp, "%s\n%s\n%s\n%s\n%" APR_TIME_T_FMT "\n%"
                       APR_TIME_T_FMT "\n%" APR_TIME_T_FMT "\n%s\n%pp\n%pp",
                       c->metadata_url ? c->metadata_url : "",
                       c->jwks_uri ? c->jwks_uri : "",
                       c->issuer ? c->issuer : "",
                       c->http.ca_file ? c->http.ca_file : "",
                       c->http.timeout, c->refresh, c->min_refresh,
                       ac_jwt_keyset_fingerprint(c->file_keys),
                       (void *)state, (void *)secret);
    pthread_mutex_lock(&registry_mu);
    if (!registry_pool && !(registry_pool = new_pool())) {
        pthread_mutex_unlock(&registry_mu);
        return NULL;
    }
    p = registry_pool;
    for (e = registry; e && strcmp(e->key, key); e = e->next) {
    }
    if (!e && (e = apr_pcalloc(p, sizeof(*e))) != NULL
        && (e->ks = make(c, state, secret, secret_len, p)) != NULL) {
        e->key = apr_pstrdup(p, key);
        e->next = registry;
        registry = e;
    }
    pthread_mutex_unlock(&registry_mu);
    return e ? e->ks : NULL;
}
