/* cli.c - option parsing and checking for wensou-search.  The options are
 * defined once, in the table below, which drives getopt_long and --help. */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "opttab.h"
#include "strbuf.h"
#include "text.h"

#define PROG "wensou-search"

enum {
	OPT_OFFSET = 256,
	OPT_YEAR,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_SOURCE,
	OPT_PER_DOC,
	OPT_GROUP,
	OPT_JSON,
	OPT_VIMGREP,
	OPT_FILES,
	OPT_COUNT,
	OPT_BY_YEAR,
	OPT_BY_SOURCE,
	OPT_STATS,
	OPT_COLOR,
	OPT_HYPERLINK,
	OPT_NO_PAGER,
	OPT_NO_CONFIG,
	OPT_SERVE,
	OPT_COMPLETIONS,
	OPT_ALL_KINDS,
	OPT_NO_SYNONYMS,
	OPT_DB,
	OPT_TIMEOUT,
};

#define WHEN "auto always never"

static const ws_optdef defs[] = {
	{"db", 0, OPT_DB, WS_OPTVAL_DIR, "DIR", NULL, "the index, repeatable (default: $WENSOU_DB)"},
	{"limit", 'n', 'n', WS_OPTVAL_ANY, "N", NULL, "show at most N passages (default 10)"},
	{"offset", 0, OPT_OFFSET, WS_OPTVAL_ANY, "K", NULL, "skip the first K passages"},
	{"year", 0, OPT_YEAR, WS_OPTVAL_ANY, "Y", NULL, "only documents of year Y"},
	{"since", 0, OPT_SINCE, WS_OPTVAL_ANY, "Y", NULL, "only documents of year Y or later"},
	{"until", 0, OPT_UNTIL, WS_OPTVAL_ANY, "Y", NULL, "only documents of year Y or earlier"},
	{"source", 0, OPT_SOURCE, WS_OPTVAL_ANY, "S", NULL, "only publishers containing S (repeatable, OR'ed)"},
	{"per-doc", 0, OPT_PER_DOC, WS_OPTVAL_ANY, "N", NULL, "at most N passages from each document"},
	{"all-kinds", 0, OPT_ALL_KINDS, WS_OPTVAL_NONE, NULL, NULL, "also contents, notes, source lines and captions"},
	{"no-synonyms", 0, OPT_NO_SYNONYMS, WS_OPTVAL_NONE, NULL, NULL, "the words as written, not their glossary forms"},
	{"group", 0, OPT_GROUP, WS_OPTVAL_CHOICE, "HOW", "rank doc", "rank (best first) or doc (under each document)"},
	{"json", 0, OPT_JSON, WS_OPTVAL_NONE, NULL, NULL, "write JSON Lines (hits, then a summary)"},
	{"vimgrep", 0, OPT_VIMGREP, WS_OPTVAL_NONE, NULL, NULL, "write path:line:column:snippet lines"},
	{"files", 0, OPT_FILES, WS_OPTVAL_NONE, NULL, NULL, "list the matching files, best first"},
	{"count", 0, OPT_COUNT, WS_OPTVAL_NONE, NULL, NULL, "print the number of matching passages"},
	{"by-year", 0, OPT_BY_YEAR, WS_OPTVAL_NONE, NULL, NULL, "count matching passages and documents per year"},
	{"by-source", 0, OPT_BY_SOURCE, WS_OPTVAL_NONE, NULL, NULL, "the same per source (publisher)"},
	{"stats", 0, OPT_STATS, WS_OPTVAL_NONE, NULL, NULL, "describe the index: documents, years, sources"},
	{"color", 0, OPT_COLOR, WS_OPTVAL_CHOICE, "WHEN", WHEN, "colour: auto, always, never ($WENSOU_COLORS)"},
	{"hyperlink", 0, OPT_HYPERLINK, WS_OPTVAL_CHOICE, "WHEN", WHEN, "link locations to their files (OSC 8)"},
	{"no-pager", 0, OPT_NO_PAGER, WS_OPTVAL_NONE, NULL, NULL, "never page long output through $PAGER"},
	{"no-config", 0, OPT_NO_CONFIG, WS_OPTVAL_NONE, NULL, NULL, "ignore the config file of default options"},
	{"serve", 0, OPT_SERVE, WS_OPTVAL_NONE, NULL, NULL, "answer JSON requests on stdin (doc/serve.md)"},
	{"timeout", 0, OPT_TIMEOUT, WS_OPTVAL_ANY, "SECONDS", NULL, "wait for a remote shard at most this long (10)"},
	{"completions", 0, OPT_COMPLETIONS, WS_OPTVAL_CHOICE, "SHELL", "bash zsh", "print the bash or zsh completion script"},
	{"help", 'h', 'h', WS_OPTVAL_NONE, NULL, NULL, "show this help"},
	{"version", 'V', 'V', WS_OPTVAL_NONE, NULL, NULL, "show the version"},
};
#define NDEFS (sizeof defs / sizeof defs[0])

