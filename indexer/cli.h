/*
 * cli.h - wensou-index's command line: the options (one table for
 * getopt, --help, "did you mean" and the shell completions) and their
 * checks.
 */
#ifndef WS_INDEX_CLI_H
#define WS_INDEX_CLI_H

#include "run.h"

/* Parse argv into o.  Returns -1 to go on with o filled in, or the exit
 * status to leave with at once: 0 after --help, --version or
 * --completions, 2 after an error (said on stderr). */
int ws_index_parse_options(int argc, char **argv, options *o);

#endif
