#include "prepare.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <unicode/utf8.h>

#include "charset.h"
#include "extract.h"
#include "extract_pdf.h"
#include "passage.h"
#include "filerec.h"
#include "schema.h"
#include "strbuf.h"

struct ws_prepared_state {
	char *data;
	ws_doctext dt;
	ws_passages ps;
	ws_docmeta meta;
	char *src_term;       /* the source's boolean term, or NULL */
	size_t src_term_len;
	char *path;
	size_t next; /* the next passage to analyse */
};

struct ws_preparer {
	cjk_analyzer *an;
	const ws_formset *forms; /* borrowed */
	ws_sidecars *sidecars;
	/* the H terms of the last section trail seen: passages of one
	 * section come in a row, so each trail is analysed once */
	char *sec_text;
	strbuf sec_terms; /* NUL-terminated terms, one after another */
	/* the XT terms of the last title seen, likewise once per file */
	char *title_text;
	strbuf title_terms;
};

ws_preparer *ws_preparer_new(const cjk_options *opts, const ws_formset *forms, ws_report_fn report, void *ud,
                             char **err)
{
	ws_preparer *p = calloc(1, sizeof *p);
	if (!p) {
		*err = strdup("out of memory");
		return NULL;
	}
	p->forms = forms;
	p->an = cjk_analyzer_new(opts, err);
	p->sidecars = ws_sidecars_new(report, ud);
	if (!p->an || !p->sidecars) {
		if (p->an && !*err)
			*err = strdup("out of memory");
		ws_preparer_free(p);
		return NULL;
	}
	return p;
}

void ws_preparer_free(ws_preparer *p)
{
	if (!p)
		return;
	cjk_analyzer_free(p->an);
	ws_sidecars_free(p->sidecars);
	free(p->sec_text);
	strbuf_free(&p->sec_terms);
	free(p->title_text);
	strbuf_free(&p->title_terms);
	free(p);
}

static bool valid_utf8(const char *s)
{
	int32_t i = 0, n = (int32_t)strlen(s);
	while (i < n) {
		UChar32 c;
		U8_NEXT((const uint8_t *)s, i, n, c);
		if (c < 0)
			return false;
	}
	return true;
}

/* Read the whole file.  Returns a malloc'd buffer (NUL-terminated) or
 * NULL with *err. */