static const ws_opttab table = {PROG, defs, NDEFS, WS_OPTVAL_NONE};

/* The options a config file may hold: where to search and how to show
 * it, never what to search or which output to write. */
static bool config_ok(int val)
{
	return val == OPT_DB || val == 'n' || val == OPT_PER_DOC || val == OPT_GROUP || val == OPT_COLOR ||
	       val == OPT_HYPERLINK || val == OPT_NO_PAGER;
}

/* Options that take a separate value, for the pre-scan below. */
static bool takes_value(const char *arg)
{
	if (arg[0] != '-')
		return false;
	if (arg[1] != '-') {
		const ws_optdef *d = arg[1] ? ws_opttab_find(&table, NULL, arg[1]) : NULL;
		return d && d->value != WS_OPTVAL_NONE && !arg[2];
	}
	if (strchr(arg, '='))
		return false;
	const ws_optdef *d = ws_opttab_find(&table, arg + 2, 0);
	return d && d->value != WS_OPTVAL_NONE;
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

/* "OPT expects WHAT, not "VALUE"", the value as ws_shown quotes it: one
 * of 100 KB does not make a message of 100 KB. */
static void expects(ws_cli *cli, const char *opt, const char *what, const char *value)
{
	char *shown = ws_shown(value, strlen(value), WS_SHOWN_CHARS);
	cli_error(cli, "%s expects %s, not \"%s\"", opt, what, shown ? shown : "");
	free(shown);
}

/* " (did you mean --json?)" for a mistyped option, or "". */
static void suggestion(const char *arg, char *buf, size_t size)
{
	const ws_optdef *d = ws_opttab_suggest(&table, arg);
	/* "-json": a long option written with one dash */
	if (!d && arg[0] == '-' && arg[1] != '-' && arg[1] && arg[2]) {
		char two[64];
		snprintf(two, sizeof two, "-%s", arg);
		d = ws_opttab_suggest(&table, two);
	}
	if (!d)
		*buf = '\0';
	else if (d->short_name)
		snprintf(buf, size, " (did you mean -%c, --%s?)", d->short_name, d->name);
	else
		snprintf(buf, size, " (did you mean --%s?)", d->name);
}

/* An unknown option arg: say what it might have meant. */
static void unknown_option(ws_cli *cli, const char *arg)
{
	char hint[96];
	suggestion(arg, hint, sizeof hint);
	char *name = ws_shown(arg, strcspn(arg, "="), WS_SHOWN_CHARS), *word = ws_shown(arg, strlen(arg), WS_SHOWN_CHARS);
	if (!name || !word)
		cli_error(cli, "out of memory");
	else if (*hint || arg[1] == '-' || !arg[1] || !arg[2])
		cli_error(cli, "unknown option %s%s", name, hint);
	else
		cli_error(cli, "unknown option %s (to exclude a word, write the query after --, as in: "
		          PROG " -- 数字 %s)", word, word);
	free(name);
	free(word);
}

/* A long option abbreviated to a prefix of several: name them. */
static void ambiguous_option(ws_cli *cli, const char *arg)
{
	strbuf sb = STRBUF_INIT;
	size_t n = strcspn(arg + 2, "=");
	for (size_t i = 0; i < NDEFS; i++)
		if (!strncmp(defs[i].name, arg + 2, n))
			strbuf_appendf(&sb, "%s--%s", sb.len ? ", " : "", defs[i].name);
	cli_error(cli, "option %.*s is ambiguous: %s", (int)n + 2, arg, sb.len ? sb.data : "?");
	strbuf_free(&sb);
}

/* A short-option word ("-n5", "-hV", "-word"): are all its letters
 * options, up to one that takes the rest as its value? */
static bool short_cluster_ok(const char *arg)
{
	for (const char *p = arg + 1; *p; p++) {
		const ws_optdef *d = ws_opttab_find(&table, NULL, *p);
		if (!d)
			return false;
		if (d->value != WS_OPTVAL_NONE)
			return true;
	}
	return true;
}

static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	unsigned long long v;
	if (!ws_parse_decimal(s, 10, &v) || v < lo || v > hi)
		return false;
	*out = (unsigned)v;
	return true;
}

