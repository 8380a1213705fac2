/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * A tiny HTTP/1.0 server on 127.0.0.1 for the unit tests of the core's
 * HTTP users (ac_keysource, ac_introspect): one thread answers one
 * request per connection from a table of canned answers by path, counts
 * the requests per path and keeps the last request's head and body.
 * Test-only; static inline like jwt_sign.h.
 */
#ifndef HTTP_STUB_H
#define HTTP_STUB_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define STUB_PATHS 8

typedef struct {
    const char *path;           /* exact, without the query           */
    int status;                 /* 0: not in the table (404)          */
    char body[8192];
    int delay_ms;               /* before answering                   */
    volatile int hits;
} stub_route;

typedef struct {
    int fd, port;
    pthread_t t;
    volatile int stop;
    stub_route routes[STUB_PATHS];
    char last_head[4096], last_body[4096];
} http_stub;

static inline stub_route *stub_route_of(http_stub *s, const char *path)
{
    int i;

    for (i = 0; i < STUB_PATHS; i++) {
        if (s->routes[i].path && !strcmp(s->routes[i].path, path)) {
            return &s->routes[i];
        }
    }
    for (i = 0; i < STUB_PATHS; i++) {
        if (!s->routes[i].path) {
            s->routes[i].path = strdup(path);
            return &s->routes[i];
        }
    }
    return NULL;
}

/* What path answers from now on. */
static inline void stub_set(http_stub *s, const char *path, int status,
                            const char *body, int delay_ms)
{
    stub_route *r = stub_route_of(s, path);

    r->status = status;
    snprintf(r->body, sizeof(r->body), "%s", body);
    r->delay_ms = delay_ms;
}

static inline int stub_hits(http_stub *s, const char *path)
{
    return stub_route_of(s, path)->hits;
}

static inline void stub_answer(http_stub *s, int c)
{
    char buf[16384], path[512] = "", *end, *cl;
    ssize_t n, got = 0;
    size_t want = 0;
    stub_route *r;
    int status = 404;
    const char *body = "";

    while (got < (ssize_t)sizeof(buf) - 1
           && (n = read(c, buf + got, sizeof(buf) - 1 - got)) > 0) {
        got += n;
        buf[got] = '\0';
        if ((end = strstr(buf, "\r\n\r\n")) != NULL) {
            cl = strcasestr(buf, "\r\nContent-Length:");
            want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 17, NULL, 10)
                                                 : 0);
            if ((size_t)got >= want) {
                break;
            }
        }
    }
    if ((end = strstr(buf, "\r\n\r\n")) != NULL) {
        snprintf(s->last_head, sizeof(s->last_head), "%.*s",
                 (int)(end - buf), buf);
        snprintf(s->last_body, sizeof(s->last_body), "%s", end + 4);
    }
    sscanf(buf, "%*s %511[^? ]", path);
    if ((r = stub_route_of(s, path)) != NULL) {
        r->hits++;
        if (r->delay_ms) {
            usleep((useconds_t)r->delay_ms * 1000);
        }
        if (r->status) {
            status = r->status;
            body = r->body;
        }
    }
    snprintf(buf, sizeof(buf), "HTTP/1.0 %d X\r\nContent-Type: application/"
             "json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
             status, strlen(body), body);
    n = write(c, buf, strlen(buf));
    (void)n;
}

static inline void *stub_loop(void *v)
{
    http_stub *s = v;

    while (!s->stop) {
        int c = accept(s->fd, NULL, NULL);

        if (c < 0) {
            continue;
        }
        if (!s->stop) {
            stub_answer(s, c);
        }
        close(c);
    }
    return NULL;
}

/* Start it; 0 on failure.  s->port is the port. */
static inline int stub_start(http_stub *s)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int one = 1;

    memset(s, 0, sizeof(*s));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((s->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0
        || setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))
        || bind(s->fd, (struct sockaddr *)&a, sizeof(a))
        || listen(s->fd, 64)
        || getsockname(s->fd, (struct sockaddr *)&a, &len)) {
        return 0;
    }
    s->port = ntohs(a.sin_port);
    return pthread_create(&s->t, NULL, stub_loop, s) == 0;
}

static inline void stub_stop(http_stub *s)
{
    struct sockaddr_in a;
    int c = socket(AF_INET, SOCK_STREAM, 0);

    s->stop = 1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((unsigned short)s->port);
    connect(c, (struct sockaddr *)&a, sizeof(a));     /* wake accept() */
    close(c);
    pthread_join(s->t, NULL);
    close(s->fd);
}

#endif
