/*
 * opttab.h - a program's command-line options, defined once in a table
 * that drives getopt_long, the options part of --help, "did you mean"
 * for a mistyped option and the bash and zsh completions (ripgrep's way:
 * one definition, so that they never disagree).  Both binaries use it.
 */
#ifndef WENSOU_OPTTAB_H
#define WENSOU_OPTTAB_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What a shell should offer for an option's value. */
typedef enum ws_optval {
	WS_OPTVAL_NONE,    /* the option takes no value */
	WS_OPTVAL_ANY,     /* free text or a number: nothing to offer */
	WS_OPTVAL_DIR,     /* a folder */
	WS_OPTVAL_FILE,    /* a file or folder */
	WS_OPTVAL_CHOICE,  /* one of choices */
} ws_optval;

typedef struct ws_optdef {
	const char *name;    /* the long name, without "--" */
	char short_name;     /* 0 if none */
	int val;             /* what getopt_long returns for it */
	ws_optval value;
	const char *arg;     /* the value's name in --help (NULL: no value) */
	const char *choices; /* WS_OPTVAL_CHOICE: the values, space-separated */
	const char *help;    /* one line for --help, at most 54 columns */
} ws_optdef;

typedef struct ws_opttab {
	const char *prog;       /* the program's name */
	const ws_optdef *defs;
	size_t n;
	ws_optval operands;     /* what the words that are not options are */
} ws_opttab;

/* getopt_long's tables for t: longopts has room for t->n + 1 entries,
 * shortopts for 3 * t->n + 3 bytes.  shortopts starts with prefix
 * ("-:" for in-order operands and ':' for a missing value). */
void ws_opttab_getopt(const ws_opttab *t, const char *prefix, struct option *longopts, char *shortopts);

/* The definition of the long option name (without "--", up to '=' or the
 * end), or of the short option c when name is NULL; NULL if none. */
const ws_optdef *ws_opttab_find(const ws_opttab *t, const char *name, char c);

/* The option most like the mistyped word arg ("--jsn", "--yaer", "-V"):
 * its definition, or NULL when none is close (edit distance, counting a
 * swap of two letters as one edit, at most a third of the name). */
const ws_optdef *ws_opttab_suggest(const ws_opttab *t, const char *arg);

/* The options part of --help: one line per option, "-n, --limit N" in a
 * 24-column left margin. */
void ws_opttab_help(const ws_opttab *t, FILE *out);

/* A completion script for shell ("bash" or "zsh").  False for another
 * shell (nothing written) or a write error. */
bool ws_opttab_completion(const ws_opttab *t, const char *shell, FILE *out);

#endif
