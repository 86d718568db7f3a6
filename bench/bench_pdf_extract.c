/*
 * bench-pdf-extract - wensou's PDF extraction alone (indexer/extract_pdf.c,
 * child process and layout included) over the files named, for
 * bench_pdf.py.  Prints one line per file: pages, bytes of text, seconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "extract_pdf.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 2;
		}
		fseek(f, 0, SEEK_END);
		long n = ftell(f);
		rewind(f);
		char *data = malloc(n > 0 ? (size_t)n : 1);
		if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) {
			fprintf(stderr, "%s: cannot read\n", argv[i]);
			return 2;
		}
		fclose(f);
		double t0 = now_s();
		ws_doctext dt;
		char *why = NULL;
		ws_extract_result r = ws_extract_pdf(data, (size_t)n, 0, &dt, &why);
		double secs = now_s() - t0;
		if (r != WS_EXTRACT_OK) {
			fprintf(stderr, "%s: %s\n", argv[i], why ? why : "?");
			rc = 1;
		} else {
			printf("%zu %zu %.4f %s\n", dt.npages, dt.len, secs, argv[i]);
		}
		free(why);
		ws_doctext_free(&dt);
		free(data);
	}
	return rc;
}
