/*
 * cli.h - wensou-search's command line: options, their checks, --help.
 */
#ifndef WS_SEARCH_CLI_H
#define WS_SEARCH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"

typedef enum ws_output {
	WS_OUT_TERM,
	WS_OUT_JSON,
	WS_OUT_VIMGREP,
	WS_OUT_FILES,
	WS_OUT_COUNT,
} ws_output;

/* --color and --hyperlink. */
typedef enum ws_color {
	WS_COLOR_AUTO,
	WS_COLOR_ALWAYS,
	WS_COLOR_NEVER,
} ws_color;

/* --group: terminal hits in rank order, or gathered under their document. */
typedef enum ws_group {
	WS_GROUP_RANK,
	WS_GROUP_DOC,
} ws_group;

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
	bool all_kinds;        /* --all-kinds: passages of every kind, not only body text */
	bool no_synonyms;      /* --no-synonyms: no glossary expansion */
	int year, since, until; /* 0: not given */
	const char **sources;  /* --source values (argv's strings) */
	size_t nsources;
	ws_output output;
	ws_color color;
	ws_color hyperlink;    /* OSC 8 links on a terminal */
	ws_group group;
	bool no_pager;
	bool no_config;        /* --no-config: the config file was not read */
	bool stats;            /* --stats: describe the index, no query */
	bool by_year, by_source; /* count matches per year / per source */
	const char *completions; /* --completions SHELL (argv's string) */
	bool help, version;
	bool serve;            /* --serve: no query; requests come on stdin */
	/* Which values came from the config file (ws_cli_parse's ndefaults):
	 * the command line replaces them, and checks that forbid a value
	 * with another output skip a default. */
	bool dbs_default, limit_default, per_doc_default, group_default;
	unsigned timeout_ms;   /* --timeout for remote shards; 0: not given */
	char *query;           /* the query words joined by spaces; NULL if none */
	size_t query_len;
	char *error;           /* the first problem found, or NULL */
} ws_cli;

/* Parse argv into cli (which it first clears), after defaults (the config
 * file's options, or NULL), which the command line overrides.  The
 * strings of argv and defaults must outlive cli.  Returns true if the
 * command line is usable; otherwise false with cli->error set (the output
 * mode is still filled in, so that --json can report the error as JSON). */
bool ws_cli_parse(int argc, char **argv, const ws_config *defaults, ws_cli *cli);

/* True if argv (the command line alone) has --no-config, which must be
 * known before the config file is read. */
bool ws_cli_wants_no_config(int argc, char **argv);

/* The bash or zsh completion script; false for another shell. */
bool ws_cli_completion(const char *shell, FILE *out);

void ws_cli_free(ws_cli *cli);

/* The short usage synopsis, and the full --help text. */
void ws_cli_usage(FILE *out);
void ws_cli_help(FILE *out);

#endif
