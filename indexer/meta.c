#include "meta.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "array.h"
#include "strbuf.h"
#include "text.h"

#define SIDECAR_NAME "wensou-meta.json"

/* Files come sorted by path, so the files of one folder come together:
 * caching the last folder's sidecar reads each sidecar once. */
struct ws_sidecars {
	char *dir;
	json_t *json;    /* NULL when the folder has none (or it is invalid) */
	int64_t mtime;
	ws_report_fn report;
	void *ud;
};

ws_sidecars *ws_sidecars_new(ws_report_fn report, void *ud)
{
	ws_sidecars *sc = calloc(1, sizeof *sc);
	if (sc) {
		sc->report = report;
		sc->ud = ud;
	}
	return sc;
}

void ws_sidecars_free(ws_sidecars *sc)
{
	if (!sc)
		return;
	free(sc->dir);
	json_decref(sc->json);
	free(sc);
}

/* Each preparer has its sidecars, and a --watch process runs many times:
 * a sidecar's problems are said once per process and version of it. */
static pthread_mutex_t said_mu = PTHREAD_MUTEX_INITIALIZER;
static struct said_sidecar {
	char *path;
	int64_t mtime;
} *said;
static size_t nsaid, said_cap;

static bool first_look(const char *path, int64_t mtime)
{
	pthread_mutex_lock(&said_mu);
	bool first = true;
	for (size_t i = 0; i < nsaid && first; i++)
		first = !(said[i].mtime == mtime && !strcmp(said[i].path, path));
	if (first) {
		struct said_sidecar *v = ws_array_grow(said, nsaid, &said_cap, sizeof *v, 8);
		char *copy = v ? strdup(path) : NULL;
		if (copy) {
			said = v;
			said[nsaid++] = (struct said_sidecar){copy, mtime};
		}
	}
	pthread_mutex_unlock(&said_mu);
	return first;
}

/* Say (a warning: the field is ignored) what in a sidecar's object o is
 * no field of it or not of its type: a misspelt key or a year as -5 was
 * dropped without a word.  top: the folder's object, else a file's. */
static void check_fields(ws_sidecars *sc, const char *path, json_t *o, const char *file)
{
	const char *key;
	json_t *v;
	char msg[400];
	json_object_foreach(o, key, v)
	{
		const char *why = NULL;
		if (!strcmp(key, "source") || !strcmp(key, "encoding") || (file && !strcmp(key, "title"))) {
			if (!json_is_string(v))
				why = "is not a string";
		} else if (!strcmp(key, "year")) {
			json_int_t y = json_is_integer(v) ? json_integer_value(v) : 0;
			if (json_is_integer(v) ? y < 1000 || y > 9999
			                       : !json_is_string(v) || !ws_year_in(json_string_value(v), strlen(json_string_value(v))))
				why = "is not a year of four digits";
		} else if (!file && !strcmp(key, "files")) {
			if (!json_is_object(v))
				why = "is not an object of file names";
		} else {
			why = file ? "is not a field of a file (title, source, year, encoding)"
			           : "is not a field (source, year, encoding, files)";
		}
		if (!why || !sc->report)
			continue;
		char *shown = ws_shown(key, strlen(key), WS_SHOWN_CHARS);
		char *of = file ? ws_shown(file, strlen(file), WS_SHOWN_CHARS) : NULL;
		snprintf(msg, sizeof msg, "%s%s%s\"%s\" %s: ignored", of ? "files: " : "", of ? of : "", of ? ": " : "",
		         shown ? shown : "", why);
		free(shown);
		free(of);
		sc->report(path, msg, false, sc->ud);
	}
}

