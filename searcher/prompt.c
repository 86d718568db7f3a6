/* prompt.c - the interactive prompt (prompt.h), on readline's callback
 * interface: a select() loop that a signal interrupts, so that Ctrl-C can
 * drop the line being edited and the window can change size. */
#include "prompt.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetch.h"
#include "open.h"
#include "present.h"
#include "prompt_cmd.h"
#include "readline_dl.h"
#include "strbuf.h"
#include "term.h"
#include "text.h"

#define HISTORY_MAX 1000

typedef struct prompt {
	ws_index *ix;
	const ws_glossary *glossary; /* borrowed; NULL: --no-synonyms */
	ws_cli cli;          /* a copy: its filters and layout change */
	char **sources;      /* owned copies of the source filters */
	char *query;         /* the last query; owned */
	ws_result *last;     /* its hits on the page shown; owned */
	ws_colors colors;
	char *history;       /* the history file, or NULL; owned */
	char *prompt;        /* the prompt shown; owned */
	bool quit;
} prompt;

/* readline calls back with no user data: the one prompt, and readline
 * (loaded when the prompt starts). */
static prompt *P;
static const ws_readline *rl;
static volatile sig_atomic_t got_sigint, got_sigwinch;

static void on_signal(int sig)
{
	if (sig == SIGINT)
		got_sigint = 1;
	else
		got_sigwinch = 1;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* $XDG_STATE_HOME/wensou/history (~/.local/state/...), its folder made. */
static char *history_path(void)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char *dir = xdg && *xdg == '/' ? ws_strdupf("%s/wensou", xdg)
	            : home && *home   ? ws_strdupf("%s/.local/state/wensou", home)
	                              : NULL;
	if (!dir)
		return NULL;
	/* mkdir -p, private: the history holds what was searched */
	for (char *p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	}
	char *path = NULL;
	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		path = ws_strdupf("%s/history", dir);
	free(dir);
	return path;
}

/* "wensou> ", or with the filters: "wensou 2022..2024 联合国> ". */
static void update_prompt(prompt *p)
{
	strbuf sb = STRBUF_INIT;
	bool ok = strbuf_appends(&sb, "wensou");
	const ws_cli *c = &p->cli;
	if (ok && c->year)
		ok = strbuf_appendf(&sb, " %d", c->year);
	if (ok && (c->since || c->until)) {
		ok = strbuf_appendc(&sb, ' ');
		if (ok && c->since)
			ok = strbuf_appendf(&sb, "%d", c->since);
		ok = ok && strbuf_appends(&sb, "..");
		if (ok && c->until)
			ok = strbuf_appendf(&sb, "%d", c->until);
	}
	for (size_t i = 0; ok && i < c->nsources; i++) {
		char *clean = ws_sanitize(c->sources[i], strlen(c->sources[i]));
		ok = clean && strbuf_appendf(&sb, "%s%s", i ? "|" : " ", clean);
		free(clean);
	}
	ok = ok && strbuf_appends(&sb, "> ");
	free(p->prompt);
	p->prompt = ok ? strbuf_detach(&sb) : strdup("wensou> ");
	strbuf_free(&sb);
	rl->rl_set_prompt(p->prompt);
}

/* A message, which may quote a path or a query: no control characters
 * reach the terminal. */
static void show_error(const char *msg)
{
	char *clean = msg ? ws_sanitize(msg, strlen(msg)) : NULL;
	say("%s\n", clean ? clean : "out of memory");
	free(clean);
}

/* Search the current query at the current offset and show the page. */
static void search(prompt *p)
{
	if (!p->query) {
		say("Type a query first (:help lists the commands).\n");
		return;
	}
	ws_cli *c = &p->cli;
	c->query = p->query;
	c->query_len = strlen(p->query);
	ws_request req = ws_request_of(c);
	req.glossary = p->glossary;
	ws_result *res = NULL;
	char *err = NULL;
	ws_term_style style;
	if (!ws_index_refresh(p->ix, &err) || !ws_search(p->ix, &req, &res, &err)) {
		show_error(err);
		free(err);
		c->query = NULL;
		return;
	}
	ws_present_style(c, STDOUT_FILENO, "wensou-search", &p->colors, &style);
	if (style.height > 2)
		style.height -= 1; /* the prompt's line stays on the screen too */
	if (!ws_present_hits(stdout, p->ix, &req, res, &style, &err))
		show_error(err);
	if (!res->nhits && !style.width) {
		char *what = ws_present_what(&req);
		say("No passage matches: %s\n", what ? what : "");
		free(what);
	}
	fflush(stdout);
	free(err);
	free((char *)style.cwd);
	ws_result_free(p->last);
	p->last = res;
	c->query = NULL;
}

