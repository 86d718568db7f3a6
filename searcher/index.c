/* index.c - open indexes, check their schema, load the file and source tables. */
#include "index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "filerec.h"
#include "formset.h"
#include "layout.h"
#include "settle.h"
#include "strbuf.h"
#include "text.h"

/* What one database's schema says. */
typedef struct schema_info {
	bool present;
	bool fold_traditional;
	bool stem_english;
} schema_info;

/* The file table before normalisation: raw strings from the metadata. */
typedef struct raw_files {
	ws_index *ix;
	char **titles;
	char **sources;
	size_t cap;
	size_t passages;     /* the records' passages, summed */
	bool oom;
} raw_files;

static bool open_failed(const char *path, xq_status st, const char *msg, char **err)
{
	struct stat sb;
	int found = stat(path, &sb);
	bool missing = found != 0 && errno == ENOENT;
	bool is_file = found == 0 && S_ISREG(sb.st_mode);
	/* a folder with the stub wensou-index writes: an index that is there,
	 * so a shard of it that is missing or unreadable is damage */
	char *stub = ws_strdupf("%s/XAPIANDB", path);
	bool ours = stub && !is_file && stat(stub, &sb) == 0 && S_ISREG(sb.st_mode);
	free(stub);

	if (ours && (st == XQ_ERR_NOT_FOUND || st == XQ_ERR_XAPIAN))
		return ws_fail(err, "cannot read the index at %s (%s): it is damaged, or was being replaced by hand; "
		               "wensou-index --db %s --check tells, and --rebuild repairs it",
		               path, msg, path);
	if (missing || st == XQ_ERR_NOT_FOUND)
		return ws_fail(err, "no index at %s; build one with: wensou-index --db %s FOLDER", path, path);
	switch (st) {
	case XQ_ERR_CORRUPT:
		return ws_fail(err, "the index at %s is damaged (%s); rebuild it with: wensou-index --rebuild --db %s FOLDER",
		               path, msg, path);
	case XQ_ERR_VERSION:
		return ws_fail(err, "the index at %s is in a format this Xapian cannot read (%s); rebuild it with: wensou-index --rebuild --db %s FOLDER",
		               path, msg, path);
	case XQ_ERR_OPENING:
		/* a stub file of the user's: what is wrong is in it */
		if (is_file)
			return ws_fail(err, "cannot open the index at %s: %s", path, msg);
		return ws_fail(err, "cannot open the index at %s: %s (is it a wensou index? build one with: wensou-index --db %s FOLDER)",
		               path, msg, path);
	case XQ_ERR_NETWORK:
		return ws_fail(err, "cannot open the index at %s: %s (is its server running? --timeout sets how long to wait)",
		               path, msg);
	default:
		return ws_fail(err, "cannot open the index at %s: %s (%s)", path, msg, xq_status_to_string(st));
	}
}

/* Shard k's schema record into *si, its bytes into *raw (malloc'd). */
static bool read_schema(xq_db *db, unsigned k, const char *path, schema_info *si, char **raw, char **err)
{
	char *val = NULL;
	size_t len = 0;
	xq_status st = xq_db_shard_get_metadata(db, k, WS_META_SCHEMA, &val, &len);
	if (st != XQ_OK)
		return ws_fail(err, "cannot read the index at %s: %s", path, xq_db_error(db));

	*raw = val;
	si->present = len > 0;
	si->fold_traditional = true;
	si->stem_english = true;
	if (!si->present)
		return true;
	json_error_t jerr;
	json_t *o = json_loadb(val, len, 0, &jerr);
	json_t *v = o ? json_object_get(o, "version") : NULL;
	if (!json_is_object(o) || !json_is_integer(v)) {
		json_decref(o);
		return ws_fail(err, "the index at %s has an unreadable schema record; rebuild it with: wensou-index --rebuild --db %s FOLDER",
		               path, path);
	}
	json_int_t version = json_integer_value(v);
	if (version != WS_SCHEMA_VERSION) {
		json_decref(o);
		return ws_fail(err, "the index at %s has schema version %lld but this wensou-search reads version %d; rebuild it with: wensou-index --rebuild --db %s FOLDER",
		               path, (long long)version, WS_SCHEMA_VERSION, path);
	}
	json_t *ft = json_object_get(o, "fold_traditional");
	json_t *se = json_object_get(o, "stem_english");
	if (json_is_boolean(ft))
		si->fold_traditional = json_is_true(ft);
	if (json_is_boolean(se))
		si->stem_english = json_is_true(se);
	json_decref(o);
	return true;
}

