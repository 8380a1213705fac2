/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Fuzz the RFC 4515 escaper (the output holds no bare filter special
 * and unescapes to the input, byte for byte) and the LDAP URL parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static apr_pool_t *root;
    apr_pool_t *p;
    ac_ldap_url u;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    apr_pool_create(&p, root);
    check_escape(ac_ldap_escape(p, (const char *)data, size), data, size);
    ac_ldap_url_parse(p, apr_pstrmemdup(p, (const char *)data, size), &u);
    apr_pool_destroy(p);
    return 0;
}