static void set_uint(ws_cli *cli, const char *opt, const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	if (!parse_uint(s, lo, hi, out)) {
		char what[64];
		snprintf(what, sizeof what, "a whole number from %u to %u", lo, hi);
		expects(cli, opt, what, s);
	}
}

static void set_year(ws_cli *cli, const char *opt, const char *s, int *out)
{
	unsigned long long v;
	if (*out)
		cli_error(cli, "%s is given twice", opt);
	else if (!ws_parse_decimal(s, 4, &v) || v < 1000)
		expects(cli, opt, "a four-digit year such as 2023", s);
	else
		*out = (int)v;
}

/* --timeout: seconds, with a fraction if wanted (0.5), into milliseconds. */
static void set_timeout(ws_cli *cli, const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (!*s || *end || !(v >= 0.001 && v <= WS_MAX_TIMEOUT_S)) {
		char what[64];
		snprintf(what, sizeof what, "seconds from 0.001 to %d, such as 5 or 0.5", WS_MAX_TIMEOUT_S);
		expects(cli, "--timeout", what, s);
	} else {
		cli->timeout_ms = (unsigned)(v * 1000 + 0.5);
	}
}

static void set_output(ws_cli *cli, ws_output o, const char *name)
{
	static const char *const names[] = {"", "--json", "--vimgrep", "--files", "--count"};
	if (cli->output != WS_OUT_TERM && cli->output != o)
		cli_error(cli, "%s and %s cannot be used together", names[cli->output], name);
	else
		cli->output = o;
}

