/*
 * prompt_cmd.h - the prompt's command language.  A line that starts with
 * ":" (or the full-width "：" of a Chinese input method) is a command;
 * any other line is a query.  The commands, with their short forms:
 *
 *   :next :n / :prev :p        the next / previous page of hits
 *   :year Y|A..B  :since Y  :until Y   filter by year (A.. and ..B too)
 *   :source S                  only sources containing S (repeat: OR)
 *   :clear [year|source]       drop filters (all of them by default)
 *   :limit N                   N hits a page
 *   :group rank|doc            rank order, or gathered by document
 *   :show N                    hit N's whole passage
 *   :open N                    open hit N in $VISUAL/$EDITOR at its line,
 *                              a PDF at its page
 *   :filters  :help :h  :quit :q
 */
#ifndef WS_SEARCH_PROMPT_CMD_H
#define WS_SEARCH_PROMPT_CMD_H

#include <stdbool.h>
#include <stddef.h>

typedef enum ws_cmd_kind {
	WS_CMD_NONE,   /* an empty line */
	WS_CMD_SEARCH, /* a query: arg */
	WS_CMD_NEXT,
	WS_CMD_PREV,
	WS_CMD_YEAR,   /* lo..hi (0: open); lo == hi for one year */
	WS_CMD_SINCE,  /* lo; the other bound stays */
	WS_CMD_UNTIL,  /* hi; the other bound stays */
	WS_CMD_SOURCE, /* arg */
	WS_CMD_CLEAR,  /* arg: "year", "source" or NULL for all */
	WS_CMD_LIMIT,  /* n */
	WS_CMD_GROUP,  /* arg: "rank" or "doc" */
	WS_CMD_SHOW,   /* n */
	WS_CMD_OPEN,   /* n */
	WS_CMD_FILTERS,
	WS_CMD_HELP,
	WS_CMD_QUIT,
} ws_cmd_kind;

typedef struct ws_cmd {
	ws_cmd_kind kind;
	const char *arg;  /* points into the line (trimmed, NUL-terminated copy in buf) */
	int lo, hi;       /* WS_CMD_YEAR */
	unsigned n;       /* WS_CMD_LIMIT, SHOW, OPEN */
	char buf[512];
} ws_cmd;

/* Parse line.  False with a malloc'd message in *err for a bad command
 * (an unknown one gets a "did you mean"). */
bool ws_cmd_parse(const char *line, ws_cmd *out, char **err);

/* The help text of the commands. */
const char *ws_cmd_help(void);

#endif
