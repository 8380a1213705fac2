/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Fuzz AuthChallengeLDAPURL's parser (RFC 4516, with several hosts
 * before the '/', docs/ldap.md).  What it accepts must be what the
 * connection code can use: a known scheme, one URI per host that
 * libldap's ldap_initialize() takes as the same number of hosts, an
 * attribute that can go into a filter unescaped, a scope libldap knows
 * and one parenthesised filter with balanced parentheses.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <ldap.h>
#include "fuzz.h"
#include "ac_ldap_url.h"

static int balanced(const char *f)
{
    int depth = 0;

    for (; *f; f++) {
        depth += *f == '(' ? 1 : *f == ')' ? -1 : 0;
        if (depth < 0 || (depth == 0 && f[1])) {
            return 0;
        }
    }
    return depth == 0;
}

static void check(apr_pool_t *p, const ac_ldap_url *u)
{
    char *copy, *h, *last;
    char *got = NULL;
    LDAP *ld = NULL;
    int n = 0;

    CHECK(!strcmp(u->scheme, "ldap") || !strcmp(u->scheme, "ldaps")
          || !strcmp(u->scheme, "ldapi"));
    CHECK(u->nhosts >= 1 && u->uris && u->base);
    copy = apr_pstrdup(p, u->uris);
    for (h = apr_strtok(copy, " ", &last); h;
         h = apr_strtok(NULL, " ", &last), n++) {
        CHECK(!strncmp(h, u->scheme, strlen(u->scheme))
              && !strncmp(h + strlen(u->scheme), "://", 3));
    }
    CHECK(n == u->nhosts);
    CHECK(ac_ldap_attr_valid(u->attr));
    CHECK(u->scope == LDAP_SCOPE_BASE || u->scope == LDAP_SCOPE_ONELEVEL
          || u->scope == LDAP_SCOPE_SUBTREE);
    CHECK(u->filter[0] == '(' && balanced(u->filter));

    /* what ac_ldap_conn.c hands to ldap_initialize(): as many hosts */
    CHECK(ldap_initialize(&ld, u->uris) == LDAP_SUCCESS && ld);
    CHECK(ldap_get_option(ld, LDAP_OPT_URI, &got) == LDAP_OPT_SUCCESS
          && got);
    /* one "scheme://" URI per host, joined by ' ' (a host is shown
     * percent-decoded: it may hold a space itself) */
    for (n = 0, h = apr_strtok(apr_pstrdup(p, got), " ", &last); h;
         h = apr_strtok(NULL, " ", &last)) {
        n += !strncmp(h, u->scheme, strlen(u->scheme))
             && !strncmp(h + strlen(u->scheme), "://", 3);
    }
    ldap_memfree(got);
    CHECK(n == u->nhosts);
    ldap_unbind_ext_s(ld, NULL, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    ac_ldap_url u;

    p = fuzz_pool();
    if (!ac_ldap_url_parse(p, apr_pstrmemdup(p, (const char *)data, size),
                           &u)) {
        check(p, &u);
    }
    apr_pool_destroy(p);
    return 0;
}
