/* present.c - terminal presentation shared by main and the prompt. */
#include "present.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"
#include "tally.h"
#include "term.h"

ws_request ws_request_of(const ws_cli *cli)
{
	ws_mode mode = cli->output == WS_OUT_COUNT ? WS_MODE_COUNT
	               : cli->output == WS_OUT_FILES ? WS_MODE_FILES
	                                              : WS_MODE_HITS;
	return (ws_request){
		.query = cli->query,
		.query_len = cli->query_len,
		.mode = mode,
		.limit = cli->output == WS_OUT_FILES && !cli->limit_set ? 0 : cli->limit,
		.offset = cli->offset,
		.per_doc = cli->per_doc,
		.all_kinds = cli->all_kinds,
		.year = cli->year,
		.since = cli->since,
		.until = cli->until,
		.sources = cli->sources,
		.nsources = cli->nsources,
	};
}

void ws_present_style(const ws_cli *cli, int fd, const char *prog, ws_colors *colors, ws_term_style *style)
{
	memset(style, 0, sizeof *style);
	ws_colors_default(colors);
	style->color = ws_term_want_color(cli->color, fd);
	style->hyperlinks = ws_term_want_hyperlinks(cli->hyperlink, fd);
	style->width = ws_term_width(fd);
	style->height = ws_term_height(fd);
	style->group = cli->group;
	style->colors = colors;
	style->cwd = getcwd(NULL, 0);
	const char *spec = getenv("WENSOU_COLORS");
	char *err = NULL;
	static bool warned; /* the prompt asks for every search: say it once */
	if (style->color && spec && !ws_colors_parse(colors, spec, &err) && !warned) {
		fprintf(stderr, "%s: %s\n", prog, err ? err : "out of memory");
		warned = true;
	}
	free(err);
}

char *ws_present_what(const ws_request *req)
{
	strbuf sb = STRBUF_INIT;
	strbuf filters = STRBUF_INIT;
	bool ok = true;
	if (req->year)
		ok = strbuf_appendf(&filters, "year %d", req->year);
	if (ok && req->since)
		ok = strbuf_appendf(&filters, "%ssince %d", filters.len ? ", " : "", req->since);
	if (ok && req->until)
		ok = strbuf_appendf(&filters, "%suntil %d", filters.len ? ", " : "", req->until);
	for (size_t i = 0; ok && i < req->nsources; i++)
		ok = i ? strbuf_appendf(&filters, " or %s", req->sources[i])
		       : strbuf_appendf(&filters, "%ssource %s", filters.len ? ", " : "", req->sources[i]);
	ok = ok && strbuf_append(&sb, req->query ? req->query : "", req->query ? req->query_len : 0);
	if (ok && filters.len)
		ok = strbuf_appendf(&sb, "%s(%s)", sb.len ? " " : "", filters.data);
	strbuf_free(&filters);
	char *s = ok ? strbuf_detach(&sb) : NULL;
	strbuf_free(&sb);
	return s;
}

bool ws_present_hits(FILE *out, ws_index *ix, const ws_request *req, const ws_result *r,
                     const ws_term_style *style, char **err)
{
	if (!r->nhits) {
		if (!style->width)
			return true; /* a script reads the exit status */
		char *what = ws_present_what(req);
		bool ok = what && ws_print_term_nothing(out, r, req->offset, what, style);
		free(what);
		return ok;
	}
	ws_term_totals tot;
	if (!ws_tally_totals(ix, req, r, &tot, err))
		return false;
	return ws_print_term(out, r, &tot, style);
}
