/*
 * output.h - the end of a program's standard output.
 */
#ifndef WENSOU_OUTPUT_H
#define WENSOU_OUTPUT_H

#include <stdbool.h>

/* Flush standard output at the end of a run: true if what was left got
 * out (or its reader went away early, which is no error); false, after
 * saying so on stderr as "PROG: cannot write to standard output: REASON",
 * if it did not (a full disk, /dev/full), so that the caller exits 2
 * rather than 0 with the output lost. */
bool ws_stdout_flushed(const char *prog);

#endif
