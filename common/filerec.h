/*
 * filerec.h - the terms and the per-file record of the index schema
 * (schema.h), built here for both binaries so that what the indexer
 * writes and what the searcher looks up cannot disagree.
 */
#ifndef WENSOU_FILEREC_H
#define WENSOU_FILEREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schema.h"

/* Term buffers large enough for the fixed-size terms. */
#define WS_TERM_FILE_SIZE (sizeof WS_PREFIX_FILE + WS_FILEID_LEN)
#define WS_TERM_YEAR_SIZE 16

/* "Q" + fileid into buf; returns the length. */
size_t ws_term_file(const char *fileid, char buf[WS_TERM_FILE_SIZE]);
/* "Y" + year into buf; returns the length. */
size_t ws_term_year(int year, char buf[WS_TERM_YEAR_SIZE]);
/* "XS" + a normalised source, cut at a character boundary to fit Xapian's
 * term limit.  New malloc'd term (free()), NULL when out of memory or the
 * source is empty. */
char *ws_term_source(const char *source_norm, size_t *len);

/* "XT" + a pair of Han characters of a title (a BIGRAM term, at most 8
 * bytes) into buf; returns the length, 0 if pair is no such thing. */
#define WS_TERM_TITLE_SIZE (sizeof WS_PREFIX_TITLE + 8)
size_t ws_term_title_pair(const char *pair, size_t len, char buf[WS_TERM_TITLE_SIZE]);

/* prefix + t[0..len) into buf, which has room for WS_TERM_MAX_BYTES + 1;
 * returns the length, 0 if the term would be too long for the index. */
size_t ws_term_prefixed(const char *prefix, const char *t, size_t len, char *buf);

/* "XF" + a folded form (formset.h) into buf, which has room for
 * WS_TERM_MAX_BYTES + 1; returns the length, 0 if the term would be too long. */
size_t ws_term_form(const char *form, size_t len, char *buf);

/* The metadata key of a file's record: WS_META_FILE_PREFIX + fileid. */
#define WS_META_FILE_KEY_SIZE (sizeof WS_META_FILE_PREFIX + WS_FILEID_LEN)
size_t ws_meta_file_key(const char *fileid, char buf[WS_META_FILE_KEY_SIZE]);

/* What the index records of one file (WS_FILE_* keys in schema.h). */
typedef struct ws_filerec {
	char *path;                          /* canonical absolute path */
	char *root;                          /* the root it was found under, or NULL (older records) */
	uint64_t size;
	int64_t mtime_ns;
	int64_t sidecar_mtime_ns;
	char hash[WS_FILEID_LEN + 1];        /* content hash */
	char *title;
	int year;                            /* 0: unknown */
	char *source;                        /* NULL: unknown */
	size_t passages;
} ws_filerec;

/* The record as JSON: a new malloc'd string, NULL when out of memory. */
char *ws_filerec_json(const ws_filerec *r);
/* Parse json[0..len) into *out (strings malloc'd; free with
 * ws_filerec_free).  False for a record without a path or hash (it is
 * then as if absent) or when out of memory. */
bool ws_filerec_parse(const char *json, size_t len, ws_filerec *out);
void ws_filerec_free(ws_filerec *r);

#endif
