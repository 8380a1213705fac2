/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Key sources against a stub authorization server on loopback
 * (http_stub.h): discovery, keys kept, an unknown kid fetching at most
 * once per min-interval, a document shared between processes through
 * the shared state, the server failing or hung with keys and without,
 * a refresh in the background.
 */
#include "ac_test.h"
#include "ac_memstate.h"
#include "ac_keysource.h"
#include "ac_http.h"
#include "jwt_sign.h"
#include "http_stub.h"

#define SECRET "0123456789abcdef0123456789abcdef"
#define MS(n) apr_time_from_msec(n)

/* The in-memory store, made safe for the source's own threads as the
 * glue's socache is by its mutexes. */
typedef struct {
    ac_memstate m;
    ac_state inner, outer;
    pthread_mutex_t mu;
} shared;

static ac_state_status sh_lock(void *ctx)
{
    shared *s = ctx;
    ac_state_status st;

    pthread_mutex_lock(&s->mu);
    if ((st = s->inner.lock(s->inner.ctx)) != AC_STATE_OK) {
        pthread_mutex_unlock(&s->mu);
    }
    return st;
}

static void sh_unlock(void *ctx)
{
    shared *s = ctx;

    s->inner.unlock(s->inner.ctx);
    pthread_mutex_unlock(&s->mu);
}

static ac_state_status sh_get(void *ctx, const unsigned char *k,
                              apr_size_t kl, unsigned char *v,
                              apr_size_t *l, apr_pool_t *p)
{
    shared *s = ctx;

    return s->inner.get(s->inner.ctx, k, kl, v, l, p);
}

static ac_state_status sh_put(void *ctx, const unsigned char *k,
                              apr_size_t kl, const unsigned char *v,
                              apr_size_t l, apr_time_t e, apr_pool_t *p)
{
    shared *s = ctx;

    return s->inner.put(s->inner.ctx, k, kl, v, l, e, p);
}

static shared *shared_make(apr_pool_t *p)
{
    shared *s = apr_pcalloc(p, sizeof(*s));
    apr_pool_t *own;

    apr_pool_create_unmanaged_ex(&own, NULL, NULL);
    ac_memstate_init(&s->m, &s->inner, own);
    pthread_mutex_init(&s->mu, NULL);
    s->outer.ctx = s;
    s->outer.lock = sh_lock;
    s->outer.unlock = sh_unlock;
    s->outer.get = sh_get;
    s->outer.put = sh_put;
    return s;
}

static http_stub stub;
static char issuer[64];

/* The stub as an authorization server with k_p256 as "k1" (and k2). */
static void serve(apr_pool_t *p, int with_k2)
{
    char meta[512];

    snprintf(issuer, sizeof(issuer), "http://127.0.0.1:%d", stub.port);
    snprintf(meta, sizeof(meta), "{\"issuer\":\"%s\",\"jwks_uri\":\"%s/"
             "jwks\",\"introspection_endpoint\":\"%s/introspect\"}", issuer,
             issuer, issuer);
    stub_set(&stub, "/.well-known/oauth-authorization-server", 200, meta, 0);
    stub_set(&stub, "/jwks", 200, apr_psprintf(p, "{\"keys\":[%s%s%s]}",
             jwk(p, k_p256, "k1", ""), with_k2 ? "," : "",
             with_k2 ? jwk(p, k_p256b, "k2", "") : ""), 0);
}

static ac_keysource_conf conf(apr_pool_t *p, int min_ms)
{
    ac_keysource_conf c;

    memset(&c, 0, sizeof(c));
    c.metadata_url = apr_psprintf(p, "%s/.well-known/oauth-authorization-"
                                  "server", issuer);
    c.http.timeout = MS(2000);
    c.refresh = apr_time_from_sec(3600);
    c.min_refresh = MS(min_ms);
    return c;
}

static int keys(ac_keysource *ks, const char *kid, int wait_ms, ac_keys *k,
                const char **why, apr_pool_t *p)
{
    return ac_keysource_keys(ks, kid, apr_time_now(),
                             apr_time_now() + MS(wait_ms), k, why, p);
}

