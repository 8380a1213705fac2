/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The LDAP back-end against a real slapd (t/ldap/slapd-ctl, fixture
 * t/ldap/fixture.ldif), started in the group set-up and stopped in the
 * group tear-down.  Without /usr/sbin/slapd only the offline tests run.
 * Run from the source tree (make does); AC_LDAP_CTL overrides the path
 * of slapd-ctl.
 */
#include "ac_test.h"
#include "ac_backend_ldap.h"
#include "ac_hash.h"
#include <apr_thread_proc.h>

#include <signal.h>
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <unistd.h>

#define REALM "LDAP Realm"
#define BASE "dc=example,dc=org"
#define READER "cn=reader," BASE

static char run_dir[] = "/tmp/ac-ldap-test-XXXXXX";
static char server[64];             /* ldap://127.0.0.1:PORT */
static apr_pool_t *gpool;
static const ac_backend *be;        /* as cn=reader, every attribute   */

static const char *ctl_path(void)
{
    const char *env = getenv("AC_LDAP_CTL");

    return env ? env : "t/ldap/slapd-ctl";
}

static int slapd_ctl(const char *cmd)
{
    char buf[512];

    snprintf(buf, sizeof(buf), "%s %s %s >/dev/null", ctl_path(), cmd,
             run_dir);
    return system(buf);
}

static pid_t slapd_pid(void)
{
    char path[128];
    long pid = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/slapd.pid", run_dir);
    if ((f = fopen(path, "r")) != NULL) {
        if (fscanf(f, "%ld", &pid) != 1) {
            pid = 0;
        }
        fclose(f);
    }
    return (pid_t)pid;
}

static const ac_backend *make(const char *path, const char *bind_dn,
                              apr_interval_time_t timeout,
                              const char *group_base)
{
    ac_ldap_conf c;
    const ac_backend *out;
    const char *err;

    memset(&c, 0, sizeof(c));
    c.url = apr_pstrcat(gpool, server, path, NULL);
    c.bind_dn = bind_dn;
    c.bind_pw = bind_dn ? "reader-pw" : NULL;
    c.timeout = timeout;
    c.digest_attr = "acDigestHA1";
    c.userhash_attr = "acUserhash";
    c.token_attr = "acBearerToken";
    c.group_base = group_base;
    err = ac_backend_ldap_make(gpool, &c, &out);
    if (err) {
        fail_msg("make: %s", err);
    }
    return out;
}

static int slapd_setup(void **state)
{
    char path[128];
    int port = 0;
    FILE *f;

    apr_initialize();
    apr_pool_create(&gpool, NULL);
    /* slapd-ctl stops slapd when this process dies without teardown */
    snprintf(path, sizeof(path), "%ld", (long)getpid());
    setenv("SLAPD_CTL_OWNER", path, 1);
    if (!mkdtemp(run_dir) || slapd_ctl("start") != 0) {
        fprintf(stderr, "cannot start slapd with %s\n", ctl_path());
        return -1;
    }
    snprintf(path, sizeof(path), "%s/port", run_dir);
    if (!(f = fopen(path, "r")) || fscanf(f, "%d", &port) != 1) {
        return -1;
    }
    fclose(f);
    snprintf(server, sizeof(server), "ldap://127.0.0.1:%d", port);
    be = make("/" BASE, READER, 0, NULL);
    return 0;
}

static int slapd_teardown(void **state)
{
    char buf[256];

    slapd_ctl("stop");
    snprintf(buf, sizeof(buf), "rm -rf %s", run_dir);
    if (system(buf) != 0) {
        fprintf(stderr, "cannot remove %s\n", run_dir);
    }
    apr_pool_destroy(gpool);
    apr_terminate();
    return 0;
}

static ac_be_status check(const ac_backend *b, const char *user,
                          const char *pw, const char **reason,
                          apr_pool_t *p)
{
    *reason = NULL;
    return b->check_password(b->ctx, user, pw, NULL, reason, p);
}

/* ------------------------------------------------------------ Basic */

