/* stats.c - the index's statistics (stats.h). */
#include "stats.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "filerec.h"
#include "layout.h"
#include "schema.h"
#include "strbuf.h"
#include "text.h"

typedef struct gather {
	ws_stats *s;
	bool oom;
} gather;

/* The row of key (NULL: unknown) or year in t, added if new. */
static ws_stat_row *row(ws_stat_table *t, const char *key, int year, bool by_year)
{
	for (size_t i = 0; i < t->n; i++) {
		ws_stat_row *r = &t->v[i];
		if (by_year ? r->year == year : (!key && !r->key) || (key && r->key && !strcmp(key, r->key)))
			return r;
	}
	ws_stat_row *v = realloc(t->v, (t->n + 1) * sizeof *v);
	if (!v)
		return NULL;
	t->v = v;
	ws_stat_row *r = &t->v[t->n];
	memset(r, 0, sizeof *r);
	r->year = year;
	if (key && !(r->key = strdup(key)))
		return NULL;
	t->n++;
	return r;
}

/* "txt" for "/a/b.TXT", "" for a name without an extension. */
static void format_of(const char *path, char *buf, size_t size)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t k = 0;
	if (dot && dot != base && strlen(dot + 1) < 12)
		for (const char *p = dot + 1; *p && k + 1 < size; p++)
			buf[k++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
	buf[k] = '\0';
}

static int count_file(const char *key, const char *value, size_t len, void *ud)
{
	gather *g = ud;
	ws_filerec rec;
	(void)key;
	if (!ws_filerec_parse(value, len, &rec))
		return 0; /* no path or hash: as if absent */
	char fmt[16];
	format_of(rec.path, fmt, sizeof fmt);
	ws_stat_row *r[3] = {row(&g->s->formats, fmt, 0, false), row(&g->s->years, NULL, rec.year, true),
	                     row(&g->s->sources, rec.source, 0, false)};
	for (int i = 0; i < 3; i++) {
		if (!r[i]) {
			g->oom = true;
			break;
		}
		r[i]->documents++;
		r[i]->passages += rec.passages;
	}
	g->s->documents++;
	g->s->text_bytes += rec.size;
	ws_filerec_free(&rec);
	return g->oom;
}

/* Bytes of every file under path (du's count, not following links) and
 * the newest modification time among them. */
static void walk(const char *path, uint64_t *bytes, time_t *newest, int depth)
{
	struct stat sb;
	if (lstat(path, &sb) != 0)
		return;
	*bytes += (uint64_t)sb.st_blocks * 512;
	if (!S_ISDIR(sb.st_mode)) {
		if (newest && sb.st_mtime > *newest)
			*newest = sb.st_mtime;
		return;
	}
	DIR *d = depth < 8 ? opendir(path) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *sub = ws_strdupf("%s/%s", path, e->d_name);
		if (sub)
			walk(sub, bytes, newest, depth + 1);
		free(sub);
	}
	if (d)
		closedir(d);
}

static bool db_stat(const char *path, ws_stat_db *out, char **err)
{
	memset(out, 0, sizeof *out);
	if (!(out->path = strdup(path)))
		return ws_fail(err, "out of memory");
	walk(path, &out->disk_bytes, NULL, 0);
	/* a commit rewrites files in the live shards: the newest is when */
	ws_layout l;
	char *why = NULL;
	if (ws_layout_read(path, &l, &why) == WS_LAYOUT_OURS) {
		uint64_t ignore = 0;
		for (unsigned k = 0; k < l.nshards; k++)
			walk(l.shard[k], &ignore, &out->last_write, 0);
		ws_layout_free(&l);
	} else {
		uint64_t ignore = 0;
		walk(path, &ignore, &out->last_write, 0);
	}
	free(why);
	return true;
}

static int cmp_docs(const void *a, const void *b)
{
	const ws_stat_row *x = a, *y = b;
	if (!x->key || !y->key)
		return !x->key - !y->key; /* unknown last */
	if (x->documents != y->documents)
		return x->documents > y->documents ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int cmp_year(const void *a, const void *b)
{
	const ws_stat_row *x = a, *y = b;
	if (!x->year || !y->year)
		return !x->year - !y->year;
	return (x->year > y->year) - (x->year < y->year);
}

bool ws_stats_gather(ws_index *ix, const char *const *paths, size_t n, ws_stats *out, char **err)
{
	gather g = {out, false};
	memset(out, 0, sizeof *out);
	out->passages = ix->doccount;
	if (xq_db_metadata_foreach(ix->db, WS_META_FILE_PREFIX, count_file, &g) != XQ_OK) {
		ws_fail(err, "cannot read the index: %s", xq_db_error(ix->db));
		goto fail;
	}
	if (g.oom || !(out->dbs = calloc(n ? n : 1, sizeof *out->dbs))) {
		ws_fail(err, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if (!db_stat(paths[i], &out->dbs[i], err))
			goto fail;
		out->ndbs++;
	}
	qsort(out->formats.v, out->formats.n, sizeof *out->formats.v, cmp_docs);
	qsort(out->sources.v, out->sources.n, sizeof *out->sources.v, cmp_docs);
	qsort(out->years.v, out->years.n, sizeof *out->years.v, cmp_year);
	return true;
fail:
	ws_stats_free(out);
	return false;
}

static void table_free(ws_stat_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].key);
	free(t->v);
}

void ws_stats_free(ws_stats *s)
{
	if (!s)
		return;
	table_free(&s->formats);
	table_free(&s->years);
	table_free(&s->sources);
	for (size_t i = 0; i < s->ndbs; i++)
		free(s->dbs[i].path);
	free(s->dbs);
	memset(s, 0, sizeof *s);
}
