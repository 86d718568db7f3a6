#include "records.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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
		if (!r->slots[i].path)
			continue;
		size_t h = hash_str(r->slots[i].path) & (cap - 1);
		while (slots[h].path)
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
	while (r->slots[h].path) {
		if (strcmp(r->slots[h].path, path) == 0)
			return &r->slots[h];
		h = (h + 1) & (r->cap - 1);
	}
	return NULL;
}

static int load_one(const char *key, const char *value, size_t len, void *ud)
{
	(void)key;
	ws_records *r = ud;
	json_error_t err;
	json_t *j = json_loadb(value, len, 0, &err);
	const char *path = j ? json_string_value(json_object_get(j, WS_FILE_PATH)) : NULL;
	const char *hash = j ? json_string_value(json_object_get(j, WS_FILE_HASH)) : NULL;
	if (!path || !hash || strlen(hash) != WS_HASH_HEX_LEN) {
		json_decref(j);
		return 0; /* unreadable record: the file is simply indexed again */
	}
	if ((r->n + 1) * 2 > r->cap && !grow(r)) {
		json_decref(j);
		return 1;
	}
	size_t h = hash_str(path) & (r->cap - 1);
	while (r->slots[h].path)
		h = (h + 1) & (r->cap - 1);
	ws_record *rec = &r->slots[h];
	rec->path = strdup(path);
	if (!rec->path) {
		json_decref(j);
		return 1;
	}
	rec->size = (uint64_t)json_integer_value(json_object_get(j, WS_FILE_SIZE));
	rec->mtime_ns = json_integer_value(json_object_get(j, WS_FILE_MTIME));
	rec->sidecar_mtime_ns = json_integer_value(json_object_get(j, "sidecar_mtime"));
	memcpy(rec->hash, hash, WS_HASH_HEX_LEN + 1);
	rec->seen = false;
	r->n++;
	json_decref(j);
	return 0;
}

xq_status ws_records_load(ws_records *r, xq_db *db)
{
	if (!r->cap && !grow(r))
		return XQ_ERR_NOMEM;
	return xq_db_metadata_foreach(db, WS_META_FILE_PREFIX, load_one, r);
}

void ws_records_free(ws_records *r)
{
	for (size_t i = 0; i < r->cap; i++)
		free(r->slots[i].path);
	free(r->slots);
	memset(r, 0, sizeof *r);
}

char *ws_record_json(const char *path, uint64_t size, int64_t mtime_ns, int64_t sidecar_mtime_ns,
                     const char *hash, const char *title, int year, const char *source, size_t passages)
{
	json_t *j = json_object();
	if (!j)
		return NULL;
	json_object_set_new(j, WS_FILE_PATH, json_string(path));
	json_object_set_new(j, WS_FILE_SIZE, json_integer((json_int_t)size));
	json_object_set_new(j, WS_FILE_MTIME, json_integer(mtime_ns));
	json_object_set_new(j, "sidecar_mtime", json_integer(sidecar_mtime_ns));
	json_object_set_new(j, WS_FILE_HASH, json_string(hash));
	json_object_set_new(j, WS_FILE_TITLE, json_string(title));
	json_object_set_new(j, WS_FILE_YEAR, year ? json_integer(year) : json_null());
	json_object_set_new(j, WS_FILE_SOURCE, source ? json_string(source) : json_null());
	json_object_set_new(j, WS_FILE_PASSAGES, json_integer((json_int_t)passages));
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}
