/*
 * pdf_text.c - wensou-pdf-text: the text of the PDF on standard input,
 * laid out page by page (extract_pdf.h says how), written to standard
 * output as records (pdf_records.h).  The indexer runs it for each PDF,
 * with a time limit, so that poppler never runs inside the indexer: a PDF
 * that crashes or hangs it costs that file, never the run.
 *
 * It opens the document, reads every page's text and the position of
 * each of its characters (poppler_page_get_text_layout: rectangle k is
 * character k of poppler_page_get_text, in points from the top left) and
 * lays the pages out.  Sizes are in points; a line's height is the
 * tallest of its glyph boxes, which poppler makes proportional to the
 * font size.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <poppler.h>

#include "cjk.h"
#include "pdf_records.h"
#include "strbuf.h"


typedef enum line_role { ROLE_BODY, ROLE_FURNITURE, ROLE_FOOTNOTE } line_role;

typedef struct pline {
	size_t off, len;     /* bytes in the page's text, trimmed */
	double x1, y1, y2, h;
	size_t chars;
	line_role role;
	bool gap_before;     /* a gap in the layout above it (a paragraph or column change) */
	bool note_start;     /* a footnote's first line */
} pline;

typedef struct ppage {
	char *text;          /* poppler's, with control characters made spaces */
	pline *lines;
	size_t n;
	double height;
	/* a sentence continued from the next page: bytes of the next page's
	 * text appended to this page's body */
	size_t cont_off, cont_len;
	size_t skip_first;   /* bytes of the first body line given to the previous page */
} ppage;

static bool send_rec(int fd, char tag, const char *s, size_t n)
{
	unsigned char hdr[5] = {(unsigned char)tag, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
	                        (unsigned char)(n >> 8), (unsigned char)n};
	struct { const void *p; size_t n; } parts[2] = {{hdr, 5}, {s, n}};
	for (int k = 0; k < 2; k++) {
		const char *p = parts[k].p;
		size_t left = parts[k].n;
		while (left) {
			ssize_t w = write(fd, p, left);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return false;
			p += w;
			left -= (size_t)w;
		}
	}
	return true;
}

static void send_error(int fd, char kind, const char *msg)
{
	strbuf sb = STRBUF_INIT;
	strbuf_appendc(&sb, kind);
	strbuf_appends(&sb, msg ? msg : "");
	send_rec(fd, REC_ERROR, sb.data ? sb.data : "", sb.len);
	strbuf_free(&sb);
}

static void send_str(int fd, char tag, const char *s)
{
	if (!s)
		return;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n)
		send_rec(fd, tag, s, n);
}


static bool ends_sentence(const char *s, size_t n)
{
	const char *p = s + n;
	while (p > s) {
		p = g_utf8_prev_char(p);
		gunichar c = g_utf8_get_char(p);
		if (c == ' ' || cjk_is_closing_mark(c))
			continue;
		return cjk_is_sentence_end(c) || c == ':' || c == 0xFF1A;
	}
	return false;
}

/* The end of the first sentence in s[0..n) (after its closing quotes),
 * or 0 if none ends there. */
static size_t first_sentence_end(const char *s, size_t n)
{
	const char *p = s, *e = s + n;
	while (p < e) {
		gunichar c = g_utf8_get_char(p);
		p = g_utf8_next_char(p);
		if (!cjk_is_sentence_end(c))
			continue;
		/* a Latin full stop ends a sentence before a space or the end only ("3.5", "e.g") */
		if (c == '.' && p < e && *p != ' ')
			continue;
		while (p < e && cjk_is_closing_mark(g_utf8_get_char(p)))
			p = g_utf8_next_char(p);
		return (size_t)(p - s);
	}
	return 0;
}

/* A footnote's first line starts with a marker: 1 to 3 digits, a
 * superscript digit, *, †, ‡, §, [n] or 注, then text. */
