/*
 * bench_analysis.c - throughput and memory of the text analysis (cjk/).
 *
 * Reads every .txt and .md file of a folder (default: the shared corpus
 * next to the source tree), repeats the text up to --mb megabytes, then
 * measures in one run:
 *   (a) the floor: bare ICU word-break iteration (UTF-8 -> UTF-16 per
 *       64 KiB chunk, ubrk_next to the end), counting segments;
 *   (b) the full cjk analysis (repair, segmentation, bigrams, folding,
 *       stemming), counting terms;
 * each --runs times (default 3), and prints the median MB/s of each, their
 * ratio, and memory: peak RSS, the RSS growth during the analysis
 * (compare --mb 10 with --mb 100: it must not grow with the input) and the
 * analyzer's own buffers.
 *
 *   bench-analysis [--mb N] [--runs R] [DIR]
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <unicode/ubrk.h>
#include <unicode/ustring.h>

#include "cjk.h"

#ifndef WENSOU_SOURCE_ROOT
#define WENSOU_SOURCE_ROOT "."
#endif

#define MB 1000000.0

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Peak resident set size of the process, in MiB. */
static double peak_rss_mib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;           /* ru_maxrss is in KiB */
}

/* Current resident set size, in MiB (from /proc/self/statm). */
static double rss_mib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, res = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &res) != 2)
			res = 0;
		fclose(f);
	}
	return (double)res * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Concatenation of the folder's .txt and .md files (each followed by a
 * blank line), or NULL if the folder cannot be read. */
static char *read_corpus(const char *dir, size_t *len, int *files)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char *buf = NULL;
	size_t n = 0;
	*files = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!has_suffix(e->d_name, ".txt") && !has_suffix(e->d_name, ".md"))
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		char chunk[65536];
		size_t got;
		while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
			char *p = realloc(buf, n + got + 2);
			if (!p) {
				fclose(f);
				closedir(d);
				free(buf);
				return NULL;
			}
			buf = p;
			memcpy(buf + n, chunk, got);
			n += got;
		}
		fclose(f);
		if (buf) {
			memcpy(buf + n, "\n\n", 2);
			n += 2;
		}
		(*files)++;
	}
	closedir(d);
	*len = n;
	return buf;
}

/* Repeat base[0..n) until total bytes, cutting the last copy at a UTF-8
 * character boundary. */
static char *repeat_to(const char *base, size_t n, size_t total)
{
	char *t = malloc(total);
	if (!t)
		return NULL;
	size_t o = 0;
	while (o < total) {
		size_t k = n < total - o ? n : total - o;
		memcpy(t + o, base, k);
		o += k;
	}
	return t;
}

/* (a) bare ICU: segments of text[0..len), UTF-16 conversion included. */
static long bare_icu(const char *text, size_t len, UBreakIterator *brk, UChar *u16, size_t cap16)
{
	long segments = 0;
	size_t i = 0;
	while (i < len) {
		size_t n = len - i < 65536 ? len - i : 65536;
		while (i + n < len && ((unsigned char)text[i + n] & 0xC0u) == 0x80u)
			n--;                    /* do not split a character */
		UErrorCode st = U_ZERO_ERROR;
		int32_t n16 = 0;
		u_strFromUTF8WithSub(u16, (int32_t)cap16, &n16, text + i, (int32_t)n, 0xFFFD, NULL, &st);
		if (U_FAILURE(st))
			return -1;
		st = U_ZERO_ERROR;
		ubrk_setText(brk, u16, n16, &st);
		if (U_FAILURE(st))
			return -1;
		ubrk_first(brk);
		while (ubrk_next(brk) != UBRK_DONE)
			segments++;
		i += n;
	}
	return segments;
}

/* (b) the full analysis: terms of text[0..len); counts per kind. */
static long full_analysis(cjk_analyzer *a, const char *text, size_t len, long kinds[6], size_t *mem)
{
	cjk_analyzer_reset(a, text, len, 1);
	cjk_term t;
	long n = 0;
	int r;
	memset(kinds, 0, 6 * sizeof *kinds);
	while ((r = cjk_analyzer_next(a, &t)) == 1) {
		n++;
		kinds[t.kind]++;
	}
	*mem = cjk_analyzer_memory(a);
	return r < 0 ? -1 : n;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench-analysis [--mb N] [--runs R] [DIR]\n"
		   "  DIR defaults to %s/../shared/corpus\n", WENSOU_SOURCE_ROOT);
}

