/*
 * records.h - what the index knows of each file (filerec.h), loaded once
 * per run into a hash table keyed by path.
 */
#ifndef WENSOU_RECORDS_H
#define WENSOU_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filerec.h"
#include "xq.h"

typedef struct ws_record {
	ws_filerec r;        /* r.path NULL: an empty slot */
	bool seen;           /* met during this run's walk */
	bool gone;           /* dropped by this run (vanished, moved, forgotten) */
} ws_record;

typedef struct ws_records {
	ws_record *slots;    /* open addressing */
	size_t cap, n;
	bool oom;
} ws_records;

/* Add every file record of db to r (which starts zeroed: several shards
 * load into one table).  Returns XQ_OK or the failing status. */
xq_status ws_records_load(ws_records *r, xq_db *db);
ws_record *ws_records_find(ws_records *r, const char *path);
void ws_records_free(ws_records *r);

#endif
