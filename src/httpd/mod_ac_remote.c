/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_remote.h"

#include "http_log.h"
#include "apr_hash.h"
#include "apr_lib.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"

#include <errno.h>
#include <stdlib.h>


APLOG_USE_MODULE(authchallenge);

/* Every key of the module in a shared cache starts so: other users of
 * the same memcached or redis keep theirs. */
#define NS          "authchallenge:"
/* The generation key of a cache server (docs/operations.md,
 * "Running a farm"): it has no expiry, and whoever finds it missing
 * makes a new one with add. */
#define GEN_KEY     NS "generation"
#define GEN_LEN     16          /* 64 bits, hex                        */
#define BREAK_FOR   apr_time_from_sec(1)

struct ach_remote {
    const ach_remote_client *c;
    void *ctx;
    apr_interval_time_t timeout;
    server_rec *s;
    /* per process: the generation last seen per cache server */
    apr_hash_t *gens;
    apr_pool_t *gens_pool;
    apr_thread_mutex_t *lock;
    volatile apr_time_t down_until;     /* breaker (one server)       */
    ac_state iface;
};

/* ------------------------------------------------ the time a request has
 * The cache may make a request wait AuthChallengeCacheTimeout in all,
 * not once per call: a hung server would otherwise hold a request for
 * the failure limit, the credential cache and the replay check in turn.
 * What is counted is the time spent in calls to the cache, so a slow
 * back-end in between does not use it up. */
static __thread apr_interval_time_t tl_spent;

void ach_remote_begin(void)
{
    tl_spent = 0;
}

apr_interval_time_t ach_remote_budget(apr_interval_time_t timeout)
{
    return tl_spent < timeout ? timeout - tl_spent : 0;
}

void ach_remote_charge(apr_interval_time_t t)
{
    tl_spent += t;
}

/* Open a call: its time budget, or 0 when it must not wait at all. */
static apr_interval_time_t call_begin(ach_remote *r, apr_time_t *t0)
{
    *t0 = apr_time_now();
    if (r->c->breaker && *t0 < r->down_until) {
        return 0;
    }
    return ach_remote_budget(r->timeout);
}

static ac_state_status call_end(ach_remote *r, apr_time_t t0,
                                ac_state_status st)
{
    apr_time_t now = apr_time_now();

    tl_spent += now - t0;
    if (st == AC_STATE_ERROR && r->c->breaker) {
        r->down_until = now + BREAK_FOR;
    }
    return st;
}

/* --------------------------------------------------------------- keys */

/* The key as the cache takes it: the namespace, then the key as it is
 * when it is printable, else "x" and its hex (the credential cache's
 * keys are HMAC bytes).  NULL for a key too long for memcached (none of
 * the core's is). */
static const char *cache_key(const unsigned char *key, apr_size_t klen,
                             apr_pool_t *p)
{
    static const char hex[] = "0123456789abcdef";
    apr_size_t i;
    char *out, *w;

    if (klen > 110) {
        return NULL;
    }
    for (i = 0; i < klen && key[i] > 0x20 && key[i] < 0x7f; i++) {
    }
    if (i == klen && klen && key[0] != 'x' && klen < 200) {
        return apr_pstrcat(p, NS, apr_pstrmemdup(p, (const char *)key,
                                                 klen), NULL);
    }
    w = out = apr_palloc(p, sizeof(NS) + 1 + 2 * klen);
    memcpy(w, NS "x", sizeof(NS));
    w += sizeof(NS);
    for (i = 0; i < klen; i++) {
        *w++ = hex[key[i] >> 4];
        *w++ = hex[key[i] & 0x0f];
    }
    *w = '\0';
    return out;
}

static apr_interval_time_t ttl_of(apr_time_t expiry)
{
    apr_interval_time_t ttl;

    if (!expiry) {
        return 0;
    }
    ttl = expiry - apr_time_now();
    return ttl < 1000 ? 1000 : ttl;     /* already over: at once      */
}

/* ------------------------------------------------------- the interface */

/* One call to the cache client: what it is and its arguments. */
typedef enum { OP_GET, OP_SET, OP_DEL, OP_INCR } rs_kind;