static int collect_file(const char *key, const char *value, size_t len, void *ud)
{
	raw_files *rf = ud;
	ws_index *ix = rf->ix;
	const char *id = key + strlen(WS_META_FILE_PREFIX);

	if (strlen(id) != WS_FILEID_LEN)
		return 0;
	if (ix->nfiles == rf->cap) {
		size_t cap = rf->cap ? rf->cap * 2 : 16;
		ws_file *f = realloc(ix->files, cap * sizeof *f);
		if (f)
			ix->files = f;
		char **t = realloc(rf->titles, cap * sizeof *t);
		if (t)
			rf->titles = t;
		char **s = realloc(rf->sources, cap * sizeof *s);
		if (s)
			rf->sources = s;
		if (!f || !t || !s) {
			rf->oom = true;
			return 1;
		}
		rf->cap = cap;
	}
	ws_filerec rec;
	bool good = ws_filerec_parse(value, len, &rec);
	ws_file *f = &ix->files[ix->nfiles];
	memset(f, 0, sizeof *f);
	memcpy(f->fileid, id, WS_FILEID_LEN + 1);
	/* the record's strings move to the raw table */
	rf->titles[ix->nfiles] = good ? rec.title : NULL;
	rf->sources[ix->nfiles] = good ? rec.source : NULL;
	if (good) {
		rf->passages += rec.passages;
		rec.title = rec.source = NULL;
		ws_filerec_free(&rec);
	}
	ix->nfiles++;
	return 0;
}

static char *normalize(cjk_analyzer *a, const char *s)
{
	return s ? cjk_normalize(a, s, strlen(s)) : NULL;
}

static void drop_files(ws_index *ix)
{
	for (size_t i = 0; i < ix->nfiles; i++) {
		free(ix->files[i].title);
		free(ix->files[i].source);
	}
	free(ix->files);
	ix->files = NULL;
	ix->nfiles = 0;
	ix->files_loaded = false;
}

static void drop_sources(ws_index *ix)
{
	for (size_t i = 0; i < ix->nsources; i++)
		free(ix->sources[i]);
	free(ix->sources);
	ix->sources = NULL;
	ix->nsources = 0;
	ix->sources_loaded = ix->sources_cut = false;
}

static void drop_forms(ws_index *ix)
{
	for (unsigned k = 0; k < ix->nforms; k++)
		free(ix->forms[k]);
	free(ix->forms);
	free(ix->forms_len);
	ix->forms = NULL;
	ix->forms_len = NULL;
	ix->nforms = 0;
	ix->forms_loaded = false;
}

void ws_index_close(ws_index *ix)
{
	if (!ix)
		return;
	drop_files(ix);
	drop_sources(ix);
	drop_forms(ix);
	cjk_analyzer_free(ix->analyzer);
	xq_db_close(ix->db);
	ws_settle_free(ix->settle);
	free(ix);
}

/* What the shards' schema records are checked against: the first one
 * found, and the first of the same --db (a stub can join shards built
 * apart, another machine's served remotely: each must have been analysed
 * as the others, or a query would be analysed right for some only). */
typedef struct schema_check {
	schema_info first;
	bool have;
	const char *first_path;
	const char *owner;      /* the --db of the shards being checked */
	char *owner_raw;        /* the first schema record of owner's shards */
} schema_check;

