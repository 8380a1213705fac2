/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_auth.h"
#include "ac_util.h"

#include <string.h>
#include <apr_strings.h>

/* Whatever the source (a header, a JWT claim, a directory entry, a
 * record), a user name with a control character or invalid UTF-8 is no
 * user: it would reach logs, REMOTE_USER and, through RequestHeader,
 * other servers' headers.  error= is the Bearer-family's parameter
 * (RFC 6750 §3.1); other schemes' challenges leave it out. */
static void vet_user(ac_result *res)
{
    if (res->verdict == AC_OK && (!res->user || !*res->user
                                  || !ac_text_clean(res->user))) {
        res->failed = 1;
        res->user = NULL;
        res->identity = NULL;
        res->headers = NULL;
        res->error = "invalid_token";
        res->error_description = "control character or invalid UTF-8 "
                                 "in the user name";
        ac_result_set(res, AC_CHALLENGE, res->error_description);
    }
}

static void authenticate(const ac_place *pl, const ac_request *req,
                         ac_result *res, apr_pool_t *p);

void ac_authenticate(const ac_place *pl, const ac_request *req,
                     ac_result *res, apr_pool_t *p)
{
    authenticate(pl, req, res, p);
    vet_user(res);
}

/* The scheme that takes tokens from a form body or the query (RFC 6750
 * §2.2, §2.3): the first offered that says so. */
static const ac_scheme *other_transport(const ac_place *pl)
{
    int i;

    for (i = 0; i < pl->set.count; i++) {
        if (pl->set.items[i]->takes_other_token) {
            return pl->set.items[i];
        }
    }
    return NULL;
}

const ac_scheme *ac_auth_scheme_of(const ac_place *pl,
                                   const ac_request *req, apr_pool_t *p)
{
    return req->credentials
           ? ac_scheme_set_find(&pl->set,
                                ac_authparam_scheme(req->credentials, p))
           : NULL;
}

static void authenticate(const ac_place *pl, const ac_request *req,
                         ac_result *res, apr_pool_t *p)
{
    const ac_scheme *scheme;
    ac_credentials cred;
    ac_ap_status st;

    memset(res, 0, sizeof(*res));
    if (!req->credentials) {
        /* A Bearer token may also come in the body or the query. */
        scheme = req->bearer_other_count ? other_transport(pl) : NULL;
        if (scheme) {
            res->scheme = scheme->name;
            scheme->verify(pl, req, NULL, res, p);
            return;
        }
        ac_result_set(res, AC_CHALLENGE, "no credentials");
        return;
    }
    scheme = ac_auth_scheme_of(pl, req, p);
    if (!scheme) {
        const char *name = ac_authparam_scheme(req->credentials, p);
        if (!name) {
            ac_result_set(res, AC_BAD_REQUEST, "malformed credentials");
            return;
        }
        res->scheme = ac_authparam_is_token(name) && strlen(name) < 32
                      ? name : NULL;
        ac_result_set(res, AC_CHALLENGE, "scheme not offered");
        return;
    }
    res->scheme = scheme->name;
    st = ac_authparam_parse(req->credentials, &cred, p);
    if (st != AC_AP_OK) {
        ac_result_set(res, AC_BAD_REQUEST, ac_authparam_strerror(st));
        return;
    }
    scheme->verify(pl, req, &cred, res, p);
}

int ac_auth_wants_body(const ac_place *pl, const ac_request *req,
                       apr_pool_t *p)
{
    const ac_scheme *scheme = ac_auth_scheme_of(pl, req, p);
    ac_credentials cred;

    return scheme && scheme->wants_body
           && ac_authparam_parse(req->credentials, &cred, p) == AC_AP_OK
           && scheme->wants_body(pl, req, &cred, p);
}

ac_challenges *ac_auth_challenges(const ac_place *pl, const ac_request *req,
                                  const ac_result *res, apr_pool_t *p)
{
    ac_challenges *out = ac_challenges_make(p);
    int i;

    for (i = 0; i < pl->set.count; i++) {
        const ac_scheme *s = pl->set.items[i];
        int decided = res->scheme && !strcasecmp(res->scheme, s->name);

        if (res->verdict == AC_CHALLENGE
            || (decided && s->challenge_on_error
                && (res->verdict == AC_BAD_REQUEST
                    || res->verdict == AC_FORBIDDEN))) {
            s->challenge(pl, req, res, out, p);
        }
    }
    return out;
}

void ac_auth_forbid(ac_result *res, const ac_scheme *scheme,
                    const char *error, const char *scope)
{
    memset(res, 0, sizeof(*res));
    res->scheme = scheme->name;
    res->error = error;
    res->scope = scope;
    ac_result_set(res, AC_FORBIDDEN, error);
}
