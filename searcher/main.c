/*
 * main.c - wensou-search: one search from the command line.
 *
 * Exit status (grep's convention): 0 hits, 1 no hits, 2 error.  Results go
 * to stdout, diagnostics to stderr; with --json an error is also reported
 * on stdout as {"type":"error","message":…}.  A reader that goes away
 * (EPIPE) ends the program quietly.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "dbpath.h"
#include "engine.h"
#include "index.h"
#include "print.h"
#include "query.h"
#include "serve.h"

#ifndef WS_VERSION
#define WS_VERSION "unknown"
#endif

#define PROG "wensou-search"

static int fail(bool json, const char *msg)
{
	if (!msg)
		msg = "out of memory";
	fprintf(stderr, PROG ": %s\n", msg);
	if (json) {
		ws_print_json_error(stdout, msg, NULL);
		fflush(stdout);
	}
	return 2;
}

static bool want_color(ws_color c)
{
	if (c != WS_COLOR_AUTO)
		return c == WS_COLOR_ALWAYS;
	const char *no = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	return isatty(STDOUT_FILENO) && !(no && *no) && !(term && !strcmp(term, "dumb"));
}

static unsigned term_width(void)
{
	struct winsize w;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col >= 20)
		return w.ws_col;
	return 0;
}

static bool print_result(const ws_cli *cli, const ws_result *r)
{
	switch (cli->output) {
	case WS_OUT_JSON:
		for (size_t i = 0; i < r->nhits; i++)
			if (!ws_print_json_hit(stdout, &r->hits[i], NULL))
				return false;
		return ws_print_json_summary(stdout, r, NULL);
	case WS_OUT_VIMGREP:
		return ws_print_vimgrep(stdout, r);
	case WS_OUT_FILES:
		return ws_print_files(stdout, r);
	case WS_OUT_COUNT:
		return ws_print_count(stdout, r);
	case WS_OUT_TERM: {
		ws_term_style style = {want_color(cli->color), term_width()};
		return ws_print_term(stdout, r, &style);
	}
	}
	return false;
}

static ws_mode mode_of(ws_output o)
{
	return o == WS_OUT_COUNT ? WS_MODE_COUNT : o == WS_OUT_FILES ? WS_MODE_FILES : WS_MODE_HITS;
}

/* Resolve every --db (or the default location) into paths[]. */
static bool resolve_dbs(const ws_cli *cli, char ***paths, size_t *n, char **err)
{
	size_t count = cli->ndbs ? cli->ndbs : 1;
	char **p = calloc(count, sizeof *p);
	if (!p)
		return false;
	for (size_t i = 0; i < count; i++) {
		p[i] = ws_db_path_resolve(cli->ndbs ? cli->dbs[i] : NULL, err);
		if (!p[i]) {
			for (size_t j = 0; j < i; j++)
				free(p[j]);
			free(p);
			return false;
		}
	}
	*paths = p;
	*n = count;
	return true;
}

int main(int argc, char **argv)
{
	ws_cli cli;
	ws_index *ix = NULL;
	ws_result *res = NULL;
	ws_query *check = NULL;
	char **paths = NULL, *err = NULL;
	size_t npaths = 0;
	int rc = 2;
	bool json;

	signal(SIGPIPE, SIG_IGN);
	bool parsed = ws_cli_parse(argc, argv, &cli);
	json = cli.output == WS_OUT_JSON;
	if (!parsed) {
		rc = fail(json, cli.error);
		fprintf(stderr, "Try '" PROG " --help' for more information.\n");
		goto out;
	}
	if (cli.help) {
		ws_cli_help(stdout);
		rc = 0;
		goto out;
	}
	if (cli.version) {
		printf(PROG " " WS_VERSION "\n");
		rc = 0;
		goto out;
	}
	if (cli.serve) {
		if (!resolve_dbs(&cli, &paths, &npaths, &err)) {
			rc = fail(false, err);
			goto out;
		}
		rc = ws_serve((const char *const *)paths, npaths, cli.timeout_ms, stdin, stdout);
		goto out;
	}
	if (!cli.query) {
		/* The interactive prompt will live here. */
		if (json)
			ws_print_json_error(stdout, "no query given", NULL);
		ws_cli_usage(stderr);
		goto out;
	}
	/* Report a malformed query before looking for the index. */
	if (!ws_query_parse(cli.query, cli.query_len, &check, &err)) {
		rc = fail(json, err);
		goto out;
	}
	ws_query_free(check);

	if (!resolve_dbs(&cli, &paths, &npaths, &err) ||
	    !ws_index_open((const char *const *)paths, npaths, cli.timeout_ms, &ix, &err)) {
		rc = fail(json, err);
		goto out;
	}

	ws_request req = {
		.query = cli.query,
		.query_len = cli.query_len,
		.mode = mode_of(cli.output),
		.limit = cli.output == WS_OUT_FILES && !cli.limit_set ? 0 : cli.limit,
		.offset = cli.offset,
		.per_doc = cli.per_doc,
		.year = cli.year,
		.since = cli.since,
		.until = cli.until,
		.sources = cli.sources,
		.nsources = cli.nsources,
	};
	if (!ws_search(ix, &req, &res, &err)) {
		rc = fail(json, err);
		goto out;
	}
	if (res->relaxed && !json)
		fprintf(stderr, PROG ": no passage has every term; showing passages with the most\n");
	bool written = print_result(&cli, res) && fflush(stdout) == 0;
	if (!written && errno != EPIPE) {
		fprintf(stderr, PROG ": cannot write the results: %s\n", strerror(errno));
		goto out;
	}
	rc = (cli.output == WS_OUT_COUNT ? res->count : res->nhits) ? 0 : 1;
out:
	ws_result_free(res);
	ws_index_close(ix);
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	free(err);
	ws_cli_free(&cli);
	/* Nothing more may reach a closed pipe: leave without flushing. */
	if (ferror(stdout))
		_exit(rc);
	return rc;
}
