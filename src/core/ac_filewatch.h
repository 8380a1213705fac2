/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Knowing that a file has not changed without a stat().  One thread per
 * process waits on inotify for events in the directories of the watched
 * files and bumps a counter per file; a lookup first takes in what the
 * kernel has queued (ac_filewatch_sync: one non-blocking read, cheaper
 * than a stat()'s path walk), then compares that counter with the one it
 * saw when it last checked the file.
 *
 * What inotify cannot see (an edit made on another machine to a file on
 * a network file system, a directory above the file's being replaced)
 * the caller still finds by checking the file every so often.
 * Where inotify is missing or refuses (its per-user limits), nothing is
 * watched and callers check the file every time, as before.
 */
#ifndef AC_FILEWATCH_H
#define AC_FILEWATCH_H

#include <apr_pools.h>

typedef struct ac_watched ac_watched;

/* Let this process watch files, for as long as p lives (httpd: each
 * child, in child_init).  The thread and the inotify descriptor come
 * with the first ac_filewatch_add, so a process that watches nothing
 * spends none of the per-user inotify instances. */
void ac_filewatch_enable(apr_pool_t *p);

/* Watch file (and file2, may be NULL: a DBM made of two files) until p
 * is cleared; NULL when it cannot be watched (not enabled in this
 * process, no inotify, a symbolic link, a directory inotify refuses or
 * a limit).  Thread-safe. */
ac_watched *ac_filewatch_add(const char *file, const char *file2,
                             apr_pool_t *p);

/* A number that changes whenever the file may have changed (written,
 * replaced, removed, created, its attributes changed).  Read it before
 * checking the file, so that a change during the check shows next
 * time. */
apr_uint32_t ac_watched_generation(const ac_watched *w);

/* 1 once the watch is gone (the directory removed or moved, events
 * lost): from then on the caller must check the file itself. */
int ac_watched_lost(const ac_watched *w);

/* Count every event the kernel has queued for this process now (one
 * non-blocking read), so that a generation read next reflects every
 * edit finished before this call: the watcher thread alone may not have
 * run yet when the next request arrives on a busy machine.  A deleted
 * user or a changed password then counts from the very next request
 * (docs/security.md, "Credential cache"). */
void ac_filewatch_sync(void);

#endif