/* The hit ranked n on the page shown, or NULL (said why). */
static const ws_hit *hit_ranked(prompt *p, unsigned n)
{
	if (!p->last || !p->last->nhits) {
		say("No hits on the screen: search first.\n");
		return NULL;
	}
	for (size_t i = 0; i < p->last->nhits; i++)
		if (p->last->hits[i].rank == n)
			return &p->last->hits[i];
	say("Hit %u is not on this page (%u\xe2\x80\x93%u): :next and :prev turn the pages.\n", n,
	    p->last->hits[0].rank, p->last->hits[p->last->nhits - 1].rank);
	return NULL;
}

static void show_passage(prompt *p, unsigned n)
{
	const ws_hit *h = hit_ranked(p, n);
	if (!h)
		return;
	ws_snippet sn;
	char *err = NULL;
	if (!ws_fetch_passage(p->ix, h, p->query, strlen(p->query), &sn, &err)) {
		show_error(err);
		free(err);
		return;
	}
	ws_term_style style;
	ws_present_style(&p->cli, STDOUT_FILENO, "wensou-search", &p->colors, &style);
	style.height = 0;
	ws_print_term_passage(stdout, h, sn.text, sn.len, sn.hl, sn.nhl, &style);
	fflush(stdout);
	free((char *)style.cwd);
	ws_snippet_free(&sn);
}

static void open_hit(prompt *p, unsigned n)
{
	const ws_hit *h = hit_ranked(p, n);
	if (!h)
		return;
	char *note = NULL, *err = NULL;
	if (!ws_open_hit(h, &note, &err))
		show_error(err);
	else if (note)
		say("%s\n", note);
	free(note);
	free(err);
}

/* Add source s to the filters (owned copies: cli.sources[i] is always
 * p->sources[i]), or clear them. */
static void set_source(prompt *p, const char *s, bool clear)
{
	ws_cli *c = &p->cli;
	if (clear) {
		for (size_t i = 0; i < c->nsources; i++)
			free(p->sources[i]);
		c->nsources = 0;
		return;
	}
	size_t n = c->nsources;
	char **v = realloc(p->sources, (n + 1) * sizeof *v);
	if (v)
		p->sources = v;
	const char **cv = v ? realloc(c->sources, (n + 1) * sizeof *cv) : NULL;
	if (cv)
		c->sources = cv;
	char *copy = cv ? strdup(s) : NULL;
	if (!copy) {
		show_error(NULL);
		return;
	}
	v[n] = copy;
	cv[n] = copy;
	c->nsources = n + 1;
}

static void show_filters(prompt *p)
{
	ws_request req = ws_request_of(&p->cli);
	req.query = NULL;
	char *what = ws_present_what(&req);
	say("%s; %u hits a page, %s order\n", what && *what ? what : "no filters", p->cli.limit,
	    p->cli.group == WS_GROUP_DOC ? "document" : "rank");
	free(what);
}

static void run_line(prompt *p, const char *line)
{
	ws_cmd cmd;
	char *err = NULL;
	ws_cli *c = &p->cli;
	if (!ws_cmd_parse(line, &cmd, &err)) {
		show_error(err);
		free(err);
		return;
	}
	switch (cmd.kind) {
	case WS_CMD_NONE:
		return;
	case WS_CMD_SEARCH: {
		char *q = strdup(cmd.arg);
		if (!q) {
			show_error(NULL);
			return;
		}
		free(p->query);
		p->query = q;
		c->offset = 0;
		search(p);
		return;
	}
	case WS_CMD_NEXT:
		if (p->last && p->last->nhits < c->limit) {
			say("That was the last page.\n");
			return;
		}
		c->offset += c->limit;
		search(p);
		return;
	case WS_CMD_PREV:
		if (!c->offset) {
			say("This is the first page.\n");
			return;
		}
		c->offset = c->offset > c->limit ? c->offset - c->limit : 0;
		search(p);
		return;
	case WS_CMD_YEAR:
		c->year = cmd.lo == cmd.hi ? cmd.lo : 0;
		c->since = cmd.lo == cmd.hi ? 0 : cmd.lo;
		c->until = cmd.lo == cmd.hi ? 0 : cmd.hi;
		break;
	case WS_CMD_SINCE:
	case WS_CMD_UNTIL:
		if (c->year)
			c->since = c->until = c->year;
		c->year = 0;
		if (cmd.kind == WS_CMD_SINCE)
			c->since = cmd.lo;
		else
			c->until = cmd.hi;
		if (c->since && c->until && c->since > c->until) {
			say("Since %d until %d leaves no year: the filter is now %d only.\n", c->since, c->until,
			    cmd.kind == WS_CMD_SINCE ? c->since : c->until);
			c->since = c->until = 0;
			c->year = cmd.kind == WS_CMD_SINCE ? cmd.lo : cmd.hi;
		}
		break;
	case WS_CMD_SOURCE:
		set_source(p, cmd.arg, false);
		break;
	case WS_CMD_CLEAR:
		if (!cmd.arg || !strcmp(cmd.arg, "year"))
			c->year = c->since = c->until = 0;
		if (!cmd.arg || !strcmp(cmd.arg, "source"))
			set_source(p, NULL, true);
		break;
	case WS_CMD_LIMIT:
		c->limit = cmd.n;
		c->limit_set = true;
		break;
	case WS_CMD_GROUP:
		c->group = strcmp(cmd.arg, "doc") ? WS_GROUP_RANK : WS_GROUP_DOC;
		break;
	case WS_CMD_SHOW:
		show_passage(p, cmd.n);
		return;
	case WS_CMD_OPEN:
		open_hit(p, cmd.n);
		return;
	case WS_CMD_FILTERS:
		show_filters(p);
		return;
	case WS_CMD_HELP:
		say("%s", ws_cmd_help());
		return;
	case WS_CMD_QUIT:
		p->quit = true;
		return;
	}
	/* a filter, the limit or the layout changed: show the query anew */
	update_prompt(p);
	c->offset = 0;
	if (p->query)
		search(p);
	else
		show_filters(p);
}

