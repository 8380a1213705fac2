/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_auth.h"
#include "ac_util.h"

#include <string.h>
#include <apr_strings.h>

/* Every scheme the module speaks; a new one is a line here. */
static const ac_scheme *const ac_scheme_table[] = {
    &ac_scheme_basic,
    &ac_scheme_bearer,
    &ac_scheme_digest,
    NULL
};

const ac_scheme *ac_scheme_find(const char *name)
{
    int i;

    for (i = 0; name && ac_scheme_table[i]; i++) {
        if (!strcasecmp(ac_scheme_table[i]->name, name)) {
            return ac_scheme_table[i];
        }
    }
    return NULL;
}

void ac_result_set(ac_result *res, ac_verdict v, const char *reason)
{
    res->verdict = v;
    res->reason = reason;
}

int ac_scheme_set_parse(ac_scheme_set *set, const char *const *names,
                        int n, const char **bad)
{
    int i;

    memset(set, 0, sizeof(*set));
    for (i = 0; i < n; i++) {
        const ac_scheme *s = ac_scheme_find(names[i]);
        int j;

        if (!s) {
            *bad = names[i];
            return 0;
        }
        for (j = 0; j < set->count && set->items[j] != s; j++)
            ;
        if (j == set->count && set->count < AC_MAX_SCHEMES) {
            set->items[set->count++] = s;
        }
    }
    return 1;
}

static void authenticate(const ac_scheme_conf *conf,
                         const ac_scheme_set *set, const ac_request *req,
                         ac_result *res, apr_pool_t *p);

static const ac_scheme *offered(const ac_scheme_set *set, const char *name)
{
    int i;

    for (i = 0; name && i < set->count; i++) {
        if (!strcasecmp(set->items[i]->name, name)) {
            return set->items[i];
        }
    }
    return NULL;
}

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
        res->info = NULL;
        res->error = "invalid_token";
        res->error_description = "control character or invalid UTF-8 "
                                 "in the user name";
        ac_result_set(res, AC_CHALLENGE, res->error_description);
    }
}

void ac_authenticate(const ac_scheme_conf *conf, const ac_scheme_set *set,
                     const ac_request *req, ac_result *res, apr_pool_t *p)
{
    authenticate(conf, set, req, res, p);
    vet_user(res);
}

static void authenticate(const ac_scheme_conf *conf,
                         const ac_scheme_set *set, const ac_request *req,
                         ac_result *res, apr_pool_t *p)
{
    const ac_scheme *scheme;
    ac_credentials cred;
    ac_ap_status st;

    memset(res, 0, sizeof(*res));
    if (!req->credentials) {
        /* A Bearer token may also come in the body or the query. */
        scheme = req->bearer_other_count ? offered(set, "Bearer") : NULL;
        if (scheme) {
            res->scheme = scheme->name;
            scheme->verify(conf, req, NULL, res, p);
            return;
        }
        ac_result_set(res, AC_CHALLENGE, "no credentials");
        return;
    }
    scheme = offered(set, ac_authparam_scheme(req->credentials, p));
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
    scheme->verify(conf, req, &cred, res, p);
}

int ac_auth_wants_body(const ac_scheme_conf *conf, const ac_scheme_set *set,
                       const ac_request *req, apr_pool_t *p)
{
    const ac_scheme *scheme;
    ac_credentials cred;

    if (!req->credentials) {
        return 0;
    }
    scheme = offered(set, ac_authparam_scheme(req->credentials, p));
    return scheme && scheme->wants_body
           && ac_authparam_parse(req->credentials, &cred, p) == AC_AP_OK
           && scheme->wants_body(conf, req, &cred, p);
}

ac_challenges *ac_auth_challenges(const ac_scheme_conf *conf,
                                  const ac_scheme_set *set,
                                  const ac_request *req,
                                  const ac_result *res, apr_pool_t *p)
{
    ac_challenges *out = ac_challenges_make(p);
    int i;

    for (i = 0; i < set->count; i++) {
        const ac_scheme *s = set->items[i];
        int decided = res->scheme && !strcasecmp(res->scheme, s->name);

        if (res->verdict == AC_CHALLENGE
            || (decided && s->challenge_on_error
                && (res->verdict == AC_BAD_REQUEST
                    || res->verdict == AC_FORBIDDEN))) {
            s->challenge(conf, req, res, out, p);
        }
    }
    return out;
}
