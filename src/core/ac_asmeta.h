/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Authorization server metadata (RFC 8414; OpenID Connect Discovery 1.0
 * §3): the issuer, where its keys are (jwks_uri) and its introspection
 * endpoint, read from a document fetched from the metadata URL the
 * administrator gave (docs/bearer.md).
 */
#ifndef AC_ASMETA_H
#define AC_ASMETA_H

#include <apr_pools.h>

typedef struct {
    const char *issuer;
    const char *jwks_uri;                   /* NULL: none published    */
    const char *introspection_endpoint;     /* NULL: none published    */
} ac_asmeta;

/*
 * The issuers a metadata URL names: RFC 8414 §3.1 puts the well-known
 * segment between the host and the issuer's path
 * (https://as/.well-known/oauth-authorization-server/tenant), OpenID
 * Discovery §4 and many servers after it
 * (https://as/tenant/.well-known/openid-configuration).  Up to two
 * candidates in out[]; the count (0: the URL has neither shape).
 */
int ac_asmeta_issuers_of(const char *url, const char *out[2],
                         apr_pool_t *p);

/*
 * Read the document (json[0..len)) fetched from url.  Its issuer must
 * be expected when that is given (AuthChallengeBearerIssuer), else one
 * that url names (RFC 8414 §3.3, OpenID Discovery §4.3: against
 * mix-up; a trailing '/' of the issuer is allowed, as Auth0 writes it).
 * Every URL in it must be http or https.  NULL, or why not (never a
 * piece of the document beyond what it names as its issuer).
 */
const char *ac_asmeta_parse(const char *json, apr_size_t len,
                            const char *url, const char *expected,
                            ac_asmeta *out, apr_pool_t *p);

#endif