static void basic(void **state)
{
    apr_pool_t *p = *state;
    const char *why;

    assert_int_equal(check(be, "alice", "alice-pw", &why, p), AC_BE_OK);
    assert_int_equal(check(be, "j\xc3\xb6rg", "j\xc3\xb6rg-pw", &why, p),
                     AC_BE_OK);
    assert_int_equal(check(be, "alice", "bob-pw", &why, p), AC_BE_DENIED);
    assert_string_equal(why, "wrong password");
    assert_int_equal(check(be, "nopw", "x", &why, p), AC_BE_DENIED);
    assert_int_equal(check(be, "nobody", "x", &why, p), AC_BE_NOT_FOUND);
    assert_non_null(strstr(why, "not found"));
    assert_int_equal(check(be, "dup", "dup-pw", &why, p), AC_BE_DENIED);
    assert_non_null(strstr(why, "ambiguous"));
    /* a wrong search identity password is the admin's error: 500 */
    {
        ac_ldap_conf c;
        const ac_backend *b;

        memset(&c, 0, sizeof(c));
        c.url = apr_pstrcat(p, server, "/" BASE, NULL);
        c.bind_dn = READER;
        c.bind_pw = "wrong-pw";
        assert_null(ac_backend_ldap_make(p, &c, &b));
        assert_int_equal(check(b, "alice", "alice-pw", &why, p),
                         AC_BE_ERROR);
        assert_non_null(strstr(why, "bind as " READER));
        assert_null(strstr(why, "wrong-pw"));
    }
    /* anonymous search identity */
    assert_int_equal(check(make("/" BASE, NULL, 0, NULL), "bob", "bob-pw",
                           &why, p), AC_BE_OK);
}

/* An empty password is refused before any connection is touched. */
static void empty_password(void **state)
{
    apr_pool_t *p = *state;
    ac_ldap_stats before, after;
    const char *why;

    ac_backend_ldap_stats(be, &before);
    assert_int_equal(check(be, "alice", "", &why, p), AC_BE_DENIED);
    assert_string_equal(why, "empty password");
    ac_backend_ldap_stats(be, &after);
    assert_int_equal(before.opened, after.opened);
    assert_int_equal(before.reused, after.reused);
}

static void injection(void **state)
{
    apr_pool_t *p = *state;
    const char *why, *hex;

    assert_int_equal(check(be, "*", "alice-pw", &why, p), AC_BE_NOT_FOUND);
    assert_int_equal(check(be, "*", "x", &why, p), AC_BE_NOT_FOUND);
    assert_int_equal(check(be, "a*", "alice-pw", &why, p), AC_BE_DENIED);
    assert_int_equal(check(be, "a*", "astar-pw", &why, p), AC_BE_OK);
    assert_int_equal(check(be, "x)(uid=*", "alice-pw", &why, p),
                     AC_BE_NOT_FOUND);
    assert_int_equal(check(be, "alice)(|(uid=*", "alice-pw", &why, p),
                     AC_BE_NOT_FOUND);
    assert_int_equal(check(be, "al\\2aice", "alice-pw", &why, p),
                     AC_BE_NOT_FOUND);
    assert_int_equal(check(be, "x(y)*", "xy-pw", &why, p), AC_BE_OK);
    assert_int_equal(check(be, "x(y)*", "alice-pw", &why, p), AC_BE_DENIED);
    assert_int_equal(be->get_ha1(be->ctx, "x(y)*", REALM, "MD5", &hex, NULL,
                                 &why, p), AC_BE_OK);
    assert_string_equal(hex, ac_hash_ha1(p, ac_hash_find("MD5"), "x(y)*",
                                         REALM, "xy-pw"));
}

/* ------------------------------------------------------------ Digest */

