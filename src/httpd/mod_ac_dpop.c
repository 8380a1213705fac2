/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_dpop.h"

#include "http_core.h"
#include "http_protocol.h"
#include "httpd.h"
#include "apr_strings.h"

#include "ac_dpop.h"
#include "mod_ac_config.h"

/* ---------------------------------------------------------- requests */

static int count_field(void *rec, const char *key, const char *value)
{
    ac_request *req = rec;

    /* httpd joins repeated fields with ", "; a proof (a JWS) has no
     * comma, so one in the value means more than one field */
    req->dpop_count += strchr(value, ',') ? 2 : 1;
    req->dpop_proof = value;
    return 1;
}

int ach_dpop_prepare(request_rec *r, const ach_place *pl, ac_request *req)
{
    apr_table_do(count_field, req, r->headers_in, "DPoP", NULL);
    /* A forward proxy's request names the URI itself; an origin's (and
     * a path sent to a place in proxy mode) is this server's name and
     * port as the client used them (UseCanonicalName decides) and the
     * path as sent.  CONNECT names no URI a proof could: none. */
    if (req->proxy && !req->connect && r->parsed_uri.scheme) {
        req->url = r->unparsed_uri;
    }
    else if (!req->connect) {
        req->url = ap_construct_url(r->pool, r->parsed_uri.path
                                    ? r->parsed_uri.path : "/", r);
    }
    return OK;
}

/* ---------------------------------------------------------- directives */

static ac_dpop_conf *conf_of(void *cfg)
{
    return ach_scheme_conf(cfg, &ac_scheme_dpop);
}

const char *ach_dpop_mode(cmd_parms *cmd, void *cfg, const char *arg)
{
    ac_dpop_conf *dc = conf_of(cfg);

    if (!strcasecmp(arg, "Off")) {
        dc->mode = AC_DPOP_OFF;
    }
    else if (!strcasecmp(arg, "Allowed")) {
        dc->mode = AC_DPOP_ALLOWED;
    }
    else if (!strcasecmp(arg, "Required")) {
        dc->mode = AC_DPOP_REQUIRED;
    }
    else {
        return "AuthChallengeBearerDPoP: Off, Allowed or Required";
    }
    return NULL;
}

const char *ach_dpop_nonce(cmd_parms *cmd, void *cfg, int on)
{
    conf_of(cfg)->nonce = on ? 1 : 0;
    return NULL;
}

const char *ach_dpop_window(cmd_parms *cmd, void *cfg, const char *arg)
{
    return ach_parse_seconds(cmd, arg, &conf_of(cfg)->window, 0);
}
