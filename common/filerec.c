#include "filerec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

size_t ws_term_file(const char *fileid, char buf[WS_TERM_FILE_SIZE])
{
	return (size_t)snprintf(buf, WS_TERM_FILE_SIZE, WS_PREFIX_FILE "%.*s", WS_FILEID_LEN, fileid);
}

size_t ws_term_year(int year, char buf[WS_TERM_YEAR_SIZE])
{
	return (size_t)snprintf(buf, WS_TERM_YEAR_SIZE, WS_PREFIX_YEAR "%d", year);
}

size_t ws_meta_file_key(const char *fileid, char buf[WS_META_FILE_KEY_SIZE])
{
	return (size_t)snprintf(buf, WS_META_FILE_KEY_SIZE, WS_META_FILE_PREFIX "%.*s", WS_FILEID_LEN, fileid);
}

char *ws_term_source(const char *source_norm, size_t *len)
{
	size_t plen = strlen(WS_PREFIX_SOURCE), n = source_norm ? strlen(source_norm) : 0;
	if (!n)
		return NULL;
	size_t max = WS_TERM_MAX_BYTES - plen;
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)source_norm[n] & 0xC0) == 0x80)
			n--;
	}
	char *t = malloc(plen + n + 1);
	if (!t)
		return NULL;
	memcpy(t, WS_PREFIX_SOURCE, plen);
	memcpy(t + plen, source_norm, n);
	t[plen + n] = '\0';
	*len = plen + n;
	return t;
}

size_t ws_term_title_pair(const char *pair, size_t len, char buf[WS_TERM_TITLE_SIZE])
{
	size_t plen = strlen(WS_PREFIX_TITLE);
	if (!len || plen + len >= WS_TERM_TITLE_SIZE)
		return 0;
	memcpy(buf, WS_PREFIX_TITLE, plen);
	memcpy(buf + plen, pair, len);
	buf[plen + len] = '\0';
	return plen + len;
}

size_t ws_term_prefixed(const char *prefix, const char *t, size_t len, char *buf)
{
	size_t plen = strlen(prefix);
	if (plen + len > WS_TERM_MAX_BYTES)
		return 0;
	memcpy(buf, prefix, plen);
	memcpy(buf + plen, t, len);
	buf[plen + len] = '\0';
	return plen + len;
}

size_t ws_term_form(const char *form, size_t len, char *buf)
{
	return len ? ws_term_prefixed(WS_PREFIX_FORM, form, len, buf) : 0;
}

char *ws_filerec_json(const ws_filerec *r)
{
	json_t *j = json_object();
	if (!j)
		return NULL;
	json_object_set_new(j, WS_FILE_PATH, json_string(r->path));
	if (r->root)
		json_object_set_new(j, WS_FILE_ROOT, json_string(r->root));
	json_object_set_new(j, WS_FILE_SIZE, json_integer((json_int_t)r->size));
	json_object_set_new(j, WS_FILE_MTIME, json_integer(r->mtime_ns));
	json_object_set_new(j, WS_FILE_SIDECAR_MTIME, json_integer(r->sidecar_mtime_ns));
	json_object_set_new(j, WS_FILE_HASH, json_string(r->hash));
	json_object_set_new(j, WS_FILE_TITLE, json_string(r->title ? r->title : ""));
	json_object_set_new(j, WS_FILE_YEAR, r->year ? json_integer(r->year) : json_null());
	json_object_set_new(j, WS_FILE_SOURCE, r->source ? json_string(r->source) : json_null());
	json_object_set_new(j, WS_FILE_PASSAGES, json_integer((json_int_t)r->passages));
	/* a string jansson refused (invalid UTF-8) would drop its key: the
	 * record must have them all */
	char *s = json_object_size(j) == (r->root ? 10u : 9u) ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return s;
}

static char *dup_field(json_t *o, const char *key, bool *oom)
{
	const char *s = json_string_value(json_object_get(o, key));
	if (!s || !*s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

bool ws_filerec_parse(const char *json, size_t len, ws_filerec *out)
{
	memset(out, 0, sizeof *out);
	json_t *j = json_loadb(json, len, 0, NULL);
	const char *hash = json_string_value(json_object_get(j, WS_FILE_HASH));
	bool oom = false;
	if (!j || !json_string_value(json_object_get(j, WS_FILE_PATH)) || !hash || strlen(hash) != WS_FILEID_LEN) {
		json_decref(j);
		return false;
	}
	out->path = dup_field(j, WS_FILE_PATH, &oom);
	out->root = dup_field(j, WS_FILE_ROOT, &oom);
	out->title = dup_field(j, WS_FILE_TITLE, &oom);
	out->source = dup_field(j, WS_FILE_SOURCE, &oom);
	memcpy(out->hash, hash, WS_FILEID_LEN + 1);
	out->size = (uint64_t)json_integer_value(json_object_get(j, WS_FILE_SIZE));
	out->mtime_ns = json_integer_value(json_object_get(j, WS_FILE_MTIME));
	out->sidecar_mtime_ns = json_integer_value(json_object_get(j, WS_FILE_SIDECAR_MTIME));
	json_int_t y = json_integer_value(json_object_get(j, WS_FILE_YEAR));
	out->year = y > 0 && y < 10000 ? (int)y : 0;
	json_int_t p = json_integer_value(json_object_get(j, WS_FILE_PASSAGES));
	out->passages = p > 0 ? (size_t)p : 0;
	json_decref(j);
	if (oom || !out->path) {
		ws_filerec_free(out);
		return false;
	}
	return true;
}

void ws_filerec_free(ws_filerec *r)
{
	free(r->path);
	free(r->root);
	free(r->title);
	free(r->source);
	memset(r, 0, sizeof *r);
}
