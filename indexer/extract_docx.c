#include "extract_docx.h"

#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include "markup.h"
#include "strbuf.h"

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define W_NS_STRICT "http://purl.oclc.org/ooxml/wordprocessingml/main"
#define MC_NS "http://schemas.openxmlformats.org/markup-compatibility/2006"

static bool is_w_ns(const xmlNode *n)
{
	return n->ns && n->ns->href &&
	       (strcmp((const char *)n->ns->href, W_NS) == 0 || strcmp((const char *)n->ns->href, W_NS_STRICT) == 0);
}

/* Is n the WordprocessingML element local? */
static bool is_w(const xmlNode *n, const char *local)
{
	return n && n->type == XML_ELEMENT_NODE && is_w_ns(n) && strcmp((const char *)n->name, local) == 0;
}

/* The value of n's attribute local (in any namespace, as w:val is
 * sometimes written without one), or NULL; owned by the document. */
static const char *attr(const xmlNode *n, const char *local)
{
	for (const xmlAttr *a = n ? n->properties : NULL; a; a = a->next)
		if (strcmp((const char *)a->name, local) == 0 && a->children && a->children->type == XML_TEXT_NODE)
			return (const char *)a->children->content;
	return NULL;
}

static const xmlNode *child_w(const xmlNode *n, const char *local)
{
	for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is_w(c, local))
			return c;
	return NULL;
}

/* ---- styles ----------------------------------------------------------- */

typedef struct style {
	const char *id, *name, *based;
	int outline; /* w:outlineLvl + 1, or 0 */
} style;

typedef struct styles {
	style *v;
	size_t n;
} styles;

/* "heading 3", "Heading3", "标题 3", "标题3" -> 3, else 0. */
static int heading_in_name(const char *s)
{
	if (!s)
		return 0;
	size_t skip = 0;
	if (strncasecmp(s, "heading", 7) == 0)
		skip = 7;
	else if (strncmp(s, "标题", strlen("标题")) == 0)
		skip = strlen("标题");
	else
		return 0;
	s += skip;
	while (*s == ' ')
		s++;
	if (s[0] >= '1' && s[0] <= '9' && !s[1])
		return s[0] - '0';
	return 0;
}

static const style *find_style(const styles *st, const char *id)
{
	for (size_t i = 0; id && i < st->n; i++)
		if (strcmp(st->v[i].id, id) == 0)
			return &st->v[i];
	return NULL;
}

/* The heading level of paragraph style id: its name, its outline level,
 * or those of the style it is based on; failing styles.xml, the id. */
static int style_level(const styles *st, const char *id)
{
	const style *s = find_style(st, id);
	if (!s)
		return heading_in_name(id);
	for (int hops = 0; s && hops < 16; hops++) {
		int l = heading_in_name(s->name);
		if (l)
			return l;
		if (s->outline)
			return s->outline;
		s = find_style(st, s->based);
	}
	return 0;
}

static int outline_of(const xmlNode *ppr)
{
	const char *v = attr(child_w(ppr, "outlineLvl"), "val");
	/* 0-8 are levels 1-9; 9 is body text */
	return v && v[0] >= '0' && v[0] <= '8' && !v[1] ? v[0] - '0' + 1 : 0;
}

static int load_styles(xmlDoc *doc, styles *st)
{
	const xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	size_t cap = 0;
	for (const xmlNode *c = root ? root->children : NULL; c; c = c->next) {
		if (!is_w(c, "style"))
			continue;
		const char *type = attr(c, "type"), *id = attr(c, "styleId");
		if (!id || (type && strcmp(type, "paragraph") != 0))
			continue;
		if (st->n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			style *v = realloc(st->v, nc * sizeof *v);
			if (!v)
				return -1;
			st->v = v;
			cap = nc;
		}
		style *s = &st->v[st->n++];
		s->id = id;
		s->name = attr(child_w(c, "name"), "val");
		s->based = attr(child_w(c, "basedOn"), "val");
		s->outline = outline_of(child_w(c, "pPr"));
	}
	return 0;
}

/* ---- the body --------------------------------------------------------- */

typedef struct docx_walk {
	ws_markup m;
	const styles *st;
	unsigned par;  /* paragraphs seen */
	int depth;
} docx_walk;

static void walk(docx_walk *w, const xmlNode *n);

/* Skipped subtrees: deleted text of tracked changes, the fallback copy
 * of alternate content (the same text again), section properties. */
