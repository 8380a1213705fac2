/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_filewatch.h"

#include <apr_atomic.h>
#include <apr_strings.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __linux__
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#define AC_HAVE_INOTIFY 1
#endif

struct ac_watched {
    apr_uint32_t gen;           /* apr_atomic: bumped per event         */
    apr_uint32_t lost;          /* apr_atomic: 1 once the watch is gone */
    int wd;                     /* the directory's watch                */
    const char *name1, *name2;  /* the file(s), in that directory       */
    struct ac_watched *next;
};

/* The process's watcher.  The list is changed by request threads (a
 * back-end's first lookup) and read by the watcher thread, under lock;
 * generations are read without it. */
static struct {
    int fd;                     /* inotify; -1: not running             */
    pid_t pid;                  /* the process that enabled it          */
    int tried;                  /* start() was called                   */
    int running;                /* the thread reads events              */
    int stop[2];                /* a byte in stop[1] ends the thread    */
    pthread_t thread;
    pthread_mutex_t lock;
    ac_watched *list;
} fw = { -1, 0, 0, 0, { -1, -1 }, 0, PTHREAD_MUTEX_INITIALIZER, NULL };

apr_uint32_t ac_watched_generation(const ac_watched *w)
{
    return apr_atomic_read32((volatile apr_uint32_t *)&w->gen);
}

int ac_watched_lost(const ac_watched *w)
{
    return apr_atomic_read32((volatile apr_uint32_t *)&w->lost) != 0;
}

static void bump(ac_watched *w)
{
    apr_atomic_inc32(&w->gen);
}

static void lose(ac_watched *w)
{
    apr_atomic_set32(&w->lost, 1);
    bump(w);
}

/* The thread's last act: what is watched now, and what would be
 * watched from now on, is the callers' to check. */
static void lose_all(void)
{
    ac_watched *w;

    pthread_mutex_lock(&fw.lock);
    fw.running = 0;
    for (w = fw.list; w; w = w->next) {
        lose(w);
    }
    pthread_mutex_unlock(&fw.lock);
}

#ifdef AC_HAVE_INOTIFY

/* What can change a file as seen through its name: written, its
 * attributes (mode, owner), renamed over or away, created, removed; and
 * the directory itself going. */
#define WATCH_MASK (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM \
                    | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF \
                    | IN_MOVE_SELF | IN_ONLYDIR)

/* Under fw.lock. */
static void handle(const struct inotify_event *ev)
{
    ac_watched *w;

    for (w = fw.list; w; w = w->next) {
        if (ev->mask & IN_Q_OVERFLOW) {
            bump(w);            /* events were dropped: check them all */
        }
        else if (ev->wd != w->wd) {
            continue;
        }
        else if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF
                             | IN_UNMOUNT)) {
            lose(w);
        }
        else if (ev->len && (!strcmp(ev->name, w->name1)
                             || (w->name2 && !strcmp(ev->name, w->name2)))) {
            bump(w);
        }
    }
}

/* Read every queued event (the descriptor does not block). */
static int drain(void)
{
    union {
        struct inotify_event ev;
        char bytes[8192];
    } buf;
    ssize_t n, off;
    int ok;

    /* Read and handle under one lock: a caller of ac_filewatch_sync
     * that finds the queue empty knows that every event read before
     * has been counted. */
    pthread_mutex_lock(&fw.lock);
    for (;;) {
        n = fw.fd >= 0 ? read(fw.fd, buf.bytes, sizeof(buf.bytes)) : 0;
        if (n <= 0) {
            ok = n < 0 && (errno == EAGAIN || errno == EINTR);
            break;
        }
        for (off = 0; off + (ssize_t)sizeof(struct inotify_event) <= n;) {
            const struct inotify_event *ev =
                (const struct inotify_event *)(buf.bytes + off);

            handle(ev);
            off += (ssize_t)sizeof(*ev) + ev->len;
        }
    }
    pthread_mutex_unlock(&fw.lock);
    return ok;
}

void ac_filewatch_sync(void)
{
    if (fw.running && fw.pid == getpid()) {
        (void)drain();      /* a failure shows in the thread's next poll */
    }
}

static void *run(void *unused)
{
    struct pollfd pfd[2];

    (void)unused;
    pfd[0].fd = fw.fd;
    pfd[0].events = POLLIN;
    pfd[1].fd = fw.stop[0];
    pfd[1].events = POLLIN;
    for (;;) {
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if (pfd[1].revents) {
            break;
        }
        if (pfd[0].revents & ~POLLIN) {
            break;
        }
        if ((pfd[0].revents & POLLIN) && !drain()) {
            break;
        }
    }
    /* From here nothing is watched: every caller checks its file. */
    lose_all();
    return NULL;
}

static void close_fds(void)
{
    if (fw.fd >= 0) {
        close(fw.fd);
        fw.fd = -1;
    }
    if (fw.stop[0] >= 0) {
        close(fw.stop[0]);
        close(fw.stop[1]);
        fw.stop[0] = fw.stop[1] = -1;
    }
}

