/*
 * xapian-floor - the least a search process linking Xapian must do: start,
 * open the index through xq (the stub, its shards) and read the document
 * count, with no ICU, no analysis and no query.  bench_search.py times it
 * beside wensou-search and search-floor: issue #16 asks that wensou's p50
 * be at most twice this one's at 100 MB.
 */
#include <stdio.h>

#include "xq.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: xapian-floor INDEX\n");
		return 2;
	}
	xq_db *db = NULL;
	if (xq_db_open(argv[1], &db) != XQ_OK) {
		fprintf(stderr, "xapian-floor: %s\n", xq_last_error());
		return 2;
	}
	unsigned docs = 0;
	if (xq_db_doccount(db, &docs) != XQ_OK) {
		fprintf(stderr, "xapian-floor: %s\n", xq_db_error(db));
		xq_db_close(db);
		return 2;
	}
	printf("%u documents\n", docs);
	xq_db_close(db);
	return 0;
}