static bool starts_with_marker(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && i < 3 && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i > 0)
		return i < n && !(s[i] >= '0' && s[i] <= '9') && s[i] != '.' && s[i] != ':' && s[i] != '/';
	if (n && (s[0] == '*' || s[0] == '['))
		return true;
	gunichar c = g_utf8_get_char(s);
	return c == 0x2020 || c == 0x2021 || c == 0xA7 || c == 0xB9 || c == 0xB2 || c == 0xB3 ||
	       (c >= 0x2070 && c <= 0x2079) || c == 0x6CE8 /* 注 */ || (c >= 0x2460 && c <= 0x2473) /* ① */;
}

/* Split a page's text into lines with their boxes. */
static void page_lines(ppage *pg, const PopplerRectangle *r, guint nr)
{
	size_t cap = 0;
	const char *t = pg->text;
	const char *p = t;
	guint k = 0;
	while (*p) {
		const char *ls = p;
		pline l = {.x1 = 1e9, .y1 = 1e9, .y2 = -1e9};
		const char *first = NULL, *last = NULL;
		while (*p && *p != '\n') {
			gunichar c = g_utf8_get_char(p);
			const char *next = g_utf8_next_char(p);
			if (c != ' ') {
				if (!first)
					first = p;
				last = next;
				l.chars++;
				if (k < nr) {
					const PopplerRectangle *q = &r[k];
					l.x1 = fmin(l.x1, q->x1);
					l.y1 = fmin(l.y1, q->y1);
					l.y2 = fmax(l.y2, q->y2);
					l.h = fmax(l.h, q->y2 - q->y1);
				}
			}
			k++;
			p = next;
		}
		if (*p == '\n')
			p++, k++;
		(void)ls;
		if (!first)
			continue;
		l.off = (size_t)(first - t);
		l.len = (size_t)(last - first);
		if (pg->n == cap) {
			cap = cap ? cap * 2 : 32;
			pline *nl = realloc(pg->lines, cap * sizeof *nl);
			if (!nl)
				return;
			pg->lines = nl;
		}
		pg->lines[pg->n++] = l;
	}
}

/* The key of a header/footer candidate: its text with every run of
 * digits made '#' and spaces dropped, and its height on the page. */
static uint64_t furniture_key(const ppage *pg, const pline *l)
{
	uint64_t h = 1469598103934665603ull;
	const char *s = pg->text + l->off;
	bool in_digits = false;
	for (size_t i = 0; i < l->len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ')
			continue;
		if (c >= '0' && c <= '9') {
			if (in_digits)
				continue;
			in_digits = true;
			c = '#';
		} else {
			in_digits = false;
		}
		h = (h ^ c) * 1099511628211ull;
	}
	h = (h ^ (uint64_t)lround(l->y1 / 4.0)) * 1099511628211ull;
	return h ? h : 1;
}

static bool in_margin(const ppage *pg, const pline *l)
{
	return l->y2 < pg->height * 0.12 || l->y1 > pg->height * 0.88;
}

/* Headers and footers: in the top or bottom 12% of the page, and the
 * same key on at least 3 pages (2 in a document of 2 to 4 pages); page
 * numbers alone there too. */
static void mark_furniture(ppage *pages, size_t np)
{
	size_t cand = 0;
	for (size_t i = 0; i < np; i++)
		for (size_t j = 0; j < pages[i].n; j++)
			cand += in_margin(&pages[i], &pages[i].lines[j]);
	size_t cap = 64;
	while (cap < cand * 2)
		cap *= 2;
	struct slot { uint64_t key; size_t count, last_page; } *tab = calloc(cap, sizeof *tab);
	if (!tab)
		return;
	size_t need = np >= 5 ? 3 : 2;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < np; i++) {
			ppage *pg = &pages[i];
			for (size_t j = 0; j < pg->n; j++) {
				pline *l = &pg->lines[j];
				if (!in_margin(pg, l))
					continue;
				if (pass == 1 && cjk_line_is_page_number(pg->text + l->off, l->len)) {
					l->role = ROLE_FURNITURE;
					continue;
				}
				uint64_t key = furniture_key(pg, l);
				size_t s = (size_t)key & (cap - 1);
				while (tab[s].key && tab[s].key != key)
					s = (s + 1) & (cap - 1);
				tab[s].key = key;
				if (pass == 0) {
					if (!tab[s].count || tab[s].last_page != i + 1)
						tab[s].count++;
					tab[s].last_page = i + 1;
				} else if (tab[s].count >= need && np >= 2) {
					l->role = ROLE_FURNITURE;
				}
			}
		}
	}
	free(tab);
}