static void ha1(void **state)
{
    apr_pool_t *p = *state;
    static const char *const algs[] = { "MD5", "SHA-256", "SHA-512-256" };
    const char *why, *hex;
    int i;

    for (i = 0; i < 3; i++) {
        assert_int_equal(be->get_ha1(be->ctx, "alice", REALM, algs[i],
                                     &hex, NULL, &why, p), AC_BE_OK);
        assert_string_equal(hex, ac_hash_ha1(p, ac_hash_find(algs[i]),
                                             "alice", REALM, "alice-pw"));
    }
    assert_int_equal(be->get_ha1(be->ctx, "j\xc3\xb6rg", REALM, "SHA-256",
                                 &hex, NULL, &why, p), AC_BE_OK);
    assert_string_equal(hex, ac_hash_ha1(p, ac_hash_find("SHA-256"),
                                         "j\xc3\xb6rg", REALM,
                                         "j\xc3\xb6rg-pw"));
    assert_int_equal(be->get_ha1(be->ctx, "alice", "Other", "MD5", &hex, NULL,
                                 &why, p), AC_BE_NOT_FOUND);
    assert_int_equal(be->get_ha1(be->ctx, "alice", REALM, "sha-256", &hex, NULL,
                                 &why, p), AC_BE_NOT_FOUND);
    assert_int_equal(be->get_ha1(be->ctx, "alice", "LDAP", "Realm:MD5",
                                 &hex, NULL, &why, p), AC_BE_NOT_FOUND);
    assert_int_equal(be->get_ha1(be->ctx, "bob", REALM, "MD5", &hex, NULL, &why,
                                 p), AC_BE_NOT_FOUND);
    assert_int_equal(be->get_ha1(be->ctx, "nobody", REALM, "MD5", &hex, NULL,
                                 &why, p), AC_BE_NOT_FOUND);
    /* the ACL hides HA1 values from anonymous searches */
    assert_int_equal(make("/" BASE, NULL, 0, NULL)->get_ha1(
                         make("/" BASE, NULL, 0, NULL)->ctx, "alice", REALM,
                         "MD5", &hex, NULL, &why, p), AC_BE_NOT_FOUND);
}

static void userhash(void **state)
{
    apr_pool_t *p = *state;
    static const char *const algs[] = { "MD5", "SHA-256", "SHA-512-256" };
    const char *why, *user, *h;
    char *upper;
    int i;

    for (i = 0; i < 3; i++) {
        h = ac_hash_hex(p, ac_hash_find(algs[i]), "alice", REALM, NULL);
        user = NULL;
        assert_int_equal(be->resolve_userhash(be->ctx, h, REALM, algs[i],
                                              &user, &why, p), AC_BE_OK);
        assert_string_equal(user, "alice");
    }
    h = ac_hash_hex(p, ac_hash_find("MD5"), "j\xc3\xb6rg", REALM, NULL);
    upper = apr_pstrdup(p, h);
    for (i = 0; upper[i]; i++) {
        upper[i] = (char)toupper((unsigned char)upper[i]);
    }
    assert_int_equal(be->resolve_userhash(be->ctx, upper, REALM, "MD5",
                                          &user, &why, p), AC_BE_OK);
    assert_string_equal(user, "j\xc3\xb6rg");
    assert_int_equal(be->resolve_userhash(be->ctx, h, REALM, "SHA-256",
                                          &user, &why, p), AC_BE_NOT_FOUND);
    assert_int_equal(be->resolve_userhash(be->ctx, "*", REALM, "MD5",
                                          &user, &why, p), AC_BE_NOT_FOUND);
}

/* ------------------------------------------------------------ groups */

static int has(apr_array_header_t *a, const char *dn)
{
    int i;

    for (i = 0; i < a->nelts; i++) {
        if (ac_ldap_dn_equal(APR_ARRAY_IDX(a, i, const char *), dn)) {
            return 1;
        }
    }
    return 0;
}

static void groups(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *g;
    const ac_backend *mo;
    const char *why;

    assert_int_equal(be->groups(be->ctx, "alice", &g, &why, p), AC_BE_OK);
    assert_int_equal(g->nelts, 2);      /* staff via memberOf and member */
    assert_true(has(g, "cn=staff,ou=groups," BASE));
    assert_true(has(g, "cn=admins,ou=groups," BASE));   /* uniqueMember */
    assert_int_equal(be->groups(be->ctx, "x(y)*", &g, &why, p), AC_BE_OK);
    assert_int_equal(g->nelts, 1);
    assert_true(has(g, "CN=odd, OU=groups, DC=example, DC=org"));
    assert_int_equal(be->groups(be->ctx, "a*", &g, &why, p), AC_BE_OK);
    assert_int_equal(g->nelts, 0);
    assert_int_equal(be->groups(be->ctx, "nobody", &g, &why, p),
                     AC_BE_NOT_FOUND);
    /* no group under the group base: memberOf alone answers */
    mo = make("/" BASE, READER, 0, "ou=people," BASE);
    assert_int_equal(mo->groups(mo->ctx, "alice", &g, &why, p), AC_BE_OK);
    assert_int_equal(g->nelts, 1);
    assert_true(has(g, "cn=staff,ou=groups," BASE));
}

