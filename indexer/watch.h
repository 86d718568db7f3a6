/*
 * watch.h - wensou-index --watch: index, then stay and index what changes
 * under the roots (inotify), within seconds.
 */
#ifndef WENSOU_WATCH_H
#define WENSOU_WATCH_H

#include "run.h"

/* One indexing run (main.c's): over paths, or with none the remembered
 * roots.  Returns its exit status. */
typedef int ws_index_fn(const options *opt, const char *dbdir, char **paths, int npaths);

/* Run once over paths, then after each burst of changes under the roots
 * (a quiet second, or two seconds of steady changes) run again over the
 * remembered roots, until SIGINT or SIGTERM.  Returns 0 when stopped by a
 * signal, the first run's status when it was fatal (2). */
int ws_watch(const options *opt, const char *dbdir, char **paths, int npaths, ws_index_fn *index_once);

#endif
