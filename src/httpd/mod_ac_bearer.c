/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_bearer.h"

#include "http_log.h"
#include "http_protocol.h"
#include "httpd.h"
#include "apr_strings.h"

#include "ac_authparam.h"
#include "ac_bearer.h"
#include "ac_http.h"
#include "mod_ac_body.h"
#include "mod_ac_rs.h"

APLOG_USE_MODULE(authchallenge);

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
    if (!alg) {
        bc->jwks_file = 1;      /* an authorization server's: RFC 9068 */
        ach_rs_note_section(cmd, bc);
    }
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
    ach_rs_note_section(cmd, conf_of(cfg));
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

/* ------------------------------------- an authorization server's */

/*
 * A URL the server fetches is no more for .htaccess than a file it
 * reads: its author could make the server send requests anywhere it
 * can reach (docs/security.md, ".htaccess").
 */
static const char *no_fetch_in_htaccess(cmd_parms *cmd)
{
    if (ap_check_cmd_context(cmd, NOT_IN_HTACCESS) == NULL) {
        return NULL;
    }
    return apr_psprintf(cmd->pool, "%s makes the server fetch a URL and "
                        "is not allowed in .htaccess", cmd->cmd->name);
}

/* MetadataURL (0), JWKSURI (1), ResourceMetadata (2). */
const char *ach_bearer_url(cmd_parms *cmd, void *cfg, const char *arg)
{
    ac_bearer_conf *bc = conf_of(cfg);
    int which = (int)(apr_uintptr_t)cmd->info;
    const char *err;

    if (!ac_http_url_ok(arg)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not an http or https "
                            "URL", cmd->cmd->name, arg);
    }
    if (which == 2) {
        if (strchr(arg, '"') || strchr(arg, '\\')) {
            return "AuthChallengeBearerResourceMetadata: a URL without "
                   "quotes or backslashes";
        }
        bc->resource_metadata = arg;
        return NULL;
    }
    if ((err = no_fetch_in_htaccess(cmd)) != NULL) {
        return err;
    }
    if (which == 0) {
        bc->metadata_url = arg;
    }
    else {
        bc->jwks_uri = arg;
    }
    ach_rs_note_section(cmd, bc);
    return NULL;
}

const char *ach_bearer_refresh(cmd_parms *cmd, void *cfg, const char *secs,
                               const char *min)
{
    ac_bearer_conf *bc = conf_of(cfg);
    const char *err;

    if ((err = ach_parse_seconds(cmd, secs, &bc->refresh, 0)) != NULL
        || (min && (err = ach_parse_seconds(cmd, min, &bc->min_refresh, 0))
                   != NULL)) {
        return err;
    }
    if (!min) {
        bc->min_refresh = AC_UNSET;     /* the default, capped below */
    }
    if (min && bc->min_refresh > bc->refresh) {
        return "AuthChallengeBearerJWKSRefresh: min-seconds is more than "
               "seconds";
    }
    if (!min && ac_default.jwks_min_refresh > bc->refresh) {
        bc->min_refresh = bc->refresh;
    }
    return NULL;
}

/* The client secret: the file's bytes less one trailing LF or CRLF, as
 * for AuthChallengeBearerKey HS* secrets. */
