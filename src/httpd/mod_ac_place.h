/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue: the place a request is in — everything it needs from its
 * directory's configuration, built once per configuration (and server,
 * AuthType, AuthName) and kept with it: the offered schemes and their
 * finished settings, the back-ends, the shared state and secret, the
 * scope of cached verdicts, the failure limit.  A request only reads
 * it.  An .htaccess configuration, read for one request, gets a place
 * for that request alone.
 */
#ifndef MOD_AC_PLACE_H
#define MOD_AC_PLACE_H

#include "httpd.h"

#include "ac_faillimit.h"
#include "ac_scheme.h"
#include "mod_ac_config.h"

typedef struct ach_place {
    ac_place core;              /* what the core reads                 */
    const ach_dir_conf *dc;
    server_rec *server;
    const char *auth_type, *auth_name;
    int header_combined;
    ac_credcache credcache;     /* core.credcache points here          */
    ac_faillimit limit;
    /* this place for verdicts reused by sub-requests (vhost, realm,
     * back-ends, keys), and for the back-ends' outage flag */
    const char *id;
    const char *outage_key;
    /* a back-end that needs the request_rec (an httpd provider) */
    int bound;
    /* the place of httpd's own modules asking the authn provider
     * "challenge" (no scheme of this module's is offered there) */
    int provider;
} ach_place;

/*
 * The place of r, or NULL when r's AuthType is not this module's there
 * (Basic and Digest are ours only where AuthChallengeProvider is in
 * effect).  Built once; warnings about it are logged when it is built.
 */
const ach_place *ach_place_get(request_rec *r);

/*
 * The place where httpd's own modules (mod_auth_basic, mod_auth_form,
 * mod_auth_digest, through an <AuthnProviderAlias> too) ask the authn
 * provider "challenge" about r: its back-ends are ach_backends_own's,
 * with the directory's credential cache and failure limit; no scheme
 * is offered.  Built once, like ach_place_get's; never NULL.
 */
const ach_place *ach_place_provider(request_rec *r);

/* The request as the core sees it: proxy flag, target, credentials
 * (from the header the proxy flag names), client address, time. */
void ach_place_request(request_rec *r, ac_request *req);

/* The challenges that answer res in place pl, into r->err_headers_out
 * (WWW-Authenticate or Proxy-Authenticate: they survive error pages and
 * mod_proxy), one field per challenge or combined
 * (AuthChallengeHeaderStyle); and res's other header fields. */
void ach_place_respond(request_rec *r, const ach_place *pl,
                       const ac_request *req, const ac_result *res);

/* What a scheme's glue does before the core sees a request (a scheme
 * with no such step has none): e.g. Bearer collects tokens from the
 * query and a form body.  OK, or an HTTP status. */
typedef int (*ach_prepare_fn)(request_rec *r, const ach_place *pl,
                              ac_request *req);

typedef struct {
    const ac_scheme *scheme;
    ach_prepare_fn prepare;
} ach_scheme_glue;

/* One entry per scheme with a glue step (mod_authchallenge.c). */
extern const ach_scheme_glue ach_scheme_glues[];

#endif
