/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Shared vocabulary of the core: the verdict a scheme reaches, the plain
 * request the glue extracts from httpd, and the result handed back.
 * Nothing here knows httpd; the glue maps verdicts to HTTP statuses.
 */
#ifndef AC_TYPES_H
#define AC_TYPES_H

#include <apr_pools.h>
#include <apr_hash.h>
#include <apr_tables.h>
#include <apr_time.h>

/* A setting not given in a section (int and interval fields; pointers
 * use NULL): a nested section inherits it, and the defaults of
 * ac_default (ac_defaults.h) apply where no section gives it. */
#define AC_UNSET (-1)

/* The value of an int setting, or def when unset. */
#define AC_GET(v, def) ((v) == AC_UNSET ? (def) : (v))

typedef enum {
    AC_OK = 0,          /* authenticated: result.user is set            */
    AC_CHALLENGE,       /* 401 / 407 with the challenges                */
    AC_BAD_REQUEST,     /* 400                                          */
    AC_FORBIDDEN,       /* 403 (Bearer insufficient_scope)              */
    AC_UNAVAILABLE      /* 500: a back-end is down; never a 401         */
} ac_verdict;

/* What the glue extracts from a request. */
typedef struct {
    int proxy;                  /* 1: 407 / Proxy-*, 0: 401 / WWW-*      */
    int connect;                /* a CONNECT request: target is host:port */
    const char *method;
    const char *target;         /* request-target as sent: path, absolute
                                   URI (forward proxy) or host:port    */
    const char *path;           /* path[?query] form of the target      */
    const char *credentials;    /* raw (Proxy-)Authorization value or NULL */
    const char *client;         /* client address, for the log/limits   */
    apr_time_t now;
    /* Bearer tokens found outside the (Proxy-)Authorization header, in
     * the transports enabled (form body, query): the token and how many
     * there were (more than one is a malformed request). */
    const char *bearer_other;
    int bearer_other_count;
    /* The request body, when a scheme asked for it (Digest auth-int);
     * body_read is 0 until the glue has read it. */
    int body_read;
    const unsigned char *body;
    apr_size_t body_len;
    /* DPoP (RFC 9449): the DPoP header field's value, how many such
     * fields the request has, and the absolute URI the request went to
     * (what a proof's htu names); set when DPoP is offered. */
    const char *dpop_proof;
    int dpop_count;
    const char *url;
    /* RFC 8705: the TLS client certificate of the connection (PEM), or
     * NULL when there is none; asked only for a token bound to one.  A
     * NULL function: never any. */
    const char *(*client_cert)(const void *ctx, apr_pool_t *p);
    const void *client_cert_ctx;
} ac_request;

/* What authorization needs to know of an authenticated client beyond
 * its name (Bearer scopes and claims). */
typedef struct {
    apr_array_header_t *scopes;     /* const char *                      */
    apr_hash_t *claims;             /* claim name → text; names are
                                       case-sensitive (RFC 7519 §4)     */
    const char *claims_json;        /* the claims object, JSON, or NULL  */
    apr_time_t exp;                 /* 0: none                           */
} ac_identity;

typedef struct {
    ac_verdict verdict;
    const char *user;           /* on AC_OK                             */
    const char *scheme;         /* scheme that decided, for the log     */
    const char *reason;         /* for the log; never a secret          */
    const char *log_user;       /* user (or userhash) named, when known */
    /* Header fields for the response, whatever the verdict (name, value
     * as const char * pairs; NULL: none): (Proxy-)Authentication-Info
     * of Digest, DPoP-Nonce, ... */
    apr_array_header_t *headers;
    int stale;                  /* Digest: answer with stale=true       */
    int state;                  /* the shared state answered (1) or was
                                   unusable (-1); 0: not asked        */
    int credcache;              /* the credential cache's store answered
                                   (1) or failed (-1); 0: not asked.
                                   Its failure costs only speed.     */
    int backends;               /* the back-ends were asked and answered
                                   (1) or failed (-1); 0: not asked (a
                                   cached verdict, a JWT)            */
    int failed;                 /* a credential was checked and failed:
                                   counts for the failure limit, logged */
    /* Challenge parameters a scheme wants on its own challenge in the
     * answer (Bearer error=...), or NULL. */
    const char *error;
    const char *error_description;
    const char *scope;              /* Bearer insufficient_scope        */
    /* More auth-params for that challenge after those (name, value
     * pairs, quoted; NULL: none): RFC 9470 acr_values, max_age. */
    apr_array_header_t *params;
    const ac_identity *identity;    /* on AC_OK, when the scheme has one */
    /* A remote service the verdict needed (an authorization server's
     * URL), or NULL: with AC_UNAVAILABLE it was down, otherwise it
     * answered, so its outage is logged once (docs/operations.md). */
    const char *outage;
} ac_result;

/* Note in res what a back-end lookup said of the back-ends' health: an
 * answer (found or not) or a failure; "cannot answer this" is neither. */
#define AC_RESULT_BACKEND(res, st) \
    ((res)->backends = (st) == AC_BE_ERROR ? -1 \
                     : (st) == AC_BE_UNSUPPORTED ? (res)->backends : 1)

/* Add a header field to res->headers (p: the result's pool). */
void ac_result_header(ac_result *res, const char *name, const char *value,
                      apr_pool_t *p);

/* Outcome of one back-end lookup. */
typedef enum {
    AC_BE_OK = 0,        /* found and (for a password) correct          */
    AC_BE_DENIED,        /* found, wrong password                       */
    AC_BE_NOT_FOUND,     /* no such user/record: try the next back-end  */
    AC_BE_UNSUPPORTED,   /* this back-end cannot answer this question   */
    AC_BE_ERROR          /* back-end unusable: 500, never 401           */
} ac_be_status;

#endif
