#include "extract.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"

#include "extract_docx.h"
#include "extract_html.h"

static const char *const text_exts[] = {"txt", "text", NULL};
static const char *const md_exts[] = {"md", "markdown", "mdown", "mkd", NULL};
static const char *const html_exts[] = {"html", "htm", "xhtml", NULL};
static bool ext_in(const char *ext, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp(ext, *list) == 0)
			return true;
	return false;
}

const char *ws_path_extension(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	return dot && dot != base ? dot + 1 : "";
}

ws_format ws_format_from_path(const char *path, int *sniff)
{
	*sniff = 0;
	const char *ext = ws_path_extension(path);
	if (!*ext) {
		*sniff = 1;
		return WS_FORMAT_TEXT;
	}
	if (ext_in(ext, text_exts))
		return WS_FORMAT_TEXT;
	if (ext_in(ext, md_exts))
		return WS_FORMAT_MARKDOWN;
	if (strcasecmp(ext, "pdf") == 0)
		return WS_FORMAT_PDF;
	if (ext_in(ext, html_exts))
		return WS_FORMAT_HTML;
	if (strcasecmp(ext, "docx") == 0)
		return WS_FORMAT_DOCX;
	/* .csv, .json, .rtf, .log ... may well be text, but not prose the
	 * passage splitter can read: only the formats named are indexed */
	return WS_FORMAT_UNSUPPORTED;
}

int ws_year_in(const char *s, size_t len)
{
	for (size_t i = 0; i + 4 <= len; i++) {
		if (i > 0 && isdigit((unsigned char)s[i - 1]))
			continue;
		if (!(isdigit((unsigned char)s[i]) && isdigit((unsigned char)s[i + 1]) &&
		      isdigit((unsigned char)s[i + 2]) && isdigit((unsigned char)s[i + 3])))
			continue;
		if (i + 4 < len && isdigit((unsigned char)s[i + 4]))
			continue;
		int y = (s[i] - '0') * 1000 + (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
		if (y >= 1900 && y <= 2099)
			return y;
	}
	return 0;
}

/* Binary: a NUL byte, or more than 10% C0 control characters other than
 * white space and form feed, in the first 64 KiB (of the text decoded:
 * UTF-16's NUL bytes are gone by then). */
static bool looks_binary(const char *data, size_t len)
{
	size_t n = len < 65536 ? len : 65536, ctrl = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)data[i];
		if (c == 0)
			return true;
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v')
			ctrl++;
	}
	return n && ctrl * 10 > n;
}

static char *dup_trimmed(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n >= 2 && ((s[0] == '"' && s[n - 1] == '"') || (s[0] == '\'' && s[n - 1] == '\'')))
		s++, n -= 2;
	if (!n)
		return NULL;
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* YAML-style front matter: a first line "---", "key: value" lines, and a
 * closing "---" (or "...").  Only flat scalar keys are read; anything else
 * between the fences is ignored.  Returns the offset just past the closing
 * line, or 0 if there is no front matter. */
static size_t parse_front_matter(const char *t, size_t len, ws_doctext *out, unsigned *lines)
{
	if (len < 4 || memcmp(t, "---", 3) != 0 || (t[3] != '\n' && t[3] != '\r'))
		return 0;
	size_t pos = t[3] == '\r' ? 5 : 4;
	unsigned n = 1;
	while (pos < len) {
		const char *nl = memchr(t + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - t) : len;
		size_t ll = end - pos;
		const char *l = t + pos;
		if (ll && l[ll - 1] == '\r')
			ll--;
		n++;
		if ((ll == 3 && (memcmp(l, "---", 3) == 0 || memcmp(l, "...", 3) == 0))) {
			*lines = n;
			return nl ? end + 1 : end;
		}
		const char *colon = memchr(l, ':', ll);
		if (colon && l[0] != ' ' && l[0] != '#') {
			size_t kl = (size_t)(colon - l);
			const char *v = colon + 1;
			size_t vl = ll - kl - 1;
			if (kl == 5 && strncasecmp(l, "title", 5) == 0 && !out->fm_title)
				out->fm_title = dup_trimmed(v, vl);
			else if ((kl == 6 && strncasecmp(l, "source", 6) == 0) ||
			         (kl == 9 && strncasecmp(l, "publisher", 9) == 0)) {
				if (!out->fm_source)
					out->fm_source = dup_trimmed(v, vl);
			} else if ((kl == 4 && strncasecmp(l, "date", 4) == 0) ||
			           (kl == 4 && strncasecmp(l, "year", 4) == 0)) {
				if (!out->fm_year)
					out->fm_year = ws_year_in(v, vl);
			}
		}
		if (!nl)
			break;
		pos = end + 1;
	}
	/* No closing fence: not front matter after all. */
	free(out->fm_title);
	free(out->fm_source);
	out->fm_title = out->fm_source = NULL;
	out->fm_year = 0;
	return 0;
}

