/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * State a thread keeps for itself (OpenSSL contexts that are cheaper to
 * re-initialise than to make): a zeroed block per thread, made on first
 * use and given to the key's destructor when the thread ends.
 */
#ifndef AC_THREAD_H
#define AC_THREAD_H

#include <pthread.h>
#include <apr.h>

typedef struct {
    pthread_key_t key;
    int ok;
} ac_thread_key;

/* Once per process (e.g. from pthread_once); 0 when no key could be
 * made, and then ac_thread_state gives NULL. */
int ac_thread_key_init(ac_thread_key *k, void (*destroy)(void *));

/* The calling thread's block of size bytes (zeroed when made); NULL
 * without a key or memory: callers then work without it. */
void *ac_thread_state(ac_thread_key *k, apr_size_t size);

#endif
