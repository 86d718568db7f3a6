/* cli.c - wensou-index's options (cli.h). */
#include "cli.h"
#include "slots.h"

#include <getopt.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "opttab.h"

#define PROG "wensou-index"

enum { OPT_PROGRESS = 256, OPT_REBUILD, OPT_VERSION, OPT_NO_FOLD, OPT_LIST, OPT_FORGET, OPT_CHECK, OPT_WATCH,
       OPT_COMPLETIONS, OPT_SHARD_BY, OPT_COMPACT };

static const ws_optdef defs[] = {
	{"db", 'd', 'd', WS_OPTVAL_DIR, "DIR", NULL, "the index (default: $WENSOU_DB)"},
	{"shard-by", 0, OPT_SHARD_BY, WS_OPTVAL_CHOICE, "KEY", "year source", "one index per year or per source under DIR (a new DIR)"},
	{"rebuild", 0, OPT_REBUILD, WS_OPTVAL_NONE, NULL, NULL, "build anew beside the old index, then swap"},
	{"compact", 0, OPT_COMPACT, WS_OPTVAL_NONE, NULL, NULL, "then compact the index to its smallest (updates grow it)"},
	{"list", 0, OPT_LIST, WS_OPTVAL_NONE, NULL, NULL, "the remembered roots, their files and passages"},
	{"forget", 0, OPT_FORGET, WS_OPTVAL_NONE, NULL, NULL, "drop the roots PATH... and what is under them"},
	{"check", 0, OPT_CHECK, WS_OPTVAL_NONE, NULL, NULL, "verify the index against its files, change nothing"},
	{"watch", 0, OPT_WATCH, WS_OPTVAL_NONE, NULL, NULL, "index, then index what changes under the roots"},
	{"jobs", 'j', 'j', WS_OPTVAL_ANY, "N", NULL, "threads at once (default: $WENSOU_JOBS, else the cores)"},
	{"quiet", 'q', 'q', WS_OPTVAL_NONE, NULL, NULL, "print only errors"},
	{"verbose", 'v', 'v', WS_OPTVAL_NONE, NULL, NULL, "print every file and what was done with it"},
	{"progress", 0, OPT_PROGRESS, WS_OPTVAL_CHOICE, "WHEN", "auto always never", "a progress bar: auto (on a terminal), always, never"},
	{"no-fold-traditional", 0, OPT_NO_FOLD, WS_OPTVAL_NONE, NULL, NULL, "keep Traditional Chinese apart (new index)"},
	{"completions", 0, OPT_COMPLETIONS, WS_OPTVAL_CHOICE, "SHELL", "bash zsh", "print the bash or zsh completion script"},
	{"help", 'h', 'h', WS_OPTVAL_NONE, NULL, NULL, "show this help"},
	{"version", 'V', OPT_VERSION, WS_OPTVAL_NONE, NULL, NULL, "show the version"},
};
#define NDEFS (sizeof defs / sizeof defs[0])

static const ws_opttab table = {PROG, defs, NDEFS, WS_OPTVAL_FILE};

static void usage(FILE *f)
{
	fputs("usage: " PROG " [OPTION]... [PATH...]\n"
	      "       " PROG " --list | --check | --forget PATH... | --watch [PATH...]\n"
	      "Index reports (text, Markdown, HTML, PDF, DOCX) under PATH, files or folders;\n"
	      "with no PATH, update every root the index remembers (the nightly command).\n\n",
	      f);
	ws_opttab_help(&table, f);
	fputs("\nExamples:\n"
	      "  " PROG " ~/reports                  index a folder (and remember it)\n"
	      "  " PROG " --quiet --progress=never   the nightly update of every root\n"
	      "  " PROG " --check                    is the index up to date and sound?\n"
	      "  " PROG " --shard-by year --db D ~/reports   one index per year under D\n"
	      "Exit status: 0 all indexed; 1 some files failed or a root is missing (the rest\n"
	      "committed); 2 fatal, the run stopped; --check: 1 out of date, 3 damaged.\n"
	      "More: man " PROG "\n",
	      f);
}

/* An unknown option: what it may have meant. */
static void unknown(const char *arg)
{
	const ws_optdef *d = ws_opttab_suggest(&table, arg);
	size_t n = strcspn(arg, "=");
	if (d && d->short_name)
		fprintf(stderr, PROG ": unknown option %.*s (did you mean -%c, --%s?)\n", (int)n, arg, d->short_name, d->name);
	else if (d)
		fprintf(stderr, PROG ": unknown option %.*s (did you mean --%s?)\n", (int)n, arg, d->name);
	else
		fprintf(stderr, PROG ": unknown option %.*s\n", (int)n, arg);
	fprintf(stderr, "Try '" PROG " --help'.\n");
}

/* A number of jobs from --jobs or $WENSOU_JOBS (what names it). */
static bool parse_jobs(const char *s, const char *what, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(s, &end, 10);
	if (!*s || *end || errno || *s == '-' || n < 1 || n > WS_JOBS_MAX) {
		fprintf(stderr, PROG ": %s takes a number of threads from 1 to %d, not '%s'\n", what, WS_JOBS_MAX, s);
		return false;
	}
	*out = (unsigned)n;
	return true;
}

