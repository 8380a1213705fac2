/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_bearer.h"

#include "http_log.h"
#include "httpd.h"
#include "apr_strings.h"

#include "ac_authparam.h"
#include "ac_backend_dbm.h"
#include "mod_ac_backends.h"
#include "mod_ac_body.h"

APLOG_USE_MODULE(authchallenge);

#define FORM_TYPE "application/x-www-form-urlencoded"

/* Opaque tokens: the DBM file of this directory (or, later, LDAP). */
static const ac_backend_list *token_backends(request_rec *r,
                                             const ac_dir_conf *dc)
{
    ac_backend_list *list;
    const ac_backend *be = NULL;

    if (!dc->bearer_tokens || !strcmp(dc->bearer_tokens, "off")) {
        return NULL;
    }
    be = ac_named_backend(r, dc, dc->bearer_tokens);
    if (!be) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "AC01030: "
                      "AuthChallengeBearerTokens %s: that back-end is not "
                      "configured here", dc->bearer_tokens);
        return NULL;
    }
    list = apr_pcalloc(r->pool, sizeof(*list));
    list->items = apr_pcalloc(r->pool, sizeof(*list->items));
    list->items[0] = be;
    list->count = 1;
    return list;
}

const ac_bearer_conf *ac_bearer_conf_for(request_rec *r,
                                         const ac_dir_conf *dc)
{
    ac_bearer_conf *bc = apr_pcalloc(r->pool, sizeof(*bc));

    bc->keys = dc->bearer_keys;
    bc->checks.issuer = dc->bearer_issuer;
    bc->checks.audiences = dc->bearer_audiences;
    bc->checks.leeway = AC_GET(dc->bearer_leeway, AC_DEFAULT_LEEWAY);
    bc->checks.require_exp = AC_GET(dc->bearer_require_exp, 1);
    bc->user_claim = dc->bearer_user_claim ? dc->bearer_user_claim : "sub";
    bc->tokens = token_backends(r, dc);
    return bc;
}

/* Count access_token fields of a form-encoded string; keep the last. */
static void scan_form(request_rec *r, const char *form, ac_request *req)
{
    char *copy = apr_pstrdup(r->pool, form), *pair, *last;

    for (pair = apr_strtok(copy, "&", &last); pair;
         pair = apr_strtok(NULL, "&", &last)) {
        char *eq = strchr(pair, '=');
        if (!eq || (apr_size_t)(eq - pair) != sizeof("access_token") - 1
            || strncmp(pair, "access_token", eq - pair)) {
            continue;
        }
        eq++;
        /* form encoding: '+' is a space, so a token's own '+' comes
         * as %2B (RFC 6750 §2.2, §2.3) */
        if (ap_unescape_urlencoded(eq) != OK) {
            eq = "";                /* undecodable: malformed request */
        }
        req->bearer_other = eq;
        req->bearer_other_count++;
    }
}

static int is_form_post(request_rec *r)
{
    const char *ct = apr_table_get(r->headers_in, "Content-Type");

    return r->method_number == M_POST && ct
           && !strncasecmp(ct, FORM_TYPE, sizeof(FORM_TYPE) - 1);
}

int ac_bearer_transports(request_rec *r, const ac_dir_conf *dc,
                         ac_request *req)
{
    int t = AC_GET(dc->bearer_transport, AC_TRANSPORT_HEADER);

    /* The scheme as the core's parser reads it (RFC 9110 §11.4: any
     * white space after it), so no spelling reaches a disabled
     * transport. */
    if (!(t & AC_TRANSPORT_HEADER) && req->credentials) {
        const char *scheme = ac_authparam_scheme(req->credentials,
                                                 r->pool);
        if (scheme && !strcasecmp(scheme, "Bearer")) {
            req->credentials = NULL;    /* not enabled: as if absent */
        }
    }
    if ((t & AC_TRANSPORT_QUERY) && r->args) {
        int before = req->bearer_other_count;
        scan_form(r, r->args, req);
        if (req->bearer_other_count > before) {
            apr_table_setn(r->err_headers_out, "Cache-Control", "private");
        }
    }
    if ((t & AC_TRANSPORT_BODY) && is_form_post(r)) {
        const char *data;
        apr_size_t len;
        int st = ac_body_keep(r, AC_GET(dc->max_body, AC_DEFAULT_MAX_BODY),
                              &data, &len);
        if (st != OK) {
            return st;
        }
        scan_form(r, apr_pstrmemdup(r->pool, data, len), req);
    }
    return OK;
}
