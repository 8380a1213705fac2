/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Fuzz what the module reads from an authorization server's metadata
 * URL (RFC 8414, OpenID Discovery): the first line of the input is the
 * metadata URL, an optional second line starting with "iss=" the
 * configured issuer, the rest the document.  What it accepts has an
 * issuer that is the configured one or one the URL names (never another:
 * mix-up), and only http(s) URLs; a refusal names nothing of the
 * document.  Then the same text as a fetched key set.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "fuzz.h"
#include "ac_asmeta.h"
#include "ac_http.h"
#include "ac_jwt.h"

static void check_issuer(const ac_asmeta *m, const char *url,
                         const char *expected, apr_pool_t *p)
{
    const char *cand[2];
    int i, n, ok = 0;
    apr_size_t len;

    if (expected) {
        ok = !strcmp(m->issuer, expected);
    }
    n = expected ? 0 : ac_asmeta_issuers_of(url, cand, p);
    for (i = 0; i < n; i++) {
        len = strlen(cand[i]);
        ok |= !strcmp(m->issuer, cand[i])
              || (!strncmp(m->issuer, cand[i], len)
                  && !strcmp(m->issuer + len, "/"));
    }
    if (!ok || !ac_http_url_ok(m->issuer)
        || (m->jwks_uri && !ac_http_url_ok(m->jwks_uri))
        || (m->introspection_endpoint
            && !ac_http_url_ok(m->introspection_endpoint))) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *in, *nl, *url, *expected = NULL, *doc, *err, *note;
    ac_asmeta m;

    p = fuzz_pool();
    in = apr_pstrmemdup(p, (const char *)data, size);
    if ((nl = strchr(in, '\n')) != NULL) {
        url = apr_pstrmemdup(p, in, (apr_size_t)(nl - in));
        doc = nl + 1;
        if (!strncmp(doc, "iss=", 4) && (nl = strchr(doc, '\n'))) {
            expected = apr_pstrmemdup(p, doc + 4, (apr_size_t)(nl - doc - 4));
            doc = nl + 1;
        }
        err = ac_asmeta_parse(doc, strlen(doc), url, expected, &m, p);
        if (!err) {
            check_issuer(&m, url, expected, p);
        }
        else if (m.issuer || m.jwks_uri) {
            abort();
        }
        ac_jwt_keyset_add_fetched(ac_jwt_keyset_make(p), doc, strlen(doc),
                                  &note);
    }
    apr_pool_destroy(p);
    return 0;
}
