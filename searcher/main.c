/*
 * main.c - wensou-search: one search from the command line.
 *
 * Exit status (grep's convention): 0 hits, 1 no hits, 2 error.  Results go
 * to stdout, diagnostics to stderr; with --json an error is also reported
 * on stdout as {"type":"error","message":…}.  A reader that goes away
 * (EPIPE) ends the program quietly.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dbpath.h"
#include "engine.h"
#include "glossary.h"
#include "index.h"
#include "output.h"
#include "pager.h"
#include "present.h"
#include "prompt.h"
#include "stats.h"
#include "tally.h"
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

/* The results in cli's output format.  Terminal output is rendered
 * whole first, so that the pager is used only when it is longer than the
 * screen. */
static bool print_result(const ws_cli *cli, ws_index *ix, const ws_request *req, const ws_result *r, char **err)
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
	case WS_OUT_TERM:
		break;
	}
	ws_colors colors;
	ws_term_style style;
	char *buf = NULL;
	size_t size = 0;
	bool ok = false;
	ws_present_style(cli, STDOUT_FILENO, PROG, &colors, &style);
	FILE *mem = open_memstream(&buf, &size);
	if (mem) {
		ok = ws_present_hits(mem, ix, req, r, &style, err);
		ok = fclose(mem) == 0 && ok;
	}
	if (ok)
		ok = ws_pager_write(buf, size, style.height, !cli->no_pager);
	else if (!*err)
		*err = strdup("out of memory");
	free(buf);
	free((char *)style.cwd);
	return ok;
}

/* True if paths a and b name the same file or folder. */
static bool same_place(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];
	if (realpath(a, ra) && realpath(b, rb))
		return strcmp(ra, rb) == 0;
	return strcmp(a, b) == 0;
}

/* Resolve every --db (or the default location) into paths[], each place
 * once: an index given twice would give every hit twice. */
static bool resolve_dbs(const ws_cli *cli, char ***paths, size_t *n, char **err)
{
	size_t count = cli->ndbs ? cli->ndbs : 1, kept = 0;
	char **p = calloc(count, sizeof *p);
	if (!p)
		return false;
	for (size_t i = 0; i < count; i++) {
		char *path = ws_db_path_resolve(cli->ndbs ? cli->dbs[i] : NULL, err);
		if (!path) {
			for (size_t j = 0; j < kept; j++)
				free(p[j]);
			free(p);
			return false;
		}
		bool dup = false;
		for (size_t j = 0; j < kept && !dup; j++)
			dup = same_place(p[j], path);
		if (dup)
			free(path);
		else
			p[kept++] = path;
	}
	*paths = p;
	*n = kept;
	return true;
}

/* Write text through the pager when it is long, and say if that failed. */
static int page_out(const ws_cli *cli, char *buf, size_t size, unsigned rows)
{
	bool ok = ws_pager_write(buf, size, rows, !cli->no_pager);
	free(buf);
	if (!ok && errno != EPIPE) {
		fprintf(stderr, PROG ": cannot write the results: %s\n", strerror(errno));
		return 2;
	}
	return 0;
}

/* --by-year and --by-source: 0 if something matched, 1 if not. */
static int tally(const ws_cli *cli, ws_index *ix, const ws_request *req)
{
	bool json = cli->output == WS_OUT_JSON;
	ws_tally_key keys[2];
	size_t nkeys = 0;
	if (cli->by_year)
		keys[nkeys++] = WS_TALLY_YEAR;
	if (cli->by_source)
		keys[nkeys++] = WS_TALLY_SOURCE;
	ws_colors colors;
	ws_term_style style;
	ws_present_style(cli, STDOUT_FILENO, PROG, &colors, &style);
	char *buf = NULL, *err = NULL, *what = ws_present_what(req);
	size_t size = 0;
	FILE *mem = what ? open_memstream(&buf, &size) : NULL;
	bool ok = mem != NULL, any = false;
	for (size_t k = 0; ok && k < nkeys; k++) {
		ws_tally t;
		if (!ws_tally_by(ix, req, keys[k], &t, &err)) {
			ok = false;
			break;
		}
		any |= t.passages > 0;
		if (k && !json)
			fputc('\n', mem);
		ok = json ? ws_print_json_tally(mem, &t) : ws_print_term_tally(mem, &t, what, &style);
		ws_tally_free(&t);
	}
	if (mem && fclose(mem) != 0)
		ok = false;
	free(what);
	free((char *)style.cwd);
	if (!ok) {
		free(buf);
		return fail(json, err);
	}
	int rc = page_out(cli, buf, size, style.height);
	return rc ? rc : any ? 0 : 1;
}