ws_extract_result ws_extract_as(const char *data, size_t len, ws_format fmt, const char *encoding, ws_doctext *out,
                                const char **why)
{
	memset(out, 0, sizeof *out);
	out->text = data;
	out->len = len;
	out->body_line = 1;
	const char *dummy;
	if (!why)
		why = &dummy;

	/* formats whose bytes are not the text: their own readers (HTML
	 * finds its own charset, a DOCX is a zip) */
	if (fmt == WS_FORMAT_HTML || fmt == WS_FORMAT_DOCX) {
		bool blank = true;
		for (size_t i = 0; i < len && blank; i++)
			blank = isspace((unsigned char)data[i]) != 0;
		if (blank) {
			*why = "empty file (nothing but white space)";
			return WS_EXTRACT_EMPTY;
		}
		out->text = NULL;
		out->len = 0;
		ws_extract_result r = fmt == WS_FORMAT_HTML ? ws_extract_html(data, len, out, why)
		                                            : ws_extract_docx(data, len, out, why);
		if (r == WS_EXTRACT_OK && !out->text) {
			out->text = "";
			r = WS_EXTRACT_EMPTY;
			*why = "no text in the document";
		}
		return r;
	}

	/* Decode first: everything after (blank, binary, front matter) reads
	 * UTF-8. */
	ws_decoded dec;
	ws_charset_result cr = ws_charset_decode(data, len, encoding, &dec, why);
	snprintf(out->encoding, sizeof out->encoding, "%s", dec.encoding);
	out->encoding_how = dec.how;
	switch (cr) {
	case WS_CHARSET_OK:
		break;
	case WS_CHARSET_BINARY:
		return WS_EXTRACT_BINARY;
	case WS_CHARSET_NOMEM:
		*why = "out of memory";
		return WS_EXTRACT_BINARY;
	case WS_CHARSET_UNSURE:
	case WS_CHARSET_DAMAGED:
		return WS_EXTRACT_BAD_ENCODING;
	}
	size_t start = 0;
	if (dec.text) {
		out->owned = dec.text;
		out->text = data = dec.text;
		out->len = len = dec.len;
		out->replaced = dec.replaced;
	} else {
		start = dec.skip;
	}

	bool blank = true;
	for (size_t i = start; i < len && blank; i++)
		if (!isspace((unsigned char)data[i]))
			blank = false;
	if (blank) {
		*why = "empty file (nothing but white space)";
		return WS_EXTRACT_EMPTY;
	}
	if (looks_binary(data, len)) {
		*why = "binary file (NUL bytes or control characters)";
		return WS_EXTRACT_BINARY;
	}
	out->body_offset = start;
	if (fmt == WS_FORMAT_MARKDOWN || fmt == WS_FORMAT_TEXT) {
		unsigned lines = 0;
		size_t end = parse_front_matter(data + start, len - start, out, &lines);
		if (end) {
			out->body_offset = start + end;
			out->body_line = lines + 1;
		}
	}
	return WS_EXTRACT_OK;
}

ws_extract_result ws_extract(const char *data, size_t len, ws_format fmt, ws_doctext *out, const char **why)
{
	return ws_extract_as(data, len, fmt, NULL, out, why);
}

void ws_doctext_free(ws_doctext *dt)
{
	free(dt->owned);
	free(dt->fm_title);
	free(dt->fm_source);
	free(dt->doc_title);
	free(dt->doc_source);
	free(dt->line_map);
	for (size_t i = 0; dt->page_labels && i < dt->npages; i++)
		free(dt->page_labels[i]);
	free(dt->page_labels);
	memset(dt, 0, sizeof *dt);
}
