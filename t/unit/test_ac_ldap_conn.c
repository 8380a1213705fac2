/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The LDAP back-end's connections against a real slapd (ldap_slapd.h):
 * the pool and its reuse across threads, StartTLS, a restarted server,
 * and servers that are down or silent, alone or as one host of several
 * (failover within the one timeout).  Skipped without /usr/sbin/slapd.
 */
#include "ldap_slapd.h"

/* ------------------------------------------------------------ pool */

static void reuse(void **state)
{
    apr_pool_t *p = *state;
    const ac_backend *b = make("/" BASE, READER, 0);
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
    const ac_backend *b = make("/" BASE, READER, 0);
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
    const ac_backend *b = make("/" BASE, READER, apr_time_from_sec(1));
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

/* ------------------------------------------------------------ hosts */

/* A TCP port that accepts connections (the kernel does, into the
 * backlog) and never answers: a stopped or hung server.  Its port. */
static int silent_port(int *fd)
{
    struct sockaddr_in a;
    socklen_t n = sizeof(a);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((*fd = socket(AF_INET, SOCK_STREAM, 0)) < 0
        || bind(*fd, (struct sockaddr *)&a, sizeof(a)) != 0
        || listen(*fd, 64) != 0
        || getsockname(*fd, (struct sockaddr *)&a, &n) != 0) {
        fail_msg("cannot make a silent port");
    }
    return ntohs(a.sin_port);
}

static const ac_backend *hosts(const char *first, apr_interval_time_t t)
{
    ac_ldap_conf c = conf(apr_psprintf(gpool, "ldap://%s %s/" BASE, first,
                                       server + 7), READER, t);

    return make_conf(&c);
}

/* The first host refuses: the second answers at once, every time. */
static void first_host_down(void **state)
{
    apr_pool_t *p = *state;
    const ac_backend *b = hosts("127.0.0.1:1", apr_time_from_sec(2));
    const char *why;
    apr_time_t t0 = apr_time_now();
    int i;

    for (i = 0; i < 3; i++) {
        assert_int_equal(check(b, "alice", "alice-pw", &why, p), AC_BE_OK);
        assert_int_equal(check(b, "alice", "bob-pw", &why, p),
                         AC_BE_DENIED);
    }
    assert_true(since(t0) < 0.5);
}

/* The first host is silent: the first lookup waits for its share of
 * the timeout (half of it, with two hosts), then the second answers;
 * later lookups go to the second host first. */
static void first_host_silent(void **state)
{
    apr_pool_t *p = *state;
    int fd, port = silent_port(&fd);
    const ac_backend *b = hosts(apr_psprintf(p, "127.0.0.1:%d", port),
                                apr_time_from_sec(2));
    const char *why;
    apr_time_t t0 = apr_time_now();
    double dt;

    assert_int_equal(check(b, "alice", "alice-pw", &why, p), AC_BE_OK);
    dt = since(t0);
    if (dt < 0.9 || dt > 1.5) {
        fail_msg("the failover took %.2f s (1 s expected)", dt);
    }
    t0 = apr_time_now();
    assert_int_equal(check(b, "bob", "bob-pw", &why, p), AC_BE_OK);
    assert_int_equal(check(b, "alice", "x", &why, p), AC_BE_DENIED);
    assert_true(since(t0) < 0.5);
    close(fd);
}

/* Every host down or silent: an error within the one timeout, naming
 * what each did. */
static void all_hosts_fail(void **state)
{
    apr_pool_t *p = *state;
    int fd, port = silent_port(&fd);
    ac_ldap_conf c = conf(apr_psprintf(p, "ldap://127.0.0.1:%d 127.0.0.1:1"
                                       "/" BASE, port), READER,
                          apr_time_from_sec(1));
    const ac_backend *b = make_conf(&c);
    const char *why;
    apr_time_t t0 = apr_time_now();
    double dt;

    assert_int_equal(check(b, "alice", "alice-pw", &why, p), AC_BE_ERROR);
    dt = since(t0);
    assert_true(dt >= 0.4 && dt < 1.3);
    assert_non_null(strstr(why, "no LDAP server answered within 1000 ms"));
    assert_non_null(strstr(why, apr_psprintf(p, "ldap://127.0.0.1:%d: did "
                                             "not answer", port)));
    assert_non_null(strstr(why, "ldap://127.0.0.1:1: Can't contact"));
    close(fd);
}
int main(void)
{
    const struct CMUnitTest online[] = {
        AC_TEST(reuse),
        AC_TEST(threads),
        AC_TEST(tls),
        AC_TEST(restart),
        AC_TEST(silent_server),
        AC_TEST(dead_server),
        AC_TEST(first_host_down),
        AC_TEST(first_host_silent),
        AC_TEST(all_hosts_fail),
    };

    signal(SIGPIPE, SIG_IGN);       /* as httpd does */
    if (!ldap_slapd_usable()) {
        return 0;
    }
    return cmocka_run_group_tests_name("ldap connections", online,
                                       ldap_slapd_setup,
                                       ldap_slapd_teardown);
}
