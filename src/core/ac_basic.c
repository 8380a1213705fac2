/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_basic.h"
#include "ac_authn.h"
#include "ac_util.h"

#include <string.h>
#include <apr_strings.h>

ac_basic_status ac_basic_decode(const char *token68, int utf8,
                                const char **user, const char **password,
                                apr_pool_t *p)
{
    unsigned char *raw;
    apr_size_t len, ulen;
    const char *colon;

    if (!token68 || !ac_base64_decode(p, token68, &raw, &len)) {
        return AC_BASIC_NOT_BASE64;
    }
    colon = memchr(raw, ':', len);
    if (!colon) {
        return AC_BASIC_NO_COLON;
    }
    ulen = (apr_size_t)(colon - (const char *)raw);
    if (ac_has_ctl((const char *)raw, ulen)) {
        return AC_BASIC_CTL_USER;
    }
    /* A NUL would cut the password short of what the client meant; the
     * other controls are legal in RFC 7617 passwords. */
    if (memchr(colon + 1, '\0', len - ulen - 1)) {
        return AC_BASIC_CTL_PASSWORD;
    }
    if (utf8 && !ac_utf8_valid((const char *)raw, len)) {
        return AC_BASIC_BAD_UTF8;
    }
    *user = apr_pstrmemdup(p, (const char *)raw, ulen);
    *password = colon + 1;
    return AC_BASIC_OK;
}

const char *ac_basic_strerror(ac_basic_status st)
{
    switch (st) {
    case AC_BASIC_OK:           return "ok";
    case AC_BASIC_NOT_BASE64:   return "credentials are not base64";
    case AC_BASIC_NO_COLON:     return "no colon in credentials";
    case AC_BASIC_CTL_USER:     return "control character in user name";
    case AC_BASIC_CTL_PASSWORD: return "NUL in password";
    default:                    return "credentials are not UTF-8";
    }
}

static void basic_challenge(const ac_place *pl,
                            const ac_request *req, const ac_result *res,
                            ac_challenges *out, apr_pool_t *p)
{
    ac_chal *c = ac_chal_new(p, "Basic");

    ac_chal_quoted(c, "realm", pl->realm ? pl->realm : "");
    if (pl->charset_utf8) {
        ac_chal_quoted(c, "charset", "UTF-8");
    }
    ac_challenges_add(out, ac_chal_str(c));
}

static void basic_verify(const ac_place *pl, const ac_request *req,
                         const ac_credentials *cred, ac_result *res,
                         apr_pool_t *p)
{
    const char *user, *password;
    ac_basic_status bs;

    bs = ac_basic_decode(cred->token68, pl->charset_utf8, &user,
                         &password, p);
    if (bs != AC_BASIC_OK) {
        ac_result_set(res, AC_BAD_REQUEST, ac_basic_strerror(bs));
        return;
    }
    ac_authn_password(pl, "Basic", user, password, req->now, res, p);
}

const ac_scheme ac_scheme_basic = {
    .name = "Basic",                /* RFC 7617 */
    .auth_type = "Basic",
    .needs_provider = 1,
    .by_default = 1,
    .challenge = basic_challenge,
    .verify = basic_verify,
};
