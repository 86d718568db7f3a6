/* prompt_cmd.c - parse the prompt's commands (prompt_cmd.h). */
#include "prompt_cmd.h"

#include <stdlib.h>
#include <string.h>

#include "opttab.h"
#include "text.h"

enum { C_NEXT = 1, C_PREV, C_YEAR, C_SINCE, C_UNTIL, C_SOURCE, C_CLEAR, C_LIMIT, C_GROUP, C_SHOW, C_OPEN,
       C_FILTERS, C_HELP, C_QUIT };

/* The commands as an option table: it gives them "did you mean". */
static const ws_optdef cmds[] = {
	{"next", 'n', C_NEXT, WS_OPTVAL_NONE, NULL, NULL, "the next page of hits"},
	{"prev", 'p', C_PREV, WS_OPTVAL_NONE, NULL, NULL, "the previous page"},
	{"year", 0, C_YEAR, WS_OPTVAL_ANY, "Y|A..B", NULL, "only documents of year Y, or from A to B"},
	{"since", 0, C_SINCE, WS_OPTVAL_ANY, "Y", NULL, "only documents of year Y or later"},
	{"until", 0, C_UNTIL, WS_OPTVAL_ANY, "Y", NULL, "only documents of year Y or earlier"},
	{"source", 0, C_SOURCE, WS_OPTVAL_ANY, "S", NULL, "only sources containing S (again: or S2)"},
	{"clear", 0, C_CLEAR, WS_OPTVAL_ANY, "[year|source]", NULL, "drop the filters (all, or one kind)"},
	{"limit", 0, C_LIMIT, WS_OPTVAL_ANY, "N", NULL, "show N hits a page"},
	{"group", 0, C_GROUP, WS_OPTVAL_CHOICE, "rank|doc", "rank doc", "rank order, or gathered by document"},
	{"show", 0, C_SHOW, WS_OPTVAL_ANY, "N", NULL, "hit N's whole passage"},
	{"open", 0, C_OPEN, WS_OPTVAL_ANY, "N", NULL, "open hit N in $VISUAL/$EDITOR (a PDF at its page)"},
	{"filters", 0, C_FILTERS, WS_OPTVAL_NONE, NULL, NULL, "the filters in force"},
	{"help", 'h', C_HELP, WS_OPTVAL_NONE, NULL, NULL, "this help"},
	{"quit", 'q', C_QUIT, WS_OPTVAL_NONE, NULL, NULL, "leave (or Ctrl-D)"},
};
static const ws_opttab table = {"wensou", cmds, sizeof cmds / sizeof cmds[0], WS_OPTVAL_NONE};

static const char help[] =
	"Type a query to search, or a command:\n"
	"  :next, :n             the next page of hits     :prev, :p      the previous page\n"
	"  :year Y | A..B        only years Y, or A to B   :since Y  :until Y\n"
	"  :source S             only sources containing S (again: or S2)\n"
	"  :clear [year|source]  drop the filters          :filters       show them\n"
	"  :limit N              N hits a page             :group rank|doc\n"
	"  :show N               hit N's whole passage\n"
	"  :open N               open hit N in $VISUAL/$EDITOR at its line (a PDF at its page)\n"
	"  :help, :h             this help                 :quit, :q      leave (or Ctrl-D)\n"
	"Ctrl-C cancels the line; Up and Down go through the history.\n";

const char *ws_cmd_help(void)
{
	return help;
}

/* A year, or none (0) for an empty bound. */
static bool year_of(const char *s, size_t n, int *out)
{
	if (!n) {
		*out = 0;
		return true;
	}
	return ws_parse_year(s, n, out);
}

static bool parse_years(const char *s, int *lo, int *hi)
{
	const char *dots = strstr(s, "..");
	size_t sep = 2;
	if (!dots && (dots = strchr(s, '-')))
		sep = 1;
	if (!dots) {
		if (!year_of(s, strlen(s), lo) || !*lo)
			return false;
		*hi = *lo;
		return true;
	}
	if (!year_of(s, (size_t)(dots - s), lo) || !year_of(dots + sep, strlen(dots + sep), hi))
		return false;
	return (*lo || *hi) && (!*lo || !*hi || *lo <= *hi);
}

static bool parse_n(ws_cmd *c, const char *name, unsigned max, char **err)
{
	unsigned long long v;
	if (!c->arg || !ws_parse_decimal(c->arg, 9, &v) || v < 1 || v > max)
		return ws_fail(err, ":%s needs a number from 1 to %u", name, max);
	c->n = (unsigned)v;
	return true;
}