typedef struct {
    rs_kind kind;
    const char *group;                  /* get, set                   */
    unsigned char *out;                 /* get: the buffer            */
    apr_size_t *out_len;                /* get: in, its size; out     */
    const unsigned char *in;            /* set                        */
    apr_size_t in_len;
    apr_time_t expiry;                  /* set, incr (0: none)        */
    int only_add;                       /* set: unless it exists      */
    apr_int64_t delta;                  /* incr                       */
    apr_int64_t *value;
} rs_op;

/* Make the call o on key k (NULL: a key the cache cannot take), within
 * the time the request has left and the breaker. */
static ac_state_status rs_call(ach_remote *r, const char *k, const rs_op *o)
{
    apr_time_t t0;
    apr_interval_time_t left;
    ac_state_status st;

    if (!k || !(left = call_begin(r, &t0))) {
        return AC_STATE_ERROR;
    }
    switch (o->kind) {
    case OP_GET:
        st = r->c->get(r->ctx, o->group, k, o->out, o->out_len, left);
        break;
    case OP_SET:
        st = r->c->set(r->ctx, o->group, k, o->in, o->in_len,
                       ttl_of(o->expiry), o->only_add, left);
        break;
    case OP_DEL:
        st = r->c->del(r->ctx, k, left);
        break;
    default:
        st = r->c->incr(r->ctx, k, o->delta, ttl_of(o->expiry), o->value,
                        left);
        break;
    }
    return call_end(r, t0, st);
}

static ac_state_status rs_get(void *ctx, const unsigned char *key,
                              apr_size_t klen, unsigned char *val,
                              apr_size_t *len, apr_pool_t *p)
{
    rs_op o = { .kind = OP_GET, .out = val, .out_len = len };

    return rs_call(ctx, cache_key(key, klen, p), &o);
}

static ac_state_status rs_put(void *ctx, const unsigned char *key,
                              apr_size_t klen, const unsigned char *val,
                              apr_size_t len, apr_time_t expiry,
                              apr_pool_t *p)
{
    rs_op o = { .kind = OP_SET, .in = val, .in_len = len, .expiry = expiry };

    return rs_call(ctx, cache_key(key, klen, p), &o);
}

static ac_state_status rs_remove(void *ctx, const unsigned char *key,
                                 apr_size_t klen, apr_pool_t *p)
{
    rs_op o = { .kind = OP_DEL };

    return rs_call(ctx, cache_key(key, klen, p), &o);
}

static ac_state_status rs_add(void *ctx, const char *group,
                              const unsigned char *key, apr_size_t klen,
                              const unsigned char *val, apr_size_t len,
                              apr_time_t expiry, apr_pool_t *p)
{
    rs_op o = { .kind = OP_SET, .group = group, .in = val, .in_len = len,
                .expiry = expiry, .only_add = 1 };

    return rs_call(ctx, cache_key(key, klen, p), &o);
}

static ac_state_status rs_incr(void *ctx, const unsigned char *key,
                               apr_size_t klen, apr_int64_t delta,
                               apr_time_t expiry, apr_int64_t *value,
                               apr_pool_t *p)
{
    rs_op o = { .kind = OP_INCR, .delta = delta, .expiry = expiry,
                .value = value };

    return rs_call(ctx, cache_key(key, klen, p), &o);
}

/* ------------------------------------------------------ the generation */

static int parse_gen(const unsigned char *v, apr_size_t len,
                     apr_uint64_t *gen)
{
    char buf[GEN_LEN + 1], *end;

    if (len != GEN_LEN || !apr_isxdigit(v[0])) {
        return 0;
    }
    memcpy(buf, v, GEN_LEN);
    buf[GEN_LEN] = '\0';
    /* all 64 bits: strtoull, not apr_strtoi64, which stops at 2^63 */
    errno = 0;
    *gen = (apr_uint64_t)strtoull(buf, &end, 16);
    return *end == '\0' && *gen != 0 && errno == 0;
}

/* Read the generation of the server of group; make one when there is
 * none (the server is new, restarted, flushed, or took over another's
 * keys): whoever adds it first sets it for everyone. */