/* The body text size: the line height that holds most characters. */
static double body_size(const ppage *pages, size_t np)
{
	enum { NB = 200 };
	size_t hist[NB] = {0};
	for (size_t i = 0; i < np; i++)
		for (size_t j = 0; j < pages[i].n; j++) {
			long b = lround(pages[i].lines[j].h * 2);
			if (b > 0 && b < NB)
				hist[b] += pages[i].lines[j].chars;
		}
	size_t best = 0;
	for (size_t b = 1; b < NB; b++)
		if (hist[b] > hist[best])
			best = b;
	return best ? (double)best / 2 : 10;
}

static int by_y(const void *a, const void *b, void *ud)
{
	const pline *l = ud;
	double ya = l[*(const size_t *)a].y1, yb = l[*(const size_t *)b].y1;
	return ya < yb ? -1 : ya > yb;
}

/* Footnotes: the lines at the foot of the page, below every body line,
 * smaller than the body text, from the first that starts with a marker
 * on, in the lower half of a page that has body text above them. */
static void mark_footnotes(ppage *pg, double body)
{
	size_t *ord = malloc((pg->n ? pg->n : 1) * sizeof *ord);
	if (!ord)
		return;
	size_t m = 0;
	for (size_t j = 0; j < pg->n; j++)
		if (pg->lines[j].role == ROLE_BODY)
			ord[m++] = j;
	qsort_r(ord, m, sizeof *ord, by_y, pg->lines);
	size_t top = m;
	while (top > 0 && pg->lines[ord[top - 1]].h < body * 0.9 && pg->lines[ord[top - 1]].y1 > pg->height * 0.5)
		top--;
	size_t start = m;
	for (size_t k = top; k < m; k++) {
		const pline *l = &pg->lines[ord[k]];
		if (starts_with_marker(pg->text + l->off, l->len)) {
			start = k;
			break;
		}
	}
	bool body_above = false;
	for (size_t k = 0; k < start; k++)
		body_above |= pg->lines[ord[k]].h >= body * 0.9;
	if (body_above) {
		double left = 1e9;
		for (size_t k = start; k < m; k++)
			left = fmin(left, pg->lines[ord[k]].x1);
		for (size_t k = start; k < m; k++) {
			pline *l = &pg->lines[ord[k]];
			l->role = ROLE_FOOTNOTE;
			l->note_start = k == start ||
			                (l->x1 < left + 3 && starts_with_marker(pg->text + l->off, l->len));
		}
	}
	free(ord);
}

/* Gaps: a line starting further below the previous one than 0.6 of its
 * height, or above it (the next column). */
static void mark_gaps(ppage *pg)
{
	const pline *prev = NULL;
	for (size_t j = 0; j < pg->n; j++) {
		pline *l = &pg->lines[j];
		if (l->role != ROLE_BODY)
			continue;
		if (prev) {
			double h = fmax(fmin(l->h, prev->h), 1);
			l->gap_before = l->y1 - prev->y2 > h * 0.6 || l->y2 < prev->y1;
		}
		prev = l;
	}
}

static pline *first_body(ppage *pg)
{
	for (size_t j = 0; j < pg->n; j++)
		if (pg->lines[j].role == ROLE_BODY)
			return &pg->lines[j];
	return NULL;
}

static pline *last_body(ppage *pg)
{
	for (size_t j = pg->n; j > 0; j--)
		if (pg->lines[j - 1].role == ROLE_BODY)
			return &pg->lines[j - 1];
	return NULL;
}

