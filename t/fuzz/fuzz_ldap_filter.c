/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Fuzz the RFC 4515 escaper (the output holds no bare filter special
 * and unescapes to the input, byte for byte), the checker of
 * administrators' filters (what it accepts is one parenthesised filter
 * with balanced parentheses) and the LDAP URL parser (a host list, at
 * most AC_LDAP_MAX_HOSTS).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "fuzz.h"
#include "ac_ldap_filter.h"
#include "ac_ldap_url.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* Unescape out and compare with data[0..size); abort on any defect. */
static void check_escape(const char *out, const uint8_t *data, size_t size)
{
    size_t i = 0;

    for (; *out; out++, i++) {
        int c = (unsigned char)*out;

        if (c == '*' || c == '(' || c == ')') {
            abort();
        }
        if (c == '\\') {
            int hi = hexval(out[1]), lo = hi < 0 ? -1 : hexval(out[2]);
            if (hi < 0 || lo < 0) {
                abort();
            }
            c = hi * 16 + lo;
            out += 2;
        }
        if (i >= size || data[i] != c) {
            abort();
        }
    }
    if (i != size) {
        abort();
    }
}

/* An accepted filter: "(...)", parentheses balanced, never below 1
 * before the end (escapes are hex, so every '(' and ')' counts). */
static void check_filter(apr_pool_t *p, const char *f)
{
    size_t i, n = strlen(f);
    int depth = 0;

    if (ac_ldap_filter_check(p, f) != NULL) {
        return;
    }
    if (n < 2 || f[0] != '(' || f[n - 1] != ')') {
        abort();
    }
    for (i = 0; i < n; i++) {
        depth += f[i] == '(' ? 1 : f[i] == ')' ? -1 : 0;
        if (depth < 0 || (depth == 0 && i + 1 < n)) {
            abort();
        }
    }
    if (depth != 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    ac_ldap_url u;

    p = fuzz_pool();
    check_escape(ac_ldap_escape(p, (const char *)data, size), data, size);
    check_filter(p, apr_pstrmemdup(p, (const char *)data, size));
    if (!ac_ldap_url_parse(p, apr_pstrmemdup(p, (const char *)data, size),
                           &u)
        && (u.nhosts < 1 || u.nhosts > AC_LDAP_MAX_HOSTS
            || u.hosts->nelts != u.nhosts)) {
        abort();
    }
    apr_pool_destroy(p);
    return 0;
}