static void remember(prompt *p, const char *line)
{
	if (!*line)
		return;
	HIST_ENTRY *last = *rl->history_length ? rl->history_get(*rl->history_base + *rl->history_length - 1) : NULL;
	if (last && !strcmp(last->line, line))
		return;
	rl->add_history(line);
	if (p->history && rl->append_history(1, p->history) != 0)
		rl->write_history(p->history); /* the file did not exist yet */
}

static void on_line(char *line)
{
	prompt *p = P;
	if (!line) {
		/* Ctrl-D */
		say("\n");
		p->quit = true;
	} else {
		remember(p, line);
		run_line(p, line);
	}
	free(line);
	if (p->quit)
		rl->rl_callback_handler_remove();
}

/* readline needs the locale's character set to edit wide characters. */
static void utf8_locale(void)
{
	const char *set = setlocale(LC_CTYPE, "");
	if (!set || strcmp(nl_langinfo(CODESET), "UTF-8"))
		setlocale(LC_CTYPE, "C.UTF-8");
}

int ws_prompt_run(const ws_cli *cli, ws_index *ix, const ws_glossary *glossary)
{
	const char *why = NULL;
	if (!(rl = ws_readline_load(&why))) {
		fprintf(stderr, "wensou-search: the prompt needs readline: %s\n", why);
		return 2;
	}
	prompt p = {.ix = ix, .glossary = glossary, .cli = *cli};
	P = &p;
	/* the copy's arrays are its own, as :source changes them */
	p.cli.sources = NULL;
	p.cli.nsources = 0;
	p.cli.query = NULL;
	p.cli.error = NULL;
	p.cli.dbs = NULL;
	p.cli.ndbs = 0;
	for (size_t i = 0; i < cli->nsources; i++)
		set_source(&p, cli->sources[i], false);

	utf8_locale();
	*rl->rl_readline_name = "wensou";
	*rl->rl_catch_signals = 0; /* our handlers: see the loop */
	*rl->rl_catch_sigwinch = 0;
	rl->using_history();
	rl->stifle_history(HISTORY_MAX);
	p.history = history_path();
	if (p.history)
		rl->read_history(p.history);

	struct sigaction sa = {.sa_handler = on_signal}, old_int, old_winch;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGWINCH, &sa, &old_winch);

	say("wensou: %u passages indexed.  Type a query, or :help.\n", ix->doccount);
	rl->rl_callback_handler_install("wensou> ", on_line);
	update_prompt(&p);
	rl->rl_redisplay();
	while (!p.quit) {
		fd_set fds;
		FD_ZERO(&fds);
		FD_SET(STDIN_FILENO, &fds);
		int r = select(STDIN_FILENO + 1, &fds, NULL, NULL, NULL);
		if (got_sigwinch) {
			got_sigwinch = 0;
			rl->rl_resize_terminal();
		}
		if (got_sigint) {
			/* Ctrl-C: drop the line, a fresh prompt */
			got_sigint = 0;
			rl->rl_free_line_state();
			rl->rl_callback_sigcleanup();
			rl->rl_replace_line("", 0);
			say("^C");
			rl->rl_crlf();
			rl->rl_on_new_line();
			rl->rl_redisplay();
			continue;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		rl->rl_callback_read_char();
	}
	if (!p.quit)
		rl->rl_callback_handler_remove();
	if (p.history)
		rl->history_truncate_file(p.history, HISTORY_MAX);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGWINCH, &old_winch, NULL);

	for (size_t i = 0; i < p.cli.nsources; i++)
		free(p.sources[i]);
	free(p.sources);
	free(p.cli.sources);
	free(p.query);
	free(p.history);
	free(p.prompt);
	ws_result_free(p.last);
	rl->clear_history();
	P = NULL;
	return 0;
}