static void set_when(ws_cli *cli, const char *opt, const char *s, ws_color *out)
{
	if (!strcmp(s, "auto"))
		*out = WS_COLOR_AUTO;
	else if (!strcmp(s, "always"))
		*out = WS_COLOR_ALWAYS;
	else if (!strcmp(s, "never"))
		*out = WS_COLOR_NEVER;
	else
		expects(cli, opt, "auto, always or never", s);
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
	bool limit = cli->limit_set && !cli->limit_default;
	bool per_doc = cli->per_doc && !cli->per_doc_default;
	bool tally = cli->by_year || cli->by_source;
	if (cli->year && (cli->since || cli->until))
		cli_error(cli, "--year cannot be combined with --since or --until (for a range, give --since and --until)");
	if (cli->since && cli->until && cli->since > cli->until)
		cli_error(cli, "--since %d is after --until %d", cli->since, cli->until);
	if (cli->output == WS_OUT_COUNT && (limit || cli->offset))
		cli_error(cli, "--count counts every matching passage: --limit and --offset do not apply");
	if (cli->output == WS_OUT_FILES && per_doc)
		cli_error(cli, "--files lists each file once: --per-doc does not apply");
	if (tally && cli->output != WS_OUT_TERM && cli->output != WS_OUT_JSON)
		cli_error(cli, "--by-year and --by-source write a table or, with --json, JSON Lines: not --vimgrep, --files or --count");
	if (tally && (limit || cli->offset || per_doc))
		cli_error(cli, "--by-year and --by-source count every matching passage: --limit, --offset and --per-doc do not apply");
	if (cli->group == WS_GROUP_DOC && !cli->group_default && (cli->output != WS_OUT_TERM || tally))
		cli_error(cli, "--group=doc arranges the hits on a terminal: it does not go with --json, --vimgrep, --files, --count, --by-year or --by-source");
	if (cli->stats && (cli->query || tally || (cli->output != WS_OUT_TERM && cli->output != WS_OUT_JSON) || limit ||
	                   cli->offset || per_doc || cli->year || cli->since || cli->until || cli->nsources))
		cli_error(cli, "--stats describes the whole index: give no query, no filter and no other output than --json");
	if (cli->serve && cli->query)
		cli_error(cli, "--serve reads its queries from standard input, one JSON request per line: give no query");
	if (cli->serve && (cli->output != WS_OUT_TERM || limit || cli->offset || per_doc || cli->year || cli->since ||
	                   cli->until || cli->nsources || tally || cli->stats))
		cli_error(cli, "--serve takes only --db and --timeout: output, limits and filters come with each request");
}

static bool add_word(strbuf *q, const char *w)
{
	return (!q->len || strbuf_appendc(q, ' ')) && strbuf_appends(q, w);
}

bool ws_cli_wants_no_config(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--no-config"))
			return true;
		if (takes_value(argv[i]))
			i++;
	}
	return false;
}

/* Check the config file's arguments: options that may be defaults, each
 * with its value in the file. */
static void check_defaults(ws_cli *cli, const ws_config *cfg)
{
	for (size_t i = 0; i < cfg->n; i++) {
		const char *a = cfg->args[i];
		const ws_optdef *d = NULL;
		if (a[0] == '-' && a[1] == '-')
			d = ws_opttab_find(&table, a + 2, 0);
		else if (a[0] == '-' && a[1])
			d = ws_opttab_find(&table, NULL, a[1]);
		if (!d || a[0] != '-') {
			char hint[96] = "";
			if (a[0] == '-')
				suggestion(a, hint, sizeof hint);
			char *shown = ws_shown(a, strlen(a), WS_SHOWN_CHARS);
			cli_error(cli, "the config file %s, line %u: \"%s\" is not an option%s (the file holds default options, one per line)",
			          cfg->path, cfg->lines[i], shown ? shown : "", hint);
			free(shown);
		} else if (!config_ok(d->val)) {
			cli_error(cli, "the config file %s, line %u: --%s cannot be a default (only --db, --limit, --per-doc, --group, --color, --hyperlink and --no-pager can)",
			          cfg->path, cfg->lines[i], d->name);
		} else if (takes_value(a)) {
			if (i + 1 == cfg->n)
				cli_error(cli, "the config file %s, line %u: %s needs a value (write %s=VALUE, or the value on the next line)",
				          cfg->path, cfg->lines[i], a, a);
			i++;
		}
	}
}