static bool skipped(const xmlNode *n)
{
	if (n->type != XML_ELEMENT_NODE)
		return true;
	if (n->ns && n->ns->href && strcmp((const char *)n->ns->href, MC_NS) == 0 &&
	    strcmp((const char *)n->name, "Fallback") == 0)
		return true;
	return is_w(n, "del") || is_w(n, "moveFrom") || is_w(n, "sectPr") || is_w(n, "pPr") || is_w(n, "rPr") ||
	       is_w(n, "instrText") || is_w(n, "delText");
}

/* The text of paragraph content n into the markup; nested paragraphs
 * (text boxes) are left for after. */
static void runs(docx_walk *w, const xmlNode *n, unsigned line, const xmlNode **nested, size_t *nn, size_t max)
{
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (skipped(c))
			continue;
		if (is_w(c, "t")) {
			for (const xmlNode *t = c->children; t; t = t->next)
				if ((t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) && t->content)
					ws_markup_text(&w->m, (const char *)t->content, strlen((const char *)t->content),
					               line);
		} else if (is_w(c, "tab") || is_w(c, "ptab")) {
			ws_markup_space(&w->m);
		} else if (is_w(c, "br") || is_w(c, "cr")) {
			ws_markup_break(&w->m);
		} else if (is_w(c, "noBreakHyphen")) {
			ws_markup_text(&w->m, "-", 1, line);
		} else if (is_w(c, "p")) {
			if (*nn < max)
				nested[(*nn)++] = c;
		} else if (w->depth < 64) {
			w->depth++;
			runs(w, c, line, nested, nn, max);
			w->depth--;
		}
	}
}

static void paragraph(docx_walk *w, const xmlNode *p)
{
	unsigned line = ++w->par;
	const xmlNode *ppr = child_w(p, "pPr");
	int level = outline_of(ppr);
	if (!level)
		level = style_level(w->st, attr(child_w(ppr, "pStyle"), "val"));
	if (level)
		ws_markup_heading_begin(&w->m, level);
	else
		ws_markup_block(&w->m);
	const xmlNode *nested[32];
	size_t nn = 0;
	runs(w, p, line, nested, &nn, 32);
	if (level)
		ws_markup_heading_end(&w->m);
	else
		ws_markup_block(&w->m);
	for (size_t i = 0; i < nn && w->depth < 64; i++) {
		w->depth++;
		paragraph(w, nested[i]);
		w->depth--;
	}
}

static void walk(docx_walk *w, const xmlNode *n)
{
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (skipped(c))
			continue;
		if (is_w(c, "p")) {
			paragraph(w, c);
		} else if (w->depth < 64) {
			w->depth++;
			walk(w, c);
			w->depth--;
		}
	}
}

/* ---- core properties -------------------------------------------------- */

static char *node_text(const xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);
	if (!t)
		return NULL;
	const char *s = (const char *)t;
	size_t a = 0, b = strlen(s);
	while (a < b && isspace((unsigned char)s[a]))
		a++;
	while (b > a && isspace((unsigned char)s[b - 1]))
		b--;
	char *r = b > a ? strndup(s + a, b - a) : NULL;
	xmlFree(t);
	return r;
}

/* The names word processors put in dc:creator by themselves. */
static bool placeholder_creator(const char *s)
{
	static const char *const names[] = {"administrator", "admin", "user", "owner", "author", "unknown",
	                                    "microsoft office user", "microsoft user", "python-docx", "windows user",
	                                    "微软用户", "windows 用户", "用户", "作者", NULL};
	for (size_t i = 0; names[i]; i++)
		if (strcasecmp(s, names[i]) == 0)
			return true;
	return false;
}

static void core_props(xmlDoc *doc, ws_doctext *out)
{
	const xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	int modified = 0;
	for (const xmlNode *c = root ? root->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)c->name;
		if (strcmp(name, "title") == 0 && !out->doc_title) {
			out->doc_title = node_text(c);
		} else if (strcmp(name, "creator") == 0 && !out->doc_source) {
			out->doc_source = node_text(c);
			if (out->doc_source && placeholder_creator(out->doc_source)) {
				free(out->doc_source);
				out->doc_source = NULL;
			}
		} else if (strcmp(name, "created") == 0 || strcmp(name, "modified") == 0) {
			char *t = node_text(c);
			int y = t ? ws_year_in(t, strlen(t)) : 0;
			free(t);
			if (name[0] == 'c' && y)
				out->doc_year = y;
			else if (y)
				modified = y;
		}
	}
	if (!out->doc_year)
		out->doc_year = modified;
}

/* ---- the zip ---------------------------------------------------------- */

typedef enum part_status { PART_OK, PART_ABSENT, PART_TOO_LARGE, PART_DAMAGED, PART_NOMEM } part_status;