static char *read_all(const char *path, uint64_t expect, size_t *len, char **err)
{
	/* O_NONBLOCK: a file replaced by a FIFO since the walk must not
	 * hang the run in open() */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		*err = ws_strdupf("cannot open: %s", strerror(errno));
		return NULL;
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		*err = strdup("skipped: no longer a regular file");
		close(fd);
		return NULL;
	}
	size_t cap = (size_t)expect + 1, n = 0;
	char *buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		*err = ws_strdupf("out of memory reading %llu bytes", (unsigned long long)expect);
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			/* the file grew while we read it */
			if (cap >= WS_MAX_FILE_BYTES) {
				free(buf);
				close(fd);
				*err = ws_strdupf("too large (over %u MB)", WS_MAX_FILE_BYTES >> 20);
				return NULL;
			}
			char *p = realloc(buf, cap * 2 + 1);
			if (!p) {
				free(buf);
				close(fd);
				*err = strdup("out of memory");
				return NULL;
			}
			buf = p;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			*err = ws_strdupf("read error: %s", strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* One occurrence of a glossary form: its XF term once more (its wdf
 * counts the occurrences, as a word's does). */
typedef struct form_terms {
	const ws_formset *forms;
	xq_doc *doc;
	xq_status xs;
} form_terms;

/* The XF term of form k of fs into term; its length, 0 if too long. */
static size_t form_term(const ws_formset *fs, size_t k, char term[WS_TERM_MAX_BYTES + 1])
{
	size_t len;
	const char *form = ws_formset_form(fs, k, &len);
	return ws_term_form(form, len, term);
}

static void add_form_term(void *ud, size_t k)
{
	form_terms *ft = ud;
	char term[WS_TERM_MAX_BYTES + 1];
	size_t n = form_term(ft->forms, k, term);
	if (n && ft->xs == XQ_OK)
		ft->xs = xq_doc_add_term(ft->doc, term, n, 1);
}

/* The heading of the passage's own section: the last of its trail. */
static const char *leaf_heading(const char *section)
{
	const char *leaf = section;
	for (const char *s = strstr(section, " > "); s; s = strstr(s + 3, " > "))
		leaf = s + 3;
	return leaf;
}

/* The passage's terms into doc, with the XF terms of the glossary forms
 * it holds (its Han runs read as the searcher's check reads them, its
 * words as a phrase matches them).  Returns XQ_OK or the first failure. */
static xq_status add_terms(ws_preparer *p, xq_doc *doc, const char *text, size_t len, unsigned first_line)
{
	cjk_analyzer *an = p->an;
	cjk_analyzer_reset(an, text, len, first_line);
	cjk_term t;
	xq_status xs = XQ_OK;
	form_terms ft = {p->forms, doc, XQ_OK};
	ws_form_words words;
	ws_form_words_reset(&words);
	while (xs == XQ_OK && cjk_analyzer_next(an, &t) == 1) {
		/* a "word" longer than Xapian's limit (a run of letters with
		 * no break) cannot be a term: it is left out, as Xapian's own
		 * TermGenerator leaves it out */
		if (t.len > WS_TERM_MAX_BYTES)
			continue;
		/* Only Latin words and numbers keep positions (English
		 * phrases).  Han terms go in without: their positions were
		 * two thirds of the index, and the searcher checks a run of
		 * Han characters in the passage text instead (schema.h). */
		if (t.kind == CJK_TERM_WORD || t.kind == CJK_TERM_NUMBER) {
			xs = xq_doc_add_posting(doc, t.text, t.len, t.pos, 1);
			ws_formset_word(p->forms, &words, t.text, t.len, t.pos, add_form_term, &ft);
			if (xs == XQ_OK)
				xs = ft.xs;
		} else {
			xs = xq_doc_add_term(doc, t.text, t.len, 1);
		}
	}
	if (xs == XQ_OK) {
		ws_formset_scan(p->forms, an, text, len, add_form_term, &ft);
		xs = ft.xs;
	}
	return xs;
}

/* The terms of a list (NUL-terminated, one after another) into doc, each
 * once, as boolean terms or with a wdf of 1. */
static xq_status add_term_list(xq_doc *doc, const strbuf *terms, bool boolean)
{
	xq_status xs = XQ_OK;
	for (size_t i = 0; xs == XQ_OK && i < terms->len;) {
		const char *term = terms->data + i;
		size_t n = strlen(term);
		xs = boolean ? xq_doc_add_boolean_term(doc, term, n) : xq_doc_add_term(doc, term, n, 1);
		i += n + 1;
	}
	return xs;
}

/* The H terms of a heading's glossary forms (HXF..., formset.h), onto
 * the preparer's section terms. */
typedef struct heading_forms {
	const ws_formset *forms;
	strbuf *terms;
	bool oom;
} heading_forms;

static void add_heading_form(void *ud, size_t k)
{
	heading_forms *hf = ud;
	size_t hl = strlen(WS_PREFIX_SECTION);
	char term[WS_TERM_MAX_BYTES + 1];
	size_t n = form_term(hf->forms, k, term);
	if (!n || n + hl > WS_TERM_MAX_BYTES)
		return;
	if (!strbuf_appends(hf->terms, WS_PREFIX_SECTION) || !strbuf_append(hf->terms, term, n) ||
	    !strbuf_appendc(hf->terms, '\0'))
		hf->oom = true;
}

/* The terms of the heading of the passage's own section, with the H prefix
 * and without positions: the searcher finds a section's body by what its
 * heading names, ranked above passing mentions.  Its glossary forms too
 * (H + XF...), read as the text's are. */
static xq_status add_section_terms(ws_preparer *p, xq_doc *doc, const char *section)
{
	section = leaf_heading(section);
	if (!*section)
		return XQ_OK;
	if (!p->sec_text || strcmp(p->sec_text, section) != 0) {
		free(p->sec_text);
		p->sec_text = strdup(section);
		p->sec_terms.len = 0;
		if (!p->sec_text)
			return XQ_ERR_NOMEM;
		cjk_analyzer_reset(p->an, section, strlen(section), 1);
		cjk_term t;
		while (cjk_analyzer_next(p->an, &t) == 1) {
			if (t.len + strlen(WS_PREFIX_SECTION) > WS_TERM_MAX_BYTES)
				continue;
			if (!strbuf_appends(&p->sec_terms, WS_PREFIX_SECTION) || !strbuf_append(&p->sec_terms, t.text, t.len) ||
			    !strbuf_appendc(&p->sec_terms, '\0')) {
				free(p->sec_text);
				p->sec_text = NULL;
				return XQ_ERR_NOMEM;
			}
		}
		heading_forms hf = {p->forms, &p->sec_terms, false};
		ws_formset_scan(p->forms, p->an, section, strlen(section), add_heading_form, &hf);
		if (hf.oom) {
			free(p->sec_text);
			p->sec_text = NULL;
			return XQ_ERR_NOMEM;
		}
	}
	return add_term_list(doc, &p->sec_terms, false);
}

/* One pair of a normalised title onto the preparer's title terms. */
typedef struct title_pairs {
	const char *norm;
	strbuf *terms;
	bool oom;
} title_pairs;

static void add_title_pair(void *ud, size_t at, size_t n)
{
	title_pairs *tp = ud;
	char term[WS_TERM_TITLE_SIZE];
	size_t tn = ws_term_title_pair(tp->norm + at, n, term);
	if (tn && (!strbuf_append(tp->terms, term, tn) || !strbuf_appendc(tp->terms, '\0')))
		tp->oom = true;
}

/* The XT terms of the file's title (schema.h) into doc: its pairs as the
 * searcher reads its title, normalised (cjk_normalize), so that a pair
 * is a term exactly where it is in the normalised title. */
static xq_status add_title_terms(ws_preparer *p, xq_doc *doc, const char *title)
{
	if (!p->title_text || strcmp(p->title_text, title) != 0) {
		free(p->title_text);
		p->title_terms.len = 0;
		char *norm = cjk_normalize(p->an, title, strlen(title));
		title_pairs tp = {norm, &p->title_terms, false};
		if (norm)
			cjk_han_pairs(norm, strlen(norm), add_title_pair, &tp);
		bool ok = norm && !tp.oom;
		free(norm);
		if (!ok || !(p->title_text = strdup(title))) {
			p->title_text = NULL;
			p->title_terms.len = 0;
			return XQ_ERR_NOMEM;
		}
	}
	return add_term_list(doc, &p->title_terms, true);
}

/* The passage's text: its bytes in the file's text, or its parts joined
 * by newlines (passage.h); *joined holds the latter. */
static bool passage_text(const ws_doctext *dt, const ws_passage *ps, strbuf *joined, const char **text, size_t *len)
{
	if (!ps->nparts) {
		*text = dt->text + ps->start;
		*len = ps->end - ps->start;
		return true;
	}
	for (size_t i = 0; i < ps->nparts; i++)
		if ((i && !strbuf_appendc(joined, '\n')) ||
		    !strbuf_append(joined, dt->text + ps->parts[i].start, ps->parts[i].end - ps->parts[i].start))
			return false;
	*text = joined->data;
	*len = joined->len;
	return true;
}

/* The file's line for line of dt's text (they differ for formats whose
 * text is extracted, see ws_doctext.line_map). */
static unsigned file_line(const ws_doctext *dt, unsigned line)
{
	return dt->line_map && line >= 1 && line <= dt->nlines ? dt->line_map[line - 1] : line;
}

/* The file lines of the passage's lines when they are not consecutive
 * (a block of HTML that starts on the line where the last one ended, a
 * DOCX paragraph after a blank line, a sentence that goes on after a
 * block of footnotes): the searcher reads a hit's line from it.  NULL
 * when the lines run on from first_line. */
static json_t *line_map_json(const ws_doctext *dt, const ws_passage *ps)
{
	ws_passage_part whole = {ps->start, ps->end, ps->first_line, ps->last_line};
	const ws_passage_part *parts = ps->nparts ? ps->parts : &whole;
	size_t nparts = ps->nparts ? ps->nparts : 1;
	unsigned first = file_line(dt, ps->first_line), k = 0;
	bool consecutive = true;
	for (size_t i = 0; i < nparts; i++)
		for (unsigned l = parts[i].first_line; l <= parts[i].last_line; l++, k++)
			consecutive &= file_line(dt, l) == first + k;
	if (consecutive)
		return NULL;
	json_t *a = json_array();
	for (size_t i = 0; a && i < nparts; i++)
		for (unsigned l = parts[i].first_line; l <= parts[i].last_line; l++)
			json_array_append_new(a, json_integer(file_line(dt, l)));
	return a;
}

/* One passage's document, or NULL with *err (malloc'd): every status of
 * its building is checked, so that no half-built document is written. */
static xq_doc *build_doc(ws_preparer *p, const ws_doctext *dt, const ws_passage *ps, const char *path,
                         const char *fileid, const ws_docmeta *m, const char *src_term, size_t src_term_len,
                         char **err)
{
	xq_doc *doc = xq_doc_new();
	if (!doc) {
		*err = strdup("out of memory");
		return NULL;
	}
	const char *text;
	size_t tlen;
	strbuf joined = STRBUF_INIT;
	if (!passage_text(dt, ps, &joined, &text, &tlen)) {
		strbuf_free(&joined);
		xq_doc_free(doc);
		*err = strdup("out of memory");
		return NULL;
	}
	char fileterm[WS_TERM_FILE_SIZE];
	size_t ftl = ws_term_file(fileid, fileterm);
	xq_status xs = add_terms(p, doc, text, tlen, ps->first_line);
	if (xs == XQ_OK)
		xs = add_section_terms(p, doc, ps->section);
	/* the length normalisation into the wdf, before any boolean term
	 * (schema.h: WS_RANK_*) */
	unsigned long doclen = 0;
	if (xs == XQ_OK)
		xs = xq_doc_length(doc, &doclen);
	if (xs == XQ_OK && doclen)
		xs = xq_doc_scale_wdf(doc, ws_rank_wdf_factor(doclen));
	/* an aside's terms out of the lists a default search reads */
	if (xs == XQ_OK && ps->kind != WS_PASSAGE_BODY)
		xs = xq_doc_prefix_terms(doc, WS_PREFIX_ASIDE, strlen(WS_PREFIX_ASIDE));
	if (xs == XQ_OK && ps->kind != WS_PASSAGE_BODY) {
		char kt[32];
		int n = snprintf(kt, sizeof kt, "%s%s", WS_PREFIX_KIND, ws_kind_name(ps->kind));
		xs = xq_doc_add_boolean_term(doc, kt, (size_t)n);
	}
	if (xs == XQ_OK)
		xs = xq_doc_add_boolean_term(doc, fileterm, ftl);
	if (xs == XQ_OK && m->title)
		xs = add_title_terms(p, doc, m->title);
	if (xs == XQ_OK && m->year) {
		char yt[WS_TERM_YEAR_SIZE];
		size_t n = ws_term_year(m->year, yt);
		xs = xq_doc_add_boolean_term(doc, yt, n);
		char v[18];
		size_t vl = xq_sortable_serialise(m->year, v);
		if (xs == XQ_OK)
			xs = xq_doc_set_value(doc, WS_SLOT_YEAR, v, vl);
	}
	if (xs == XQ_OK && src_term)
		xs = xq_doc_add_boolean_term(doc, src_term, src_term_len);
	if (xs == XQ_OK)
		xs = xq_doc_set_value(doc, WS_SLOT_FILE, fileid, WS_HASH_HEX_LEN);
	if (xs != XQ_OK) {
		*err = ws_strdupf("building a passage failed: %s", xq_last_error());
		strbuf_free(&joined);
		xq_doc_free(doc);
		return NULL;
	}

	json_t *j = json_object();
	json_object_set_new(j, WS_DATA_PATH, json_string(path));
	json_object_set_new(j, WS_DATA_TITLE, json_string(m->title));
	json_object_set_new(j, WS_DATA_YEAR, m->year ? json_integer(m->year) : json_null());
	json_object_set_new(j, WS_DATA_SOURCE, m->source ? json_string(m->source) : json_null());
	json_object_set_new(j, WS_DATA_PAGE, ps->page ? json_integer(ps->page) : json_null());
	if (ps->page > 0 && dt->page_labels && (size_t)ps->page <= dt->npages && dt->page_labels[ps->page - 1])
		json_object_set_new(j, WS_DATA_PAGE_LABEL, json_string(dt->page_labels[ps->page - 1]));
	json_object_set_new(j, WS_DATA_LINES, json_pack("[i,i]", file_line(dt, ps->first_line), file_line(dt, ps->last_line)));
	json_object_set_new(j, WS_DATA_SECTION, json_string(ps->section));
	if (ps->kind != WS_PASSAGE_BODY)
		json_object_set_new(j, WS_DATA_KIND, json_string(ws_kind_name(ps->kind)));
	if (ps->head_len)
		json_object_set_new(j, WS_DATA_HEAD, json_integer((json_int_t)ps->head_len));
	json_t *lm = line_map_json(dt, ps);
	if (lm)
		json_object_set_new(j, WS_DATA_LINE_MAP, lm);
	json_object_set_new(j, WS_DATA_OFFSET, json_integer((json_int_t)ps->start));
	json_object_set_new(j, WS_DATA_LINE_OFFSET, json_integer((json_int_t)ps->line_offset));
	if (ps->line_offset) {
		size_t chars = 0;
		for (size_t i = ps->start - ps->line_offset; i < ps->start; i++)
			chars += ((unsigned char)dt->text[i] & 0xC0) != 0x80;
		json_object_set_new(j, WS_DATA_LINE_OFFSET_CHARS, json_integer((json_int_t)chars));
	}
	/* The JSON, a NUL, the heading unless the text begins with it, a NUL,
	 * the text (schema.h). */
	char *meta = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	strbuf data = STRBUF_INIT;
	bool ok = meta && strbuf_appends(&data, meta) && strbuf_appendc(&data, '\0') &&
	          strbuf_appends(&data, ps->head_len ? "" : leaf_heading(ps->section)) && strbuf_appendc(&data, '\0') &&
	          strbuf_append(&data, text, tlen);
	xs = ok ? xq_doc_set_data(doc, data.data, data.len) : XQ_ERR_NOMEM;
	free(meta);
	strbuf_free(&data);
	strbuf_free(&joined);
	if (xs != XQ_OK) {
		*err = ok ? ws_strdupf("building a passage failed: %s", xq_last_error()) : strdup("out of memory");
		xq_doc_free(doc);
		return NULL;
	}
	return doc;
}

static void state_free(struct ws_prepared_state *s)
{
	if (!s)
		return;
	free(s->src_term);
	free(s->path);
	ws_docmeta_free(&s->meta);
	ws_passages_free(&s->ps);
	ws_doctext_free(&s->dt);
	free(s->data);
	free(s);
}

void ws_prepare_file(ws_preparer *p, const ws_file *f, const char *old_hash, ws_prepared *out)
{
	memset(out, 0, sizeof *out);
	ws_fileid(f->path, out->fileid);
	char *err = NULL;

	int sniff;
	ws_format fmt = ws_format_from_path(f->path, &sniff);
	if (fmt == WS_FORMAT_UNSUPPORTED) {
		out->result = WS_PREP_UNSUPPORTED;
		out->message = strdup("skipped: not a format wensou reads yet");
		return;
	}
	if (!valid_utf8(f->path)) {
		out->result = WS_PREP_FAILED;
		out->message = strdup("file name is not valid UTF-8");
		return;
	}
	if (f->size > WS_MAX_FILE_BYTES) {
		out->result = WS_PREP_FAILED;
		out->message = ws_strdupf("too large (%llu MB; the limit is %u MB)", (unsigned long long)(f->size >> 20),
		                    WS_MAX_FILE_BYTES >> 20);
		return;
	}
	struct ws_prepared_state *st = calloc(1, sizeof *st);
	if (!st || !(st->path = strdup(f->path))) {
		free(st);
		out->result = WS_PREP_FAILED;
		out->message = strdup("out of memory");
		return;
	}
	out->state = st;
	size_t len = 0;
	st->data = read_all(f->path, f->size, &len, &err);
	if (!st->data) {
		out->result = WS_PREP_FAILED;
		out->message = err;
		goto drop_state;
	}
	out->bytes = len;
	ws_hash_hex(st->data, len, out->hash);
	int64_t side_mtime = ws_sidecar_mtime(p->sidecars, f->path);

	/* a pinned encoding is the sidecar's word: a name ICU does not know
	 * is an error for the file, never a silent fallback to detection */
	const char *pin = ws_sidecar_encoding(p->sidecars, f->path);
	if (pin && !ws_charset_known(pin)) {
		out->result = WS_PREP_FAILED;
		out->message = ws_strdupf("unknown encoding \"%s\" pinned in wensou-meta.json (try gb18030, big5, "
		                          "utf-16le, utf-16be, utf-8)", pin);
		goto drop_state;
	}
	const char *why = NULL;
	char *why_owned = NULL;
	ws_extract_result xr;
	if (fmt == WS_FORMAT_PDF) {
		xr = ws_extract_pdf(st->data, len, 0, &st->dt, &why_owned);
		why = why_owned;
	} else {
		xr = ws_extract_as(st->data, len, fmt, pin, &st->dt, &why);
	}
	if (xr == WS_EXTRACT_NO_TEXT) {
		/* a scanned PDF: reported, not an error (there is no OCR) */
		out->result = WS_PREP_EMPTY;
		out->message = why_owned;
		goto drop_state;
	}
	if (xr != WS_EXTRACT_OK) {
		bool quiet_skip = sniff && xr != WS_EXTRACT_EMPTY;
		out->result = xr == WS_EXTRACT_EMPTY ? WS_PREP_EMPTY : quiet_skip ? WS_PREP_UNSUPPORTED : WS_PREP_FAILED;
		/* read, and what it holds now cannot be indexed: what the index
		 * had of it is no longer its content */
		out->drop_old = out->result == WS_PREP_FAILED;
		if (xr == WS_EXTRACT_BAD_ENCODING && st->dt.encoding[0])
			out->message = ws_strdupf("%s%s, read as %s (%s)", quiet_skip ? "skipped: " : "", why,
			                          st->dt.encoding, st->dt.encoding_how);
		else
			out->message = ws_strdupf("%s%s", quiet_skip ? "skipped: " : "", why);
		free(why_owned);
		goto drop_state;
	}
	out->replaced = st->dt.replaced;
	snprintf(out->encoding, sizeof out->encoding, "%s", st->dt.encoding);
	out->encoding_how = st->dt.encoding_how;
	if (ws_passages_split(st->dt.text, st->dt.len, st->dt.body_offset, st->dt.body_line,
	                      (fmt == WS_FORMAT_PDF ? WS_SPLIT_PLAIN : 0) |
	                          (st->dt.marked_headings ? WS_SPLIT_MARKED_ONLY : 0),
	                      &st->ps) != 0 ||
	    ws_meta_resolve(p->sidecars, f->path, &st->dt, &st->ps, &st->meta) != 0) {
		out->result = WS_PREP_FAILED;
		out->message = strdup("out of memory");
		goto drop_state;
	}
	if (st->ps.n == 0) {
		out->result = WS_PREP_EMPTY;
		out->message = strdup("no text to index");
		goto drop_state;
	}
	out->npassages = st->ps.n;
	ws_filerec rec = {.path = f->path, .root = (char *)f->root, .size = f->size, .mtime_ns = f->mtime_ns,
	                  .sidecar_mtime_ns = side_mtime, .title = st->meta.title, .year = st->meta.year,
	                  .source = st->meta.source, .passages = st->ps.n};
	memcpy(rec.hash, out->hash, sizeof rec.hash);
	out->record = ws_filerec_json(&rec);
	if (!out->record) {
		out->result = WS_PREP_FAILED;
		out->message = strdup("out of memory");
		goto drop_state;
	}
	if (old_hash && strcmp(old_hash, out->hash) == 0) {
		/* same content: keep the passages; the record is refreshed so the
		 * next run can skip the file on size and mtime alone */
		out->result = WS_PREP_SAME;
		goto drop_state;
	}
	if (st->meta.source) {
		char *norm = cjk_normalize(p->an, st->meta.source, strlen(st->meta.source));
		st->src_term = norm ? ws_term_source(norm, &st->src_term_len) : NULL;
		free(norm);
	}
	out->result = WS_PREP_INDEX;
	return;
drop_state:
	state_free(st);
	out->state = NULL;
}

int ws_prepare_docs(ws_preparer *p, ws_prepared *pr, xq_doc **docs, size_t max, size_t *text_bytes)
{
	*text_bytes = 0;
	struct ws_prepared_state *st = pr->state;
	if (!st)
		return 0;
	size_t n = 0;
	while (n < max && st->next < st->ps.n) {
		char *err = NULL;
		docs[n] = build_doc(p, &st->dt, &st->ps.items[st->next], st->path, pr->fileid, &st->meta, st->src_term,
		                    st->src_term_len, &err);
		if (!docs[n]) {
			while (n > 0)
				xq_doc_free(docs[--n]);
			free(pr->message);
			pr->message = err;
			return -1;
		}
		*text_bytes += st->ps.items[st->next].end - st->ps.items[st->next].start;
		n++;
		st->next++;
	}
	return (int)n;
}

void ws_prepared_free(ws_prepared *pr)
{
	state_free(pr->state);
	free(pr->record);
	free(pr->message);
	memset(pr, 0, sizeof *pr);
}