static const char *read_secret(cmd_parms *cmd, const char *path,
                               const char **out)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_size_t n = 0;
    char *buf;

    if (apr_stat(&fi, path, APR_FINFO_SIZE | APR_FINFO_PROT, cmd->temp_pool)
        != APR_SUCCESS || fi.size <= 0 || fi.size > 4096
        || apr_file_open(&f, path, APR_FOPEN_READ, 0, cmd->temp_pool)
           != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "AuthChallengeBearerIntrospect: "
                            "cannot read the secret file %s (1 to 4096 "
                            "bytes)", path);
    }
    buf = apr_pcalloc(cmd->pool, (apr_size_t)fi.size + 1);
    apr_file_read_full(f, buf, (apr_size_t)fi.size, &n);
    apr_file_close(f);
    if (n && buf[n - 1] == '\n') {
        n -= n > 1 && buf[n - 2] == '\r' ? 2 : 1;
    }
    buf[n] = '\0';
    if (!n || strlen(buf) != n) {
        return apr_psprintf(cmd->pool, "AuthChallengeBearerIntrospect: the "
                            "secret file %s is empty or holds a NUL", path);
    }
    if (fi.protection & APR_FPROT_WREAD) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, cmd->server, "AC00031: "
                     "AuthChallengeBearerIntrospect: %s is world-readable: "
                     "chmod 0640 it", path);
    }
    *out = buf;
    return NULL;
}

const char *ach_bearer_introspect(cmd_parms *cmd, void *cfg,
                                  const char *url, const char *client,
                                  const char *file)
{
    ac_introspect_conf *ic = apr_pcalloc(cmd->pool, sizeof(*ic));
    const char *err, *full;

    if ((err = ach_no_files_in_htaccess(cmd)) != NULL) {
        return err;
    }
    if (strcasecmp(url, "auto") && !ac_http_url_ok(url)) {
        return apr_psprintf(cmd->pool, "AuthChallengeBearerIntrospect: '%s'"
                            " is not an http or https URL, nor auto", url);
    }
    if (!(full = ap_server_root_relative(cmd->pool, file))) {
        return apr_psprintf(cmd->pool, "AuthChallengeBearerIntrospect: bad "
                            "path %s", file);
    }
    if ((err = read_secret(cmd, full, &ic->secret)) != NULL) {
        return err;
    }
    ic->url = strcasecmp(url, "auto") ? url : NULL;
    ic->client_id = client;
    conf_of(cfg)->introspect = ic;
    return NULL;
}

/* IntrospectCache (0: Off allowed), FetchTimeout (1), MaxAge (2). */
const char *ach_bearer_seconds(cmd_parms *cmd, void *cfg, const char *arg)
{
    ac_bearer_conf *bc = conf_of(cfg);

    switch ((int)(apr_uintptr_t)cmd->info) {
    case 0:
        if (!strcasecmp(arg, "Off")) {
            bc->introspect_cache = 0;
            return NULL;
        }
        return ach_parse_seconds(cmd, arg, &bc->introspect_cache, 0);
    case 1:
        return ach_parse_seconds(cmd, arg, &bc->fetch_timeout, 0);
    default:
        return ach_parse_seconds(cmd, arg, &bc->max_age, 0);
    }
}

const char *ach_bearer_ca_cert(cmd_parms *cmd, void *cfg, const char *arg)
{
    const char *err, *full;
    apr_finfo_t fi;

    if ((err = ach_no_files_in_htaccess(cmd)) != NULL) {
        return err;
    }
    full = ap_server_root_relative(cmd->pool, arg);
    if (!full || apr_stat(&fi, full, APR_FINFO_TYPE, cmd->temp_pool)
                 != APR_SUCCESS || fi.filetype != APR_REG) {
        return apr_psprintf(cmd->pool, "AuthChallengeBearerCACert: %s is "
                            "not a file", arg);
    }
    conf_of(cfg)->ca_file = full;
    return NULL;
}

const char *ach_bearer_resource(cmd_parms *cmd, void *cfg, const char *arg)
{
    /* RFC 9728 §1.2: an https URL without a fragment; http for tests */
    if (!ac_http_url_ok(arg)) {
        return "AuthChallengeBearerResource: an http or https URL";
    }
    conf_of(cfg)->resource = arg;
    ach_rs_note_section(cmd, conf_of(cfg));
    return NULL;
}

const char *ach_bearer_scopes_supported(cmd_parms *cmd, void *cfg,
                                        const char *arg)
{
    ach_push(cmd, &conf_of(cfg)->scopes_supported, arg);
    return NULL;
}