/* ------------------------------------------------------------ tokens */

static void tokens(void **state)
{
    apr_pool_t *p = *state;
    ac_token t;
    const char *why;

    memset(&t, 0, sizeof(t));
    assert_int_equal(be->lookup_token(be->ctx,
                                      ac_sha256_hex(p, "alice-token-1"),
                                      &t, &why, p), AC_BE_OK);
    assert_string_equal(t.user, "alice");
    assert_true(t.exp == 0);
    assert_int_equal(t.scopes->nelts, 2);
    assert_string_equal(APR_ARRAY_IDX(t.scopes, 0, char *), "read");
    assert_string_equal(APR_ARRAY_IDX(t.scopes, 1, char *), "write");
    assert_int_equal(be->lookup_token(be->ctx,
                                      ac_sha256_hex(p, "alice-token-old"),
                                      &t, &why, p), AC_BE_OK);
    assert_true(t.exp == apr_time_from_sec(1000000000));
    assert_int_equal(be->lookup_token(be->ctx,
                                      ac_sha256_hex(p, "bob-token-1"),
                                      &t, &why, p), AC_BE_OK);
    assert_string_equal(t.user, "bob");
    assert_int_equal(be->lookup_token(be->ctx, ac_sha256_hex(p, "nope"),
                                      &t, &why, p), AC_BE_NOT_FOUND);
    assert_int_equal(be->lookup_token(be->ctx, "*", &t, &why, p),
                     AC_BE_NOT_FOUND);
}

/* ------------------------------------------------------------ pool */

static void reuse(void **state)
{
    apr_pool_t *p = *state;
    const ac_backend *b = make("/" BASE, READER, 0, NULL);
    ac_ldap_stats st;
    const char *why, *hex;

    assert_int_equal(b->get_ha1(b->ctx, "alice", REALM, "MD5", &hex, NULL, &why,
                                p), AC_BE_OK);
    assert_int_equal(b->get_ha1(b->ctx, "alice", REALM, "MD5", &hex, NULL, &why,
                                p), AC_BE_OK);
    ac_backend_ldap_stats(b, &st);
    assert_int_equal(st.opened, 1);
    assert_int_equal(st.reused, 1);
    assert_int_equal(st.idle, 1);
    /* a password check adds one user-bind connection, then reuses both */
    assert_int_equal(check(b, "alice", "alice-pw", &why, p), AC_BE_OK);
    assert_int_equal(check(b, "bob", "bob-pw", &why, p), AC_BE_OK);
    assert_int_equal(check(b, "alice", "alice-pw", &why, p), AC_BE_OK);
    ac_backend_ldap_stats(b, &st);
    assert_int_equal(st.opened, 2);
    assert_int_equal(st.idle, 2);
    assert_int_equal(st.dropped, 0);
}

/* Many threads share one back-end (the event MPM): every answer right,
 * connections bounded by the concurrency, all of them reused. */
#define THREADS 8
#define ROUNDS 10

typedef struct {
    const ac_backend *be;
    long bad;
} worker_args;

/* Returns normally (no apr_thread_exit: pthread_exit trips ASan). */
static void *APR_THREAD_FUNC worker(apr_thread_t *th, void *data)
{
    worker_args *w = data;
    const ac_backend *b = w->be;
    apr_pool_t *p;
    const char *why, *hex;
    int i;

    apr_pool_create(&p, NULL);
    for (i = 0; i < ROUNDS; i++) {
        w->bad += check(b, "alice", "alice-pw", &why, p) != AC_BE_OK;
        w->bad += check(b, "bob", "alice-pw", &why, p) != AC_BE_DENIED;
        w->bad += b->get_ha1(b->ctx, "alice", REALM, "MD5", &hex, NULL, &why, p)
                  != AC_BE_OK;
        apr_pool_clear(p);
    }
    apr_pool_destroy(p);
    return NULL;
}