/* --stats. */
static int stats(const ws_cli *cli)
{
	bool json = cli->output == WS_OUT_JSON;
	char **paths = NULL, *err = NULL, *buf = NULL;
	size_t npaths = 0, size = 0;
	ws_index *ix = NULL;
	ws_stats st;
	int rc = 2;
	if (!resolve_dbs(cli, &paths, &npaths, &err) ||
	    !ws_index_open((const char *const *)paths, npaths, cli->timeout_ms, &ix, &err) ||
	    !ws_stats_gather(ix, (const char *const *)paths, npaths, &st, &err)) {
		rc = fail(json, err);
		goto out;
	}
	ws_colors colors;
	ws_term_style style;
	ws_present_style(cli, STDOUT_FILENO, PROG, &colors, &style);
	FILE *mem = open_memstream(&buf, &size);
	bool ok = mem && (json ? ws_print_json_stats(mem, &st) : ws_print_term_stats(mem, &st, &style));
	if (mem && fclose(mem) != 0)
		ok = false;
	free((char *)style.cwd);
	ws_stats_free(&st);
	if (!ok) {
		free(buf);
		rc = fail(json, NULL);
		goto out;
	}
	rc = page_out(cli, buf, size, style.height);
out:
	ws_index_close(ix);
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	free(err);
	return rc;
}

int main(int argc, char **argv)
{
	ws_cli cli = {0};
	ws_config config = {0};
	ws_index *ix = NULL;
	ws_glossary *glossary = NULL;
	ws_result *res = NULL;
	ws_query *check = NULL;
	char **paths = NULL, *err = NULL;
	size_t npaths = 0;
	int rc = 2;
	bool json;

	signal(SIGPIPE, SIG_IGN);
	if (!ws_cli_wants_no_config(argc, argv) && !ws_config_read(&config, &err)) {
		rc = fail(false, err);
		goto out;
	}
	bool parsed = ws_cli_parse(argc, argv, &config, &cli);
	/* --serve writes only answers to requests on stdout (doc/serve.md):
	 * an option refused with it is said on stderr alone */
	json = cli.output == WS_OUT_JSON && !cli.serve;
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
	if (cli.completions) {
		rc = ws_cli_completion(cli.completions, stdout) && fflush(stdout) == 0 ? 0 : 2;
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
	if (cli.stats) {
		rc = stats(&cli);
		goto out;
	}
	if (!cli.query && cli.output == WS_OUT_TERM && !cli.by_year && !cli.by_source && isatty(STDIN_FILENO) &&
	    isatty(STDOUT_FILENO)) {
		if (!resolve_dbs(&cli, &paths, &npaths, &err) ||
		    !ws_index_open((const char *const *)paths, npaths, cli.timeout_ms, &ix, &err) ||
		    (!cli.no_synonyms &&
		     !ws_glossary_open((const char *const *)paths, npaths, ix->analyzer, &glossary, &err))) {
			rc = fail(false, err);
			goto out;
		}
		rc = ws_prompt_run(&cli, ix, glossary);
		goto out;
	}
	if (!cli.query) {
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
	    !ws_index_open((const char *const *)paths, npaths, cli.timeout_ms, &ix, &err) ||
	    (!cli.no_synonyms &&
	     !ws_glossary_open((const char *const *)paths, npaths, ix->analyzer, &glossary, &err))) {
		rc = fail(json, err);
		goto out;
	}

	ws_request req = ws_request_of(&cli);
	req.glossary = glossary;
	if (cli.by_year || cli.by_source) {
		rc = tally(&cli, ix, &req);
		goto out;
	}
	if (!ws_search(ix, &req, &res, &err)) {
		rc = fail(json, err);
		goto out;
	}
	if (res->matched == WS_MATCHED_SOME && !json)
		fprintf(stderr, PROG ": no passage has every term; showing passages with the most\n");
	else if (res->matched == WS_MATCHED_WORDS && !json)
		fprintf(stderr, PROG ": nothing matches as written; read as a question: passages with the most of its words\n");
	bool written = print_result(&cli, ix, &req, res, &err) && fflush(stdout) == 0;
	if (!written && err) {
		rc = fail(json, err);
		goto out;
	}
	if (!written && errno != EPIPE) {
		fprintf(stderr, PROG ": cannot write the results: %s\n", strerror(errno));
		goto out;
	}
	rc = (cli.output == WS_OUT_COUNT ? res->count : res->nhits) ? 0 : 1;
out:
	ws_result_free(res);
	ws_glossary_free(glossary);
	ws_index_close(ix);
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	free(err);
	ws_cli_free(&cli);
	ws_config_free(&config);
	/* what --help, --version or --completions wrote is lost if stdout
	 * cannot take it: exit 2, not 0 */
	if (rc != 2 && !ws_stdout_flushed(PROG))
		rc = 2;
	/* Nothing more may reach a closed pipe: leave without flushing. */
	if (ferror(stdout))
		_exit(rc);
	return rc;
}
