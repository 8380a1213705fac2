/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_thread.h"

#include <stdlib.h>

int ac_thread_key_init(ac_thread_key *k, void (*destroy)(void *))
{
    k->ok = pthread_key_create(&k->key, destroy) == 0;
    return k->ok;
}

void *ac_thread_state(ac_thread_key *k, apr_size_t size)
{
    void *t;

    if (!k->ok) {
        return NULL;
    }
    t = pthread_getspecific(k->key);
    if (!t && (t = calloc(1, size)) != NULL
        && pthread_setspecific(k->key, t) != 0) {
        free(t);
        t = NULL;
    }
    return t;
}
