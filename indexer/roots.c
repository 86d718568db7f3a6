#include "roots.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "array.h"
#include "discover.h"
#include "layout.h"
#include "schema.h"
#include "strbuf.h"

static bool push(ws_roots *r, const char *path)
{
	char **p = ws_array_grow(r->items, r->n, &r->cap, sizeof *p, 8);
	char *copy = p ? strdup(path) : NULL;
	if (!copy)
		return false;
	r->items = p;
	r->items[r->n++] = copy;
	return true;
}

xq_status ws_roots_load(xq_db *db, ws_roots *r)
{
	char *val = NULL;
	size_t len = 0;
	xq_status st = xq_db_get_metadata(db, WS_META_ROOTS, &val, &len);
	if (st != XQ_OK)
		return st;
	json_t *a = len ? json_loadb(val, len, 0, NULL) : NULL;
	free(val);
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		const char *s = json_string_value(v);
		if (s && s[0] == '/' && !ws_roots_add(r, s)) {
			json_decref(a);
			return XQ_ERR_NOMEM;
		}
	}
	json_decref(a);
	return XQ_OK;
}

/* An archive's roots: every part's. */
static int roots_of_parts(const char *dir, ws_shard_by by, ws_roots *r, char **err)
{
	unsigned n;
	char **parts = ws_layout_part_dirs(dir, by, &n);
	int rc = 0;
	for (unsigned i = 0; rc == 0 && i < n; i++)
		rc = ws_roots_of_index(parts[i], r, err);
	ws_layout_parts_free(parts, n);
	return rc;
}

int ws_roots_of_index(const char *dir, ws_roots *r, char **err)
{
	ws_layout l;
	char *why = NULL;
	ws_shard_by by;
	if (ws_layout_shard_by_read(dir, &by, &why) != 0) {
		*err = why;
		return -1;
	}
	if (by)
		return roots_of_parts(dir, by, r, err);
	if (ws_layout_read(dir, &l, &why) != WS_LAYOUT_OURS) {
		free(why);
		return 0;
	}
	/* Every shard holds the roots (shard 0 alone in an index from before
	 * that), so a damaged shard need not lose them: the first shard
	 * that opens and has them gives them. */
	char *why_not = NULL;
	bool found = false;
	int rc = 0;
	for (unsigned k = 0; rc == 0 && !found && k < l.nshards; k++) {
		xq_db *db = NULL;
		char *val = NULL;
		if (xq_db_open(l.shard[k], &db) != XQ_OK || xq_db_get_metadata(db, WS_META_ROOTS, &val, NULL) != XQ_OK) {
			if (!why_not)
				why_not = ws_strdupf("%s: %s", l.shard[k], xq_last_error());
		} else if (*val) {
			found = true;
			if (ws_roots_load(db, r) != XQ_OK) {
				*err = ws_strdupf("cannot read the index %s: %s", dir, xq_last_error());
				rc = -1;
			}
		}
		free(val);
		xq_db_close(db);
	}
	if (rc == 0 && !found && why_not) {
		*err = ws_strdupf("cannot read the folders the index %s remembers (%s): give them, as in "
		                  "wensou-index --db %s --rebuild FOLDER...", dir, why_not, dir);
		rc = -1;
	}
	free(why_not);
	ws_layout_free(&l);
	return rc;
}

char *ws_roots_json(const ws_roots *r)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < r->n; i++)
		if (json_array_append_new(a, json_string(r->items[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	char *s = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	return s;
}

bool ws_roots_add(ws_roots *r, const char *path)
{
	if (ws_roots_covering(r, path))
		return true;
	size_t k = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (ws_path_under(r->items[i], path))
			free(r->items[i]);
		else
			r->items[k++] = r->items[i];
	}
	r->n = k;
	return push(r, path);
}

bool ws_roots_remove(ws_roots *r, const char *path)
{
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->items[i], path) == 0) {
			free(r->items[i]);
			memmove(&r->items[i], &r->items[i + 1], (r->n - i - 1) * sizeof *r->items);
			r->n--;
			return true;
		}
	}
	return false;
}

const char *ws_roots_covering(const ws_roots *r, const char *path)
{
	for (size_t i = 0; i < r->n; i++)
		if (ws_path_under(path, r->items[i]))
			return r->items[i];
	return NULL;
}

bool ws_roots_has(const ws_roots *r, const char *path)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->items[i], path) == 0)
			return true;
	return false;
}

void ws_roots_free(ws_roots *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->items[i]);
	free(r->items);
	memset(r, 0, sizeof *r);
}