/* Check shard k's schema (a shard of --db path). */
static bool check_schema(xq_db *db, unsigned k, const char *path, schema_check *sc, char **err)
{
	schema_info si = {0};
	unsigned count = 0;
	char *raw = NULL;
	if (!read_schema(db, k, path, &si, &raw, err)) {
		free(raw);
		return false;
	}
	if (xq_db_shard_doccount(db, k, &count) != XQ_OK) {
		free(raw);
		return ws_fail(err, "cannot read the index at %s: %s", path, xq_db_error(db));
	}
	if (!si.present && count > 0) {
		free(raw);
		return ws_fail(err, "%s is not a wensou index (it has no schema record); build one with: wensou-index --db %s FOLDER",
		               path, path);
	}
	/* the records are written canonical (sorted keys, compact), so equal
	 * means the same */
	if (sc->owner != path) {
		free(sc->owner_raw);
		sc->owner_raw = NULL;
		sc->owner = path;
	}
	bool differ = si.present && sc->owner_raw && strcmp(raw, sc->owner_raw) != 0;
	if (si.present && !sc->owner_raw) {
		sc->owner_raw = raw;
		raw = NULL;
	}
	free(raw);
	if (differ)
		return ws_fail(err, "the shards joined by %s were built with different wensou versions or analysis options and "
		               "cannot be searched together; rebuild them with the same wensou-index and options", path);
	if (si.present && sc->have &&
	    (si.fold_traditional != sc->first.fold_traditional || si.stem_english != sc->first.stem_english))
		return ws_fail(err, "the indexes %s and %s were built with different analysis options and cannot be searched together",
		               sc->first_path, path);
	if (si.present && !sc->have) {
		sc->first = si;
		sc->have = true;
	}
	return true;
}

/* Databases one search opens at most: an archive of 100 years has 100
 * parts of a shard each, beside an index's two. */
#define MAX_DBS 256

static size_t expand_path(const char *path, char **out, size_t max, char **err);

/* An archive's databases: each part's shards, as for --db PART.  Returns
 * the count, or 0 with *err. */
static size_t expand_archive(const char *path, ws_shard_by by, char **out, size_t max, char **err)
{
	unsigned nparts;
	char *why = NULL;
	char **parts = ws_layout_parts_read(path, by, &nparts, &why);
	if (!parts) {
		if (why)
			ws_fail(err, "%s", why);
		else
			ws_fail(err, "the archive at %s has no part built yet; build it with: wensou-index --db %s FOLDER",
			        path, path);
		free(why);
		return 0;
	}
	size_t n = 0;
	for (unsigned i = 0; i < nparts; i++) {
		size_t got = expand_path(parts[i], out + n, max - n, err);
		if (!got) {
			for (size_t k = 0; k < n; k++)
				free(out[k]);
			n = 0;
			break;
		}
		n += got;
	}
	ws_layout_parts_free(parts, nparts);
	return n;
}

/* The databases path stands for: an index folder in wensou's layout gives
 * its live shards, an archive its parts'; anything else (a Xapian
 * database, a stub file of the user's) is handed to Xapian as it is.
 * Returns the count, or 0 with *err. */
