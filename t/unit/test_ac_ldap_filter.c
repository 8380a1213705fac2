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

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(specials),
        AC_TEST(nul_by_length),
        AC_TEST(plain_and_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
