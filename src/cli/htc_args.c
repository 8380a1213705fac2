/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* htchallenge: checks of the command-line arguments (user, realm,
 * groups, algorithms, numbers, scopes); a bad one exits with
 * EXIT_USAGE before any file is touched or password asked. */
#include "htc_args.h"
#include "htc_msg.h"
#include "ac_records.h"
#include "ac_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

void htc_check_user_arg(const char *user, int writing)
{
    const char *why = ac_records_check_user(user);

    if (why) {
        htc_die(EXIT_USAGE, "%s", why);
    }
    if (writing && ac_records_user_reserved(user)) {
        htc_die(EXIT_USAGE, "the user name '%s' is reserved (its records "
                "would clash with the index keys)", user);
    }
}

void htc_check_text_arg(const char *what, const char *s, int empty_ok,
                        const char *forbidden)
{
    apr_size_t n = strlen(s);

    if (!n && !empty_ok) {
        htc_die(EXIT_USAGE, "the %s is empty", what);
    }
    if (ac_has_ctl(s, n)) {
        htc_die(EXIT_USAGE, "the %s contains a control character", what);
    }
    if (!ac_utf8_valid(s, n)) {
        htc_die(EXIT_USAGE, "the %s is not valid UTF-8", what);
    }
    for (; forbidden && *forbidden; forbidden++) {
        if (strchr(s, *forbidden)) {
            htc_die(EXIT_USAGE, "the %s contains '%c'", what, *forbidden);
        }
    }
}

void htc_check_groups(apr_pool_t *p, const char *groups)
{
    char *copy = apr_pstrdup(p, groups), *g, *next;

    htc_check_text_arg("group list", groups, 1, ":");
    for (g = copy; *groups; g = next + 1) {
        next = strchr(g, ',');
        if (next) {
            *next = '\0';
        }
        if (!*g) {
            htc_die(EXIT_USAGE, "empty group name in '%s'", groups);
        }
        if (!next) {
            break;
        }
    }
}

const ac_hash_alg *const *htc_algs_arg(apr_pool_t *p, const htc_options *o)
{
    const ac_hash_alg *const *algs;
    const char *err = NULL;

    if (!o->algs_text) {
        return ac_records_default_algs(p);
    }
    algs = ac_records_parse_algs(p, o->algs_text, &err);
    if (!algs) {
        htc_die(EXIT_USAGE, "%s", err);
    }
    return algs;
}

long htc_number_arg(const char *what, const char *s, long lo, long hi)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi) {
        htc_die(EXIT_USAGE, "%s must be a number from %ld to %ld", what, lo,
                hi);
    }
    return (long)v;
}

/* RFC 6749 scope-token characters; '|' separates the record fields. */
const char *htc_scopes_arg(apr_pool_t *p, const char *s)
{
    apr_array_header_t *list = apr_array_make(p, 4, sizeof(char *));
    char *copy = apr_pstrdup(p, s), *tok, *last;
    const unsigned char *c;

    for (tok = apr_strtok(copy, " ", &last); tok;
         tok = apr_strtok(NULL, " ", &last)) {
        for (c = (const unsigned char *)tok; *c; c++) {
            if (*c < 0x21 || *c > 0x7e || *c == '"' || *c == '\\'
                || *c == '|') {
                htc_die(EXIT_USAGE, "scope '%s' has a character that a scope "
                        "may not hold (RFC 6749 §3.3, or '|')", tok);
            }
        }
        APR_ARRAY_PUSH(list, char *) = tok;
    }
    return apr_array_pstrcat(p, list, ' ');
}