static size_t expand_path(const char *path, char **out, size_t max, char **err)
{
	ws_layout l;
	char *why = NULL;
	ws_shard_by by;
	if (ws_layout_shard_by_read(path, &by, &why) != 0) {
		ws_fail(err, "%s", why ? why : "out of memory");
		free(why);
		return 0;
	}
	if (by)
		return expand_archive(path, by, out, max, err);
	if (!max) {
		ws_fail(err, "too many databases to search at once (more than %d shards)", MAX_DBS);
		return 0;
	}
	ws_layout_result lr = ws_layout_read(path, &l, &why);
	if (lr == WS_LAYOUT_ERROR) {
		ws_fail(err, "%s", why);
		free(why);
		return 0;
	}
	free(why);
	if (lr == WS_LAYOUT_NONE) {
		unsigned ngens;
		int *gens = ws_layout_generations(path, &ngens);
		free(gens);
		if (ngens) {
			ws_fail(err, "the first build of the index at %s has not finished; run wensou-index --db %s to finish it",
			        path, path);
			return 0;
		}
	}
	if (lr != WS_LAYOUT_OURS) {
		out[0] = strdup(path);
		return out[0] ? 1 : (ws_fail(err, "out of memory"), 0);
	}
	if (l.nshards > max) {
		ws_layout_free(&l);
		ws_fail(err, "too many databases to search at once (more than %d shards)", MAX_DBS);
		return 0;
	}
	size_t n = 0;
	for (unsigned k = 0; k < l.nshards; k++) {
		out[n] = l.shard[k];
		l.shard[k] = NULL;
		n++;
	}
	ws_layout_free(&l);
	return n;
}

/* Open every database of paths[0..n) into one handle *db (the first
 * opened, the rest added), then check each shard's schema through it
 * (each database is opened once: an archive has tens). */
static bool open_all(const char *const *paths, size_t n, unsigned timeout_ms, xq_db **db, schema_info *first,
                     bool *have, char **err)
{
	char *dbs[MAX_DBS] = {NULL};
	size_t ndbs = 0;
	const char *owner[MAX_DBS];
	unsigned shards_after[MAX_DBS]; /* the handle's shards once dbs[i] is in (a stub may name several) */
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		size_t got = expand_path(paths[i], dbs + ndbs, MAX_DBS - ndbs, err);
		for (size_t k = 0; k < got; k++)
			owner[ndbs + k] = paths[i];
		ndbs += got;
		ok = got > 0;
	}
	if (ok) {
		xq_status st = xq_db_open_timeout(dbs[0], timeout_ms, db);
		if (st != XQ_OK)
			ok = open_failed(owner[0], st, xq_last_error(), err);
		else
			shards_after[0] = xq_db_shard_count(*db);
	}
	for (size_t i = 1; ok && i < ndbs; i++) {
		xq_status st = xq_db_add_database(*db, dbs[i]);
		if (st != XQ_OK)
			ok = open_failed(owner[i], st, xq_db_error(*db), err);
		else
			shards_after[i] = xq_db_shard_count(*db);
	}
	schema_check sc = {.first_path = paths[0]};
	for (size_t i = 0, k = 0; ok && i < ndbs; i++)
		for (; ok && k < shards_after[i]; k++)
			ok = check_schema(*db, (unsigned)k, owner[i], &sc, err);
	free(sc.owner_raw);
	if (ok) {
		*first = sc.first;
		*have = sc.have;
	}
	for (size_t i = 0; i < ndbs; i++)
		free(dbs[i]);
	return ok;
}

