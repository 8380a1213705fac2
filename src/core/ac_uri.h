/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Comparing http and https URIs the way RFC 3986 §6.2.2 and §6.2.3 say
 * two spellings of one resource compare: for the htu of a DPoP proof
 * (RFC 9449 §4.3), which must name the URI the request went to.
 */
#ifndef AC_URI_H
#define AC_URI_H

#include <apr_pools.h>

/*
 * The normal form of the absolute http or https URI uri, without its
 * query and fragment, or NULL when uri is not one (no scheme or
 * authority, another scheme, userinfo, a bad port, a bad
 * percent-encoding, a character no URI holds):
 *  - scheme and host in lower case (§6.2.2.1);
 *  - percent-encodings in upper case, those of unreserved characters
 *    decoded (§6.2.2.1, §6.2.2.2);
 *  - "." and ".." segments removed (§6.2.2.3, §5.2.4);
 *  - the default port (80, 443) and an empty port left out, an empty
 *    path made "/" (§6.2.3).
 */
const char *ac_uri_normal_http(apr_pool_t *p, const char *uri);

#endif
