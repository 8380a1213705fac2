/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_introspect.h"

#include <string.h>
#include <apr_strings.h>
#include <jansson.h>

ac_intro_status ac_introspect_parse(const char *json, apr_size_t len,
                                    ac_jwt *out, const char **why,
                                    apr_pool_t *p)
{
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *active = json_object_get(root, "active");
    ac_intro_status st = AC_INTRO_ERROR;

    memset(out, 0, sizeof(*out));
    *why = NULL;
    if (!json_is_object(root)) {
        *why = "the introspection answer is not a JSON object";
    }
    else if (!json_is_boolean(active)) {
        *why = "the introspection answer has no boolean \"active\"";
    }
    else if (!json_is_true(active)) {
        st = AC_INTRO_INACTIVE;
    }
    /* RFC 7662 §2.2 names the members as RFC 7519 does: the same types */
    else if (ac_jwt_claims_read(root, out, why, p) != AC_JWT_OK) {
        *why = apr_pstrcat(p, "the introspection answer: ", *why, NULL);
    }
    else {
        st = AC_INTRO_ACTIVE;
    }
    json_decref(root);
    return st;
}

ac_intro_status ac_introspect(const ac_introspect_conf *c, const char *url,
                              const ac_http_opts *http, const char *token,
                              ac_jwt *out, const char **why,
                              apr_pool_t *p)
{
    const char *enc = ac_http_form_encode(token, p);
    char *form;
    ac_http_resp resp;

    memset(out, 0, sizeof(*out));
    if (!url || !enc) {
        *why = url ? "cannot encode the token"
                   : "no introspection endpoint (the metadata names none)";
        return AC_INTRO_ERROR;
    }
    /* RFC 7662 §2.1 */
    form = apr_pstrcat(p, "token=", enc, "&token_type_hint=access_token",
                       NULL);
    *why = ac_http_post_form(http, url, c->client_id, c->secret, form,
                             &resp, p);
    memset(form, 0, strlen(form));
    if (*why) {
        return AC_INTRO_ERROR;
    }
    if (resp.status != 200) {
        *why = apr_psprintf(p, "%s: HTTP status %ld", url, resp.status);
        return AC_INTRO_ERROR;
    }
    return ac_introspect_parse(resp.body, resp.len, out, why, p);
}