static void threads(void **state)
{
    apr_pool_t *p = *state;
    const ac_backend *b = make("/" BASE, READER, 0, NULL);
    apr_thread_t *th[THREADS];
    worker_args w[THREADS];
    apr_status_t rv;
    ac_ldap_stats st;
    int i;

    for (i = 0; i < THREADS; i++) {
        w[i].be = b;
        w[i].bad = 0;
        assert_int_equal(apr_thread_create(&th[i], NULL, worker, &w[i], p),
                         APR_SUCCESS);
    }
    for (i = 0; i < THREADS; i++) {
        apr_thread_join(&rv, th[i]);
        assert_int_equal(w[i].bad, 0);
    }
    ac_backend_ldap_stats(b, &st);
    assert_true(st.opened <= 2 * THREADS);
    assert_int_equal(st.opened + st.reused, THREADS * ROUNDS * 5);
    assert_int_equal(st.dropped, 0);
}

/* A restarted server: the idle connections are dead, the lookup
 * re-opens one transparently. */
static void restart(void **state)
{
    apr_pool_t *p = *state;
    ac_ldap_stats before, after;
    const char *why;

    assert_int_equal(check(be, "alice", "alice-pw", &why, p), AC_BE_OK);
    ac_backend_ldap_stats(be, &before);
    assert_int_equal(slapd_ctl("stop"), 0);
    assert_int_equal(slapd_ctl("start"), 0);
    assert_int_equal(check(be, "alice", "alice-pw", &why, p), AC_BE_OK);
    ac_backend_ldap_stats(be, &after);
    assert_true(after.opened >= before.opened + 2);
    assert_true(after.dropped >= before.dropped + 2);
}

/* ------------------------------------------------------------ TLS */

static const ac_backend *make_tls(const char *scheme, const char *portfile,
                                  int starttls, const char *ca)
{
    char path[128];
    int port = 0;
    ac_ldap_conf c;
    const ac_backend *out;
    const char *err;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", run_dir, portfile);
    if (!(f = fopen(path, "r")) || fscanf(f, "%d", &port) != 1) {
        fail_msg("no %s", path);
    }
    fclose(f);
    memset(&c, 0, sizeof(c));
    c.url = apr_psprintf(gpool, "%s://127.0.0.1:%d/" BASE, scheme, port);
    c.bind_dn = READER;
    c.bind_pw = "reader-pw";
    c.starttls = starttls;
    c.ca_cert = ca ? ca : apr_pstrcat(gpool, run_dir, "/ca.pem", NULL);
    c.timeout = apr_time_from_sec(2);
    if ((err = ac_backend_ldap_make(gpool, &c, &out)) != NULL) {
        fail_msg("make: %s", err);
    }
    return out;
}

#define OTHER_CA "/etc/ssl/certs/ca-certificates.crt"

static void tls(void **state)
{
    apr_pool_t *p = *state;
    const ac_backend *b;
    const char *why;

    b = make_tls("ldap", "port", 1, NULL);              /* StartTLS     */
    assert_int_equal(check(b, "alice", "alice-pw", &why, p), AC_BE_OK);
    assert_int_equal(check(b, "alice", "x", &why, p), AC_BE_DENIED);
    b = make_tls("ldaps", "tls-port", 0, NULL);
    assert_int_equal(check(b, "alice", "alice-pw", &why, p), AC_BE_OK);
    /* CAs that did not sign the server's certificate */
    if (access(OTHER_CA, R_OK) != 0) {
        printf("SKIP: no %s for the wrong-CA case\n", OTHER_CA);
        return;
    }
    b = make_tls("ldaps", "tls-port", 0, OTHER_CA);
    assert_int_equal(check(b, "alice", "alice-pw", &why, p), AC_BE_ERROR);
    b = make_tls("ldap", "port", 1, OTHER_CA);
    assert_int_equal(check(b, "alice", "alice-pw", &why, p), AC_BE_ERROR);
    assert_non_null(strstr(why, "AuthChallengeLDAPCACert"));
    assert_null(strstr(why, "alice-pw"));
}

/* ------------------------------------------------------------ outages */

static double since(apr_time_t t0)
{
    return (double)(apr_time_now() - t0) / APR_USEC_PER_SEC;
}