/* A sentence cut by the page break: page a's last body line is body text
 * without a sentence end, page b's first body line the same size; the
 * words of b up to the first sentence end (in that line) go to a. */
static void join_sentence(ppage *a, ppage *b, double body)
{
	pline *la = last_body(a), *fb = first_body(b);
	if (!la || !fb || fabs(la->h - body) > body * 0.1 || fabs(fb->h - body) > body * 0.1)
		return;
	if (ends_sentence(a->text + la->off, la->len))
		return;
	size_t cut = first_sentence_end(b->text + fb->off, fb->len);
	if (!cut)
		return;
	a->cont_off = fb->off;
	a->cont_len = cut;
	b->skip_first = cut;
}

/* Text into sb with control characters as spaces. */
static void put_clean(strbuf *sb, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		strbuf_appendc(sb, (unsigned char)c < 0x20 ? ' ' : c);
	}
}

static void emit_page(strbuf *sb, ppage *pages, size_t i)
{
	ppage *pg = &pages[i];
	bool any = false, first_line = true;
	for (size_t j = 0; j < pg->n; j++) {
		pline *l = &pg->lines[j];
		if (l->role != ROLE_BODY)
			continue;
		size_t off = l->off, len = l->len;
		if (first_line && pg->skip_first) {
			off += pg->skip_first;
			len -= pg->skip_first;
			while (len && pg->text[off] == ' ')
				off++, len--;
		}
		first_line = false;
		if (!len)
			continue;
		if (any)
			strbuf_appends(sb, l->gap_before ? "\n\n" : "\n");
		put_clean(sb, pg->text + off, len);
		any = true;
	}
	if (pg->cont_len) {
		strbuf_appendc(sb, '\n');
		put_clean(sb, pages[i + 1].text + pg->cont_off, pg->cont_len);
		any = true;
	}
	for (size_t j = 0; j < pg->n; j++) {
		pline *l = &pg->lines[j];
		if (l->role != ROLE_FOOTNOTE)
			continue;
		if (l->note_start)
			strbuf_appends(sb, any ? "\n\v\n" : "\v\n");
		else
			strbuf_appendc(sb, '\n');
		put_clean(sb, pg->text + l->off, l->len);
		any = true;
	}
}

static bool page_has_images(PopplerPage *page)
{
	GList *m = poppler_page_get_image_mapping(page);
	bool any = m != NULL;
	poppler_page_free_image_mapping(m);
	return any;
}

