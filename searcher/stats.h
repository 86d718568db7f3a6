/*
 * stats.h - what an index holds (--stats): documents and passages, by
 * format (file extension), year and source, from the file records
 * (schema.h); and per index folder its size on disk and when it was last
 * written.
 */
#ifndef WS_SEARCH_STATS_H
#define WS_SEARCH_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "index.h"

typedef struct ws_stat_row {
	char *key;         /* format ("txt", "" for none) or source; NULL: unknown source; owned */
	int year;          /* years: the year, 0 unknown */
	unsigned documents;
	unsigned long long passages;
} ws_stat_row;

typedef struct ws_stat_table {
	ws_stat_row *v;    /* formats and sources: most documents first; years ascending, unknown last */
	size_t n;
} ws_stat_table;

typedef struct ws_stat_db {
	char *path;        /* as given (resolved --db); owned */
	uint64_t disk_bytes; /* every file under it, as du counts them */
	time_t last_write; /* the newest file of its live shards; 0 if unknown */
} ws_stat_db;

typedef struct ws_stats {
	unsigned documents;
	unsigned passages;   /* the index's passage count */
	uint64_t text_bytes; /* the indexed files' sizes */
	ws_stat_table formats, years, sources;
	ws_stat_db *dbs;
	size_t ndbs;
} ws_stats;

/* Gather the statistics of ix, opened from paths[0..n).  False with a
 * malloc'd message in *err on failure; free with ws_stats_free. */
bool ws_stats_gather(ws_index *ix, const char *const *paths, size_t n, ws_stats *out, char **err);

void ws_stats_free(ws_stats *s);

#endif
