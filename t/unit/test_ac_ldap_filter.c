/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_test.h"
#include "ac_ldap_filter.h"

static void specials(void **state)
{
    apr_pool_t *p = *state;

    assert_string_equal(ac_ldap_escape_str(p, "*"), "\\2a");
    assert_string_equal(ac_ldap_escape_str(p, "("), "\\28");
    assert_string_equal(ac_ldap_escape_str(p, ")"), "\\29");
    assert_string_equal(ac_ldap_escape_str(p, "\\"), "\\5c");
    assert_string_equal(ac_ldap_escape_str(p, "x)(uid=*"),
                        "x\\29\\28uid=\\2a");
    assert_string_equal(ac_ldap_escape_str(p, "x(y)*"), "x\\28y\\29\\2a");
    assert_string_equal(ac_ldap_escape_str(p, "\\2a"), "\\5c2a");
}

static void nul_by_length(void **state)
{
    apr_pool_t *p = *state;

    assert_string_equal(ac_ldap_escape(p, "a\0b", 3), "a\\00b");
    assert_string_equal(ac_ldap_escape(p, "\0", 1), "\\00");
    assert_string_equal(ac_ldap_escape(p, "abc", 2), "ab");
}

static void plain_and_utf8(void **state)
{
    apr_pool_t *p = *state;

    assert_string_equal(ac_ldap_escape_str(p, ""), "");
    assert_string_equal(ac_ldap_escape(p, "", 0), "");
    assert_string_equal(ac_ldap_escape_str(p, "alice"), "alice");
    assert_string_equal(ac_ldap_escape_str(p, "a b=c,d&|!~<>:"),
                        "a b=c,d&|!~<>:");
    assert_string_equal(ac_ldap_escape_str(p, "j\xc3\xb6rg"), "j\xc3\xb6rg");
    assert_string_equal(ac_ldap_escape_str(p, "\xe2\x82\xac*"),
                        "\xe2\x82\xac\\2a");
}

/* Filters an administrator writes in Require challenge-ldap-filter
 * (RFC 4515 §3, and "(&)" of RFC 4526), as libldap takes them. */
static void check_good(void **state)
{
    apr_pool_t *p = *state;
    static const char *const good[] = {
        "(uid=alice)", "(objectClass=*)", "(cn=John Smith)", "(cn=)",
        "(&(departmentNumber=42)(!(employeeType=contractor)))",
        "(|(a=b)(c=d)(e=f))", "(& (a=b) (c=d) )", "( uid=alice)",
        "(&)", "(|)", "(!(a=b))", "(cn~=jon)", "(uidNumber>=1000)",
        "(uidNumber<=1000)", "(cn=*a*b*)", "(cn=a*)", "(cn=*a)",
        "(cn=a*b)", "(cn=x\\2a\\28\\29\\5c\\00)", "(cn=\\c3\\b6)",
        "(cn=j\\C3\\B6rg)", "(cn=j\xc3\xb6rg)", "(cn;lang-de=x)",
        "(2.5.4.3=x)", "(2.5=x)", "(uid:=alice)",
        "(uid:dn:2.5.13.2:=alice)", "(:dn:2.5.13.2:=alice)",
        "(:caseExactMatch:=x)",
        "(memberOf:1.2.840.113556.1.4.1941:=CN=Admins,OU=Groups,"
        "DC=corp,DC=example)", "(cn=a=b,c)", "(a-b=c)", NULL
    };
    int i;

    for (i = 0; good[i]; i++) {
        const char *err = ac_ldap_filter_check(p, good[i]);
        if (err) {
            fail_msg("%s: %s", good[i], err);
        }
    }
}

static void check_bad(void **state)
{
    apr_pool_t *p = *state;
    static const char *const bad[] = {
        "", "uid=alice", " (uid=alice)", "(uid=alice) ", "(uid=alice",
        "uid=alice)", "((uid=alice))", "(uid=alice)(cn=x)", "(uid)",
        "(=x)", "(uid=a(b)", "(uid=a\\)", "(uid=a\\zz)", "(uid=a\\2)",
        "(uid=al**)", "(uid=**)", "(!)", "(!(a=b)(c=d))", "(&(a=b)x)",
        "(u id=x)", "(1uid=x)", "(2=x)", "(2.=x)", "(2.05.4=x)",
        "(cn;=x)", "(:=x)", "(:dn:=x)", "(uid:dn=x)", "(uid:1.2:x)",
        "(uid:1.:=x)", "(cn=\xc3)", "(cn=\xff)", "(cn=\xc3\xb6\xb6)",
        "(uid~x)", "(uid>x)", "(a=b))", NULL
    };
    char deep[300];
    int i;

    for (i = 0; bad[i]; i++) {
        const char *err = ac_ldap_filter_check(p, bad[i]);
        if (!err) {
            fail_msg("accepted: %s", bad[i]);
        }
        assert_non_null(strstr(err, "bad LDAP filter at offset"));
    }
    /* nesting is bounded */
    memset(deep, 0, sizeof(deep));
    for (i = 0; i < 70; i++) {
        strcat(deep, "(!");
    }
    strcat(deep, "(a=b)");
    for (i = 0; i < 70; i++) {
        strcat(deep, ")");
    }
    assert_non_null(strstr(ac_ldap_filter_check(p, deep), "too deep"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(specials),
        AC_TEST(nul_by_length),
        AC_TEST(plain_and_utf8),
        AC_TEST(check_good),
        AC_TEST(check_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
