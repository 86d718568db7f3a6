/* cli.c - option parsing and checking for wensou-search.  The options are
 * defined once, in the table below, which drives getopt_long and --help. */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "text.h"

enum {
	OPT_OFFSET = 256,
	OPT_YEAR,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_SOURCE,
	OPT_PER_DOC,
	OPT_JSON,
	OPT_VIMGREP,
	OPT_FILES,
	OPT_COUNT,
	OPT_COLOR,
	OPT_VERSION,
	OPT_DB,
	OPT_SERVE,
	OPT_TIMEOUT,
};

typedef struct opt_def {
	const char *name;
	char short_name; /* 0 if none */
	int val;
	const char *arg; /* NULL: no argument */
	const char *help;
} opt_def;

static const opt_def defs[] = {
	{"db", 0, OPT_DB, "DIR",
	 "the index to search; repeat to search several as one (default: $WENSOU_DB, else "
	 "$XDG_DATA_HOME/wensou/index)"},
	{"limit", 'n', 'n', "N", "show at most N passages (default 10)"},
	{"offset", 0, OPT_OFFSET, "K", "skip the first K passages"},
	{"year", 0, OPT_YEAR, "Y", "only documents of year Y"},
	{"since", 0, OPT_SINCE, "Y", "only documents of year Y or later"},
	{"until", 0, OPT_UNTIL, "Y", "only documents of year Y or earlier"},
	{"source", 0, OPT_SOURCE, "S", "only documents whose publisher contains S (repeatable, OR'ed)"},
	{"per-doc", 0, OPT_PER_DOC, "N", "at most N passages from each document"},
	{"json", 0, OPT_JSON, NULL, "write JSON Lines (hits, then a summary)"},
	{"vimgrep", 0, OPT_VIMGREP, NULL, "write path:line:column:snippet lines"},
	{"files", 0, OPT_FILES, NULL, "list the matching files, best first"},
	{"count", 0, OPT_COUNT, NULL, "print the number of matching passages"},
	{"color", 0, OPT_COLOR, "WHEN", "colour: auto, always or never (auto honours NO_COLOR)"},
	{"serve", 0, OPT_SERVE, NULL, "answer JSON requests, one per line on stdin, until its end (doc/serve.md)"},
	{"timeout", 0, OPT_TIMEOUT, "SECONDS",
	 "how long a remote shard (xapian-tcpsrv, xapian-progsrv) may take to connect and to answer "
	 "each request before the search fails naming it (default 10)"},
	{"help", 'h', 'h', NULL, "show this help"},
	{"version", 0, OPT_VERSION, NULL, "show the version"},
};
#define NDEFS (sizeof defs / sizeof defs[0])

/* Options that take a separate value, for the pre-scan below. */
static bool takes_value(const char *arg)
{
	if (!strcmp(arg, "-n"))
		return true;
	if (strncmp(arg, "--", 2) || strchr(arg, '='))
		return false;
	for (size_t i = 0; i < NDEFS; i++)
		if (defs[i].arg && !strcmp(arg + 2, defs[i].name))
			return true;
	return false;
}

/* A query word that starts with "-" (an exclusion such as -数字 or a
 * quoted "-…") rather than an option. */
static bool is_dash_word(const char *arg)
{
	return arg[0] == '-' && ((unsigned char)arg[1] >= 0x80 || arg[1] == '"');
}

static void cli_error(ws_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void cli_error(ws_cli *cli, const char *fmt, ...)
{
	if (cli->error)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&cli->error, fmt, ap) < 0)
		cli->error = NULL;
	va_end(ap);
	if (!cli->error)
		cli->error = strdup("out of memory");
}

static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	unsigned long v = 0;
	if (!*s || strlen(s) > 10)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < lo || v > hi)
		return false;
	*out = (unsigned)v;
	return true;
}

static void set_uint(ws_cli *cli, const char *opt, const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	if (!parse_uint(s, lo, hi, out))
		cli_error(cli, "%s expects a whole number from %u to %u, not \"%s\"", opt, lo, hi, s);
}

static void set_year(ws_cli *cli, const char *opt, const char *s, int *out)
{
	unsigned v;
	if (*out)
		cli_error(cli, "%s is given twice", opt);
	else if (strlen(s) != 4 || !parse_uint(s, 1000, 9999, &v))
		cli_error(cli, "%s expects a four-digit year such as 2023, not \"%s\"", opt, s);
	else
		*out = (int)v;
}

/* --timeout: seconds, with a fraction if wanted (0.5), into milliseconds. */
static void set_timeout(ws_cli *cli, const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (!*s || *end || !(v >= 0.001 && v <= WS_MAX_TIMEOUT_S))
		cli_error(cli, "--timeout expects seconds from 0.001 to %d, such as 5 or 0.5, not \"%s\"", WS_MAX_TIMEOUT_S,
		          s);
	else
		cli->timeout_ms = (unsigned)(v * 1000 + 0.5);
}

