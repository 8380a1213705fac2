/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* htchallenge's messages on stderr: fatal errors with an exit code,
 * and notes.  No password, hash or token is ever passed here. */
#include "htc_msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void htc_die(int code, const char *fmt, ...)
{
    va_list ap;

    fputs("htchallenge: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (code == EXIT_USAGE) {
        fputs("Try 'htchallenge -h' for help.\n", stderr);
    }
    exit(code);
}

void htc_note(const char *fmt, ...)
{
    va_list ap;

    fputs("htchallenge: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