static void child_main(int fd, const char *data, size_t len)
{
	const char *fault = getenv("WENSOU_PDF_FAULT");
	if (fault && strcmp(fault, "hang") == 0)
		for (;;)
			pause();
	if (fault && strcmp(fault, "crash") == 0)
		abort();

	GBytes *bytes = g_bytes_new_static(data, len);
	GError *err = NULL;
	PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &err);
	if (!doc) {
		if (err && err->domain == POPPLER_ERROR && err->code == POPPLER_ERROR_ENCRYPTED)
			send_error(fd, ERR_ENCRYPTED, "encrypted (it needs a password), skipped");
		else {
			char *m = g_strdup_printf("not a readable PDF: %s", err && err->message ? err->message : "poppler could not open it");
			send_error(fd, ERR_UNREADABLE, m);
			g_free(m);
		}
		return;
	}
	gchar *s = poppler_document_get_title(doc);
	send_str(fd, REC_TITLE, s);
	g_free(s);
	s = poppler_document_get_author(doc);
	send_str(fd, REC_AUTHOR, s);
	g_free(s);
	GDateTime *dt = poppler_document_get_creation_date_time(doc);
	if (dt) {
		char y[16];
		int n = snprintf(y, sizeof y, "%d", g_date_time_get_year(dt));
		send_rec(fd, REC_YEAR, y, (size_t)n);
		g_date_time_unref(dt);
	}

	int np = poppler_document_get_n_pages(doc);
	if (np < 0)
		np = 0;
	char num[32];
	send_rec(fd, REC_PAGES, num, (size_t)snprintf(num, sizeof num, "%d", np));
	ppage *pages = calloc((size_t)np + 1, sizeof *pages);
	if (!pages) {
		send_error(fd, ERR_UNREADABLE, "out of memory");
		return;
	}
	size_t chars = 0;
	for (int i = 0; i < np; i++) {
		PopplerPage *page = poppler_document_get_page(doc, i);
		if (!page)
			continue;
		double w;
		poppler_page_get_size(page, &w, &pages[i].height);
		char *t = poppler_page_get_text(page);
		pages[i].text = t ? t : g_strdup("");
		PopplerRectangle *r = NULL;
		guint nr = 0;
		if (*pages[i].text && !poppler_page_get_text_layout(page, &r, &nr))
			nr = 0;
		page_lines(&pages[i], r, nr);
		g_free(r);
		for (size_t j = 0; j < pages[i].n; j++)
			chars += pages[i].lines[j].chars;
		gchar *label = poppler_page_get_label(page);
		snprintf(num, sizeof num, "%d", i + 1);
		if (label && *label && strcmp(label, num) != 0) {
			strbuf lb = STRBUF_INIT;
			strbuf_appendf(&lb, "%d ", i + 1);
			put_clean(&lb, label, strlen(label));
			send_rec(fd, REC_LABEL, lb.data, lb.len);
			strbuf_free(&lb);
		}
		g_free(label);
		g_object_unref(page);
	}
	if (chars == 0) {
		bool images = false;
		for (int i = 0; i < np && !images; i++) {
			PopplerPage *page = poppler_document_get_page(doc, i);
			if (page) {
				images = page_has_images(page);
				g_object_unref(page);
			}
		}
		if (images)
			send_error(fd, ERR_NO_TEXT, "no text layer (scanned?), skipped");
		else
			send_error(fd, ERR_EMPTY, "no text in the PDF");
		return;
	}
	mark_furniture(pages, (size_t)np);
	double body = body_size(pages, (size_t)np);
	for (int i = 0; i < np; i++) {
		mark_footnotes(&pages[i], body);
		mark_gaps(&pages[i]);
	}
	for (int i = 0; i + 1 < np; i++)
		join_sentence(&pages[i], &pages[i + 1], body);
	strbuf out = STRBUF_INIT;
	for (int i = 0; i < np; i++) {
		if (i > 0)
			strbuf_appends(&out, "\n\f\n");
		emit_page(&out, pages, (size_t)i);
	}
	strbuf_appendc(&out, '\n');
	if (!out.data)
		send_error(fd, ERR_UNREADABLE, "out of memory");
	else
		send_rec(fd, REC_TEXT, out.data, out.len);
	/* the process ends here: nothing else is freed */
}


/* The whole of fd 0: mapped when it is a file (the indexer hands a memfd),
 * else read. */
static char *read_input(size_t *len)
{
	struct stat sb;
	if (fstat(0, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
		void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, 0, 0);
		if (m != MAP_FAILED) {
			*len = (size_t)sb.st_size;
			return m;
		}
	}
	strbuf sb2 = STRBUF_INIT;
	char buf[65536];
	ssize_t r;
	while ((r = read(0, buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0 && !strbuf_append(&sb2, buf, (size_t)r))
			return NULL;
	*len = sb2.len;
	return sb2.data ? sb2.data : strdup("");
}

int main(int argc, char **argv)
{
	(void)argv;
	if (argc != 1 || isatty(0)) {
		fputs("wensou-pdf-text: reads a PDF on standard input for wensou-index; not for running by hand\n", stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_DFL);
	size_t len = 0;
	char *data = read_input(&len);
	if (!data) {
		send_error(1, ERR_UNREADABLE, "out of memory");
		_exit(0);
	}
	child_main(1, data, len);
	/* everything went out through write(2); what poppler and the layout
	 * hold is the kernel's to reclaim (no exit handlers, no leak
	 * report from a sanitizer build: the answer is what counts) */
	_exit(0);
}
