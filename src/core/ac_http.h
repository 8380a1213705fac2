/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The module's HTTP client (libcurl), for what a resource server asks
 * of its authorization server (docs/bearer.md): metadata (RFC 8414),
 * key sets (RFC 7517) and token introspection (RFC 7662).  http and
 * https only, no redirects, every exchange bounded in time and size.
 * Error texts name the URL and what failed, never a secret, a token or
 * a byte of the answer.
 */
#ifndef AC_HTTP_H
#define AC_HTTP_H

#include <apr_pools.h>
#include <apr_time.h>

/* Largest answer read (metadata, key sets, introspection). */
#define AC_HTTP_MAX_BODY (512 * 1024)

typedef struct {
    const char *ca_file;            /* PEM trust anchors; NULL: system  */
    apr_interval_time_t timeout;    /* the whole exchange, connect incl. */
    /* when set and non-zero, an exchange under way stops at once (a
     * process that exits does not wait for a slow server) */
    const volatile int *abort_flag;
} ac_http_opts;

typedef struct {
    long status;                    /* HTTP status                      */
    const char *body;               /* NUL-terminated                   */
    apr_size_t len;
} ac_http_resp;

/* Once per process, before any thread uses the client (httpd: in
 * post_config, before the children are forked). */
void ac_http_global_init(void);

/* 1 when url is an absolute http: or https: URL with a host and no
 * user information, fragment or white space. */
int ac_http_url_ok(const char *url);

/* GET url (Accept: application/json).  NULL on an answer (whatever its
 * status), else why not. */
const char *ac_http_get(const ac_http_opts *o, const char *url,
                        ac_http_resp *out, apr_pool_t *p);

/*
 * POST form (application/x-www-form-urlencoded) to url, authenticated
 * as client_id with secret by HTTP Basic as RFC 6749 §2.3.1 says
 * (client_secret_basic: each form-urlencoded first).  NULL on an
 * answer, else why not.
 */
const char *ac_http_post_form(const ac_http_opts *o, const char *url,
                              const char *client_id, const char *secret,
                              const char *form, ac_http_resp *out,
                              apr_pool_t *p);

/* s form-urlencoded (RFC 3986 unreserved characters kept). */
const char *ac_http_form_encode(const char *s, apr_pool_t *p);

#endif