bool ws_cmd_parse(const char *line, ws_cmd *c, char **err)
{
	memset(c, 0, sizeof *c);
	size_t len = strlen(line);
	/* trim white space, ASCII and U+3000 */
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\n'))
		len--;
	size_t start = 0;
	for (;;) {
		if (start < len && (line[start] == ' ' || line[start] == '\t'))
			start++;
		else if (len - start >= 3 && !memcmp(line + start, "\xe3\x80\x80", 3))
			start += 3;
		else
			break;
	}
	if (len - start >= sizeof c->buf)
		return ws_fail(err, "the line is too long");
	memcpy(c->buf, line + start, len - start);
	c->buf[len - start] = '\0';
	char *s = c->buf;
	if (!*s) {
		c->kind = WS_CMD_NONE;
		return true;
	}
	size_t skip = s[0] == ':' ? 1 : !strncmp(s, "\xef\xbc\x9a", 3) ? 3 : 0; /* ":" or "：" */
	if (!skip) {
		c->kind = WS_CMD_SEARCH;
		c->arg = s;
		return true;
	}
	s += skip;
	size_t nlen = strcspn(s, " \t");
	char *arg = s + nlen;
	while (*arg == ' ' || *arg == '\t')
		arg++;
	if (*arg)
		c->arg = arg;
	s[nlen] = '\0';
	const ws_optdef *d = nlen == 1 ? ws_opttab_find(&table, NULL, s[0]) : ws_opttab_find(&table, s, 0);
	if (!d) {
		char word[64];
		snprintf(word, sizeof word, "--%s", s);
		const ws_optdef *near = ws_opttab_suggest(&table, word);
		if (near)
			return ws_fail(err, "unknown command :%s (did you mean :%s?); :help lists them", s, near->name);
		return ws_fail(err, "unknown command :%s; :help lists them", s);
	}
	if (d->value == WS_OPTVAL_NONE && c->arg)
		return ws_fail(err, ":%s takes nothing after it", d->name);
	switch (d->val) {
	case C_NEXT: c->kind = WS_CMD_NEXT; return true;
	case C_PREV: c->kind = WS_CMD_PREV; return true;
	case C_FILTERS: c->kind = WS_CMD_FILTERS; return true;
	case C_HELP: c->kind = WS_CMD_HELP; return true;
	case C_QUIT: c->kind = WS_CMD_QUIT; return true;
	case C_YEAR:
	case C_SINCE:
	case C_UNTIL: {
		c->kind = WS_CMD_YEAR;
		int y;
		if (d->val == C_YEAR) {
			if (c->arg && parse_years(c->arg, &c->lo, &c->hi))
				return true;
			return ws_fail(err, ":year needs a year such as 2023 or a range such as 2022..2024");
		}
		if (!c->arg || !year_of(c->arg, strlen(c->arg), &y) || !y)
			return ws_fail(err, ":%s needs a four-digit year such as 2023", d->name);
		if (d->val == C_SINCE) {
			c->kind = WS_CMD_SINCE;
			c->lo = y;
		} else {
			c->kind = WS_CMD_UNTIL;
			c->hi = y;
		}
		return true;
	}
	case C_SOURCE:
		c->kind = WS_CMD_SOURCE;
		if (!c->arg)
			return ws_fail(err, ":source needs a publisher's name (or part of one)");
		return true;
	case C_CLEAR:
		c->kind = WS_CMD_CLEAR;
		if (c->arg && strcmp(c->arg, "year") && strcmp(c->arg, "source"))
			return ws_fail(err, ":clear takes year, source or nothing (all filters), not \"%s\"", c->arg);
		return true;
	case C_GROUP:
		c->kind = WS_CMD_GROUP;
		if (!c->arg || (strcmp(c->arg, "rank") && strcmp(c->arg, "doc")))
			return ws_fail(err, ":group takes rank or doc");
		return true;
	case C_LIMIT:
		c->kind = WS_CMD_LIMIT;
		return parse_n(c, "limit", 1000, err);
	case C_SHOW:
		c->kind = WS_CMD_SHOW;
		return parse_n(c, "show", 10000000, err);
	case C_OPEN:
		c->kind = WS_CMD_OPEN;
		return parse_n(c, "open", 10000000, err);
	}
	return ws_fail(err, "unknown command");
}
