/* print_table.c - the terminal tables of --by-year, --by-source and
 * --stats (print.h):
 *
 *   23 passages in 4 documents match 跨境数据流动
 *   year      passages  documents
 *   2022             8          1  ████████▍
 *   2023            10          2  ██████████
 *
 * Bars are block elements, in eighths of a column; labels (sources) are
 * cut with "…" to leave the bars room.  Widths are display columns.
 */
#include "print.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stats.h"
#include "strbuf.h"
#include "tally.h"
#include "text.h"
#include "wrap.h"

#define RESET "\033[0m"
#define NUM_W 10 /* a count column */
#define BAR_W_PLAIN 40 /* bars when not on a terminal */

typedef struct out {
	FILE *f;
	const ws_term_style *style;
	bool ok;
} out;

static void put(out *o, const char *s)
{
	if (o->ok && fputs(s, o->f) == EOF)
		o->ok = false;
}

static void color(out *o, ws_color_slot slot, bool on)
{
	if (o->style->color && o->style->colors && o->style->colors->seq[slot][0])
		put(o, on ? o->style->colors->seq[slot] : RESET);
}

/* s cut with "…" to at most w columns, and padded to w if pad. */
static void put_text(out *o, const char *s, unsigned w, bool pad)
{
	char *c = ws_sanitize(s, strlen(s));
	if (!c) {
		o->ok = false;
		return;
	}
	size_t len = strlen(c), fit;
	unsigned cw = (unsigned)ws_str_width(c, len);
	if (cw > w) {
		cw = ws_wrap_fit(c, len, w - 1, &fit);
		c[fit] = '\0';
		put(o, c);
		put(o, "\xe2\x80\xa6");
		cw++;
	} else {
		put(o, c);
	}
	for (; pad && cw < w; cw++)
		put(o, " ");
	free(c);
}

static void put_cell(out *o, const char *s, unsigned w)
{
	put_text(o, s, w, true);
}

static void put_num(out *o, unsigned long long v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%*llu", NUM_W, v);
	put(o, buf);
}

/* A bar of v / max of w columns, in eighths. */
static void put_bar(out *o, unsigned long long v, unsigned long long max, unsigned w)
{
	static const char *const eighths[] = {"", "\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d",
	                                      "\xe2\x96\x8c", "\xe2\x96\x8b", "\xe2\x96\x8a", "\xe2\x96\x89"};
	if (!max || !w)
		return;
	unsigned long long e = (v * w * 8 + max / 2) / max;
	if (v && !e)
		e = 1; /* something is never drawn as nothing */
	put(o, "  ");
	color(o, WS_C_BAR, true);
	for (unsigned long long i = 0; i < e / 8; i++)
		put(o, "\xe2\x96\x88");
	put(o, eighths[e % 8]);
	color(o, WS_C_BAR, false);
}

/* The width of the label column: the widest label, at most a third of
 * the line, at least the heading's. */
static unsigned label_width(const ws_tally *t, const char *heading, unsigned width)
{
	unsigned w = (unsigned)strlen(heading);
	for (size_t i = 0; i < t->n; i++) {
		const char *s = t->key == WS_TALLY_SOURCE ? (t->v[i].source ? t->v[i].source : "(unknown)") : "unknown";
		unsigned sw = (unsigned)ws_str_width(s, strlen(s));
		if (sw > w)
			w = sw;
	}
	if (width && w > width / 3)
		w = width / 3 > strlen(heading) ? width / 3 : (unsigned)strlen(heading);
	return w;
}