bool ws_cli_parse(int argc, char **argv, const ws_config *defaults, ws_cli *cli)
{
	struct option longopts[NDEFS + 1];
	char shortopts[3 * NDEFS + 3];
	strbuf q = STRBUF_INIT;
	char **args = NULL;
	bool ok_mem = true;
	int ndef = defaults ? (int)defaults->n : 0;
	int nargs = argc + ndef;

	memset(cli, 0, sizeof *cli);
	cli->limit = WS_DEFAULT_LIMIT;
	if (defaults)
		check_defaults(cli, defaults);
	if (cli->error)
		return false;

	/* "-" first: non-options come back in order as option 1, so the
	 * query keeps its word order wherever options appear. */
	ws_opttab_getopt(&table, "-:", longopts, shortopts);

	/* argv[0], the defaults, then the command line.  Words like -数字
	 * are exclusions, not options: hide their dash from getopt behind a
	 * marker byte. */
	args = calloc((size_t)nargs + 1, sizeof *args);
	if (!args) {
		cli_error(cli, "out of memory");
		return false;
	}
	args[0] = argv[0];
	for (int i = 0; i < ndef; i++)
		args[1 + i] = defaults->args[i];
	for (int i = 1; i < argc; i++)
		args[ndef + i] = argv[i];
	char **orig = calloc((size_t)nargs + 1, sizeof *orig);
	if (!orig) {
		free(args);
		cli_error(cli, "out of memory");
		return false;
	}
	memcpy(orig, args, (size_t)nargs * sizeof *args);
	for (int i = ndef + 1; i < nargs; i++) {
		const char *a = args[i];
		if (!strcmp(a, "--"))
			break;
		if (takes_value(a)) {
			i++;
		} else if (is_dash_word(a)) {
			size_t n = strlen(a);
			char *m = malloc(n + 2);
			if (!m) {
				ok_mem = false;
				break;
			}
			m[0] = '\x1f';
			memcpy(m + 1, a, n + 1);
			args[i] = m;
		} else if (a[0] == '-' && a[1] && a[1] != '-' && !short_cluster_ok(a)) {
			unknown_option(cli, a);
		}
	}

	opterr = 0;
	optind = 1;
	int c;
	while (ok_mem && (c = getopt_long(nargs, args, shortopts, longopts, NULL)) != -1) {
		/* the option's last argument is still the config file's */
		bool dflt = optind - 1 <= ndef;
		if (!dflt && c != 1) {
			/* the command line replaces the config file's value */
			if (c == OPT_DB && cli->dbs_default) {
				cli->ndbs = 0;
				cli->dbs_default = false;
			}
			if (c == 'n')
				cli->limit_default = false;
			if (c == OPT_PER_DOC)
				cli->per_doc_default = false, cli->per_doc = 0;
			if (c == OPT_GROUP)
				cli->group_default = false;
		}
		switch (c) {
		case 1:
			ok_mem = add_word(&q, optarg[0] == '\x1f' ? optarg + 1 : optarg);
			break;
		case OPT_DB:
			if (!*optarg)
				cli_error(cli, "--db needs a directory");
			ok_mem = push(&cli->dbs, &cli->ndbs, optarg);
			cli->dbs_default = dflt;
			break;
		case 'n':
			set_uint(cli, "-n/--limit", optarg, 1, WS_MAX_LIMIT, &cli->limit);
			cli->limit_set = true;
			cli->limit_default = dflt;
			break;
		case OPT_OFFSET:
			set_uint(cli, "--offset", optarg, 0, WS_MAX_OFFSET, &cli->offset);
			break;
		case OPT_PER_DOC:
			set_uint(cli, "--per-doc", optarg, 1, WS_MAX_LIMIT, &cli->per_doc);
			cli->per_doc_default = dflt;
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
		case OPT_GROUP:
			if (!strcmp(optarg, "rank"))
				cli->group = WS_GROUP_RANK;
			else if (!strcmp(optarg, "doc"))
				cli->group = WS_GROUP_DOC;
			else
				expects(cli, "--group", "rank or doc", optarg);
			cli->group_default = dflt;
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
		case OPT_BY_YEAR:
			cli->by_year = true;
			break;
		case OPT_BY_SOURCE:
			cli->by_source = true;
			break;
		case OPT_STATS:
			cli->stats = true;
			break;
		case OPT_COLOR:
			set_when(cli, "--color", optarg, &cli->color);
			break;
		case OPT_HYPERLINK:
			set_when(cli, "--hyperlink", optarg, &cli->hyperlink);
			break;
		case OPT_NO_PAGER:
			cli->no_pager = true;
			break;
		case OPT_NO_CONFIG:
			cli->no_config = true;
			break;
		case OPT_COMPLETIONS:
			if (strcmp(optarg, "bash") && strcmp(optarg, "zsh"))
				expects(cli, "--completions", "bash or zsh", optarg);
			cli->completions = optarg;
			break;
		case 'h':
			cli->help = true;
			break;
		case 'V':
			cli->version = true;
			break;
		case OPT_SERVE:
			cli->serve = true;
			break;
		case OPT_ALL_KINDS:
			cli->all_kinds = true;
			break;
		case OPT_NO_SYNONYMS:
			cli->no_synonyms = true;
			break;
		case OPT_TIMEOUT:
			set_timeout(cli, optarg);
			break;
		case ':':
			cli_error(cli, "%s needs a value", args[optind - 1]);
			break;
		default: {
			const char *a = args[optind - 1];
			bool is_long = a[0] == '-' && a[1] == '-';
			if (is_long && strchr(a, '=') && ws_opttab_find(&table, a + 2, 0)) {
				cli_error(cli, "option --%.*s takes no value", (int)strcspn(a + 2, "="), a + 2);
			} else if (is_long) {
				size_t n = strcspn(a + 2, "="), matches = 0;
				for (size_t i = 0; i < NDEFS; i++)
					matches += !strncmp(defs[i].name, a + 2, n);
				if (matches > 1)
					ambiguous_option(cli, a);
				else
					unknown_option(cli, a);
			} else if (optopt > 0 && optopt < 0x80) {
				char o[3] = {'-', (char)optopt, 0};
				unknown_option(cli, o);
			} else {
				unknown_option(cli, a);
			}
			break;
		}
		}
	}
	/* Words after "--". */
	for (int i = optind; ok_mem && i < nargs; i++)
		ok_mem = add_word(&q, args[i][0] == '\x1f' ? args[i] + 1 : args[i]);

	for (int i = 1; i < nargs; i++)
		if (args[i] != orig[i])
			free(args[i]);
	free(args);
	free(orig);

	if (!ok_mem) {
		strbuf_free(&q);
		cli_error(cli, "out of memory");
		return false;
	}
	if (q.data) {
		cli->query_len = q.len;
		cli->query = strbuf_detach(&q);
	}
	if (cli->group_default && cli->output != WS_OUT_TERM)
		cli->group = WS_GROUP_RANK;
	check_combinations(cli);
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

bool ws_cli_completion(const char *shell, FILE *out)
{
	return ws_opttab_completion(&table, shell, out);
}

void ws_cli_usage(FILE *out)
{
	fputs("usage: " PROG " [OPTION]... [--] QUERY...\n"
	      "       " PROG " [OPTION]...   (no query, on a terminal: the prompt)\n",
	      out);
}

void ws_cli_help(FILE *out)
{
	ws_cli_usage(out);
	fputs("Search a wensou index of policy documents; print the best passages.\n"
	      "Query: words (all must match), \"exact phrase\", -exclude, a OR b,\n"
	      "       year:2023, year:2022..2024, source:联合国, title:白皮书\n\n",
	      out);
	ws_opttab_help(&table, out);
	fputs("\nExamples:\n"
	      "  " PROG " 数字鸿沟 --since 2022       the best passages since 2022\n"
	      "  " PROG " --by-year 跨境数据流动      how often, year by year\n"
	      "  " PROG " --json -- 数据 -安全 | jq . for scripts; -安全 excludes\n"
	      "Exit status: 0 found, 1 nothing found, 2 error.  More: man " PROG "\n",
	      out);
}
