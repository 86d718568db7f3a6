#include "records.h"

#include <stdlib.h>
#include <string.h>

#include "schema.h"

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static bool grow(ws_records *r)
{
	size_t cap = r->cap ? r->cap * 2 : 256;
	ws_record *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return false;
	for (size_t i = 0; i < r->cap; i++) {
		if (!r->slots[i].r.path)
			continue;
		size_t h = hash_str(r->slots[i].r.path) & (cap - 1);
		while (slots[h].r.path)
			h = (h + 1) & (cap - 1);
		slots[h] = r->slots[i];
	}
	free(r->slots);
	r->slots = slots;
	r->cap = cap;
	return true;
}

ws_record *ws_records_find(ws_records *r, const char *path)
{
	if (!r->cap)
		return NULL;
	size_t h = hash_str(path) & (r->cap - 1);
	while (r->slots[h].r.path) {
		if (strcmp(r->slots[h].r.path, path) == 0)
			return &r->slots[h];
		h = (h + 1) & (r->cap - 1);
	}
	return NULL;
}

static int load_one(const char *key, const char *value, size_t len, void *ud)
{
	(void)key;
	ws_records *r = ud;
	ws_filerec fr;
	if (!ws_filerec_parse(value, len, &fr))
		return 0; /* unreadable record: the file is simply indexed again */
	if (ws_records_find(r, fr.path)) {
		ws_filerec_free(&fr);
		return 0;
	}
	if ((r->n + 1) * 2 > r->cap && !grow(r)) {
		ws_filerec_free(&fr);
		r->oom = true;
		return 1;
	}
	size_t h = hash_str(fr.path) & (r->cap - 1);
	while (r->slots[h].r.path)
		h = (h + 1) & (r->cap - 1);
	r->slots[h] = (ws_record){.r = fr};
	r->n++;
	return 0;
}

xq_status ws_records_load(ws_records *r, xq_db *db)
{
	if (!r->cap && !grow(r))
		return XQ_ERR_NOMEM;
	xq_status st = xq_db_metadata_foreach(db, WS_META_FILE_PREFIX, load_one, r);
	return st == XQ_OK && r->oom ? XQ_ERR_NOMEM : st;
}

void ws_records_free(ws_records *r)
{
	for (size_t i = 0; i < r->cap; i++)
		ws_filerec_free(&r->slots[i].r);
	free(r->slots);
	memset(r, 0, sizeof *r);
}