bool ws_index_open(const char *const *paths, size_t n, unsigned timeout_ms, ws_index **out, char **err)
{
	ws_index *ix = calloc(1, sizeof *ix);
	schema_info first = {0};
	bool have_schema = false, ok = false;
	char *cerr = NULL;

	*out = NULL;
	if (!ix)
		return ws_fail(err, "out of memory");
	ix->timeout_ms = timeout_ms;
	if (!open_all(paths, n, timeout_ms, &ix->db, &first, &have_schema, err))
		goto out;
	/* before anything is read: at a batch boundary, and so at every
	 * reopen, the search engine's own included */
	ix->settle = ws_settle_new(ix->db);
	if (ix->settle && xq_db_set_reopen_check(ix->db, ws_settle_check, ix->settle) != XQ_OK) {
		ws_fail(err, "cannot reopen the index: %s", xq_db_error(ix->db));
		goto out;
	}
	for (unsigned k = 0; k < xq_db_shard_count(ix->db); k++)
		ix->remote = ix->remote || xq_db_shard_is_remote(ix->db, k);
	if (xq_db_doccount(ix->db, &ix->doccount) != XQ_OK) {
		ws_fail(err, "cannot read the index: %s", xq_db_error(ix->db));
		goto out;
	}

	cjk_options_default(&ix->opts);
	if (have_schema) {
		ix->opts.fold_traditional = first.fold_traditional;
		ix->opts.stem_english = first.stem_english;
	}
	/* the index's folding table spares opening ICU's transliterator */
	char *fold = NULL;
	size_t fold_len = 0;
	if (xq_db_get_metadata(ix->db, WS_META_FOLD, &fold, &fold_len) == XQ_OK && fold_len) {
		ix->opts.fold_table = fold;
		ix->opts.fold_table_len = fold_len;
	}
	ix->analyzer = cjk_analyzer_new(&ix->opts, &cerr);
	free(fold);
	ix->opts.fold_table = NULL;
	ix->opts.fold_table_len = 0;
	if (!ix->analyzer) {
		ws_fail(err, "cannot set up text analysis: %s", cerr ? cerr : "unknown error");
		goto out;
	}
	ok = true;
out:
	free(cerr);
	if (ok)
		*out = ix;
	else
		ws_index_close(ix);
	return ok;
}

bool ws_index_refresh(ws_index *ix, char **err)
{
	bool changed;
	if (xq_db_reopen(ix->db, &changed) != XQ_OK)
		return ws_fail(err, "cannot reopen the index: %s", xq_db_error(ix->db));
	if (!changed)
		return true;
	if (xq_db_doccount(ix->db, &ix->doccount) != XQ_OK)
		return ws_fail(err, "cannot read the index: %s", xq_db_error(ix->db));
	/* titles and sources are read again when a filter next needs them,
	 * the shards' forms when a query next has one */
	drop_files(ix);
	drop_sources(ix);
	drop_forms(ix);
	return true;
}

bool ws_index_load_files(ws_index *ix, char **err)
{
	if (ix->files_loaded)
		return true;
	raw_files rf = {.ix = ix};
	bool ok = false;
	if (xq_db_metadata_foreach(ix->db, WS_META_FILE_PREFIX, collect_file, &rf) != XQ_OK) {
		ws_fail(err, "cannot read the index: %s", xq_db_error(ix->db));
		goto out;
	}
	if (rf.oom) {
		ws_fail(err, "out of memory");
		goto out;
	}
	/* Every passage belongs to a file on record (both go in one commit),
	 * so fewer passages on record than in the index means records that
	 * could not be read: a remote server serving several databases as
	 * one (a whole index folder) passes on the first one's metadata only,
	 * Xapian 1.4's answer for a multi-database.  title: and source:
	 * would then miss files without a word: say so instead. */
	if (ix->remote && rf.passages < ix->doccount) {
		ws_fail(err, "title: and source: need the file records of every shard, and a remote shard serves several "
		        "databases as one, of which Xapian passes on the first one's records only (%zu of %u passages on "
		        "record): serve each shard on its own (xapian-tcpsrv DIR/shard-K, see \"Scaling out\" in the README)",
		        rf.passages, ix->doccount);
		goto out;
	}
	for (size_t i = 0; i < ix->nfiles; i++) {
		ix->files[i].title = normalize(ix->analyzer, rf.titles[i]);
		ix->files[i].source = normalize(ix->analyzer, rf.sources[i]);
	}
	ix->files_loaded = ok = true;
out:
	for (size_t i = 0; i < ix->nfiles; i++) {
		free(rf.titles[i]);
		free(rf.sources[i]);
	}
	free(rf.titles);
	free(rf.sources);
	return ok;
}

typedef struct source_walk {
	ws_index *ix;
	size_t cap;
	bool oom;
} source_walk;

