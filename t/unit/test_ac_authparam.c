/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_test.h"
#include "ac_authparam.h"
#include "ac_util.h"

static ac_ap_status parse(apr_pool_t *p, const char *v, ac_credentials *c)
{
    return ac_authparam_parse(v, c, p);
}

static void token68(void **state)
{
    ac_credentials c;

    assert_int_equal(parse(*state, "Basic dXNlcjpwYXNz", &c), AC_AP_OK);
    assert_string_equal(c.scheme, "Basic");
    assert_string_equal(c.token68, "dXNlcjpwYXNz");
    assert_int_equal(c.params->nelts, 0);
    assert_int_equal(parse(*state, "Bearer abc.def-_~+/==  ", &c), AC_AP_OK);
    assert_string_equal(c.token68, "abc.def-_~+/==");
    assert_int_equal(parse(*state, "Basic", &c), AC_AP_OK);
    assert_null(c.token68);

    assert_true(ac_authparam_is_token68("abc.def-_~+/=="));
    assert_true(ac_authparam_is_token68("Zz09"));
    assert_false(ac_authparam_is_token68(""));
    assert_false(ac_authparam_is_token68(NULL));
    assert_false(ac_authparam_is_token68("=abc"));
    assert_false(ac_authparam_is_token68("ab=c"));
    assert_false(ac_authparam_is_token68("abc "));
    assert_false(ac_authparam_is_token68("a,b"));
    assert_false(ac_authparam_is_token68("\xc3\xa9"));
}

static void params(void **state)
{
    ac_credentials c;
    const ac_param *prm;

    assert_int_equal(parse(*state,
        "Digest UserName=\"Mu\\\"fa\\\\sa\", realm = \"r\" ,, nc=00000001,"
        " qop=auth", &c), AC_AP_OK);
    assert_string_equal(c.scheme, "Digest");
    assert_null(c.token68);
    assert_int_equal(c.params->nelts, 4);
    /* names match case-insensitively: kept in lower case */
    prm = ac_authparam_find(&c, "username");
    assert_non_null(prm);
    assert_string_equal(prm->name, "username");
    assert_string_equal(prm->value, "Mu\"fa\\sa");
    assert_true(prm->quoted);
    prm = ac_authparam_find(&c, "nc");
    assert_string_equal(prm->value, "00000001");
    assert_false(prm->quoted);
    assert_string_equal(ac_authparam_find(&c, "realm")->value, "r");
    assert_null(ac_authparam_find(&c, "opaque"));
}

static void errors(void **state)
{
    ac_credentials c;
    char big[AC_AUTHPARAM_MAX_LEN + 10];
    char *many;
    int i;

    assert_int_equal(parse(*state, "", &c), AC_AP_EMPTY);
    assert_int_equal(parse(*state, "   ", &c), AC_AP_EMPTY);
    assert_int_equal(parse(*state, NULL, &c), AC_AP_EMPTY);
    assert_int_equal(parse(*state, "Digest a=\"x", &c), AC_AP_UNTERMINATED);
    assert_int_equal(parse(*state, "Digest a=\"x\\", &c),
                     AC_AP_UNTERMINATED);
    assert_int_equal(parse(*state, "Digest a=1, A=2", &c), AC_AP_DUPLICATE);
    assert_int_equal(parse(*state, "Digest a=1 b=2", &c), AC_AP_SYNTAX);
    assert_int_equal(parse(*state, "Digest a=, b=1", &c), AC_AP_SYNTAX);
    assert_int_equal(parse(*state, "Digest =x", &c), AC_AP_SYNTAX);
    assert_int_equal(parse(*state, "Digest a=\"\x01\"", &c), AC_AP_SYNTAX);
    assert_int_equal(parse(*state, "(bad) x", &c), AC_AP_SYNTAX);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    memcpy(big, "Basic ", 6);
    assert_int_equal(parse(*state, big, &c), AC_AP_TOO_LONG);
    many = apr_pstrdup(*state, "Digest ");
    for (i = 0; i <= AC_AUTHPARAM_MAX_PARAMS; i++) {
        many = apr_psprintf(*state, "%sp%d=1,", many, i);
    }
    assert_int_equal(parse(*state, many, &c), AC_AP_TOO_MANY);
    assert_string_equal(ac_authparam_strerror(AC_AP_DUPLICATE),
                        "duplicate parameter");
}

static void scheme_only(void **state)
{
    assert_string_equal(ac_authparam_scheme("Basic abc", *state), "Basic");
    assert_string_equal(ac_authparam_scheme("Bearer", *state), "Bearer");
    assert_null(ac_authparam_scheme("", *state));
    assert_null(ac_authparam_scheme("a(b c", *state));
}

static void builder(void **state)
{
    ac_chal *c = ac_chal_new(*state, "Digest");

    ac_chal_quoted(c, "realm", "a \"b\" \\c");
    ac_chal_token(c, "algorithm", "SHA-256");
    assert_string_equal(ac_chal_str(c),
        "Digest realm=\"a \\\"b\\\" \\\\c\", algorithm=SHA-256");
    assert_string_equal(ac_chal_str(ac_chal_new(*state, "Basic")), "Basic");
}

/* What the builder writes, the parser reads back unchanged. */
static void round_trip(void **state)
{
    ac_chal *c = ac_chal_new(*state, "Digest");
    ac_credentials cr;

    ac_chal_quoted(c, "realm", "we\"ird\\ realm, x=1");
    assert_int_equal(parse(*state, ac_chal_str(c), &cr), AC_AP_OK);
    assert_string_equal(ac_authparam_find(&cr, "realm")->value,
                        "we\"ird\\ realm, x=1");
}

/* The quoting fast path (nothing to escape) and the slow one agree;
 * ac_lower copies only what it changes, and only ASCII. */
static void quote_and_lower(void **state)
{
    const char *hex = "0123456789abcdef";

    assert_string_equal(ac_authparam_quote(*state, hex),
                        "\"0123456789abcdef\"");
    assert_string_equal(ac_authparam_quote(*state, ""), "\"\"");
    assert_string_equal(ac_authparam_quote(*state, "a\\"), "\"a\\\\\"");
    assert_ptr_equal(ac_lower(*state, hex), hex);
    assert_string_equal(ac_lower(*state, "0123ABCdef"), "0123abcdef");
    assert_string_equal(ac_lower(*state, "\xc3\x84Z"), "\xc3\x84z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(token68), AC_TEST(params), AC_TEST(errors),
        AC_TEST(scheme_only), AC_TEST(builder), AC_TEST(round_trip),
        AC_TEST(quote_and_lower),
    };
    return cmocka_run_group_tests_name("ac_authparam", tests, NULL, NULL);
}
