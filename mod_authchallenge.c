/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * mod_authchallenge: Basic, Digest (RFC 7616) and Bearer (RFC 6750)
 * authentication with proxy-aware challenges.
 *
 * This file is only the module record, the hook registration and the
 * directive table; the glue lives in src/mod_ac_*.c and the logic in the
 * httpd-free core, src/ac_*.c.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_protocol.h"
#include "http_request.h"

#include "mod_ac_authz.h"
#include "mod_ac_backends.h"
#include "mod_ac_body.h"
#include "mod_ac_config.h"
#include "mod_ac_registry.h"
#include "mod_ac_request.h"
#include "mod_ac_state.h"

static void ac_register_hooks(apr_pool_t *p)
{
    /* Before mod_auth_basic / mod_auth_digest (APR_HOOK_MIDDLE): we
     * decline wherever AuthChallengeProvider is not in effect. */
    ap_hook_check_authn(ac_check_authn, NULL, NULL, APR_HOOK_FIRST,
                        AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_note_auth_failure(ac_note_auth_failure, NULL, NULL,
                              APR_HOOK_FIRST);
    ap_hook_fixups(ac_proxy_fixups, NULL, NULL, APR_HOOK_LAST);
    ac_body_register(p);
    ac_authz_register(p);
    ap_hook_pre_config(ac_state_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(ac_state_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(ac_request_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_post_config(ac_registry_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_child_init(ac_state_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(ac_backends_child_init, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(authchallenge) = {
    STANDARD20_MODULE_STUFF,
    ac_create_dir_conf,
    ac_merge_dir_conf,
    ac_create_srv_conf,
    ac_merge_srv_conf,
    ac_cmds,
    ac_register_hooks,
    AP_MODULE_FLAG_NONE
};
