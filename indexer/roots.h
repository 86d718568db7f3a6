/*
 * roots.h - the folders (or files) an index was built from, remembered in
 * the index (WS_META_ROOTS) so that `wensou-index` with no PATH updates
 * them all.  Roots are canonical paths, and none lies under another.
 */
#ifndef WENSOU_ROOTS_H
#define WENSOU_ROOTS_H

#include <stdbool.h>
#include <stddef.h>

#include "xq.h"

typedef struct ws_roots {
	char **items;   /* owned */
	size_t n, cap;
} ws_roots;

/* Add db's remembered roots to r.  Returns XQ_OK or the failing status. */
xq_status ws_roots_load(xq_db *db, ws_roots *r);
/* Add the roots the live index at dir remembers to r (none when there is
 * no index yet; for an archive, its parts' roots), from the first of its
 * shards that opens and holds them.  Returns 0, or -1 with *err (which,
 * when no shard that opens holds them, asks for the folders). */
int ws_roots_of_index(const char *dir, ws_roots *r, char **err);
/* The roots as the JSON array stored in the index: new malloc'd string. */
char *ws_roots_json(const ws_roots *r);
/* Add path: nothing if it lies under a root already; roots under it are
 * replaced by it.  False when out of memory. */
bool ws_roots_add(ws_roots *r, const char *path);
/* Remove path if it is a root; true if it was. */
bool ws_roots_remove(ws_roots *r, const char *path);
/* The root path lies under (or is), or NULL. */
const char *ws_roots_covering(const ws_roots *r, const char *path);
bool ws_roots_has(const ws_roots *r, const char *path);
void ws_roots_free(ws_roots *r);

#endif