static void load(ws_sidecars *sc, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dl = slash ? (size_t)(slash - path) : 0;
	if (sc->dir && strlen(sc->dir) == dl && strncmp(sc->dir, path, dl) == 0)
		return;
	free(sc->dir);
	json_decref(sc->json);
	sc->json = NULL;
	sc->mtime = 0;
	sc->dir = strndup(path, dl);
	if (!sc->dir)
		return;
	strbuf sp = STRBUF_INIT;
	strbuf_appendf(&sp, "%s/%s", sc->dir, SIDECAR_NAME);
	struct stat st;
	if (stat(strbuf_str(&sp), &st) == 0) {
		sc->mtime = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		json_error_t err;
		sc->json = json_load_file(strbuf_str(&sp), 0, &err);
		bool say = sc->report && first_look(strbuf_str(&sp), sc->mtime);
		if (!sc->json || !json_is_object(sc->json)) {
			char msg[300];
			if (sc->json)
				snprintf(msg, sizeof msg, "ignored: not a JSON object");
			else
				snprintf(msg, sizeof msg, "ignored: invalid JSON at line %d: %s", err.line, err.text);
			json_decref(sc->json);
			sc->json = NULL;
			if (say)
				sc->report(strbuf_str(&sp), msg, false, sc->ud);
		} else if (say) {
			check_fields(sc, strbuf_str(&sp), sc->json, NULL);
			json_t *files = json_object_get(sc->json, "files");
			const char *name;
			json_t *entry;
			if (json_is_object(files))
				json_object_foreach(files, name, entry)
				{
					if (json_is_object(entry))
						check_fields(sc, strbuf_str(&sp), entry, name);
				}
		}
	}
	strbuf_free(&sp);
}

int64_t ws_sidecar_mtime(ws_sidecars *sc, const char *path)
{
	load(sc, path);
	return sc->mtime;
}

static const char *get_str(json_t *obj, const char *key)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	return s && *s ? s : NULL;
}

static int get_year(json_t *obj)
{
	json_t *v = obj ? json_object_get(obj, "year") : NULL;
	if (json_is_integer(v)) {
		json_int_t y = json_integer_value(v);
		return y >= 1000 && y <= 9999 ? (int)y : 0;
	}
	if (json_is_string(v))
		return ws_year_in(json_string_value(v), strlen(json_string_value(v)));
	return 0;
}

/* obj's "encoding": its string, "" when it is there but not a non-empty
 * string (no encoding has that name), NULL when absent. */
static const char *get_encoding(json_t *obj)
{
	json_t *v = obj ? json_object_get(obj, "encoding") : NULL;
	if (!v)
		return NULL;
	return json_is_string(v) ? json_string_value(v) : "";
}

const char *ws_sidecar_encoding(ws_sidecars *sc, const char *path)
{
	load(sc, path);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	json_t *files = sc->json ? json_object_get(sc->json, "files") : NULL;
	json_t *entry = json_is_object(files) ? json_object_get(files, base) : NULL;
	const char *e = get_encoding(json_is_object(entry) ? entry : NULL);
	return e ? e : get_encoding(sc->json);
}

static char *first_of(const char *a, const char *b, const char *c)
{
	const char *s = a ? a : b ? b : c;
	return s ? strdup(s) : NULL;
}

int ws_meta_resolve(ws_sidecars *sc, const char *path, const ws_doctext *dt, const ws_passages *ps,
                    ws_docmeta *out)
{
	memset(out, 0, sizeof *out);
	load(sc, path);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	json_t *files = sc->json ? json_object_get(sc->json, "files") : NULL;
	json_t *entry = json_is_object(files) ? json_object_get(files, base) : NULL;
	json_t *folder = sc->json;

	/* front matter first, then the format's own metadata */
	const char *fm_title = dt ? (dt->fm_title ? dt->fm_title : dt->doc_title) : NULL;
	const char *fm_source = dt ? (dt->fm_source ? dt->fm_source : dt->doc_source) : NULL;
	/* a report's first line is usually its title; failing that, its
	 * first heading */
	const char *heading = NULL;
	if (ps)
		heading = ps->first_line && *ps->first_line ? ps->first_line : ps->first_heading;

	out->title = first_of(get_str(entry, "title"), fm_title, heading);
	if (!out->title)
		out->title = first_of(get_str(folder, "title"), base, NULL);
	out->source = first_of(get_str(entry, "source"), get_str(folder, "source"), fm_source);

	out->year = get_year(entry);
	if (!out->year)
		out->year = get_year(folder);
	if (!out->year && dt)
		out->year = dt->fm_year ? dt->fm_year : dt->doc_year;
	if (!out->year)
		out->year = ws_year_in(base, strlen(base));
	if (!out->title)
		return -1;
	return 0;
}

void ws_docmeta_free(ws_docmeta *m)
{
	free(m->title);
	free(m->source);
	m->title = m->source = NULL;
}
