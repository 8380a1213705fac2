/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_test.h"
#include "ac_ldap_url.h"
#include <ldap.h>

static ac_ldap_url parse_ok(apr_pool_t *p, const char *url)
{
    ac_ldap_url u;
    const char *err = ac_ldap_url_parse(p, url, &u);

    if (err) {
        fail_msg("%s: %s", url, err);
    }
    return u;
}

static void defaults(void **state)
{
    ac_ldap_url u = parse_ok(*state, "ldap://ldap.example.org/dc=x,dc=y");

    assert_string_equal(u.scheme, "ldap");
    assert_string_equal(u.uris, "ldap://ldap.example.org");
    assert_int_equal(u.nhosts, 1);
    assert_string_equal(u.base, "dc=x,dc=y");
    assert_string_equal(u.attr, "uid");
    assert_int_equal(u.scope, LDAP_SCOPE_SUBTREE);
    assert_string_equal(u.filter, "(objectClass=*)");

    u = parse_ok(*state, "ldap://h/dc=x?cn??");
    assert_string_equal(u.attr, "cn");
    assert_int_equal(u.scope, LDAP_SCOPE_SUBTREE);
    u = parse_ok(*state, "ldap://h");
    assert_string_equal(u.base, "");
    assert_string_equal(u.attr, "uid");
}

static void every_field(void **state)
{
    ac_ldap_url u = parse_ok(*state, "LDAP://h:3389/ou=people,dc=x"
                             "?mail?one?(objectClass=person)");

    assert_string_equal(u.scheme, "ldap");
    assert_string_equal(u.uris, "ldap://h:3389");
    assert_string_equal(u.base, "ou=people,dc=x");
    assert_string_equal(u.attr, "mail");
    assert_int_equal(u.scope, LDAP_SCOPE_ONELEVEL);
    assert_string_equal(u.filter, "(objectClass=person)");

    u = parse_ok(*state, "ldap://h/dc=x??base");
    assert_int_equal(u.scope, LDAP_SCOPE_BASE);
    u = parse_ok(*state, "ldap://h/dc=x?uid?sub?objectClass=person");
    assert_string_equal(u.filter, "(objectClass=person)");   /* wrapped */
    u = parse_ok(*state, "ldap://h/o=a%20b?uid?sub?(cn=%28x%29)");
    assert_string_equal(u.base, "o=a b");                   /* decoded */
    assert_string_equal(u.filter, "(cn=(x))");
    u = parse_ok(*state, "ldap://h/dc=x?uid,cn");
    assert_string_equal(u.attr, "uid");         /* the first attribute */
}

static void several_hosts(void **state)
{
    ac_ldap_url u = parse_ok(*state, "ldap://a.example b.example:3389  "
                             "[::1]:389/dc=x?uid");

    assert_int_equal(u.nhosts, 3);
    assert_string_equal(u.uris, "ldap://a.example ldap://b.example:3389 "
                        "ldap://[::1]:389");
    assert_string_equal(u.base, "dc=x");
    /* one URI a host: the back-end tries them itself */
    assert_int_equal(u.hosts->nelts, 3);
    assert_string_equal(APR_ARRAY_IDX(u.hosts, 0, char *),
                        "ldap://a.example");
    assert_string_equal(APR_ARRAY_IDX(u.hosts, 2, char *),
                        "ldap://[::1]:389");
    u = parse_ok(*state, "ldap://a b c d e f g h/dc=x");
    assert_int_equal(u.nhosts, AC_LDAP_MAX_HOSTS);
}

static void ldaps(void **state)
{
    ac_ldap_url u = parse_ok(*state, "ldaps://a b:1636/dc=x");

    assert_string_equal(u.scheme, "ldaps");
    assert_string_equal(u.uris, "ldaps://a ldaps://b:1636");
}

static void bad(void **state)
{
    apr_pool_t *p = *state;
    ac_ldap_url u;
    static const char *const urls[] = {
        "", "dc=x", "http://h/dc=x", "://h/", "ldap:///dc=x",
        "ldap:// /dc=x", "ldap://h:99999/dc=x", "ldap://h:x/dc=x",
        /* "?" "?(" keeps the compiler from seeing trigraphs */
        "ldap://h/dc=x??bogus", "ldap://h/dc=x??" "?(a=b",
        "ldap://h/dc=x??" "?(a=b))", "ldap://h/dc=x??" "?(a=b)(c=d)",
        "ldap://h/dc=x??" "??" "!critical", "ldap://h/dc=x?u(id",
        "ldap://good bad:port/dc=x", "ldap://a b c d e f g h i/dc=x",
        /* ldap_initialize() would split it and fail on every request */
        "ldap://a,b/dc=x", "ldap://a b,c/dc=x",
        /* libldap takes it only with a path after it */
        "ldap://a [?:1]d/dc=x",
        /* libldap's own scope for "children", not RFC 4516's */
        "ldap://h/dc=x??subord", "ldap://h/dc=x??children", NULL
    };
    int i;

    for (i = 0; urls[i]; i++) {
        const char *err = ac_ldap_url_parse(p, urls[i], &u);
        if (!err) {
            fail_msg("accepted: %s", urls[i]);
        }
        assert_non_null(strstr(err, "LDAP URL"));
    }
}

static void attrs(void **state)
{
    assert_true(ac_ldap_attr_valid("uid"));
    assert_true(ac_ldap_attr_valid("userCertificate;binary"));
    assert_true(ac_ldap_attr_valid("2.5.4.3"));
    assert_false(ac_ldap_attr_valid(""));
    assert_false(ac_ldap_attr_valid(NULL));
    assert_false(ac_ldap_attr_valid("u=id"));
    assert_false(ac_ldap_attr_valid("uid)(x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(defaults),
        AC_TEST(every_field),
        AC_TEST(several_hosts),
        AC_TEST(ldaps),
        AC_TEST(bad),
        AC_TEST(attrs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