static int setup(void **state)
{
    if (ac_test_pool_setup(state) != 0 || !stub_start(&stub)) {
        return -1;
    }
    serve(*state, 0);
    return 0;
}

static int teardown(void **state)
{
    stub_stop(&stub);
    return ac_test_pool_teardown(state);
}

static void discovery(void **state)
{
    apr_pool_t *p = *state;
    ac_keysource_conf c = conf(p, 60000);
    ac_keysource *ks = ac_keysource_for(&c, NULL, NULL, 0, p);
    const char *why;
    ac_keys k;

    assert_non_null(ks);
    assert_ptr_equal(ac_keysource_for(&c, NULL, NULL, 0, p), ks);
    assert_true(keys(ks, "k1", 2000, &k, &why, p));
    assert_int_equal(ac_jwt_keyset_count(k.keys), 1);
    assert_string_equal(k.issuer, issuer);
    assert_string_equal(k.introspection,
                        apr_pstrcat(p, issuer, "/introspect", NULL));
    assert_int_equal(stub_hits(&stub, "/jwks"), 1);
    assert_int_equal(stub_hits(&stub,
                               "/.well-known/oauth-authorization-server"), 1);
    /* kept: no fetch for the next tokens */
    assert_true(keys(ks, "k1", 2000, &k, &why, p));
    assert_true(keys(ks, NULL, 2000, &k, &why, p));
    assert_int_equal(stub_hits(&stub, "/jwks"), 1);
    /* a kid it lacks within the min-interval: no fetch, the same keys */
    assert_true(keys(ks, "k2", 2000, &k, &why, p));
    assert_false(ac_jwt_keyset_has_kid(k.keys, "k2"));
    assert_int_equal(stub_hits(&stub, "/jwks"), 1);
}

static void unknown_kid(void **state)
{
    apr_pool_t *p = *state;
    ac_keysource_conf c = conf(p, 300);
    ac_keysource *ks = ac_keysource_for(&c, NULL, NULL, 0, p);
    const char *why;
    ac_keys k;
    int i;

    assert_true(keys(ks, "k1", 2000, &k, &why, p));
    serve(p, 1);                        /* the server rotates: k2 too */
    apr_sleep(MS(350));
    assert_true(keys(ks, "k2", 2000, &k, &why, p));
    assert_true(ac_jwt_keyset_has_kid(k.keys, "k2"));
    /* the metadata is not fetched again for a kid, only the set */
    assert_int_equal(stub_hits(&stub, "/jwks"), 2);
    assert_int_equal(stub_hits(&stub,
                               "/.well-known/oauth-authorization-server"), 1);
    for (i = 0; i < 20; i++) {
        assert_true(keys(ks, apr_itoa(p, i), 2000, &k, &why, p));
    }
    assert_int_equal(stub_hits(&stub, "/jwks"), 2);
    apr_sleep(MS(350));
    assert_true(keys(ks, "k3", 2000, &k, &why, p));
    assert_int_equal(stub_hits(&stub, "/jwks"), 3);
}

