/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* htchallenge: the parsed command line, shared by the operations. */
#ifndef HTC_OPTIONS_H
#define HTC_OPTIONS_H

typedef struct {
    char mode;              /* 'a'dd, 'D', 'l', 'v', 'T', 'S', 'L'  */
    char seen[32];          /* option letters given                 */
    int create;
    int stdin_pw;
    const char *type;
    const char *realm;
    const char *algs_text;
    const char *groups;
    const char *scopes;
    const char *expiry;
    const char *cost_text;
    const char *file;
    const char *user;
} htc_options;

#endif
