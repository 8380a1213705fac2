/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_authn.h"
#include "ac_util.h"

#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>

static const char *const bad_name = "control character or invalid UTF-8 "
                                    "in the user name";

/* The verdict that goes with a back-end's answer to a password or HA1
 * question (reason: the back-end's). */
static void verdict(ac_result *res, ac_be_status st, const char *reason)
{
    switch (st) {
    case AC_BE_OK:
        ac_result_set(res, AC_OK, reason);
        break;
    case AC_BE_DENIED:
    case AC_BE_NOT_FOUND:
        res->failed = 1;
        ac_result_set(res, AC_CHALLENGE, reason);
        break;
    default:
        ac_result_set(res, AC_UNAVAILABLE, reason);
        break;
    }
}

ac_be_status ac_authn_password(const ac_place *pl, const char *label,
                               const char *user, const char *password,
                               apr_time_t now, ac_result *res,
                               apr_pool_t *p)
{
    const char *reason = NULL, *cached, *canon = NULL, *stamp = NULL;
    ac_be_status st;

    res->log_user = user;
    if (ac_credcache_enabled(pl->credcache)) {
        stamp = ac_backend_stamp(pl->backends, AC_STAMP_USER, user, p);
    }
    /* the cached value is the user's own spelling (canon) */
    if (stamp && ac_credcache_get(pl->credcache, label, pl->realm, user,
                                  password, stamp, now, &cached,
                                  &res->credcache, p)) {
        res->user = res->log_user = cached;
        ac_result_set(res, AC_OK, "password verified (cached)");
        return AC_BE_OK;
    }
    st = ac_backend_check_password(pl->backends, user, password, &canon,
                                   &reason, p);
    AC_RESULT_BACKEND(res, st);
    if (st == AC_BE_OK) {
        res->user = res->log_user = canon ? canon : user;
        reason = "password verified";
        if (stamp) {
            ac_credcache_put(pl->credcache, label, pl->realm, user,
                             password, stamp, res->user, now, 0,
                             &res->credcache, p);
        }
    }
    verdict(res, st, reason);
    return st;
}

/* A refused user name: no back-end is asked, nothing of it logged. */
static ac_be_status refuse_name(ac_result *res)
{
    res->user = res->log_user = NULL;
    res->failed = 1;
    ac_result_set(res, AC_CHALLENGE, bad_name);
    return AC_BE_DENIED;
}

ac_be_status ac_authn_check_password(const ac_place *pl, const char *user,
                                     const char *password, apr_time_t now,
                                     ac_result *res, apr_pool_t *p)
{
    ac_be_status st;

    memset(res, 0, sizeof(*res));
    if (!user || !*user || !ac_text_clean(user)) {
        return refuse_name(res);
    }
    st = ac_authn_password(pl, "authn", user, password ? password : "",
                           now, res, p);
    if (st == AC_BE_OK && (!res->user || !ac_text_clean(res->user))) {
        return refuse_name(res);
    }
    return st;
}

/* 1 when s is an MD5 HA1: 32 hex digits. */
static int md5_hex(const char *s)
{
    int i;

    for (i = 0; i < 32; i++) {
        if (!apr_isxdigit(s[i])) {
            return 0;
        }
    }
    return s[32] == '\0';
}

ac_be_status ac_authn_realm_hash(const ac_place *pl, const char *user,
                                 const char *realm, const char **hex,
                                 ac_result *res, apr_pool_t *p)
{
    const char *reason = NULL, *canon = NULL, *found = NULL;
    ac_be_status st;

    memset(res, 0, sizeof(*res));
    *hex = NULL;
    if (!user || !*user || !ac_text_clean(user)) {
        return refuse_name(res);
    }
    res->log_user = user;
    if (!realm) {
        ac_result_set(res, AC_UNAVAILABLE, "no realm (AuthName)");
        return AC_BE_ERROR;
    }
    st = ac_backend_get_ha1(pl->backends, user, realm, "MD5", &found,
                            &canon, &reason, p);
    AC_RESULT_BACKEND(res, st);
    if (st == AC_BE_OK && (!found || !md5_hex(found))) {
        st = AC_BE_ERROR;
        reason = "the stored MD5 HA1 is not 32 hex digits";
    }
    else if (st == AC_BE_OK) {
        res->user = res->log_user = canon ? canon : user;
        if (!ac_text_clean(res->user)) {
            return refuse_name(res);
        }
        *hex = ac_lower(p, found);
        reason = "MD5 HA1 found";
    }
    verdict(res, st, reason);
    return st;
}