/* p's cleanup: the thread ends, nothing is watched, and the process
 * may be enabled again. */
static apr_status_t disable(void *unused)
{
    (void)unused;
    if (fw.pid != getpid()) {
        return APR_SUCCESS;     /* a fork's copy: the thread is not ours */
    }
    if (fw.fd >= 0) {
        ssize_t n;

        do {
            n = write(fw.stop[1], "x", 1);
        } while (n < 0 && errno == EINTR);
        pthread_join(fw.thread, NULL);      /* it marks all lost */
        close_fds();
    }
    pthread_mutex_lock(&fw.lock);
    fw.list = NULL;
    fw.pid = 0;
    fw.tried = 0;
    fw.running = 0;
    pthread_mutex_unlock(&fw.lock);
    return APR_SUCCESS;
}

/* Under fw.lock: the thread and its descriptors, on the first watch. */
static int start(void)
{
    sigset_t all, old;
    int rv;

    fw.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fw.fd < 0) {
        return 0;
    }
    if (pipe2(fw.stop, O_CLOEXEC) != 0) {
        close_fds();
        return 0;
    }
    /* The thread takes no signals, whoever starts it: httpd's children
     * leave them to a thread of their own. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    fw.running = 1;
    rv = pthread_create(&fw.thread, NULL, run, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rv != 0) {
        fw.running = 0;
        close_fds();
        return 0;
    }
    return 1;
}

void ac_filewatch_enable(apr_pool_t *p)
{
    int fresh;

    pthread_mutex_lock(&fw.lock);
    fresh = fw.pid != getpid();
    if (fresh) {
        if (fw.fd >= 0) {
            close_fds();        /* a fork's copies; the thread stayed */
        }
        fw.list = NULL;
        fw.tried = 0;
        fw.running = 0;
        fw.pid = getpid();
    }
    pthread_mutex_unlock(&fw.lock);
    if (fresh) {
        apr_pool_cleanup_register(p, NULL, disable, apr_pool_cleanup_null);
    }
}

static apr_status_t remove_watched(void *v)
{
    ac_watched **at;

    pthread_mutex_lock(&fw.lock);
    for (at = &fw.list; *at; at = &(*at)->next) {
        if (*at == v) {
            *at = (*at)->next;
            break;
        }
    }
    pthread_mutex_unlock(&fw.lock);
    return APR_SUCCESS;
}

static int is_symlink(const char *file)
{
    struct stat st;

    return file && lstat(file, &st) == 0 && S_ISLNK(st.st_mode);
}

/* The directory part of file ("." for none) and its base name. */
static void split(apr_pool_t *p, const char *file, const char **dir,
                  const char **base)
{
    const char *slash = strrchr(file, '/');

    if (!slash) {
        *dir = ".";
        *base = file;
    }
    else {
        *dir = slash == file ? "/" : apr_pstrmemdup(p, file, slash - file);
        *base = slash + 1;
    }
}

ac_watched *ac_filewatch_add(const char *file, const char *file2,
                             apr_pool_t *p)
{
    const char *dir, *base, *dir2 = NULL, *base2 = NULL;
    char *real;
    ac_watched *w;
    int wd;

    if (!file || is_symlink(file) || is_symlink(file2)) {
        return NULL;            /* a link's target may change unseen */
    }
    split(p, file, &dir, &base);
    if (file2) {
        split(p, file2, &dir2, &base2);
        if (strcmp(dir, dir2)) {
            return NULL;
        }
    }
    if (!*base || (base2 && !*base2) || !(real = realpath(dir, NULL))) {
        return NULL;
    }
    pthread_mutex_lock(&fw.lock);
    if (fw.pid != getpid()) {
        wd = -1;                /* enabled in another process           */
    }
    else {
        if (!fw.tried) {
            fw.tried = 1;
            start();
        }
        wd = fw.running ? inotify_add_watch(fw.fd, real, WATCH_MASK) : -1;
    }
    free(real);
    if (wd < 0) {
        pthread_mutex_unlock(&fw.lock);
        return NULL;
    }
    w = apr_pcalloc(p, sizeof(*w));
    w->wd = wd;
    w->name1 = apr_pstrdup(p, base);
    w->name2 = base2 ? apr_pstrdup(p, base2) : NULL;
    w->next = fw.list;
    fw.list = w;
    pthread_mutex_unlock(&fw.lock);
    apr_pool_cleanup_register(p, w, remove_watched, apr_pool_cleanup_null);
    return w;
}

#else /* no inotify: nothing is watched, callers check their files */

void ac_filewatch_enable(apr_pool_t *p)
{
    (void)p;
    (void)lose_all;
}

ac_watched *ac_filewatch_add(const char *file, const char *file2,
                             apr_pool_t *p)
{
    (void)file;
    (void)file2;
    (void)p;
    return NULL;
}

void ac_filewatch_sync(void)
{
}

#endif
