/*
 * cli.h - wensou-search's command line: options, their checks, --help.
 */
#ifndef WS_SEARCH_CLI_H
#define WS_SEARCH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum ws_output {
	WS_OUT_TERM,
	WS_OUT_JSON,
	WS_OUT_VIMGREP,
	WS_OUT_FILES,
	WS_OUT_COUNT,
} ws_output;

typedef enum ws_color {
	WS_COLOR_AUTO,
	WS_COLOR_ALWAYS,
	WS_COLOR_NEVER,
} ws_color;

#define WS_DEFAULT_LIMIT 10
#define WS_MAX_LIMIT 100000
#define WS_MAX_OFFSET 10000000
#define WS_MAX_TIMEOUT_S 3600

typedef struct ws_cli {
	const char **dbs;      /* --db values, in order (strings are argv's) */
	size_t ndbs;
	unsigned limit;        /* -n; WS_DEFAULT_LIMIT if not given */
	bool limit_set;
	unsigned offset;
	unsigned per_doc;      /* 0: not given */
	int year, since, until; /* 0: not given */
	const char **sources;  /* --source values (argv's strings) */
	size_t nsources;
	ws_output output;
	ws_color color;
	bool help, version;
	bool serve;            /* --serve: no query; requests come on stdin */
	unsigned timeout_ms;   /* --timeout for remote shards; 0: not given */
	char *query;           /* the query words joined by spaces; NULL if none */
	size_t query_len;
	char *error;           /* the first problem found, or NULL */
} ws_cli;

/* Parse argv into cli (which it first clears).  Returns true if the
 * command line is usable; otherwise false with cli->error set (the output
 * mode is still filled in, so that --json can report the error as JSON). */
bool ws_cli_parse(int argc, char **argv, ws_cli *cli);

void ws_cli_free(ws_cli *cli);

/* The short usage synopsis, and the full --help text. */
void ws_cli_usage(FILE *out);
void ws_cli_help(FILE *out);

#endif