bool ws_print_term_tally(FILE *f, const ws_tally *t, const char *what, const ws_term_style *style)
{
	out o = {f, style, true};
	const char *heading = t->key == WS_TALLY_YEAR ? "year" : "source";
	unsigned lw = label_width(t, heading, style->width);
	unsigned used = lw + 2 * NUM_W + 2;
	unsigned bar = style->width ? (style->width > used + 4 ? style->width - used - 1 : 0) : BAR_W_PLAIN;
	unsigned long long max = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].passages > max)
			max = t->v[i].passages;

	strbuf sb = STRBUF_INIT;
	if (!strbuf_appendf(&sb, "%u passage%s in %u document%s match ", t->passages, t->passages == 1 ? "" : "s",
	                    t->documents, t->documents == 1 ? "" : "s") ||
	    !strbuf_appends(&sb, what)) {
		strbuf_free(&sb);
		return false;
	}
	color(&o, WS_C_HEADER, true);
	put_text(&o, sb.data, style->width ? style->width : (unsigned)ws_str_width(sb.data, sb.len), false);
	color(&o, WS_C_HEADER, false);
	strbuf_free(&sb);
	put(&o, "\n");
	color(&o, WS_C_HEADER, true);
	put_cell(&o, heading, lw);
	put(&o, "  passages documents");
	color(&o, WS_C_HEADER, false);
	put(&o, "\n");
	for (size_t i = 0; i < t->n && o.ok; i++) {
		const ws_bucket *b = &t->v[i];
		char year[16];
		snprintf(year, sizeof year, "%d", b->year);
		const char *label = t->key == WS_TALLY_YEAR ? (b->year ? year : "unknown")
		                                            : (b->source ? b->source : "(unknown)");
		put_cell(&o, label, lw);
		put_num(&o, b->passages);
		put_num(&o, b->documents);
		put_bar(&o, b->passages, max, bar);
		put(&o, "\n");
	}
	return o.ok;
}

/* "2.3 MB" */
static void human_size(uint64_t bytes, char *buf, size_t size)
{
	if (bytes < 1024 * 1024)
		snprintf(buf, size, "%.1f KB", (double)bytes / 1024);
	else if (bytes < 1024ull * 1024 * 1024)
		snprintf(buf, size, "%.1f MB", (double)bytes / (1024 * 1024));
	else
		snprintf(buf, size, "%.2f GB", (double)bytes / (1024.0 * 1024 * 1024));
}

static void stat_table(out *o, const char *heading, const ws_stat_table *t, bool years)
{
	unsigned lw = (unsigned)strlen(heading);
	for (size_t i = 0; i < t->n; i++) {
		const char *k = years ? "unknown" : t->v[i].key ? t->v[i].key : "(unknown)";
		unsigned w = (unsigned)ws_str_width(k, strlen(k)) + (!years && t->v[i].key ? 1 : 0);
		if (w > lw)
			lw = w;
	}
	if (o->style->width && lw > o->style->width / 2)
		lw = o->style->width / 2;
	put(o, "\n");
	color(o, WS_C_HEADER, true);
	put_cell(o, heading, lw);
	put(o, " documents  passages");
	color(o, WS_C_HEADER, false);
	put(o, "\n");
	for (size_t i = 0; i < t->n && o->ok; i++) {
		const ws_stat_row *r = &t->v[i];
		char label[32];
		if (years)
			snprintf(label, sizeof label, r->year ? "%d" : "unknown", r->year);
		if (!years && !strcmp(heading, "format")) {
			snprintf(label, sizeof label, r->key && *r->key ? ".%s" : "(none)", r->key ? r->key : "");
			put_cell(o, label, lw);
		} else {
			put_cell(o, years ? label : r->key ? r->key : "(unknown)", lw);
		}
		put_num(o, r->documents);
		put_num(o, r->passages);
		put(o, "\n");
	}
}

bool ws_print_term_stats(FILE *f, const ws_stats *s, const ws_term_style *style)
{
	out o = {f, style, true};
	char buf[256], size[32];
	for (size_t i = 0; i < s->ndbs; i++) {
		const ws_stat_db *d = &s->dbs[i];
		human_size(d->disk_bytes, size, sizeof size);
		put(&o, "index         ");
		color(&o, WS_C_PATH, true);
		put_text(&o, d->path, (unsigned)ws_str_width(d->path, strlen(d->path)), false);
		color(&o, WS_C_PATH, false);
		snprintf(buf, sizeof buf, "\nsize on disk  %s\n", size);
		put(&o, buf);
		struct tm tm;
		char when[64] = "unknown";
		if (d->last_write && localtime_r(&d->last_write, &tm))
			strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %z", &tm);
		snprintf(buf, sizeof buf, "last indexed  %s\n", when);
		put(&o, buf);
	}
	human_size(s->text_bytes, size, sizeof size);
	snprintf(buf, sizeof buf, "documents     %u (%s of files)\npassages      %u\n", s->documents, size, s->passages);
	put(&o, buf);
	stat_table(&o, "format", &s->formats, false);
	stat_table(&o, "year", &s->years, true);
	stat_table(&o, "source", &s->sources, false);
	return o.ok;
}
