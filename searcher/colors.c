/* colors.c - default colours and $WENSOU_COLORS (colors.h). */
#include "colors.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

static const struct {
	const char *name;
	const char *sgr;
} slots[WS_C_COUNT] = {
	[WS_C_MATCH] = {"match", "1;31"},  [WS_C_PATH] = {"path", "35"},       [WS_C_LINE] = {"line", "32"},
	[WS_C_TITLE] = {"title", "1"},     [WS_C_SECTION] = {"section", "36"}, [WS_C_RANK] = {"rank", "1"},
	[WS_C_HEADER] = {"header", "2"},   [WS_C_BAR] = {"bar", "34"},
};

static void set(ws_colors *c, int slot, const char *sgr, size_t n)
{
	if (n)
		snprintf(c->seq[slot], sizeof c->seq[slot], "\033[%.*sm", (int)n, sgr);
	else
		c->seq[slot][0] = '\0';
}

void ws_colors_default(ws_colors *c)
{
	for (int i = 0; i < WS_C_COUNT; i++)
		set(c, i, slots[i].sgr, strlen(slots[i].sgr));
}

const char *ws_colors_names(void)
{
	return "match path line title section rank header bar";
}

bool ws_colors_parse(ws_colors *c, const char *spec, char **err)
{
	bool ok = true;
	for (const char *p = spec; *p;) {
		size_t n = strcspn(p, ":");
		const char *eq = memchr(p, '=', n);
		if (n) {
			size_t name_len = eq ? (size_t)(eq - p) : n;
			const char *sgr = eq ? eq + 1 : "";
			size_t sgr_len = eq ? n - name_len - 1 : 0;
			int slot = -1;
			for (int i = 0; i < WS_C_COUNT; i++)
				if (strlen(slots[i].name) == name_len && !strncmp(slots[i].name, p, name_len))
					slot = i;
			bool good_sgr = eq && sgr_len < 24 && strspn(sgr, "0123456789;") >= sgr_len;
			if (slot < 0)
				ok = ws_fail(err, "$WENSOU_COLORS: unknown name \"%.*s\" (the names are: %s)", (int)name_len, p,
				             ws_colors_names());
			else if (!good_sgr)
				ok = ws_fail(err, "$WENSOU_COLORS: %.*s wants numbers joined by \";\", as in %s=%s",
				             (int)n, p, slots[slot].name, slots[slot].sgr);
			else
				set(c, slot, sgr, sgr_len);
		}
		p += n;
		if (*p == ':')
			p++;
	}
	return ok;
}