static void shared_state(void **state)
{
    apr_pool_t *p = *state;
    shared *sh = shared_make(p);
    ac_keysource_conf a = conf(p, 60000), b = a, c = conf(p, 100);
    const unsigned char *sec = (const unsigned char *)SECRET;
    ac_keysource *ka, *kb, *kc;
    const char *why;
    ac_keys k;

    /* three processes' sources, as it were (settings differ a little) */
    b.refresh = apr_time_from_sec(1800);
    ka = ac_keysource_for(&a, &sh->outer, sec, 32, p);
    kb = ac_keysource_for(&b, &sh->outer, sec, 32, p);
    kc = ac_keysource_for(&c, &sh->outer, sec, 32, p);
    assert_ptr_not_equal(ka, kb);
    assert_true(keys(ka, "k1", 2000, &k, &why, p));
    assert_true(keys(kb, "k1", 2000, &k, &why, p));
    assert_int_equal(ac_jwt_keyset_count(k.keys), 1);
    assert_int_equal(stub_hits(&stub, "/jwks"), 1);     /* one fetch */
    /* the server adds k2; one source fetches it (its min-interval is
     * 100 ms); another learns of it from the shared state within 1 s,
     * without a fetch, while asking for k1 */
    serve(p, 1);
    apr_sleep(MS(150));
    assert_true(keys(kc, "k2", 2000, &k, &why, p));
    assert_true(ac_jwt_keyset_has_kid(k.keys, "k2"));
    assert_int_equal(stub_hits(&stub, "/jwks"), 2);
    apr_sleep(MS(1100));
    assert_true(keys(kb, "k1", 2000, &k, &why, p));
    assert_true(ac_jwt_keyset_has_kid(k.keys, "k2"));
    assert_true(keys(ka, "k2", 2000, &k, &why, p));
    assert_int_equal(stub_hits(&stub, "/jwks"), 2);
    /* the shared gate: a is within its 60 s, so a new kid fetches not */
    assert_true(keys(ka, "k3", 2000, &k, &why, p));
    assert_int_equal(stub_hits(&stub, "/jwks"), 2);
}

static void down(void **state)
{
    apr_pool_t *p = *state;
    ac_keysource_conf c = conf(p, 300);
    ac_keysource *ks;
    const char *why = NULL;
    apr_time_t t0;
    ac_keys k;

    c.refresh = MS(400);
    c.http.timeout = MS(300);
    ks = ac_keysource_for(&c, NULL, NULL, 0, p);
    stub_set(&stub, "/jwks", 503, "{}", 0);
    assert_false(keys(ks, "k1", 1000, &k, &why, p));
    assert_non_null(strstr(why, "503"));
    serve(p, 0);
    /* without keys a fetch is tried again after 1 s, not min-interval */
    apr_sleep(MS(1050));
    assert_true(keys(ks, "k1", 1000, &k, &why, p));
    /* keys cached, the server hung: the keys, at once, while a thread
     * tries in the background */
    stub_set(&stub, "/jwks", 200, "{}", 2000);
    apr_sleep(MS(450));
    t0 = apr_time_now();
    assert_true(keys(ks, "k1", 1000, &k, &why, p));
    assert_true(apr_time_now() - t0 < MS(100));
    assert_int_equal(ac_jwt_keyset_count(k.keys), 1);
    /* an unknown kid while it hangs: no longer than the deadline */
    apr_sleep(MS(350));
    t0 = apr_time_now();
    assert_true(keys(ks, "k9", 250, &k, &why, p));
    assert_true(apr_time_now() - t0 < MS(450));
    apr_sleep(MS(2500));                /* let the stub finish */
    serve(p, 0);
}

static void bad_sets(void **state)
{
    apr_pool_t *p = *state;
    ac_keysource_conf c = conf(p, 60000);
    ac_keysource *ks;
    const char *why = NULL;
    ac_keys k;

    c.issuer = "https://configured.example";   /* not the stub's */
    ks = ac_keysource_for(&c, NULL, NULL, 0, p);
    assert_false(keys(ks, "k1", 1000, &k, &why, p));
    assert_non_null(strstr(why, "AuthChallengeBearerIssuer"));
    c = conf(p, 60000);
    c.metadata_url = NULL;
    c.jwks_uri = apr_pstrcat(p, issuer, "/jwks", NULL);
    c.refresh = apr_time_from_sec(7);
    ks = ac_keysource_for(&c, NULL, NULL, 0, p);
    stub_set(&stub, "/jwks", 200, apr_psprintf(p, "{\"keys\":[%s]}",
             oct_jwk(p, secret, "s1", "")), 0);
    assert_false(keys(ks, "s1", 1000, &k, &why, p));
    assert_non_null(strstr(why, "no signature verification key"));
    serve(p, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(discovery, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_kid, setup, teardown),
        cmocka_unit_test_setup_teardown(shared_state, setup, teardown),
        cmocka_unit_test_setup_teardown(down, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_sets, setup, teardown),
    };

    ac_http_global_init();
    return cmocka_run_group_tests(tests, keys_setup, keys_teardown);
}
