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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

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

/* Settings as the directives leave them when only URL, bind DN and
 * timeout are given (and the Digest, userhash and token attributes). */
static ac_ldap_conf conf(const char *url, const char *bind_dn,
                         apr_interval_time_t timeout)
{
    ac_ldap_conf c;

    memset(&c, 0, sizeof(c));
    c.url = url;
    c.bind_dn = bind_dn;
    c.bind_pw = bind_dn ? "reader-pw" : NULL;
    c.timeout = timeout;
    c.digest_attr = "acDigestHA1";
    c.userhash_attr = "acUserhash";
    c.token_attr = "acBearerToken";
    c.starttls = AC_UNSET;
    c.group_is_dn = c.group_depth = AC_UNSET;
    c.group_cache = AC_UNSET;
    return c;
}

static const ac_backend *make_conf(const ac_ldap_conf *c)
{
    const ac_backend *out;
    const char *err = ac_backend_ldap_make(gpool, c, &out);

    if (err) {
        fail_msg("make: %s", err);
    }
    return out;
}

static const ac_backend *make(const char *path, const char *bind_dn,
                              apr_interval_time_t timeout)
{
    ac_ldap_conf c = conf(apr_pstrcat(gpool, server, path, NULL), bind_dn,
                          timeout);

    return make_conf(&c);
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
    be = make("/" BASE, READER, 0);
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
    assert_int_equal(check(make("/" BASE, NULL, 0), "bob", "bob-pw",
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
    assert_int_equal(make("/" BASE, NULL, 0)->get_ha1(
                         make("/" BASE, NULL, 0)->ctx, "alice", REALM,
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

#define PEOPLE "ou=people," BASE
#define GROUPS "ou=groups," BASE
#define COM "dc=example,dc=com"

/* A back-end for users under ou=people of base (groups are elsewhere),
 * the group cache Off unless cache says, depth as given (AC_UNSET: the
 * default). */
static const ac_backend *people(const char *base, int depth,
                                apr_interval_time_t cache)
{
    ac_ldap_conf c = conf(apr_pstrcat(gpool, server, "/ou=people,", base,
                                      "?uid?sub?(objectClass=inetOrgPerson)",
                                      NULL), READER, apr_time_from_sec(5));

    c.group_depth = depth;
    c.group_cache = cache;
    return make_conf(&c);
}

static ac_be_status in(const ac_backend *b, const char *user,
                       const char *group, apr_pool_t *p)
{
    const char *why = NULL;

    return b->member_of(b->ctx, user, group, &why, p);
}

static unsigned long ops(const ac_backend *b)
{
    ac_ldap_stats st;

    ac_backend_ldap_stats(b, &st);
    return st.ops;
}

/* Groups under ou=groups, users under ou=people: the URL's base does
 * not cover the groups, and they are found all the same. */
static void groups_anywhere(void **state)
{
    apr_pool_t *p = *state;
    const ac_backend *b = people(BASE, AC_UNSET, 0);
    const char *why;

    assert_int_equal(in(b, "alice", "cn=staff," GROUPS, p), AC_BE_OK);
    assert_int_equal(in(b, "alice", "cn=admins," GROUPS, p), AC_BE_OK);
    assert_int_equal(in(b, "alice", "CN=Admins, OU=Groups,DC=example, "
                        "DC=org", p), AC_BE_OK);
    assert_int_equal(in(b, "alice", "cn=ops," GROUPS, p), AC_BE_DENIED);
    assert_int_equal(in(b, "bob", "cn=ops," GROUPS, p), AC_BE_OK);
    assert_int_equal(in(b, "j\xc3\xb6rg", "cn=staff," GROUPS, p), AC_BE_OK);
    assert_int_equal(in(b, "x(y)*", "cn=odd," GROUPS, p), AC_BE_OK);
    assert_int_equal(in(b, "a*", "cn=staff," GROUPS, p), AC_BE_DENIED);
    assert_int_equal(in(b, "nobody", "cn=staff," GROUPS, p),
                     AC_BE_NOT_FOUND);
    assert_int_equal(in(b, "alice", "cn=nosuch," GROUPS, p), AC_BE_DENIED);
    assert_int_equal(b->member_of(b->ctx, "alice", "staff", &why, p),
                     AC_BE_DENIED);
    assert_non_null(strstr(why, "not an LDAP DN"));
    /* without memberOf: the group entries alone decide */
    b = people(COM, AC_UNSET, 0);
    assert_int_equal(in(b, "alice", "cn=staff,ou=groups," COM, p), AC_BE_OK);
    assert_int_equal(in(b, "alice", "cn=admins,ou=groups," COM, p),
                     AC_BE_OK);
    assert_int_equal(in(b, "bob", "cn=admins,ou=groups," COM, p),
                     AC_BE_DENIED);
    /* a group that hides its members: memberOf says (docs/ldap.md) */
    b = people(BASE, AC_UNSET, 0);
    assert_int_equal(in(b, "alice", "cn=hidden," GROUPS, p), AC_BE_OK);
    assert_int_equal(in(b, "bob", "cn=hidden," GROUPS, p), AC_BE_DENIED);
}

/* division > department > team > carol; division > project-x > frank;
 * division > bob.  In both directories, at every depth. */
static void nested(void **state)
{
    apr_pool_t *p = *state;
    static const char *const bases[] = { BASE, COM };
    int i;

    for (i = 0; i < 2; i++) {
        const char *div = apr_pstrcat(p, "cn=division,ou=groups,", bases[i],
                                      NULL);
        const ac_backend *b = people(bases[i], AC_UNSET, 0);

        assert_int_equal(in(b, "carol", div, p), AC_BE_OK);
        assert_int_equal(in(b, "frank", div, p), AC_BE_OK);
        assert_int_equal(in(b, "bob", div, p), AC_BE_OK);
        assert_int_equal(in(b, "erin", div, p), AC_BE_DENIED);
        assert_int_equal(in(b, "alice", div, p), AC_BE_DENIED);
        b = people(bases[i], 2, 0);
        assert_int_equal(in(b, "carol", div, p), AC_BE_OK);
        b = people(bases[i], 1, 0);
        assert_int_equal(in(b, "carol", div, p), AC_BE_DENIED);
        assert_int_equal(in(b, "frank", div, p), AC_BE_OK);
        b = people(bases[i], 0, 0);
        assert_int_equal(in(b, "frank", div, p), AC_BE_DENIED);
        assert_int_equal(in(b, "bob", div, p), AC_BE_OK);
    }
}

/* cycle-a > cycle-b > cycle-a: each group is looked at once, so a
 * non-member costs a handful of operations, whatever the depth. */
static void cycle(void **state)
{
    apr_pool_t *p = *state;
    const ac_backend *b = people(COM, 100, 0);
    const char *a = "cn=cycle-a,ou=groups," COM, *why;
    unsigned long before;

    assert_int_equal(in(b, "dave", a, p), AC_BE_OK);
    assert_int_equal(in(b, "dave", "cn=cycle-b,ou=groups," COM, p),
                     AC_BE_OK);
    before = ops(b);
    assert_int_equal(b->member_of(b->ctx, "erin", a, &why, p),
                     AC_BE_DENIED);
    assert_true(ops(b) - before <= 8);
    assert_non_null(strstr(why, "2 groups"));
}

/* crowd: 70 users under ou=people and team (> carol) under ou=groups:
 * more candidates under one parent than one search names, so one
 * search of every group under ou=people finds there are none. */
static void crowd(void **state)
{
    apr_pool_t *p = *state;
    const ac_backend *b = people(COM, AC_UNSET, 0);
    const char *g = "cn=crowd,ou=groups," COM;
    unsigned long before;

    assert_int_equal(in(b, "carol", g, p), AC_BE_OK);
    before = ops(b);
    assert_int_equal(in(b, "erin", g, p), AC_BE_DENIED);
    /* user; crowd: member? members, groups under ou=people and under
     * ou=groups; team: member? members, groups under ou=people */
    assert_true(ops(b) - before <= 8);
}

/* posixGroup: memberUid holds user names (IsDN Off). */
static void posix(void **state)
{
    apr_pool_t *p = *state;
    ac_ldap_conf c = conf(apr_pstrcat(gpool, server, "/ou=people," COM,
                                      NULL), READER, 0);
    const char *dev = "cn=developers,ou=groups," COM;
    const ac_backend *b;

    c.group_attrs = apr_array_make(gpool, 1, sizeof(const char *));
    APR_ARRAY_PUSH(c.group_attrs, const char *) = "memberUid";
    c.group_is_dn = AC_UNSET;           /* On: a DN is no memberUid */
    c.group_depth = c.group_cache = AC_UNSET;
    c.group_cache = 0;
    b = make_conf(&c);
    assert_int_equal(in(b, "alice", dev, p), AC_BE_DENIED);
    c.group_is_dn = 0;
    b = make_conf(&c);
    assert_int_equal(in(b, "alice", dev, p), AC_BE_OK);
    assert_int_equal(in(b, "carol", dev, p), AC_BE_OK);
    assert_int_equal(in(b, "bob", dev, p), AC_BE_DENIED);
    assert_int_equal(in(b, "nobody", dev, p), AC_BE_NOT_FOUND);
}

#define STAFF_42 "(&(departmentNumber=42)(!(employeeType=contractor)))"

static void filter(void **state)
{
    apr_pool_t *p = *state;
    const ac_backend *b = people(COM, AC_UNSET, 0);
    const char *why;

    assert_true(ac_backend_is_ldap(b));
    assert_int_equal(ac_backend_ldap_matches(b, "alice", STAFF_42, &why, p),
                     AC_BE_OK);
    assert_int_equal(ac_backend_ldap_matches(b, "carol", STAFF_42, &why, p),
                     AC_BE_DENIED);
    assert_int_equal(ac_backend_ldap_matches(b, "erin", STAFF_42, &why, p),
                     AC_BE_DENIED);
    assert_int_equal(ac_backend_ldap_matches(b, "carol",
                                             "(employeeType=contractor)",
                                             &why, p), AC_BE_OK);
    assert_int_equal(ac_backend_ldap_matches(b, "nobody", STAFF_42, &why,
                                             p), AC_BE_NOT_FOUND);
    assert_int_equal(ac_backend_ldap_matches(b, "alice", "(uid=*)", &why,
                                             p), AC_BE_OK);
    /* the administrator's filter is not escaped: a bad one is an error */
    assert_int_equal(ac_backend_ldap_matches(b, "alice", "(uid=a", &why, p),
                     AC_BE_ERROR);
}

/* The group cache: a second answer costs no operation; Off, it does. */
static void cache(void **state)
{
    apr_pool_t *p = *state;
    const ac_backend *b = people(COM, AC_UNSET, apr_time_from_sec(60));
    const char *div = "cn=division,ou=groups," COM, *why;
    unsigned long before;

    assert_int_equal(in(b, "carol", div, p), AC_BE_OK);
    assert_int_equal(in(b, "erin", div, p), AC_BE_DENIED);
    assert_int_equal(ac_backend_ldap_matches(b, "alice", STAFF_42, &why, p),
                     AC_BE_OK);
    before = ops(b);
    assert_int_equal(in(b, "carol", div, p), AC_BE_OK);
    assert_int_equal(in(b, "erin", div, p), AC_BE_DENIED);
    assert_int_equal(ac_backend_ldap_matches(b, "alice", STAFF_42, &why, p),
                     AC_BE_OK);
    assert_int_equal(ops(b), before);
    /* other questions are other keys */
    assert_int_equal(in(b, "frank", div, p), AC_BE_OK);
    assert_true(ops(b) > before);
    assert_int_equal(ac_backend_ldap_matches(b, "carol", STAFF_42, &why, p),
                     AC_BE_DENIED);
    b = people(COM, AC_UNSET, 0);
    assert_int_equal(in(b, "carol", div, p), AC_BE_OK);
    before = ops(b);
    assert_int_equal(in(b, "carol", div, p), AC_BE_OK);
    assert_true(ops(b) > before);
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
    ac_token t;
    apr_time_t t0 = apr_time_now();

    memset(&c, 0, sizeof(c));
    c.url = "ldap://127.0.0.1:1/dc=x";
    assert_null(ac_backend_ldap_make(p, &c, &b));
    assert_int_equal(check(b, "alice", "", &why, p), AC_BE_DENIED);
    assert_int_equal(check(b, "alice", "pw", &why, p), AC_BE_ERROR);
    assert_non_null(strstr(why, "LDAP server unreachable"));
    assert_int_equal(b->member_of(b->ctx, "alice", "cn=g", &why, p),
                     AC_BE_ERROR);
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
        AC_TEST(groups_anywhere),
        AC_TEST(nested),
        AC_TEST(cycle),
        AC_TEST(crowd),
        AC_TEST(posix),
        AC_TEST(filter),
        AC_TEST(cache),
        AC_TEST(tokens),
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
