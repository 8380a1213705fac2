/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_ldap_url.h"
#include "ac_util.h"

#include <ctype.h>
#include <string.h>
#include <ldap.h>
#include <apr_strings.h>
#include <apr_tables.h>

static const char *url_error(int rc)
{
    switch (rc) {
    case LDAP_URL_ERR_BADSCHEME:
        return "must start with ldap://, ldaps:// or ldapi://";
    case LDAP_URL_ERR_BADHOST:
        return "bad host or port";
    case LDAP_URL_ERR_BADATTRS:
        return "bad attribute";
    case LDAP_URL_ERR_BADSCOPE:
        return "bad scope (use base, one or sub)";
    case LDAP_URL_ERR_BADFILTER:
        return "bad filter";
    case LDAP_URL_ERR_BADEXTS:
        return "bad extension";
    default:
        return "malformed URL";
    }
}

int ac_ldap_attr_valid(const char *name)
{
    const char *s;

    if (!name || !*name) {
        return 0;
    }
    for (s = name; *s; s++) {
        if (!isalnum((unsigned char)*s) && !strchr("-;.", *s)) {
            return 0;
        }
    }
    return 1;
}

/* A filter must be one parenthesised item with balanced parentheses
 * (escaped ones, "\28", are hex and never literal). */
static int filter_valid(const char *f)
{
    const char *start = f;
    int depth = 0;

    if (f[0] != '(') {
        return 0;
    }
    for (; *f; f++) {
        if (depth == 0 && f != start) {
            return 0;               /* text after the closing ')'       */
        }
        if (*f == '(') {
            depth++;
        }
        else if (*f == ')') {
            depth--;
        }
    }
    return depth == 0;
}

/* The scope field (third '?'-field after the path) is empty or absent:
 * ldap_url_parse() then says "base", but we default to "sub". */
static int scope_given(const char *path)
{
    const char *q = strchr(path, '?');

    if (!q || !(q = strchr(q + 1, '?'))) {
        return 0;
    }
    return q[1] != '\0' && q[1] != '?';
}

/* Check one host of the list with libldap; append it to uris. */
static const char *add_host(apr_pool_t *p, const char *scheme,
                            const char *host, ac_ldap_url *out)
{
    const char *uri = apr_pstrcat(p, scheme, "://", host, NULL);
    LDAPURLDesc *lud;
    int rc, port;

    /* ldap_initialize() takes a list separated by spaces or commas: a
     * ',' would split this host in two there (a %2C does not). */
    if (strchr(host, ',')) {
        return apr_psprintf(p, "LDAP URL host '%s': %s (a ',' separates "
                            "hosts)", host, url_error(LDAP_URL_ERR_BADHOST));
    }
    /* Exactly what ldap_initialize() gets: with a '/' after it libldap
     * takes hosts that it refuses without one ("[?:1]d"). */
    rc = ldap_url_parse(uri, &lud);
    if (rc != LDAP_URL_SUCCESS) {
        return apr_psprintf(p, "LDAP URL host '%s': %s", host,
                            url_error(rc));
    }
    port = lud->lud_port;
    ldap_free_urldesc(lud);
    if (port < 0 || port > 65535) {
        return apr_psprintf(p, "LDAP URL host '%s': bad port", host);
    }
    out->uris = out->nhosts ? apr_pstrcat(p, out->uris, " ", uri, NULL)
                            : uri;
    APR_ARRAY_PUSH(out->hosts, const char *) = uri;
    out->nhosts++;
    return NULL;
}

/* Split "h1 h2:port" and check each; the first is returned in *first. */
static const char *parse_hosts(apr_pool_t *p, const char *scheme,
                               char *hosts, const char **first,
                               ac_ldap_url *out)
{
    char *h, *last;
    const char *err;

    *first = NULL;
    out->hosts = apr_array_make(p, 2, sizeof(const char *));
    for (h = apr_strtok(hosts, " \t", &last); h;
         h = apr_strtok(NULL, " \t", &last)) {
        if (out->nhosts == AC_LDAP_MAX_HOSTS) {
            return apr_psprintf(p, "LDAP URL: more than %d hosts",
                                AC_LDAP_MAX_HOSTS);
        }
        if ((err = add_host(p, scheme, h, out)) != NULL) {
            return err;
        }
        if (!*first) {
            *first = h;
        }
    }
    return *first ? NULL : "LDAP URL names no host";
}

/* base, attr, scope and filter from "scheme://host/path". */
static const char *parse_path(apr_pool_t *p, const char *scheme,
                              const char *host, const char *path,
                              ac_ldap_url *out)
{
    LDAPURLDesc *lud;
    const char *err = NULL;
    int rc;

    rc = ldap_url_parse(apr_pstrcat(p, scheme, "://", host, path, NULL),
                        &lud);
    if (rc != LDAP_URL_SUCCESS) {
        return apr_psprintf(p, "LDAP URL: %s", url_error(rc));
    }
    out->base = apr_pstrdup(p, lud->lud_dn ? lud->lud_dn : "");
    out->attr = apr_pstrdup(p, lud->lud_attrs && lud->lud_attrs[0]
                               ? lud->lud_attrs[0] : "uid");
    out->scope = scope_given(path) ? lud->lud_scope : LDAP_SCOPE_SUBTREE;
    out->filter = lud->lud_filter ? apr_pstrdup(p, lud->lud_filter)
                                  : "(objectClass=*)";
    if (lud->lud_crit_exts) {
        err = "LDAP URL: critical extensions are not supported";
    }
    ldap_free_urldesc(lud);
    if (err) {
        return err;
    }
    /* RFC 4516: base, one or sub; libldap also knows "subordinate" */
    if (out->scope != LDAP_SCOPE_BASE && out->scope != LDAP_SCOPE_ONELEVEL
        && out->scope != LDAP_SCOPE_SUBTREE) {
        return apr_psprintf(p, "LDAP URL: %s",
                            url_error(LDAP_URL_ERR_BADSCOPE));
    }
    if (!ac_ldap_attr_valid(out->attr)) {
        return apr_psprintf(p, "LDAP URL: bad attribute '%s'", out->attr);
    }
    if (out->filter[0] != '(') {
        out->filter = apr_pstrcat(p, "(", out->filter, ")", NULL);
    }
    if (!filter_valid(out->filter)) {
        return apr_psprintf(p, "LDAP URL: bad filter '%s'", out->filter);
    }
    return NULL;
}

const char *ac_ldap_url_parse(apr_pool_t *p, const char *url,
                              ac_ldap_url *out)
{
    const char *sep = strstr(url, "://"), *slash, *first, *err;
    char *hosts;

    memset(out, 0, sizeof(*out));
    if (!sep || sep == url) {
        return "LDAP URL must start with ldap://, ldaps:// or ldapi://";
    }
    out->scheme = apr_pstrmemdup(p, url, sep - url);
    ac_str_tolower((char *)out->scheme);
    if (strcmp(out->scheme, "ldap") && strcmp(out->scheme, "ldaps")
        && strcmp(out->scheme, "ldapi")) {
        return "LDAP URL must start with ldap://, ldaps:// or ldapi://";
    }
    slash = strchr(sep + 3, '/');
    hosts = slash ? apr_pstrmemdup(p, sep + 3, slash - (sep + 3))
                  : apr_pstrdup(p, sep + 3);
    if ((err = parse_hosts(p, out->scheme, hosts, &first, out)) != NULL) {
        return err;
    }
    return parse_path(p, out->scheme, first, slash ? slash : "", out);
}
