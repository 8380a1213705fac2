/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_statedoc.h"
#include "ac_hmac.h"

#include <string.h>
#include <apr_strings.h>
#include <openssl/crypto.h>

/* A chunk fits a shmcb subcache of the default size beside other
 * entries (mod_socache_shmcb refuses an entry larger than its
 * subcache; a 512 KB cache has 32 of them). */
#define CHUNK 3072
/* head: when (8) | length (4) | chunks (4) | HMAC (32) */
#define HEAD (8 + 4 + 4 + AC_HMAC_LEN)

static void put_be(unsigned char *b, apr_uint64_t v, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        b[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
    }
}

static apr_uint64_t get_be(const unsigned char *b, int n)
{
    apr_uint64_t v = 0;
    int i;

    for (i = 0; i < n; i++) {
        v = (v << 8) | b[i];
    }
    return v;
}

static int key_of(const ac_statedoc *d, const char *what, const char *a,
                  const char *b, unsigned char key[AC_HMAC_LEN])
{
    return ac_hmac_fields(d->secret, d->secret_len, key, "statedoc", what,
                          d->name, a ? a : "", b ? b : "", NULL);
}

static int mac_of(const ac_statedoc *d, const char *when, const char *doc,
                  unsigned char mac[AC_HMAC_LEN])
{
    return ac_hmac_fields(d->secret, d->secret_len, mac, "statedoc-mac",
                          d->name, when, doc, NULL);
}

static int usable(const ac_statedoc *d)
{
    return d && d->state && d->secret && d->secret_len && d->name;
}

/* One store operation under the state's lock. */
static int locked_put(const ac_statedoc *d, const unsigned char *key,
                      const unsigned char *val, apr_size_t len,
                      apr_time_t expiry, apr_pool_t *p)
{
    const ac_state *s = d->state;
    int ok = 0;

    if (s->lock(s->ctx) == AC_STATE_OK) {
        ok = s->put(s->ctx, key, AC_HMAC_LEN, val, len, expiry, p)
             == AC_STATE_OK;
        s->unlock(s->ctx);
    }
    return ok;
}

static int locked_get(const ac_statedoc *d, const unsigned char *key,
                      unsigned char *val, apr_size_t *len, apr_pool_t *p)
{
    const ac_state *s = d->state;
    int ok = 0;

    if (s->lock(s->ctx) == AC_STATE_OK) {
        ok = s->get(s->ctx, key, AC_HMAC_LEN, val, len, p) == AC_STATE_OK;
        s->unlock(s->ctx);
    }
    return ok;
}

apr_time_t ac_statedoc_when(const ac_statedoc *d, apr_pool_t *p);

int ac_statedoc_put(const ac_statedoc *d, const char *doc, apr_size_t len,
                    apr_time_t when, apr_time_t expiry, apr_pool_t *p)
{
    const char *w = apr_psprintf(p, "%" APR_TIME_T_FMT, when);
    unsigned char key[AC_HMAC_LEN], head[HEAD];
    apr_size_t i, n = (len + CHUNK - 1) / CHUNK;

    if (!usable(d) || len > AC_STATEDOC_MAX || strlen(doc) != len) {
        return 0;
    }
    /* chunks first, each version under keys of its own: a reader never
     * mixes two versions, and the HMAC catches a chunk lost since */
    for (i = 0; i < n; i++) {
        apr_size_t part = len - i * CHUNK < CHUNK ? len - i * CHUNK : CHUNK;

        if (!key_of(d, "chunk", w, apr_ltoa(p, (long)i), key)
            || !locked_put(d, key, (const unsigned char *)doc + i * CHUNK,
                           part, expiry, p)) {
            return 0;
        }
    }
    put_be(head, (apr_uint64_t)when, 8);
    put_be(head + 8, len, 4);
    put_be(head + 12, n, 4);
    /* a newer document kept meanwhile stays */
    return mac_of(d, w, doc, head + 16)
           && (ac_statedoc_when(d, p) > when
               || (key_of(d, "head", NULL, NULL, key)
                   && locked_put(d, key, head, HEAD, expiry, p)));
}

static int read_head(const ac_statedoc *d, unsigned char head[HEAD],
                     apr_pool_t *p)
{
    unsigned char key[AC_HMAC_LEN];
    apr_size_t len = HEAD;

    return usable(d) && key_of(d, "head", NULL, NULL, key)
           && locked_get(d, key, head, &len, p) && len == HEAD;
}