static ac_state_status gen_fetch(ach_remote *r, const char *group,
                                 apr_uint64_t *gen)
{
    unsigned char v[GEN_LEN + 8];
    char fresh[GEN_LEN + 1];
    apr_uint64_t n = 0;
    apr_size_t len;
    rs_op get = { .kind = OP_GET, .group = group, .out = v,
                  .out_len = &len };
    rs_op add = { .kind = OP_SET, .group = group,
                  .in = (const unsigned char *)fresh, .in_len = GEN_LEN,
                  .only_add = 1 };
    ac_state_status st;
    int tries;

    for (tries = 0; tries < 2; tries++) {
        len = sizeof(v);
        st = rs_call(r, GEN_KEY, &get);
        if (st == AC_STATE_OK) {
            return parse_gen(v, len, gen) ? AC_STATE_OK : AC_STATE_ERROR;
        }
        if (st != AC_STATE_NOT_FOUND) {
            return st;
        }
        if (!n && !(n = ac_state_generation_new(apr_time_now()))) {
            return AC_STATE_ERROR;
        }
        apr_snprintf(fresh, sizeof(fresh), "%016" APR_UINT64_T_HEX_FMT, n);
        st = rs_call(r, GEN_KEY, &add);
        if (st == AC_STATE_OK) {
            *gen = n;
            return st;
        }
        if (st != AC_STATE_EXISTS) {
            return st;
        }
    }
    return AC_STATE_ERROR;
}

/* What this process saw last of server (0: nothing), and the new value:
 * a change is logged, once per process. */
static apr_uint64_t gen_seen(ach_remote *r, const char *server,
                             const apr_uint64_t *update)
{
    apr_uint64_t *slot, old;

    apr_thread_mutex_lock(r->lock);
    slot = apr_hash_get(r->gens, server, APR_HASH_KEY_STRING);
    old = slot ? *slot : 0;
    if (update && *update != old) {
        if (!slot) {
            slot = apr_palloc(r->gens_pool, sizeof(*slot));
            apr_hash_set(r->gens, apr_pstrdup(r->gens_pool, server),
                         APR_HASH_KEY_STRING, slot);
        }
        *slot = *update;
    }
    apr_thread_mutex_unlock(r->lock);
    if (update && old && *update != old) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, r->s, "AC01013: the "
                     "shared cache %s lost its contents (restarted, "
                     "flushed or failed over: a new generation): Digest "
                     "nonces issued before are answered with stale=true",
                     server);
    }
    return old;
}

static ac_state_status rs_generation(void *ctx, const char *group,
                                     int fresh, apr_uint64_t *gen,
                                     apr_pool_t *p)
{
    ach_remote *r = ctx;
    const char *server = r->c->server_of(r->ctx, group, p);
    ac_state_status st;

    if (!server) {
        return AC_STATE_ERROR;
    }
    if (!fresh && (*gen = gen_seen(r, server, NULL)) != 0) {
        return AC_STATE_OK;
    }
    if ((st = gen_fetch(r, group, gen)) == AC_STATE_OK) {
        gen_seen(r, server, gen);
    }
    return st;
}

/* ------------------------------------------------------------- set-up */

const ach_remote_client *ach_remote_find(const char *spec)
{
    static const ach_remote_client *const all[] = {
        &ach_memcache_client, &ach_redis_client, NULL
    };
    apr_size_t n = strcspn(spec, ":");
    int i;

    for (i = 0; all[i]; i++) {
        if (strlen(all[i]->name) == n
            && !strncasecmp(all[i]->name, spec, n)) {
            return all[i];
        }
    }
    return NULL;
}

ach_remote *ach_remote_create(const ach_remote_client *c, const char *args,
                              apr_interval_time_t timeout, server_rec *s,
                              apr_pool_t *p, const char **err)
{
    ach_remote *r = apr_pcalloc(p, sizeof(*r));

    r->c = c;
    r->timeout = timeout;
    r->s = s;
    if ((*err = c->create(&r->ctx, args ? args : "", p)) != NULL) {
        return NULL;
    }
    r->iface.ctx = r;
    r->iface.get = rs_get;
    r->iface.put = rs_put;
    r->iface.remove = rs_remove;
    r->iface.add = rs_add;
    r->iface.incr = rs_incr;
    r->iface.generation = rs_generation;
    return r;
}

void ach_remote_child_init(ach_remote *r, apr_pool_t *p)
{
    apr_pool_create(&r->gens_pool, p);
    r->gens = apr_hash_make(r->gens_pool);
    apr_thread_mutex_create(&r->lock, APR_THREAD_MUTEX_DEFAULT, p);
    r->c->child_init(r->ctx, p);
}

const ac_state *ach_remote_state(ach_remote *r)
{
    return &r->iface;
}
