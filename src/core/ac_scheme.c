/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_scheme.h"

#include <string.h>
#include <strings.h>

extern const ac_scheme ac_scheme_basic;     /* ac_basic.c  */
extern const ac_scheme ac_scheme_bearer;    /* ac_bearer.c */
extern const ac_scheme ac_scheme_digest;    /* ac_digest.c */

/* Every scheme the module speaks; a new one is a line here.  The order
 * is the default preference of AuthType Challenge. */
const ac_scheme *const ac_scheme_table[] = {
    &ac_scheme_digest,
    &ac_scheme_bearer,
    &ac_scheme_basic,
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

int ac_scheme_slot(const ac_scheme *s)
{
    int i;

    for (i = 0; ac_scheme_table[i] && ac_scheme_table[i] != s; i++)
        ;
    return i;
}

void ac_result_set(ac_result *res, ac_verdict v, const char *reason)
{
    res->verdict = v;
    res->reason = reason;
}

int ac_scheme_set_has(const ac_scheme_set *set, const ac_scheme *s)
{
    int i;

    for (i = 0; i < set->count; i++) {
        if (set->items[i] == s) {
            return 1;
        }
    }
    return 0;
}

const ac_scheme *ac_scheme_set_find(const ac_scheme_set *set,
                                    const char *name)
{
    int i;

    for (i = 0; name && i < set->count; i++) {
        if (!strcasecmp(set->items[i]->name, name)) {
            return set->items[i];
        }
    }
    return NULL;
}

static void add(ac_scheme_set *set, const ac_scheme *s)
{
    if (!ac_scheme_set_has(set, s) && set->count < AC_SCHEME_SLOTS) {
        set->items[set->count++] = s;
    }
}

int ac_scheme_set_parse(ac_scheme_set *set, const char *const *names,
                        int n, const char **bad)
{
    int i;

    memset(set, 0, sizeof(*set));
    for (i = 0; i < n; i++) {
        const ac_scheme *s = ac_scheme_find(names[i]);

        if (!s) {
            *bad = names[i];
            return 0;
        }
        add(set, s);
    }
    return 1;
}

int ac_scheme_set_for(ac_scheme_set *set, const char *auth_type,
                      const char *const *names, int n, int have_provider)
{
    const char *bad;
    int i;

    memset(set, 0, sizeof(*set));
    if (!auth_type) {
        return 0;
    }
    if (!strcasecmp(auth_type, "Challenge")) {
        if (n) {
            return ac_scheme_set_parse(set, names, n, &bad);
        }
        for (i = 0; ac_scheme_table[i]; i++) {
            if (ac_scheme_table[i]->by_default) {
                add(set, ac_scheme_table[i]);
            }
        }
        return 1;
    }
    for (i = 0; ac_scheme_table[i]; i++) {
        const ac_scheme *s = ac_scheme_table[i];

        if (!strcasecmp(s->auth_type, auth_type)) {
            if (s->needs_provider && !have_provider) {
                memset(set, 0, sizeof(*set));
                return 0;           /* httpd's own module's place */
            }
            add(set, s);
        }
    }
    return set->count > 0;
}