static void set_output(ws_cli *cli, ws_output o, const char *name)
{
	static const char *const names[] = {"", "--json", "--vimgrep", "--files", "--count"};
	if (cli->output != WS_OUT_TERM && cli->output != o)
		cli_error(cli, "%s and %s cannot be used together", names[cli->output], name);
	else
		cli->output = o;
}

static bool push(const char ***v, size_t *n, const char *s)
{
	const char **p = realloc(*v, (*n + 1) * sizeof *p);
	if (!p)
		return false;
	p[(*n)++] = s;
	*v = p;
	return true;
}

static void check_combinations(ws_cli *cli)
{
	if (cli->year && (cli->since || cli->until))
		cli_error(cli, "--year cannot be combined with --since or --until (for a range, give --since and --until)");
	if (cli->since && cli->until && cli->since > cli->until)
		cli_error(cli, "--since %d is after --until %d", cli->since, cli->until);
	if (cli->output == WS_OUT_COUNT && (cli->limit_set || cli->offset))
		cli_error(cli, "--count counts every matching passage: --limit and --offset do not apply");
	if (cli->output == WS_OUT_FILES && cli->per_doc)
		cli_error(cli, "--files lists each file once: --per-doc does not apply");
}

static bool add_word(strbuf *q, const char *w)
{
	return (!q->len || strbuf_appendc(q, ' ')) && strbuf_appends(q, w);
}

