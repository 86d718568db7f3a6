#include "extract_html.h"

#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/ucsdet.h>
#include <unicode/utf8.h>

#include "markup.h"
#include "strbuf.h"

/* ---- charset ---------------------------------------------------------- */

/* Invalid UTF-8 sequences in s[0..n) (ICU's U8_NEXT decides); *nonascii
 * is set when there is any byte over 0x7F. */
static size_t invalid_utf8(const char *s, size_t n, bool *nonascii)
{
	size_t bad = 0;
	*nonascii = false;
	size_t i = 0;
	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		*nonascii = true;
		int32_t k = 0, m = n - i > 8 ? 8 : (int32_t)(n - i);
		UChar32 c;
		U8_NEXT((const uint8_t *)s + i, k, m, c);
		bad += c < 0;
		i += (size_t)k;
	}
	return bad;
}

/* The charset ICU should read for a document's label (WHATWG's mapping
 * where browsers read a label as a larger charset), or the label. */
static const char *charset_for_label(const char *label)
{
	static const char *const gb[] = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "chinese", "csgb2312",
	                                 "iso-ir-58", "gb18030", "euc-cn", NULL};
	static const char *const latin1[] = {"iso-8859-1", "iso8859-1", "latin1", "l1", "us-ascii", "ascii",
	                                     "windows-1252", "cp1252", "iso_8859-1", NULL};
	static const char *const big5[] = {"big5", "big5-hkscs", "x-x-big5", "cn-big5", "csbig5", NULL};
	static const char *const utf16[] = {"utf-16", "utf-16le", "utf-16be", "utf8", "unicode", NULL};
	for (size_t i = 0; gb[i]; i++)
		if (strcasecmp(label, gb[i]) == 0)
			return "GB18030";
	for (size_t i = 0; latin1[i]; i++)
		if (strcasecmp(label, latin1[i]) == 0)
			return "windows-1252";
	for (size_t i = 0; big5[i]; i++)
		if (strcasecmp(label, big5[i]) == 0)
			return "Big5-HKSCS";
	/* a <meta> read at all was read as ASCII: "utf-16" there means UTF-8 */
	for (size_t i = 0; utf16[i]; i++)
		if (strcasecmp(label, utf16[i]) == 0)
			return "UTF-8";
	return label;
}

/* Case-insensitive search for needle in s[0..n). */
static const char *find_ci(const char *s, size_t n, const char *needle)
{
	size_t nl = strlen(needle);
	for (size_t i = 0; i + nl <= n; i++)
		if (strncasecmp(s + i, needle, nl) == 0)
			return s + i;
	return NULL;
}