int ws_index_parse_options(int argc, char **argv, options *o)
{
	const char *jobs = NULL;
	struct option longopts[NDEFS + 1];
	char shortopts[3 * NDEFS + 3];
	ws_opttab_getopt(&table, ":", longopts, shortopts);
	*o = (options){.progress = -1, .fold_traditional = true};
	bool forget = false;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!*optarg) {
				fprintf(stderr, PROG ": --db needs a folder\n");
				return 2;
			}
			o->db = optarg;
			break;
		case OPT_REBUILD: o->rebuild = true; break;
		case OPT_COMPACT: o->compact = true; break;
		case OPT_SHARD_BY:
			if (!ws_shard_by_parse(optarg, &o->shard_by)) {
				fprintf(stderr, PROG ": --shard-by takes year or source, not '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_LIST: o->list = true; break;
		case OPT_CHECK: o->check = true; break;
		case OPT_WATCH: o->watch = true; break;
		case OPT_FORGET: forget = true; break;
		case 'j': jobs = optarg; break;
		case 'q': o->quiet = true; break;
		case 'v': o->verbose = true; break;
		case OPT_NO_FOLD: o->fold_traditional = false; break;
		case OPT_PROGRESS:
			if (strcmp(optarg, "auto") == 0)
				o->progress = -1;
			else if (strcmp(optarg, "always") == 0)
				o->progress = 1;
			else if (strcmp(optarg, "never") == 0)
				o->progress = 0;
			else {
				fprintf(stderr, PROG ": --progress takes auto, always or never, not '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_COMPLETIONS:
			if (!ws_opttab_completion(&table, optarg, stdout)) {
				fprintf(stderr, PROG ": --completions takes bash or zsh, not '%s'\n", optarg);
				return 2;
			}
			return fflush(stdout) == 0 ? 0 : 2;
		case 'h': usage(stdout); return 0;
		case OPT_VERSION: printf(PROG " %s\n", WENSOU_VERSION); return 0;
		case ':':
			fprintf(stderr, PROG ": %s needs a value\n", argv[optind - 1]);
			return 2;
		default: {
			const char *a = argv[optind - 1];
			if (a[0] == '-' && a[1] == '-' && strchr(a, '=') && ws_opttab_find(&table, a + 2, 0)) {
				fprintf(stderr, PROG ": option --%.*s takes no value\n", (int)strcspn(a + 2, "="), a + 2);
				return 2;
			}
			if (optopt > 0 && optopt < 0x80 && !(a[0] == '-' && a[1] == '-')) {
				char s[3] = {'-', (char)optopt, 0};
				unknown(s);
			} else {
				unknown(a);
			}
			return 2;
		}
		}
	}
	if (jobs && (o->list || forget || o->check)) {
		fprintf(stderr, PROG ": --jobs goes with indexing runs, not with --%s\n",
		        o->list ? "list" : o->check ? "check" : "forget");
		return 2;
	}
	/* --jobs, else $WENSOU_JOBS (a nightly unit's setting), else the cores */
	const char *env_jobs = getenv("WENSOU_JOBS");
	if (jobs ? !parse_jobs(jobs, "--jobs", &o->jobs)
	         : env_jobs && *env_jobs && !parse_jobs(env_jobs, "WENSOU_JOBS", &o->jobs))
		return 2;
	if (!o->jobs)
		o->jobs = ws_jobs_default();
	if (o->quiet && o->verbose) {
		fprintf(stderr, PROG ": --quiet and --verbose contradict each other\n");
		return 2;
	}
	if (o->watch && (o->list || forget || o->check || o->rebuild)) {
		fprintf(stderr, PROG ": --watch goes with no other command and no --rebuild\n");
		return 2;
	}
	if ((o->list || forget || o->check) && o->shard_by) {
		fprintf(stderr, PROG ": --shard-by goes with indexing runs, not with --%s (an archive keeps its key)\n",
		        o->list ? "list" : o->check ? "check" : "forget");
		return 2;
	}
	if ((o->list || forget || o->check || o->watch) && o->compact) {
		fprintf(stderr, PROG ": --compact goes with indexing runs, not with --%s\n",
		        o->list ? "list" : o->check ? "check" : o->watch ? "watch" : "forget");
		return 2;
	}
	if (o->rebuild && o->compact) {
		fprintf(stderr, PROG ": --rebuild writes the index compacted: --compact does not go with it\n");
		return 2;
	}
	if ((o->list || forget || o->check) && o->rebuild) {
		fprintf(stderr, PROG ": --%s does not go with --rebuild\n", o->list ? "list" : o->check ? "check" : "forget");
		return 2;
	}
	if ((o->list || o->check) && (forget || optind < argc || (o->list && o->check))) {
		fprintf(stderr, PROG ": --%s takes no PATH and goes with no other command\n", o->list ? "list" : "check");
		return 2;
	}
	if (forget) {
		if (optind >= argc) {
			fprintf(stderr, PROG ": --forget needs the PATH of a root to forget\n");
			return 2;
		}
		o->forget = argv + optind;
		o->nforget = (size_t)(argc - optind);
	}
	return -1;
}