int main(int argc, char **argv)
{
	double mb = 100;
	int runs = 3;
	const char *dir = WENSOU_SOURCE_ROOT "/../shared/corpus";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mb") == 0 && i + 1 < argc) {
			mb = atof(argv[++i]);
		} else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
			runs = atoi(argv[++i]);
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-') {
			usage(stderr);
			return 2;
		} else {
			dir = argv[i];
		}
	}
	if (mb <= 0 || runs < 1 || runs > 99) {
		usage(stderr);
		return 2;
	}
	size_t base_len = 0;
	int files = 0;
	char *base = read_corpus(dir, &base_len, &files);
	if (!base || base_len == 0) {
		printf("bench-analysis: no .txt/.md files in %s: skipped\n", dir);
		free(base);
		return 0;
	}
	size_t len = (size_t)(mb * MB);
	char *text = repeat_to(base, base_len, len);
	free(base);
	if (!text) {
		fprintf(stderr, "bench-analysis: out of memory\n");
		return 2;
	}
	printf("corpus: %s, %d files, %.2f MB, repeated to %.1f MB\n",
	       dir, files, (double)base_len / MB, (double)len / MB);
	double rss_loaded = rss_mib();

	/* (a) bare ICU */
	UErrorCode st = U_ZERO_ERROR;
	UBreakIterator *brk = ubrk_open(UBRK_WORD, "zh", NULL, 0, &st);
	size_t cap16 = 65536 + 16;
	UChar *u16 = malloc(cap16 * sizeof *u16);
	if (U_FAILURE(st) || !u16) {
		fprintf(stderr, "bench-analysis: ubrk_open: %s\n", u_errorName(st));
		return 2;
	}
	double icu_s[99], cjk_s[99];
	long segments = 0;
	for (int r = 0; r < runs; r++) {
		double t0 = now();
		segments = bare_icu(text, len, brk, u16, cap16);
		icu_s[r] = now() - t0;
		if (segments < 0) {
			fprintf(stderr, "bench-analysis: ICU failed\n");
			return 2;
		}
	}
	ubrk_close(brk);
	free(u16);
	double rss_after_icu = rss_mib();

	/* (b) full analysis */
	char *err = NULL;
	cjk_analyzer *a = cjk_analyzer_new(NULL, &err);
	if (!a) {
		fprintf(stderr, "bench-analysis: %s\n", err);
		free(err);
		return 2;
	}
	long terms = 0, kinds[6];
	size_t mem = 0;
	double peak_before = peak_rss_mib();
	for (int r = 0; r < runs; r++) {
		double t0 = now();
		terms = full_analysis(a, text, len, kinds, &mem);
		cjk_s[r] = now() - t0;
		if (terms < 0) {
			fprintf(stderr, "bench-analysis: %s\n", cjk_analyzer_error(a));
			return 2;
		}
	}
	double rss_after_cjk = rss_mib();
	double peak_after = peak_rss_mib();
	cjk_analyzer_free(a);

	double icu_mbs = (double)len / MB / median(icu_s, runs);
	double cjk_mbs = (double)len / MB / median(cjk_s, runs);
	printf("\n%-34s %12s %14s\n", "phase (median of runs)", "MB/s", "count");
	printf("%-34s %12.1f %14ld segments\n", "(a) bare ICU word break", icu_mbs, segments);
	printf("%-34s %12.1f %14ld terms\n", "(b) cjk analysis", cjk_mbs, terms);
	printf("%-34s %12.2f   (target >= 0.50)\n", "ratio (b)/(a)", cjk_mbs / icu_mbs);
	printf("\nterms by kind: word %ld, number %ld, stem %ld, bigram %ld, char %ld, cjk_word %ld\n",
	       kinds[CJK_TERM_WORD], kinds[CJK_TERM_NUMBER], kinds[CJK_TERM_STEM],
	       kinds[CJK_TERM_BIGRAM], kinds[CJK_TERM_CHAR], kinds[CJK_TERM_CJK_WORD]);
	printf("\nmemory (MiB)\n");
	printf("  %-44s %8.1f\n", "RSS with the input text loaded", rss_loaded);
	printf("  %-44s %8.1f\n", "RSS after (a)", rss_after_icu);
	printf("  %-44s %8.1f\n", "RSS after (b)", rss_after_cjk);
	printf("  %-44s %8.1f\n", "growth of peak RSS during (b)", peak_after - peak_before);
	printf("  %-44s %8.2f\n", "analyzer's own buffers", (double)mem / (1024.0 * 1024.0));
	printf("  %-44s %8.1f\n", "peak RSS (ru_maxrss)", peak_after);
	free(text);
	return 0;
}