/* The value after "charset=" in s[0..n) into out (cap bytes), or false. */
static bool charset_param(const char *s, size_t n, char *out, size_t cap)
{
	const char *p = find_ci(s, n, "charset");
	if (!p)
		return false;
	const char *e = s + n;
	p += 7;
	while (p < e && isspace((unsigned char)*p))
		p++;
	if (p >= e || *p != '=')
		return false;
	p++;
	while (p < e && (isspace((unsigned char)*p) || *p == '"' || *p == '\''))
		p++;
	size_t k = 0;
	while (p < e && k + 1 < cap && (isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.' || *p == ':'))
		out[k++] = *p++;
	out[k] = '\0';
	return k > 0;
}

/* The charset the document declares in its first 16 KiB: an XML
 * declaration's encoding, <meta charset=...>, or <meta http-equiv=
 * "Content-Type" content="...; charset=...">, the first one found. */
static bool declared_charset(const char *s, size_t n, char *out, size_t cap)
{
	if (n > 16384)
		n = 16384;
	if (n > 5 && memcmp(s, "<?xml", 5) == 0) {
		const char *end = memchr(s, '>', n);
		const char *enc = end ? find_ci(s, (size_t)(end - s), "encoding") : NULL;
		if (enc) {
			enc += 8;
			while (enc < end && (*enc == ' ' || *enc == '='))
				enc++;
			if (enc < end && (*enc == '"' || *enc == '\'')) {
				char q = *enc++;
				size_t k = 0;
				while (enc < end && *enc != q && k + 1 < cap)
					out[k++] = *enc++;
				out[k] = '\0';
				if (k)
					return true;
			}
		}
	}
	const char *p = s, *e = s + n;
	while ((p = find_ci(p, (size_t)(e - p), "<meta")) != NULL) {
		const char *end = memchr(p, '>', (size_t)(e - p));
		if (!end)
			break;
		size_t tl = (size_t)(end - p);
		const char *cs = find_ci(p, tl, "charset");
		if (cs) {
			/* charset= directly (an attribute), or inside content="" */
			bool http_equiv = find_ci(p, tl, "http-equiv") != NULL;
			const char *c = cs + 7;
			while (c < end && *c == ' ')
				c++;
			if ((http_equiv || (c < end && *c == '=')) && charset_param(p, tl, out, cap))
				return true;
		}
		p = end;
	}
	return false;
}

typedef struct conv_errors {
	size_t n;
} conv_errors;

/* Counts every byte sequence the converter cannot map, then substitutes
 * U+FFFD for it. */
static void U_CALLCONV count_and_substitute(const void *ctx, UConverterToUnicodeArgs *args, const char *units,
                                            int32_t length, UConverterCallbackReason reason, UErrorCode *err)
{
	if (reason <= UCNV_IRREGULAR)
		((conv_errors *)(uintptr_t)ctx)->n++;
	UCNV_TO_U_CALLBACK_SUBSTITUTE(NULL, args, units, length, reason, err);
}

/* data[0..len) in charset cs as UTF-8 (malloc'd, *out_len bytes), with
 * *errors the sequences replaced; NULL when ICU has no such charset or
 * memory ran out. */
static char *convert(const char *cs, const char *data, size_t len, size_t *out_len, size_t *errors)
{
	UErrorCode st = U_ZERO_ERROR;
	UConverter *cnv = ucnv_open(cs, &st);
	if (U_FAILURE(st))
		return NULL;
	conv_errors ce = {0};
	st = U_ZERO_ERROR;
	ucnv_setToUCallBack(cnv, count_and_substitute, &ce, NULL, NULL, &st);
	if (U_FAILURE(st) || len > INT32_MAX / 4) {
		ucnv_close(cnv);
		return NULL;
	}
	int32_t cap = (int32_t)len * 3 + 16;
	char *out = NULL;
	for (int attempt = 0; attempt < 2; attempt++) {
		out = malloc((size_t)cap + 1);
		if (!out)
			break;
		ce.n = 0;
		ucnv_reset(cnv);
		st = U_ZERO_ERROR;
		int32_t n = ucnv_toAlgorithmic(UCNV_UTF8, cnv, out, cap, data, (int32_t)len, &st);
		if (st == U_BUFFER_OVERFLOW_ERROR && attempt == 0) {
			free(out);
			out = NULL;
			cap = n + 1;
			continue;
		}
		if (U_FAILURE(st)) {
			free(out);
			out = NULL;
			break;
		}
		out[n] = '\0';
		*out_len = (size_t)n;
		break;
	}
	ucnv_close(cnv);
	*errors = ce.n;
	return out;
}

static size_t count_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Charsets ICU's detector proposes for data, best first (up to max). */
static size_t detect_charsets(const char *data, size_t len, const char **names, int *conf, size_t max)
{
	UErrorCode st = U_ZERO_ERROR;
	UCharsetDetector *csd = ucsdet_open(&st);
	if (U_FAILURE(st))
		return 0;
	ucsdet_enableInputFilter(csd, true);
	int32_t n = len > 1 << 20 ? 1 << 20 : (int32_t)len;
	ucsdet_setText(csd, data, n, &st);
	int32_t found = 0;
	const UCharsetMatch **m = U_SUCCESS(st) ? ucsdet_detectAll(csd, &found, &st) : NULL;
	size_t k = 0;
	for (int32_t i = 0; m && U_SUCCESS(st) && i < found && k < max; i++) {
		UErrorCode s2 = U_ZERO_ERROR;
		const char *name = ucsdet_getName(m[i], &s2);
		int32_t c = ucsdet_getConfidence(m[i], &s2);
		if (U_FAILURE(s2) || !name || c < 10)
			continue;
		/* the names are static strings of ICU's */
		names[k] = name;
		conf[k] = c;
		k++;
	}
	ucsdet_close(csd);
	return k;
}

static bool is_multibyte(const char *cs)
{
	UErrorCode st = U_ZERO_ERROR;
	UConverter *cnv = ucnv_open(cs, &st);
	if (U_FAILURE(st))
		return false;
	bool mb = ucnv_getMaxCharSize(cnv) > 1;
	ucnv_close(cnv);
	return mb;
}

/* data[0..len) decoded to UTF-8 (see ws_extract_html), with CR LF and a
 * lone CR as LF and NUL as a space.  Returns NULL with *why. */
static char *decode(const char *data, size_t len, size_t *out_len, size_t *replaced, const char **why)
{
	const char *fixed = NULL;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		fixed = "UTF-8", data += 3, len -= 3;
	else if (len >= 2 && memcmp(data, "\xFF\xFE", 2) == 0)
		fixed = "UTF-16LE", data += 2, len -= 2;
	else if (len >= 2 && memcmp(data, "\xFE\xFF", 2) == 0)
		fixed = "UTF-16BE", data += 2, len -= 2;

	char *best = NULL;
	size_t best_len = 0, best_err = SIZE_MAX;
	if (fixed) {
		best = convert(fixed, data, len, &best_len, &best_err);
	} else {
		bool nonascii;
		size_t bad = invalid_utf8(data, len, &nonascii);
		char label[64];
		const char *declared = declared_charset(data, len, label, sizeof label) ? charset_for_label(label) : NULL;
		const char *cands[12];
		size_t nc = 0;
		if (!nonascii || bad == 0) {
			/* ASCII reads the same in every charset a <meta> can
			 * declare; valid UTF-8 with non-ASCII in it is UTF-8,
			 * whatever the declaration says */
			cands[nc++] = "UTF-8";
		} else {
			const char *det[8];
			int conf[8];
			size_t nd = detect_charsets(data, len, det, conf, 8);
			/* a single-byte declaration decodes anything: trust the
			 * detector over it when it is sure of a multi-byte charset */
			if (declared && !is_multibyte(declared) && nd && conf[0] >= 50 && is_multibyte(det[0]))
				cands[nc++] = det[0];
			if (declared)
				cands[nc++] = declared;
			for (size_t i = 0; i < nd && nc < 11; i++)
				cands[nc++] = det[i];
			cands[nc++] = "UTF-8";
		}
		for (size_t i = 0; i < nc; i++) {
			size_t n = 0, err = 0;
			char *t = convert(cands[i], data, len, &n, &err);
			if (!t)
				continue;
			if (err < best_err) {
				free(best);
				best = t, best_len = n, best_err = err;
			} else {
				free(t);
			}
			/* at most 1% of the characters undecodable: this is it */
			if (best_err * 100 <= count_chars(best, best_len))
				break;
		}
	}
	if (!best) {
		*why = "out of memory decoding HTML";
		return NULL;
	}
	if (best_err * 100 > count_chars(best, best_len)) {
		free(best);
		*why = "HTML in a charset that neither its declaration nor detection can read";
		return NULL;
	}
	/* CR LF as LF (libxml2 reads it so, and the text must match the
	 * buffer byte for byte), NUL as a space */
	size_t w = 0;
	for (size_t r = 0; r < best_len; r++) {
		char c = best[r];
		if (c == '\r') {
			if (r + 1 < best_len && best[r + 1] == '\n')
				continue;
			c = '\n';
		} else if (c == '\0') {
			c = ' ';
		}
		best[w++] = c;
	}
	best[w] = '\0';
	*out_len = w;
	*replaced = best_err;
	return best;
}

/* ---- the parse -------------------------------------------------------- */

typedef enum el_kind {
	EL_OTHER,
	EL_SKIP,    /* dropped with everything inside */
	EL_BLOCK,
	EL_HEADING,
	EL_PRE,
	EL_CELL,
	EL_BR,
	EL_HEAD,
	EL_TITLE,
} el_kind;

#define MAX_DEPTH 512

typedef struct html_sax {
	htmlParserCtxtPtr ctxt;
	const char *buf;
	size_t len;
	size_t *starts;  /* byte offset of each line of buf */
	size_t nstarts;
	ws_markup m;
	int skip, head, title, pre, heading;
	unsigned char kinds[MAX_DEPTH];
	size_t depth;
	strbuf title_text;
	char *author, *publisher;
	int year;
} html_sax;

static el_kind kind_of(const char *name, int *level)
{
	static const char *const skip[] = {"script", "style", "nav", "footer", "noscript", "template", "svg",
	                                   "iframe", "object", "canvas", "select", "button", "math", NULL};
	static const char *const block[] = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr",
	                                    "thead", "tbody", "tfoot", "blockquote", "section", "article", "aside",
	                                    "header", "main", "figure", "figcaption", "address", "hr", "form",
	                                    "fieldset", "legend", "caption", "details", "summary", "center", "body",
	                                    "html", "menu", "hgroup", NULL};
	if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2]) {
		*level = name[1] - '0';
		return EL_HEADING;
	}
	for (size_t i = 0; skip[i]; i++)
		if (strcmp(name, skip[i]) == 0)
			return EL_SKIP;
	for (size_t i = 0; block[i]; i++)
		if (strcmp(name, block[i]) == 0)
			return EL_BLOCK;
	if (strcmp(name, "pre") == 0 || strcmp(name, "listing") == 0)
		return EL_PRE;
	if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)
		return EL_CELL;
	if (strcmp(name, "br") == 0)
		return EL_BR;
	if (strcmp(name, "head") == 0)
		return EL_HEAD;
	if (strcmp(name, "title") == 0)
		return EL_TITLE;
	return EL_OTHER;
}

