/*
 * records.h - what the index knows of each file (schema.h, WS_FILE_*),
 * loaded once per run into a hash table keyed by path.
 */
#ifndef WENSOU_RECORDS_H
#define WENSOU_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fileid.h"
#include "xq.h"

typedef struct ws_record {
	char *path;
	uint64_t size;
	int64_t mtime_ns;
	int64_t sidecar_mtime_ns;
	char hash[WS_HASH_HEX_LEN + 1];
	bool seen;          /* met during this run's walk */
} ws_record;

typedef struct ws_records {
	ws_record *slots;   /* open addressing; path NULL = empty */
	size_t cap, n;
} ws_records;

/* Add every file record of db to r (which starts zeroed: several shards
 * load into one table).  Returns XQ_OK or the failing status. */
xq_status ws_records_load(ws_records *r, xq_db *db);
ws_record *ws_records_find(ws_records *r, const char *path);
void ws_records_free(ws_records *r);

/* The metadata value for a file record: a new malloc'd JSON string. */
char *ws_record_json(const char *path, uint64_t size, int64_t mtime_ns, int64_t sidecar_mtime_ns,
                     const char *hash, const char *title, int year, const char *source, size_t passages);

#endif