bool ws_cli_parse(int argc, char **argv, ws_cli *cli)
{
	struct option longopts[NDEFS + 1];
	char shortopts[3 * NDEFS + 2];
	size_t ns = 0;
	strbuf q = STRBUF_INIT;
	char **args = NULL;
	bool ok_mem = true;

	memset(cli, 0, sizeof *cli);
	cli->limit = WS_DEFAULT_LIMIT;

	/* "-" first: non-options come back in order as option 1, so the
	 * query keeps its word order wherever options appear. */
	shortopts[ns++] = '-';
	shortopts[ns++] = ':';
	for (size_t i = 0; i < NDEFS; i++) {
		longopts[i] = (struct option){defs[i].name, defs[i].arg ? required_argument : no_argument, NULL,
		                              defs[i].val};
		if (defs[i].short_name) {
			shortopts[ns++] = defs[i].short_name;
			if (defs[i].arg)
				shortopts[ns++] = ':';
		}
	}
	shortopts[ns] = '\0';
	memset(&longopts[NDEFS], 0, sizeof longopts[NDEFS]);

	/* Words like -数字 are exclusions, not options: hide their dash from
	 * getopt behind a marker byte. */
	args = calloc((size_t)argc + 1, sizeof *args);
	if (!args) {
		cli_error(cli, "out of memory");
		return false;
	}
	for (int i = 0; i < argc; i++) {
		args[i] = argv[i];
		if (i == 0)
			continue;
		if (!strcmp(argv[i], "--"))
			break;
		if (takes_value(argv[i])) {
			if (i + 1 < argc)
				args[i + 1] = argv[i + 1];
			i++;
		} else if (is_dash_word(argv[i])) {
			size_t n = strlen(argv[i]);
			char *m = malloc(n + 2);
			if (!m) {
				ok_mem = false;
				break;
			}
			m[0] = '\x1f';
			memcpy(m + 1, argv[i], n + 1);
			args[i] = m;
		}
	}
	for (int i = 1; i < argc; i++)
		if (!args[i])
			args[i] = argv[i];

	opterr = 0;
	optind = 1;
	int c;
	while (ok_mem && (c = getopt_long(argc, args, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 1:
			ok_mem = add_word(&q, optarg[0] == '\x1f' ? optarg + 1 : optarg);
			break;
		case OPT_DB:
			if (!*optarg)
				cli_error(cli, "--db needs a directory");
			ok_mem = push(&cli->dbs, &cli->ndbs, optarg);
			break;
		case 'n':
			set_uint(cli, "-n/--limit", optarg, 1, WS_MAX_LIMIT, &cli->limit);
			cli->limit_set = true;
			break;
		case OPT_OFFSET:
			set_uint(cli, "--offset", optarg, 0, WS_MAX_OFFSET, &cli->offset);
			break;
		case OPT_PER_DOC:
			set_uint(cli, "--per-doc", optarg, 1, WS_MAX_LIMIT, &cli->per_doc);
			break;
		case OPT_YEAR:
			set_year(cli, "--year", optarg, &cli->year);
			break;
		case OPT_SINCE:
			set_year(cli, "--since", optarg, &cli->since);
			break;
		case OPT_UNTIL:
			set_year(cli, "--until", optarg, &cli->until);
			break;
		case OPT_SOURCE:
			if (!ws_utf8_valid(optarg, strlen(optarg), NULL))
				cli_error(cli, "--source is not valid UTF-8");
			else if (!*optarg || strspn(optarg, " \t") == strlen(optarg))
				cli_error(cli, "--source needs a publisher name (or part of one)");
			ok_mem = push(&cli->sources, &cli->nsources, optarg);
			break;
		case OPT_JSON:
			set_output(cli, WS_OUT_JSON, "--json");
			break;
		case OPT_VIMGREP:
			set_output(cli, WS_OUT_VIMGREP, "--vimgrep");
			break;
		case OPT_FILES:
			set_output(cli, WS_OUT_FILES, "--files");
			break;
		case OPT_COUNT:
			set_output(cli, WS_OUT_COUNT, "--count");
			break;
		case OPT_COLOR:
			if (!strcmp(optarg, "auto"))
				cli->color = WS_COLOR_AUTO;
			else if (!strcmp(optarg, "always"))
				cli->color = WS_COLOR_ALWAYS;
			else if (!strcmp(optarg, "never"))
				cli->color = WS_COLOR_NEVER;
			else
				cli_error(cli, "--color expects auto, always or never, not \"%s\"", optarg);
			break;
		case 'h':
			cli->help = true;
			break;
		case OPT_VERSION:
			cli->version = true;
			break;
		case OPT_SERVE:
			cli->serve = true;
			break;
		case OPT_TIMEOUT:
			set_timeout(cli, optarg);
			break;
		case ':':
			cli_error(cli, "%s needs a value", args[optind - 1]);
			break;
		default: {
			if (optopt > 0 && optopt < 0x80 && optopt != '?')
				cli_error(cli, "unknown option -%c (to exclude a word, write the query after --, as in: wensou-search -- 数字 -word)",
				          optopt);
			else
				cli_error(cli, "unknown option %s", args[optind - 1]);
			break;
		}
		}
	}
	/* Words after "--". */
	for (int i = optind; ok_mem && i < argc; i++)
		ok_mem = add_word(&q, args[i][0] == '\x1f' ? args[i] + 1 : args[i]);

	for (int i = 1; i < argc; i++)
		if (args[i] != argv[i] && args[i][0] == '\x1f')
			free(args[i]);
	free(args);

	if (!ok_mem) {
		strbuf_free(&q);
		cli_error(cli, "out of memory");
		return false;
	}
	if (q.data) {
		cli->query_len = q.len;
		cli->query = strbuf_detach(&q);
	}
	check_combinations(cli);
	if (cli->serve && cli->query)
		cli_error(cli, "--serve reads its queries from standard input, one JSON request per line: give no query");
	if (cli->serve && (cli->output != WS_OUT_TERM || cli->limit_set || cli->offset || cli->per_doc || cli->year ||
	                   cli->since || cli->until || cli->nsources))
		cli_error(cli, "--serve takes only --db and --timeout: output, limits and filters come with each request");
	return cli->error == NULL;
}

void ws_cli_free(ws_cli *cli)
{
	free(cli->dbs);
	free(cli->sources);
	free(cli->query);
	free(cli->error);
	memset(cli, 0, sizeof *cli);
}

void ws_cli_usage(FILE *out)
{
	fputs("usage: wensou-search [--db DIR] [-n N] [--offset K] [--year Y] [--since Y] [--until Y]\n"
	      "                     [--source S] [--per-doc N] [--json|--vimgrep|--files|--count]\n"
	      "                     [--color=auto|always|never] [--] QUERY...\n",
	      out);
}

void ws_cli_help(FILE *out)
{
	ws_cli_usage(out);
	fputs("\nSearch a wensou index of policy documents; print the best passages.\n\n"
	      "Query: words (all must match), \"exact phrase\", -exclude, a OR b,\n"
	      "       year:2023, year:2022..2024, source:联合国, title:白皮书\n\n"
	      "Options:\n",
	      out);
	for (size_t i = 0; i < NDEFS; i++) {
		char left[64];
		int n;
		if (defs[i].short_name)
			n = snprintf(left, sizeof left, "-%c, --%s%s%s", defs[i].short_name, defs[i].name,
			             defs[i].arg ? " " : "", defs[i].arg ? defs[i].arg : "");
		else
			n = snprintf(left, sizeof left, "    --%s%s%s", defs[i].name, defs[i].arg ? "=" : "",
			             defs[i].arg ? defs[i].arg : "");
		fprintf(out, "  %-22s%s", left, n > 22 ? "\n                        " : "");
		/* The help text, wrapped at 78 columns. */
		const char *h = defs[i].help;
		while (*h) {
			size_t take = strlen(h);
			if (take > 54) {
				take = 54;
				while (take > 0 && h[take] != ' ')
					take--;
				if (!take)
					take = strlen(h);
			}
			fprintf(out, "%.*s\n", (int)take, h);
			h += take;
			while (*h == ' ')
				h++;
			if (*h)
				fputs("                        ", out);
		}
	}
	fputs("\nExit status: 0 if something was found, 1 if nothing, 2 on an error.\n", out);
}