/* SIGSTOP slapd and wait until every thread of it is stopped: the
 * signal takes effect asynchronously. */
static int freeze_slapd(void)
{
    char path[64], buf[256];
    pid_t pid = slapd_pid();
    int i;

    if (kill(pid, SIGSTOP) != 0) {
        return -1;
    }
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    for (i = 0; i < 100; i++) {
        FILE *f = fopen(path, "r");
        const char *paren;
        int stopped = 0;

        if (f && fgets(buf, sizeof(buf), f)
            && (paren = strrchr(buf, ')')) != NULL) {
            stopped = paren[2] == 'T';
        }
        if (f) {
            fclose(f);
        }
        if (stopped) {
            usleep(50000);          /* and its other threads            */
            return 0;
        }
        usleep(10000);
    }
    return -1;
}

/* A stopped slapd accepts TCP but never answers: the lookup fails
 * within the timeout, on a pooled connection and on a new one, and
 * works again once slapd runs. */
static void silent_server(void **state)
{
    apr_pool_t *p = *state;
    const ac_backend *b = make("/" BASE, READER, apr_time_from_sec(1),
                               NULL);
    const char *why;
    apr_time_t t0;
    double dt;
    int i;

    assert_int_equal(check(b, "alice", "alice-pw", &why, p), AC_BE_OK);
    assert_int_equal(freeze_slapd(), 0);
    for (i = 0; i < 2; i++) {               /* pooled, then new         */
        t0 = apr_time_now();
        assert_int_equal(check(b, "alice", "alice-pw", &why, p),
                         AC_BE_ERROR);
        dt = since(t0);
        assert_non_null(strstr(why, "did not answer within 1000 ms"));
        if (dt < 0.9 || dt > 1.5) {
            kill(slapd_pid(), SIGCONT);
            fail_msg("lookup took %.2f s with a 1 s timeout", dt);
        }
    }
    assert_int_equal(kill(slapd_pid(), SIGCONT), 0);
    assert_int_equal(check(b, "alice", "alice-pw", &why, p), AC_BE_OK);
}

/* A dead slapd: an error at once (connection refused), never a 401;
 * back up, it works without a new back-end. */
static void dead_server(void **state)
{
    apr_pool_t *p = *state;
    const char *why, *hex;
    apr_time_t t0;

    assert_int_equal(check(be, "alice", "alice-pw", &why, p), AC_BE_OK);
    assert_int_equal(kill(slapd_pid(), SIGKILL), 0);
    usleep(100000);
    t0 = apr_time_now();
    assert_int_equal(check(be, "alice", "alice-pw", &why, p), AC_BE_ERROR);
    assert_non_null(strstr(why, "LDAP server unreachable"));
    assert_null(strstr(why, "alice-pw"));
    assert_int_equal(be->get_ha1(be->ctx, "alice", REALM, "MD5", &hex, NULL,
                                 &why, p), AC_BE_ERROR);
    assert_true(since(t0) < 0.5);
    assert_int_equal(slapd_ctl("start"), 0);
    assert_int_equal(check(be, "alice", "alice-pw", &why, p), AC_BE_OK);
}

/* ------------------------------------------------------------ offline */

static void dn_equal(void **state)
{
    assert_true(ac_ldap_dn_equal("cn=a,dc=x", "cn=a,dc=x"));
    assert_true(ac_ldap_dn_equal("CN=Staff, OU=Groups,dc=X",
                                 "cn=staff,ou=groups,dc=x"));
    assert_true(ac_ldap_dn_equal("cn=a\\,b,dc=x", "cn=a\\2Cb,dc=x"));
    assert_false(ac_ldap_dn_equal("cn=a,dc=x", "cn=b,dc=x"));
    assert_false(ac_ldap_dn_equal("cn=a,dc=x", "cn=a,dc=x,dc=y"));
    assert_false(ac_ldap_dn_equal("cn=a\\,b,dc=x", "cn=a,b,dc=x"));
    assert_true(ac_ldap_dn_equal("not a dn", "NOT A DN"));
}