apr_time_t ac_statedoc_when(const ac_statedoc *d, apr_pool_t *p)
{
    unsigned char head[HEAD];

    return read_head(d, head, p) ? (apr_time_t)get_be(head, 8) : 0;
}

int ac_statedoc_get(const ac_statedoc *d, const char **doc,
                    apr_size_t *len, apr_time_t *when, apr_pool_t *p)
{
    unsigned char head[HEAD], key[AC_HMAC_LEN], mac[AC_HMAC_LEN];
    apr_size_t total, n, i, got = 0, part;
    const char *w;
    char *buf;

    if (!read_head(d, head, p)) {
        return 0;
    }
    *when = (apr_time_t)get_be(head, 8);
    total = (apr_size_t)get_be(head + 8, 4);
    n = (apr_size_t)get_be(head + 12, 4);
    if (total > AC_STATEDOC_MAX || n != (total + CHUNK - 1) / CHUNK) {
        return 0;
    }
    w = apr_psprintf(p, "%" APR_TIME_T_FMT, *when);
    buf = apr_palloc(p, total + CHUNK + 1);
    for (i = 0; i < n; i++) {
        part = CHUNK;
        if (!key_of(d, "chunk", w, apr_ltoa(p, (long)i), key)
            || !locked_get(d, key, (unsigned char *)buf + got, &part, p)) {
            return 0;
        }
        got += part;
        if (got > total) {
            return 0;
        }
    }
    buf[got] = '\0';
    if (got != total || strlen(buf) != total || !mac_of(d, w, buf, mac)
        || CRYPTO_memcmp(mac, head + 16, AC_HMAC_LEN)) {
        return 0;
    }
    *doc = buf;
    *len = total;
    return 1;
}

/* ------------------------------------------------------------ the gate */

/* since is less than interval ago.  A claim made a moment "after" now
 * is recent too: another process took the time first and the lock
 * after us; a claim far ahead is a clock that jumped back. */
static int recent(apr_time_t now, apr_time_t since,
                  apr_interval_time_t interval)
{
    return since <= now + interval && now - since < interval;
}

ac_gate_status ac_statedoc_claim(const ac_statedoc *d, apr_time_t now,
                                 apr_interval_time_t interval,
                                 apr_time_t *since, apr_pool_t *p)
{
    const ac_state *s = d ? d->state : NULL;
    unsigned char key[AC_HMAC_LEN], val[9];
    apr_size_t len = sizeof(val);
    ac_gate_status st = AC_GATE_MINE;

    *since = 0;
    if (!usable(d) || !key_of(d, "gate", NULL, NULL, key)
        || s->lock(s->ctx) != AC_STATE_OK) {
        return AC_GATE_MINE;        /* nothing shared: the caller's own */
    }
    if (s->get(s->ctx, key, sizeof(key), val, &len, p) == AC_STATE_OK
        && len == sizeof(val) && recent(now, (apr_time_t)get_be(val, 8),
                                        interval)) {
        *since = (apr_time_t)get_be(val, 8);
        st = val[8] ? AC_GATE_CLOSED : AC_GATE_RUNNING;
    }
    else {
        put_be(val, (apr_uint64_t)now, 8);
        val[8] = 0;
        *since = now;
        s->put(s->ctx, key, sizeof(key), val, sizeof(val), now + interval,
               p);
    }
    s->unlock(s->ctx);
    return st;
}

int ac_statedoc_running(const ac_statedoc *d, apr_time_t since,
                        apr_pool_t *p)
{
    unsigned char key[AC_HMAC_LEN], val[9];
    apr_size_t len = sizeof(val);

    return usable(d) && key_of(d, "gate", NULL, NULL, key)
           && locked_get(d, key, val, &len, p) && len == sizeof(val)
           && (apr_time_t)get_be(val, 8) == since && !val[8];
}

void ac_statedoc_release(const ac_statedoc *d, apr_time_t since,
                         apr_interval_time_t interval, apr_pool_t *p)
{
    unsigned char key[AC_HMAC_LEN], val[9];

    if (!usable(d) || !key_of(d, "gate", NULL, NULL, key)) {
        return;
    }
    put_be(val, (apr_uint64_t)since, 8);
    val[8] = 1;
    locked_put(d, key, val, sizeof(val), since + interval, p);
}
