/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_rs.h"

#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "apr_strings.h"

#include <stdlib.h>

#include "ac_http.h"
#include "ac_keysource.h"
#include "mod_ac_config.h"
#include "mod_ac_state.h"

APLOG_USE_MODULE(authchallenge);

/* ------------------------------------------------ the audience check */

/* The sections read with this configuration that name keys of an
 * authorization server or an audience (in pconf: a graceful restart
 * reads them afresh). */
typedef struct {
    server_rec *s;
    const char *path;               /* NULL: the server's own settings */
    const ac_bearer_conf *bc;
} rs_section;

static apr_array_header_t *sections;

static apr_status_t sections_gone(void *v)
{
    sections = NULL;
    return APR_SUCCESS;
}

void ach_rs_note_section(cmd_parms *cmd, const ac_bearer_conf *bc)
{
    rs_section *e;
    int i;

    if (ap_check_cmd_context(cmd, NOT_IN_HTACCESS) != NULL) {
        return;                     /* read per request, not at start-up */
    }
    if (!sections) {
        sections = apr_array_make(cmd->pool, 8, sizeof(rs_section));
        apr_pool_cleanup_register(cmd->pool, NULL, sections_gone,
                                  apr_pool_cleanup_null);
    }
    for (i = 0; i < sections->nelts; i++) {
        if (APR_ARRAY_IDX(sections, i, rs_section).bc == bc) {
            return;
        }
    }
    e = apr_array_push(sections);
    e->s = cmd->server;
    e->path = cmd->path;
    e->bc = bc;
}

/* 1 when a's settings reach b's section: the same server or the main
 * one (whose sections every virtual host inherits), and a the server's
 * own settings or a section whose path begins b's. */
static int encloses(const rs_section *a, const rs_section *b)
{
    apr_size_t n;

    if (a->s != b->s && a->s->is_virtual) {
        return 0;
    }
    if (!a->path) {
        return 1;
    }
    n = strlen(a->path);
    return b->path && !strncmp(a->path, b->path, n)
           && (n == 0 || a->path[n - 1] == '/' || b->path[n] == '/'
               || b->path[n] == '\0');
}

static int has_audience(const ac_bearer_conf *bc)
{
    return bc->audiences || bc->resource;
}

/*
 * RFC 9068 §4: a resource server that takes keys of an authorization
 * server checks the audience.  A section that names such keys needs
 * AuthChallengeBearerAudience (or AuthChallengeBearerResource) itself or
 * in a section around it; "*" opts out on purpose.  A place that still
 * lacks one (nested in ways this cannot see) refuses Bearer at run time.
 */
static const char *audience_check(apr_pool_t *p)
{
    int i, j, found;

    for (i = 0; sections && i < sections->nelts; i++) {
        const rs_section *k = &APR_ARRAY_IDX(sections, i, rs_section);

        if (!ac_bearer_lacks_audience(k->bc)) {
            continue;
        }
        for (j = 0, found = 0; j < sections->nelts && !found; j++) {
            const rs_section *a = &APR_ARRAY_IDX(sections, j, rs_section);

            found = has_audience(a->bc) && encloses(a, k);
        }
        if (!found) {
            return apr_psprintf(p, "%s%s: keys come from an authorization "
                                "server, so AuthChallengeBearerAudience is "
                                "required (RFC 9068 §4); "
                                "\"AuthChallengeBearerAudience *\" accepts "
                                "any audience on purpose",
                                k->path ? "section " : "server settings",
                                k->path ? k->path : "");
        }
    }
    return NULL;
}

/* apachectl configtest (httpd -t) runs no post_config: the check runs
 * here too, and fails the test as start-up would fail. */
void ach_rs_test_config(apr_pool_t *pconf, server_rec *s)
{
    const char *err = audience_check(pconf);

    if (err) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, "AC00030: %s", err);
        exit(1);
    }
}

/* ------------------------------------------------ fetch outcomes */

static server_rec *log_server;

static void rs_log(ac_log_level lv, const char *msg)
{
    static const int levels[] = { APLOG_ERR, APLOG_WARNING, APLOG_NOTICE,
                                  APLOG_INFO, APLOG_DEBUG };
    int level = levels[lv <= AC_LOG_DEBUG ? lv : AC_LOG_DEBUG];

    if (log_server) {
        ap_log_error(APLOG_MARK, level, 0, log_server, "%s", msg);
    }
}

int ach_rs_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                       apr_pool_t *ptemp, server_rec *s)
{
    const char *err = audience_check(ptemp);

    if (err) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, "AC00030: %s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* before the children, and their threads, exist */
    ac_http_global_init();
    log_server = s;
    ac_keysource_set_log(rs_log);
    return OK;
}

/* A child that exits stops its background refreshes first: they use
 * the shared state, which goes with the child's pools. */
static apr_status_t rs_child_exit(void *unused)
{
    ac_keysource_shutdown(apr_time_from_sec(1));
    return APR_SUCCESS;
}

void ach_rs_child_init(apr_pool_t *p, server_rec *s)
{
    apr_pool_cleanup_register(p, NULL, rs_child_exit,
                              apr_pool_cleanup_null);
}

/* ------------------------------------------------ RFC 9728 */

int ach_rs_handler(request_rec *r)
{
    const ac_bearer_conf *bc;
    const char *json = NULL, *why;
    ac_place tmp;

    if (!r->handler || strcmp(r->handler, ACH_RS_HANDLER)) {
        return DECLINED;
    }
    r->allowed = AP_METHOD_BIT << M_GET;
    if (r->method_number != M_GET) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    bc = ach_scheme_conf(ach_dir_conf_of(r), &ac_scheme_bearer);
    memset(&tmp, 0, sizeof(tmp));
    ach_state_attach(r->server, &tmp);
    why = ac_bearer_resource_metadata(bc, tmp.state, tmp.secret,
                                      tmp.secret_len, &json, r->pool);
    if (why) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "AC01075: resource "
                      "metadata: %s", why);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    ap_set_content_type(r, "application/json");
    ap_set_content_length(r, (apr_off_t)strlen(json));
    if (!r->header_only) {
        ap_rputs(json, r);
    }
    return OK;
}
