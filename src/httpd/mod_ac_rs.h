/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue for Bearer as the resource server of an authorization
 * server (docs/bearer.md): the HTTP client set up before the children
 * are forked, fetch outcomes in the error log, the start-up check that
 * keys of an authorization server come with an audience (RFC 9068 §4),
 * and the protected resource metadata handler (RFC 9728).
 */
#ifndef MOD_AC_RS_H
#define MOD_AC_RS_H

#include "httpd.h"
#include "http_config.h"

#include "ac_bearer.h"

/* The name of the handler that serves the RFC 9728 document. */
#define ACH_RS_HANDLER "authchallenge-resource-metadata"

/* A section (cmd) whose Bearer settings bc name keys of an
 * authorization server or an audience: checked in post_config. */
void ach_rs_note_section(cmd_parms *cmd, const ac_bearer_conf *bc);

void ach_rs_test_config(apr_pool_t *pconf, server_rec *s);
int ach_rs_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                       apr_pool_t *ptemp, server_rec *s);

/* child_init: background refreshes end before the child does. */
void ach_rs_child_init(apr_pool_t *p, server_rec *s);

/* SetHandler authchallenge-resource-metadata. */
int ach_rs_handler(request_rec *r);

#endif