static int collect_source(const char *term, size_t len, unsigned freq, void *ud)
{
	source_walk *w = ud;
	ws_index *ix = w->ix;
	size_t plen = strlen(WS_PREFIX_SOURCE);
	if (!freq || len <= plen)
		return 0;
	if (ix->nsources == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		char **v = realloc(ix->sources, cap * sizeof *v);
		if (!v) {
			w->oom = true;
			return 1;
		}
		ix->sources = v;
		w->cap = cap;
	}
	char *s = strndup(term + plen, len - plen);
	if (!s) {
		w->oom = true;
		return 1;
	}
	ix->sources[ix->nsources++] = s;
	/* ws_term_source cuts at a character boundary at most 3 bytes short */
	if (len + 3 >= WS_TERM_MAX_BYTES)
		ix->sources_cut = true;
	return 0;
}

bool ws_index_load_sources(ws_index *ix, char **err)
{
	if (ix->sources_loaded)
		return true;
	source_walk w = {.ix = ix};
	if (xq_db_terms_foreach(ix->db, WS_PREFIX_SOURCE, collect_source, &w) != XQ_OK) {
		drop_sources(ix);
		return ws_fail(err, "cannot read the index: %s", xq_db_error(ix->db));
	}
	if (w.oom) {
		drop_sources(ix);
		return ws_fail(err, "out of memory");
	}
	ix->sources_loaded = true;
	return true;
}

/* The shards' WS_META_FORMS lists, in the order xq walks them. */
typedef struct form_lists {
	char **v;
	size_t *len;
	unsigned n, cap;
	bool oom;
} form_lists;

static int collect_forms(const char *key, const char *value, size_t len, void *ud)
{
	form_lists *fl = ud;
	if (strcmp(key, WS_META_FORMS) != 0)
		return 0;
	if (fl->n == fl->cap || !(fl->v[fl->n] = malloc(len + 1))) {
		fl->oom = true;
		return 1;
	}
	memcpy(fl->v[fl->n], value, len);
	fl->v[fl->n][len] = '\0';
	fl->len[fl->n++] = len;
	return 0;
}

/* ix->forms: every shard's list, or none when a shard lists none or is
 * remote. */
static bool load_forms(ws_index *ix, xq_status *xst, char **err)
{
	unsigned shards = xq_db_shard_count(ix->db);
	form_lists fl = {.cap = shards};
	bool ok = true;
	for (unsigned k = 0; k < shards; k++)
		if (xq_db_shard_is_remote(ix->db, k))
			goto done;
	if (!shards)
		goto done;
	fl.v = calloc(shards, sizeof *fl.v);
	fl.len = calloc(shards, sizeof *fl.len);
	if (!fl.v || !fl.len) {
		ok = ws_fail(err, "out of memory");
		goto done;
	}
	if ((*xst = xq_db_metadata_foreach(ix->db, WS_META_FORMS, collect_forms, &fl)) != XQ_OK) {
		ok = ws_fail(err, "cannot read the index: %s", xq_db_error(ix->db));
		goto done;
	}
	if (fl.oom) {
		ok = ws_fail(err, "out of memory");
		goto done;
	}
	if (fl.n == shards) {
		ix->forms = fl.v;
		ix->forms_len = fl.len;
		ix->nforms = fl.n;
		fl.v = NULL;
		fl.len = NULL;
		fl.n = 0;
	}
done:
	for (unsigned k = 0; k < fl.n; k++)
		free(fl.v[k]);
	free(fl.v);
	free(fl.len);
	ix->forms_loaded = ok;
	return ok;
}

bool ws_index_has_form(ws_index *ix, const char *form, size_t n, bool *has, xq_status *xst, char **err)
{
	*has = false;
	*xst = XQ_OK;
	if (!ix->forms_loaded && !load_forms(ix, xst, err))
		return false;
	*has = ix->nforms > 0;
	for (unsigned k = 0; *has && k < ix->nforms; k++)
		*has = ws_forms_list_has(ix->forms[k], ix->forms_len[k], form, n);
	return true;
}
