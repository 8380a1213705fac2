/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* htchallenge -L: the LDAP attribute values of a user, as LDIF. */
#include "htc_ops.h"
#include "htc_args.h"
#include "htc_msg.h"
#include "htc_tty.h"
#include "ac_records.h"

#include <stdio.h>
#include <string.h>

#include <apr_base64.h>

/* RFC 2849 SAFE-STRING, else the value goes base64-encoded ("::"). */
static int ldif_safe(const char *s)
{
    const unsigned char *c = (const unsigned char *)s;
    apr_size_t n = strlen(s);

    if (n && (c[0] == ' ' || c[0] == ':' || c[0] == '<'
              || c[n - 1] == ' ')) {
        return 0;
    }
    for (; *c; c++) {
        if (*c >= 0x80 || *c == '\n' || *c == '\r') {
            return 0;
        }
    }
    return 1;
}

static void print_ldif(apr_pool_t *p, const char *attr, const char *value)
{
    char *b64;

    if (ldif_safe(value)) {
        printf("%s: %s\n", attr, value);
        return;
    }
    b64 = apr_palloc(p, apr_base64_encode_len((int)strlen(value)));
    apr_base64_encode(b64, value, (int)strlen(value));
    printf("%s:: %s\n", attr, b64);
}

void htc_cmd_ldif(apr_pool_t *p, const htc_options *o)
{
    apr_array_header_t *values = apr_array_make(p, 8, sizeof(ac_record));
    const ac_hash_alg *const *algs;
    const char *err, *pw;
    ac_record *r;
    int i;

    htc_check_user_arg(o->user, 0);
    htc_check_text_arg("realm", o->realm, 0, NULL);
    algs = htc_algs_arg(p, o);
    pw = htc_read_password(o->stdin_pw, 1);
    htc_check_new_password(pw);
    err = ac_records_ldap_values(p, o->user, o->realm, pw, algs, values);
    if (err) {
        htc_die(EXIT_RUNTIME, "%s", err);
    }
    printf("# replace the attribute names with those of "
           "AuthChallengeLDAPDigestAttribute / "
           "AuthChallengeLDAPUserhashAttribute\n");
    for (i = 0; i < values->nelts; i++) {
        r = &APR_ARRAY_IDX(values, i, ac_record);
        print_ldif(p, strcmp(r->kind, "digest") ? "authChallengeUserhash"
                   : "authChallengeDigest", r->value);
    }
}
