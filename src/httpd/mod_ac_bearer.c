/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_bearer.h"

#include "http_protocol.h"
#include "httpd.h"
#include "apr_strings.h"

#include "ac_authparam.h"
#include "ac_bearer.h"
#include "mod_ac_body.h"

#define FORM_TYPE "application/x-www-form-urlencoded"

/* ---------------------------------------------------------- requests */

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

int ach_bearer_prepare(request_rec *r, const ach_place *pl,
                       ac_request *req)
{
    const ac_bearer_conf *bc = AC_OWN(&pl->core, &ac_scheme_bearer);
    int t = bc->transport;

    /* The scheme as the core's parser reads it (RFC 9110 §11.4: any
     * white space after it), so no spelling reaches a disabled
     * transport. */
    if (!(t & AC_TRANSPORT_HEADER) && req->credentials) {
        const char *scheme = ac_authparam_scheme(req->credentials,
                                                 r->pool);
        if (scheme && !strcasecmp(scheme, ac_scheme_bearer.name)) {
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
        int st = ach_body_keep(r, pl->core.max_body, &data, &len);
        if (st != OK) {
            return st;
        }
        scan_form(r, apr_pstrmemdup(r->pool, data, len), req);
    }
    return OK;
}

/* -------------------------------------------------------- directives */

static ac_bearer_conf *conf_of(void *cfg)
{
    return ach_scheme_conf(cfg, &ac_scheme_bearer);
}

/* Keys are read and checked now, so a bad key stops start-up with a
 * message instead of failing the first request.  alg NULL: a JWKS. */
static const char *add_key(cmd_parms *cmd, void *cfg, const char *alg,
                           const char *path)
{
    ac_bearer_conf *bc = conf_of(cfg);
    const char *full, *err;

    if ((err = ach_no_files_in_htaccess(cmd)) != NULL) {
        return err;
    }
    if (!(full = ap_server_root_relative(cmd->pool, path))) {
        return apr_psprintf(cmd->pool, "%s: bad path %s", cmd->cmd->name,
                            path);
    }
    if (!bc->keys) {
        bc->keys = ac_jwt_keyset_make(cmd->pool);
    }
    err = alg ? ac_jwt_keyset_add_key_file(bc->keys, alg, full)
              : ac_jwt_keyset_add_jwks_file(bc->keys, full);
    return err ? apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err)
               : NULL;
}

const char *ach_bearer_jwks(cmd_parms *cmd, void *cfg, const char *path)
{
    return add_key(cmd, cfg, NULL, path);
}

const char *ach_bearer_key(cmd_parms *cmd, void *cfg, const char *alg,
                           const char *path)
{
    return add_key(cmd, cfg, alg, path);
}

const char *ach_bearer_issuer(cmd_parms *cmd, void *cfg, const char *arg)
{
    conf_of(cfg)->issuer = arg;
    return NULL;
}

const char *ach_bearer_audience(cmd_parms *cmd, void *cfg, const char *arg)
{
    ach_push(cmd, &conf_of(cfg)->audiences, arg);
    return NULL;
}

const char *ach_bearer_leeway(cmd_parms *cmd, void *cfg, const char *arg)
{
    return ach_parse_seconds(cmd, arg, &conf_of(cfg)->leeway, 1);
}

const char *ach_bearer_require_exp(cmd_parms *cmd, void *cfg, int on)
{
    conf_of(cfg)->require_exp = on ? 1 : 0;
    return NULL;
}

const char *ach_bearer_user_claim(cmd_parms *cmd, void *cfg,
                                  const char *arg)
{
    conf_of(cfg)->user_claim = arg;
    return NULL;
}

const char *ach_bearer_tokens(cmd_parms *cmd, void *cfg, const char *arg)
{
    if (strcasecmp(arg, "Off") && !ac_backend_kind_find(arg)) {
        return apr_psprintf(cmd->pool, "AuthChallengeBearerTokens: %s or "
                            "Off", ach_backend_names(cmd->pool));
    }
    conf_of(cfg)->tokens_name = apr_pstrdup(cmd->pool, arg);
    ap_str_tolower((char *)conf_of(cfg)->tokens_name);
    return NULL;
}

const char *ach_bearer_transport(cmd_parms *cmd, void *cfg,
                                 const char *arg)
{
    ac_bearer_conf *bc = conf_of(cfg);
    int bit = !strcasecmp(arg, "header") ? AC_TRANSPORT_HEADER
            : !strcasecmp(arg, "body") ? AC_TRANSPORT_BODY
            : !strcasecmp(arg, "query") ? AC_TRANSPORT_QUERY : 0;

    if (!bit) {
        return "AuthChallengeBearerTransport: header, body and/or query";
    }
    bc->transport = (bc->transport == AC_UNSET ? 0 : bc->transport) | bit;
    return NULL;
}
