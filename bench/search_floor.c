/*
 * search-floor - the least any search process linking Xapian and ICU must
 * do: start, open the index, load ICU's Chinese word-break dictionary (by
 * segmenting one Chinese word) and exit.  bench_search.py times it beside
 * wensou-search to show how far the searcher is from that floor.
 */
#include <stdio.h>
#include <string.h>

#include "cjk.h"
#include "xq.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: search-floor INDEX\n");
		return 2;
	}
	xq_db *db = NULL;
	if (xq_db_open(argv[1], &db) != XQ_OK) {
		fprintf(stderr, "search-floor: %s\n", xq_last_error());
		return 2;
	}
	cjk_options o;
	cjk_options_default(&o);
	o.fold_traditional = false; /* the floor: no transliterator */
	cjk_analyzer *a = cjk_analyzer_new(&o, NULL);
	const char *word = "数字治理";
	cjk_analyzer_reset(a, word, strlen(word), 1);
	cjk_term t;
	unsigned n = 0;
	while (cjk_analyzer_next(a, &t) == 1)
		n++;
	unsigned docs = 0;
	xq_db_doccount(db, &docs);
	printf("%u terms, %u documents\n", n, docs);
	cjk_analyzer_free(a);
	xq_db_close(db);
	return 0;
}
