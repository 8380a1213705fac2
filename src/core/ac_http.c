/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_http.h"
#include "ac_thread.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <apr_base64.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <curl/curl.h>

/* ------------------------------------------------------ one handle a thread
 * A thread keeps its easy handle between exchanges: curl_easy_reset()
 * leaves its connection cache, so introspection of one token after
 * another reuses the connection (and its TLS session) to the server. */

typedef struct {
    CURL *curl;
} http_thread;

static ac_thread_key handle_key;
static pthread_once_t handle_once = PTHREAD_ONCE_INIT;

static void handle_free(void *v)
{
    http_thread *t = v;

    curl_easy_cleanup(t->curl);
    free(t);
}

static void handle_init(void)
{
    ac_thread_key_init(&handle_key, handle_free);
}

/* The thread's handle, reset; NULL when none can be made.  *own: the
 * caller must clean it up (no thread state could hold it). */
static CURL *handle(int *own)
{
    http_thread *t;

    pthread_once(&handle_once, handle_init);
    t = ac_thread_state(&handle_key, sizeof(*t));
    *own = t == NULL;
    if (!t) {
        return curl_easy_init();
    }
    if (!t->curl) {
        t->curl = curl_easy_init();
    }
    else {
        curl_easy_reset(t->curl);
    }
    return t->curl;
}

void ac_http_global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ------------------------------------------------------------ checks */

int ac_http_url_ok(const char *url)
{
    const char *host, *s;

    if (!url || strlen(url) > 2048) {
        return 0;
    }
    if (!strncasecmp(url, "https://", 8)) {
        host = url + 8;
    }
    else if (!strncasecmp(url, "http://", 7)) {
        host = url + 7;
    }
    else {
        return 0;
    }
    if (!*host || *host == '/' || *host == ':') {
        return 0;
    }
    for (s = url; *s; s++) {
        if ((unsigned char)*s <= ' ' || *s == '#' || *s == 0x7f) {
            return 0;
        }
    }
    /* no user:password@ before the path: credentials go elsewhere */
    s = host + strcspn(host, "/?");
    return memchr(host, '@', (apr_size_t)(s - host)) == NULL;
}

/* ------------------------------------------------------------ exchange */

typedef struct {
    char *buf;
    apr_size_t len, cap;
    apr_pool_t *p;
    int too_big;
} sink;

static size_t take(char *data, size_t size, size_t n, void *v)
{
    sink *k = v;
    apr_size_t add = size * n;

    if (k->len + add > AC_HTTP_MAX_BODY) {
        k->too_big = 1;
        return 0;                               /* curl aborts */
    }
    if (k->len + add + 1 > k->cap) {
        apr_size_t cap = (k->len + add + 1) * 2;
        char *nb = apr_palloc(k->p, cap);

        if (k->len) {
            memcpy(nb, k->buf, k->len);
        }
        k->buf = nb;
        k->cap = cap;
    }
    memcpy(k->buf + k->len, data, add);
    k->len += add;
    return add;
}

static int progress(void *v, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                    curl_off_t un)
{
    const volatile int *abort_flag = v;

    return *abort_flag ? 1 : 0;         /* non-zero: curl stops */
}

static void set_common(CURL *c, const ac_http_opts *o, const char *url,
                       sink *k, char *err)
{
    long ms = (long)apr_time_as_msec(o->timeout);

    ms = ms < 1 ? 1 : ms;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                     (curl_off_t)AC_HTTP_MAX_BODY);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, take);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, k);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "mod_authchallenge");
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (o->ca_file) {
        curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
    }
    if (o->abort_flag) {
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)o->abort_flag);
    }
}

static const char *perform(CURL *c, const char *url, sink *k,
                           const char *err, ac_http_resp *out,
                           apr_pool_t *p)
{
    CURLcode rc = curl_easy_perform(c);

    if (k->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        return apr_psprintf(p, "%s: the answer is larger than %d bytes",
                            url, AC_HTTP_MAX_BODY);
    }
    if (rc != CURLE_OK) {
        return apr_psprintf(p, "%s: %s", url,
                            *err ? err : curl_easy_strerror(rc));
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    out->body = k->buf ? k->buf : "";
    if (k->buf) {
        k->buf[k->len] = '\0';
    }
    out->len = k->len;
    return NULL;
}

static const char *exchange(const ac_http_opts *o, const char *url,
                            struct curl_slist *hdrs, const char *form,
                            ac_http_resp *out, apr_pool_t *p)
{
    char err[CURL_ERROR_SIZE] = "";
    sink k = { NULL, 0, 0, p, 0 };
    int own;
    CURL *c;
    const char *why;

    memset(out, 0, sizeof(*out));
    if (!ac_http_url_ok(url)) {
        return apr_psprintf(p, "%s: not an http or https URL", url);
    }
    if (!(c = handle(&own))) {
        return "cannot make an HTTP client (curl_easy_init)";
    }
    set_common(c, o, url, &k, err);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    if (form) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
    }
    why = perform(c, url, &k, err, out, p);
    /* the Authorization header must not stay with the handle */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
    if (own) {
        curl_easy_cleanup(c);
    }
    return why;
}

const char *ac_http_get(const ac_http_opts *o, const char *url,
                        ac_http_resp *out, apr_pool_t *p)
{
    struct curl_slist *h = curl_slist_append(NULL,
                                             "Accept: application/json");
    const char *why = exchange(o, url, h, NULL, out, p);

    curl_slist_free_all(h);
    return why;
}

const char *ac_http_form_encode(const char *s, apr_pool_t *p)
{
    char *e = curl_easy_escape(NULL, s, (int)strlen(s));
    const char *out = e ? apr_pstrdup(p, e) : NULL;

    curl_free(e);
    return out;
}

/* "Authorization: Basic base64(enc(id) ":" enc(secret))" (RFC 6749
 * §2.3.1), in memory that is wiped when p is cleared. */
static char *basic_header(const char *id, const char *secret,
                          apr_pool_t *p)
{
    const char *eid = ac_http_form_encode(id, p);
    const char *esec = ac_http_form_encode(secret, p);
    char *pair, *out;
    int n;

    if (!eid || !esec) {
        return NULL;
    }
    pair = apr_pstrcat(p, eid, ":", esec, NULL);
    out = apr_palloc(p, 21 + apr_base64_encode_len((int)strlen(pair)));
    memcpy(out, "Authorization: Basic ", 21);
    n = apr_base64_encode(out + 21, pair, (int)strlen(pair));
    out[21 + n] = '\0';
    memset(pair, 0, strlen(pair));
    memset((char *)esec, 0, strlen(esec));
    return out;
}

const char *ac_http_post_form(const ac_http_opts *o, const char *url,
                              const char *client_id, const char *secret,
                              const char *form, ac_http_resp *out,
                              apr_pool_t *p)
{
    char *auth = basic_header(client_id, secret, p);
    struct curl_slist *h = NULL;
    const char *why;

    if (!auth) {
        return "cannot encode the client credentials";
    }
    h = curl_slist_append(h, "Accept: application/json");
    h = curl_slist_append(h, "Content-Type: "
                             "application/x-www-form-urlencoded");
    h = curl_slist_append(h, auth);
    why = exchange(o, url, h, form, out, p);
    memset(auth, 0, strlen(auth));
    curl_slist_free_all(h);
    return why;
}