/* Entry name of za, whole, into *buf (malloc'd, NUL-terminated), at most
 * *budget bytes, which it uses up. */
static part_status read_part(zip_t *za, const char *name, char **buf, size_t *n, size_t *budget)
{
	*buf = NULL;
	zip_stat_t st;
	zip_stat_init(&st);
	if (zip_stat(za, name, 0, &st) != 0)
		return PART_ABSENT;
	if (!(st.valid & ZIP_STAT_SIZE) || st.size > *budget)
		return PART_TOO_LARGE;
	zip_file_t *f = zip_fopen(za, name, 0);
	if (!f)
		return PART_DAMAGED;
	size_t want = (size_t)st.size;
	char *b = malloc(want + 2);
	if (!b) {
		zip_fclose(f);
		return PART_NOMEM;
	}
	size_t got = 0;
	for (;;) {
		/* one byte more than the header says, to catch a lie */
		zip_int64_t r = zip_fread(f, b + got, want + 1 - got);
		if (r < 0) {
			free(b);
			zip_fclose(f);
			return PART_DAMAGED;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got > want) {
			free(b);
			zip_fclose(f);
			return PART_TOO_LARGE;
		}
	}
	if (zip_fclose(f) != 0 || got != want) {
		free(b);
		return PART_DAMAGED;
	}
	b[got] = '\0';
	*buf = b;
	*n = got;
	*budget -= got;
	return PART_OK;
}

static xmlDoc *parse_xml(const char *buf, size_t n, const char *name)
{
	if (n > INT_MAX)
		return NULL;
	return xmlReadMemory(buf, (int)n, name, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void)
{
	xmlInitParser();
}

ws_extract_result ws_extract_docx(const char *data, size_t len, ws_doctext *out, const char **why)
{
	pthread_once(&xml_once, xml_init);
	ws_extract_result res = WS_EXTRACT_UNREADABLE;
	zip_error_t ze;
	zip_error_init(&ze);
	zip_t *za = NULL;
	char *docbuf = NULL, *stybuf = NULL, *corebuf = NULL;
	xmlDoc *doc = NULL, *sty = NULL, *core = NULL;
	styles st = {0};
	docx_walk w = {.m = WS_MARKUP_INIT, .st = &st};

	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	if (src) {
		za = zip_open_from_source(src, ZIP_RDONLY, &ze);
		if (!za)
			zip_source_free(src);
	}
	zip_error_fini(&ze);
	if (!za) {
		*why = "not a readable DOCX: not a zip archive";
		goto out;
	}
	size_t budget = WS_DOCX_MAX_XML_BYTES, n = 0;
	switch (read_part(za, "word/document.xml", &docbuf, &n, &budget)) {
	case PART_OK:
		break;
	case PART_ABSENT:
		*why = "not a readable DOCX: no word/document.xml in the zip";
		goto out;
	case PART_TOO_LARGE:
		*why = "not a readable DOCX: word/document.xml is over 64 MB uncompressed (a zip bomb?)";
		goto out;
	case PART_DAMAGED:
		*why = "not a readable DOCX: word/document.xml is damaged in the zip";
		goto out;
	case PART_NOMEM:
		*why = "out of memory reading a DOCX";
		goto out;
	}
	doc = parse_xml(docbuf, n, "document.xml");
	if (!doc || !xmlDocGetRootElement(doc) || !is_w(xmlDocGetRootElement(doc), "document")) {
		*why = "not a readable DOCX: word/document.xml is not a WordprocessingML document";
		goto out;
	}
	/* styles and properties are optional: without them, no headings by
	 * style name and no metadata */
	if (read_part(za, "word/styles.xml", &stybuf, &n, &budget) == PART_OK)
		sty = parse_xml(stybuf, n, "styles.xml");
	if (load_styles(sty, &st) != 0) {
		*why = "out of memory reading a DOCX";
		goto out;
	}
	if (read_part(za, "docProps/core.xml", &corebuf, &n, &budget) == PART_OK)
		core = parse_xml(corebuf, n, "core.xml");

	walk(&w, xmlDocGetRootElement(doc));
	if (!ws_markup_finish(&w.m, out)) {
		*why = "out of memory reading a DOCX";
		goto out;
	}
	core_props(core, out);
	res = WS_EXTRACT_OK;
out:
	ws_markup_free(&w.m);
	free(st.v);
	xmlFreeDoc(doc);
	xmlFreeDoc(sty);
	xmlFreeDoc(core);
	free(docbuf);
	free(stybuf);
	free(corebuf);
	if (za)
		zip_discard(za);
	return res;
}