/* The 1-based line of byte offset off of the buffer. */
static unsigned line_at(const html_sax *h, size_t off)
{
	size_t lo = 0, hi = h->nstarts;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (h->starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return (unsigned)(lo + 1);
}

/* The source line where a chunk of character data starts.  libxml2
 * hands over text after reading it, its position at the end of the chunk
 * or one character short of it: find the chunk in the buffer there. */
static unsigned chunk_line(const html_sax *h, const char *ch, size_t n)
{
	long pos = xmlByteConsumed(h->ctxt);
	size_t off = pos < 0 ? 0 : (size_t)pos > h->len ? h->len : (size_t)pos;
	for (size_t d = 0; d <= 8; d++) {
		size_t e = off + d;
		if (e <= h->len && e >= n && memcmp(h->buf + e - n, ch, n) == 0)
			return line_at(h, e - n);
		if (d && off >= d && off - d >= n && memcmp(h->buf + off - d - n, ch, n) == 0)
			return line_at(h, off - d - n);
	}
	/* an entity or a character reference: one line */
	return line_at(h, off);
}

static void on_chars(void *ud, const xmlChar *xch, int len)
{
	html_sax *h = ud;
	const char *ch = (const char *)xch;
	size_t n = len > 0 ? (size_t)len : 0;
	if (h->skip || !n)
		return;
	if (h->title) {
		h->m.oom |= !strbuf_append(&h->title_text, ch, n);
		return;
	}
	if (h->head)
		return;
	unsigned line = chunk_line(h, ch, n);
	if (h->pre && !h->heading)
		ws_markup_pre(&h->m, ch, n, line);
	else
		ws_markup_text(&h->m, ch, n, line);
}

static void on_cdata(void *ud, const xmlChar *ch, int len)
{
	/* the raw text of script and style, dropped */
	(void)ud, (void)ch, (void)len;
}

/* s with its runs of white space (U+00A0 included) as one space, trimmed;
 * NULL when nothing is left. */
static char *dup_collapsed(const char *s)
{
	strbuf sb = STRBUF_INIT;
	bool space = false;
	for (; *s; s++) {
		if (isspace((unsigned char)*s) || ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)) {
			s += !isspace((unsigned char)*s);
			space = sb.len > 0;
			continue;
		}
		if (space)
			strbuf_appendc(&sb, ' ');
		space = false;
		strbuf_appendc(&sb, *s);
	}
	if (!sb.len) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

static void on_meta(html_sax *h, const xmlChar **atts)
{
	const char *name = NULL, *content = NULL;
	for (size_t i = 0; atts && atts[i]; i += 2) {
		const char *a = (const char *)atts[i], *v = (const char *)atts[i + 1];
		if (!v)
			continue;
		if (strcasecmp(a, "name") == 0 || strcasecmp(a, "property") == 0 || strcasecmp(a, "itemprop") == 0)
			name = v;
		else if (strcasecmp(a, "content") == 0)
			content = v;
	}
	if (!name || !content || !*content)
		return;
	static const char *const authors[] = {"author", "dc.creator", "dcterms.creator", "citation_author", NULL};
	static const char *const publishers[] = {"publisher", "dc.publisher", "dcterms.publisher",
	                                         "citation_publisher", NULL};
	static const char *const dates[] = {"date", "dc.date", "dcterms.date", "dcterms.created", "dcterms.issued",
	                                    "dc.date.issued", "dc.date.created", "dcterms.modified",
	                                    "article:published_time", "citation_publication_date", "citation_date",
	                                    "pubdate", "publishdate", "datepublished", NULL};
	for (size_t i = 0; authors[i]; i++)
		if (strcasecmp(name, authors[i]) == 0 && !h->author)
			h->author = dup_collapsed(content);
	for (size_t i = 0; publishers[i]; i++)
		if (strcasecmp(name, publishers[i]) == 0 && !h->publisher)
			h->publisher = dup_collapsed(content);
	for (size_t i = 0; dates[i]; i++)
		if (strcasecmp(name, dates[i]) == 0 && !h->year)
			h->year = ws_year_in(content, strlen(content));
}

static bool has_attr(const xmlChar **atts, const char *name)
{
	for (size_t i = 0; atts && atts[i]; i += 2)
		if (strcasecmp((const char *)atts[i], name) == 0)
			return true;
	return false;
}

/* Navigation that is not a <nav>: role="navigation", and the classes of
 * generated pages' navigation bars and tables of contents (DocBook's
 * navheader, navfooter and toc among them). */
static bool is_navigation(const xmlChar **atts)
{
	static const char *const classes[] = {"toc", "navheader", "navfooter", "breadcrumb", "breadcrumbs",
	                                      "sidebar-nav", "skip-link", NULL};
	for (size_t i = 0; atts && atts[i]; i += 2) {
		const char *a = (const char *)atts[i], *v = (const char *)atts[i + 1];
		if (!v)
			continue;
		if (strcasecmp(a, "role") == 0 && strcasecmp(v, "navigation") == 0)
			return true;
		if (strcasecmp(a, "class") != 0)
			continue;
		/* each class of the list */
		for (const char *p = v; *p;) {
			while (*p && isspace((unsigned char)*p))
				p++;
			size_t n = 0;
			while (p[n] && !isspace((unsigned char)p[n]))
				n++;
			for (size_t k = 0; classes[k] && n; k++)
				if (strlen(classes[k]) == n && strncasecmp(p, classes[k], n) == 0)
					return true;
			p += n;
		}
	}
	return false;
}

static void on_start(void *ud, const xmlChar *xname, const xmlChar **atts)
{
	html_sax *h = ud;
	const char *name = (const char *)xname;
	int level = 0;
	el_kind k = kind_of(name, &level);
	/* hidden="" elements are not shown, navigation is no content:
	 * dropped like script */
	if (k != EL_BR && k != EL_HEAD && k != EL_TITLE && (has_attr(atts, "hidden") || is_navigation(atts)))
		k = EL_SKIP;
	if (h->depth < MAX_DEPTH)
		h->kinds[h->depth] = (unsigned char)k;
	h->depth++;
	if (strcmp(name, "meta") == 0)
		on_meta(h, atts);
	switch (k) {
	case EL_SKIP:
		h->skip++;
		break;
	case EL_HEAD:
		h->head++;
		break;
	case EL_TITLE:
		h->title++;
		break;
	case EL_BLOCK:
		ws_markup_block(&h->m);
		break;
	case EL_PRE:
		h->pre++;
		ws_markup_block(&h->m);
		break;
	case EL_CELL:
		ws_markup_space(&h->m);
		break;
	case EL_BR:
		ws_markup_break(&h->m);
		break;
	case EL_HEADING:
		/* a heading inside a heading is part of it */
		if (!h->heading++ && !h->skip)
			ws_markup_heading_begin(&h->m, level);
		break;
	case EL_OTHER:
		break;
	}
}

static void on_end(void *ud, const xmlChar *name)
{
	html_sax *h = ud;
	(void)name;
	if (!h->depth)
		return;
	h->depth--;
	el_kind k = h->depth < MAX_DEPTH ? (el_kind)h->kinds[h->depth] : EL_OTHER;
	switch (k) {
	case EL_SKIP:
		h->skip--;
		break;
	case EL_HEAD:
		h->head--;
		break;
	case EL_TITLE:
		h->title--;
		break;
	case EL_BLOCK:
		ws_markup_block(&h->m);
		break;
	case EL_PRE:
		h->pre--;
		ws_markup_block(&h->m);
		break;
	case EL_CELL:
		ws_markup_space(&h->m);
		break;
	case EL_HEADING:
		if (!--h->heading && !h->skip)
			ws_markup_heading_end(&h->m);
		break;
	case EL_BR:
	case EL_OTHER:
		break;
	}
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void)
{
	xmlInitParser();
}

/* More than 10% C0 control characters other than white space in the
 * first 64 KiB of decoded text: not a document. */
static bool looks_binary(const char *s, size_t n)
{
	size_t m = n < 65536 ? n : 65536, ctrl = 0;
	for (size_t i = 0; i < m; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 && c != '\n' && c != '\t' && c != '\f' && c != '\v' && c != ' ')
			ctrl++;
	}
	return m && ctrl * 10 > m;
}

