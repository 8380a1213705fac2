/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * RFC 9110 §11 credentials and challenges:
 *
 *   credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param  = token BWS "=" BWS ( token / quoted-string )
 *
 * The parser is strict where leniency would be a hole (duplicated
 * parameters, unterminated quotes, control characters) and bounded (total
 * length, number of parameters).  The builder quotes values safely.
 */
#ifndef AC_AUTHPARAM_H
#define AC_AUTHPARAM_H

#include <apr_pools.h>
#include <apr_tables.h>

#define AC_AUTHPARAM_MAX_LEN     8192
#define AC_AUTHPARAM_MAX_PARAMS  32

typedef struct {
    const char *name;       /* in lower case                            */
    const char *value;      /* quoted-pairs resolved                    */
    int quoted;             /* 1 when sent as a quoted-string           */
} ac_param;

typedef struct {
    const char *scheme;         /* as sent                              */
    const char *token68;        /* set when the credentials are a token68 */
    apr_array_header_t *params; /* ac_param, in order sent              */
} ac_credentials;

typedef enum {
    AC_AP_OK = 0,
    AC_AP_EMPTY,            /* empty or whitespace only                 */
    AC_AP_TOO_LONG,         /* over AC_AUTHPARAM_MAX_LEN                */
    AC_AP_TOO_MANY,         /* over AC_AUTHPARAM_MAX_PARAMS             */
    AC_AP_DUPLICATE,        /* a parameter name twice                   */
    AC_AP_UNTERMINATED,     /* a quoted-string without its end          */
    AC_AP_SYNTAX            /* anything else that is not the grammar    */
} ac_ap_status;

/* Only the scheme: the first token of a credentials value, or NULL. */
const char *ac_authparam_scheme(const char *value, apr_pool_t *p);

/* Parse one credentials value; on error *out is partly filled. */
ac_ap_status ac_authparam_parse(const char *value, ac_credentials *out,
                                apr_pool_t *p);

/* A short text for the log, e.g. "duplicate parameter". */
const char *ac_authparam_strerror(ac_ap_status st);

/* The parameter named name (given in lower case; names match
 * case-insensitively), or NULL. */
const ac_param *ac_authparam_find(const ac_credentials *c,
                                  const char *name);

/* token = 1*tchar (RFC 9110 §5.6.2) */
int ac_authparam_is_token(const char *s);

/* token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 * (RFC 9110 §11.2), the whole of s */
int ac_authparam_is_token68(const char *s);

/* Challenge builder: scheme, then parameters in the order added. */
typedef struct ac_chal ac_chal;

ac_chal *ac_chal_new(apr_pool_t *p, const char *scheme);
void ac_chal_quoted(ac_chal *c, const char *name, const char *value);
void ac_chal_token(ac_chal *c, const char *name, const char *value);
const char *ac_chal_str(const ac_chal *c);

/* value as a quoted-string, with '"' and '\' escaped */
const char *ac_authparam_quote(apr_pool_t *p, const char *value);

#endif
