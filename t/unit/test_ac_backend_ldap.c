/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The LDAP back-end's answers against a real slapd (ldap_slapd.h):
 * Basic, Digest HA1 and userhash, groups, filters, the group cache and
 * Bearer token records; and the parts that need no server.  The
 * connection pool and server faults are in test_ac_ldap_conn.c.
 * Without /usr/sbin/slapd only the offline tests run.
 */
#include "ldap_slapd.h"

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
    };
    int failed;

    signal(SIGPIPE, SIG_IGN);       /* as httpd does */
    failed = cmocka_run_group_tests_name("ldap offline", offline, NULL,
                                         NULL);
    if (!ldap_slapd_usable()) {
        return failed;
    }
    return failed + cmocka_run_group_tests_name("ldap slapd", online,
                                                ldap_slapd_setup,
                                                ldap_slapd_teardown);
}