ws_extract_result ws_extract_html(const char *data, size_t len, ws_doctext *out, const char **why)
{
	pthread_once(&xml_once, xml_init);
	size_t blen = 0, replaced = 0;
	char *buf = decode(data, len, &blen, &replaced, why);
	if (!buf)
		return WS_EXTRACT_BAD_ENCODING;
	/* NUL bytes are binary, unless the byte order mark says UTF-16 */
	bool utf16 = len >= 2 && (memcmp(data, "\xFF\xFE", 2) == 0 || memcmp(data, "\xFE\xFF", 2) == 0);
	if (looks_binary(buf, blen) || (!utf16 && memchr(data, '\0', len > 65536 ? 65536 : len))) {
		free(buf);
		*why = "binary file, not HTML (NUL bytes or control characters)";
		return WS_EXTRACT_BINARY;
	}
	if (blen > INT_MAX) {
		free(buf);
		*why = "HTML too large for the parser";
		return WS_EXTRACT_BINARY;
	}
	ws_extract_result res = WS_EXTRACT_OK;
	html_sax h = {.buf = buf, .len = blen, .m = WS_MARKUP_INIT};
	size_t cap = 256;
	h.starts = malloc(cap * sizeof *h.starts);
	if (!h.starts)
		goto oom;
	h.starts[h.nstarts++] = 0;
	for (size_t i = 0; i < blen; i++) {
		if (buf[i] != '\n')
			continue;
		if (h.nstarts == cap) {
			size_t *p = realloc(h.starts, cap * 2 * sizeof *p);
			if (!p)
				goto oom;
			h.starts = p;
			cap *= 2;
		}
		h.starts[h.nstarts++] = i + 1;
	}

	htmlParserCtxtPtr ctxt = htmlCreateMemoryParserCtxt(buf, (int)blen);
	if (!ctxt)
		goto oom;
	htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
	                             HTML_PARSE_IGNORE_ENC | HTML_PARSE_NODEFDTD);
	/* the buffer is UTF-8 already (decode): without this libxml2 reads
	 * its first non-ASCII byte as a reason to switch to ISO-8859-1 */
	ctxt->charset = XML_CHAR_ENCODING_UTF8;
	htmlSAXHandler sax;
	memset(&sax, 0, sizeof sax);
	sax.startElement = on_start;
	sax.endElement = on_end;
	sax.characters = on_chars;
	sax.ignorableWhitespace = on_chars;
	sax.cdataBlock = on_cdata;
	htmlSAXHandlerPtr old = ctxt->sax;
	ctxt->sax = &sax;
	ctxt->userData = &h;
	h.ctxt = ctxt;
	htmlParseDocument(ctxt);
	ctxt->sax = old;
	ctxt->userData = NULL;
	htmlFreeParserCtxt(ctxt);

	if (!ws_markup_finish(&h.m, out))
		goto oom;
	out->doc_title = dup_collapsed(strbuf_str(&h.title_text));
	out->doc_source = h.publisher ? h.publisher : h.author;
	if (h.publisher)
		free(h.author);
	h.author = h.publisher = NULL;
	out->doc_year = h.year;
	out->replaced = replaced;
	goto done;
oom:
	*why = "out of memory reading HTML";
	res = WS_EXTRACT_BINARY;
done:
	ws_markup_free(&h.m);
	strbuf_free(&h.title_text);
	free(h.author);
	free(h.publisher);
	free(h.starts);
	free(buf);
	return res;
}