static void make_errors(void **state)
{
    apr_pool_t *p = *state;
    ac_ldap_conf c;
    const ac_backend *b;

    memset(&c, 0, sizeof(c));
    assert_non_null(ac_backend_ldap_make(p, &c, &b));
    assert_null(b);
    c.url = "ldap//h/dc=x";
    assert_non_null(ac_backend_ldap_make(p, &c, &b));
    c.url = "ldap://h/dc=x";
    c.digest_attr = "acDigest)(x";
    assert_non_null(strstr(ac_backend_ldap_make(p, &c, &b), "attribute"));
    c.digest_attr = NULL;
    c.bind_dn = "cn=reader";
    assert_non_null(ac_backend_ldap_make(p, &c, &b));
    c.bind_pw = "pw";
    assert_null(ac_backend_ldap_make(p, &c, &b));
    assert_non_null(b);
    assert_string_equal(b->name, "ldap");
}

static void secret(void **state)
{
    apr_pool_t *p = *state;
    char path[] = "/tmp/ac-ldap-secret-XXXXXX";
    const char *out;
    int fd = mkstemp(path);

    assert_null(ac_ldap_read_secret(p, "plain pw ", &out));
    assert_string_equal(out, "plain pw ");
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "s3cret \n", 8), 8);
    close(fd);
    assert_null(ac_ldap_read_secret(p, apr_pstrcat(p, "file:", path, NULL),
                                    &out));
    assert_string_equal(out, "s3cret");
    truncate(path, 0);
    assert_non_null(ac_ldap_read_secret(p, apr_pstrcat(p, "file:", path,
                                                       NULL), &out));
    unlink(path);
    assert_non_null(strstr(ac_ldap_read_secret(
        p, apr_pstrcat(p, "file:", path, NULL), &out), path));
}

/* Nothing listens on port 1: an error, fast; the questions without a
 * configured attribute are UNSUPPORTED without any network. */
static void unreachable(void **state)
{
    apr_pool_t *p = *state;
    ac_ldap_conf c;
    const ac_backend *b;
    const char *why, *hex, *user;
    apr_array_header_t *g;
    ac_token t;
    apr_time_t t0 = apr_time_now();

    memset(&c, 0, sizeof(c));
    c.url = "ldap://127.0.0.1:1/dc=x";
    assert_null(ac_backend_ldap_make(p, &c, &b));
    assert_int_equal(check(b, "alice", "", &why, p), AC_BE_DENIED);
    assert_int_equal(check(b, "alice", "pw", &why, p), AC_BE_ERROR);
    assert_non_null(strstr(why, "LDAP server unreachable"));
    assert_int_equal(b->groups(b->ctx, "alice", &g, &why, p), AC_BE_ERROR);
    assert_true(apr_time_now() - t0 < apr_time_from_sec(1));
    assert_int_equal(b->get_ha1(b->ctx, "alice", "r", "MD5", &hex, NULL, &why,
                                p), AC_BE_UNSUPPORTED);
    assert_int_equal(b->resolve_userhash(b->ctx, "00", "r", "MD5", &user,
                                         &why, p), AC_BE_UNSUPPORTED);
    assert_int_equal(b->lookup_token(b->ctx, "00", &t, &why, p),
                     AC_BE_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest offline[] = {
        AC_TEST(dn_equal),
        AC_TEST(make_errors),
        AC_TEST(secret),
        AC_TEST(unreachable),
    };
    const struct CMUnitTest online[] = {
        AC_TEST(basic),
        AC_TEST(empty_password),
        AC_TEST(injection),
        AC_TEST(ha1),
        AC_TEST(userhash),
        AC_TEST(groups),
        AC_TEST(tokens),
        AC_TEST(reuse),
        AC_TEST(threads),
        AC_TEST(tls),
        AC_TEST(restart),
        AC_TEST(silent_server),
        AC_TEST(dead_server),
    };
    int failed;

    signal(SIGPIPE, SIG_IGN);       /* as httpd does */
    failed = cmocka_run_group_tests_name("ldap offline", offline, NULL,
                                         NULL);
    if (access("/usr/sbin/slapd", X_OK) != 0) {
        printf("SKIP: /usr/sbin/slapd not installed: LDAP integration "
               "tests not run (apt-get install slapd ldap-utils)\n");
        return failed;
    }
    return failed + cmocka_run_group_tests_name("ldap slapd", online,
                                                slapd_setup,
                                                slapd_teardown);
}
