/*
 * colors.h - the colours of terminal output, and $WENSOU_COLORS, which
 * changes them as GREP_COLORS does grep's: "name=SGR" pairs joined by
 * ":", SGR being the numbers of an ANSI Select Graphic Rendition
 * ("1;31" bold red, "4" underlined, "" plain), for the names below.
 */
#ifndef WS_SEARCH_COLORS_H
#define WS_SEARCH_COLORS_H

#include <stdbool.h>

typedef enum ws_color_slot {
	WS_C_MATCH,   /* matched words in snippets (1;31) */
	WS_C_PATH,    /* file locations (35) */
	WS_C_LINE,    /* line:column after a path (32) */
	WS_C_TITLE,   /* document titles (1) */
	WS_C_SECTION, /* section trails (36) */
	WS_C_RANK,    /* hit numbers (1) */
	WS_C_HEADER,  /* the "1–10 of 23" line and table headings (2) */
	WS_C_BAR,     /* the bars of --by-year and --by-source (34) */
	WS_C_COUNT
} ws_color_slot;

/* The escape sequence of each slot, "" for none. */
typedef struct ws_colors {
	char seq[WS_C_COUNT][32];
} ws_colors;

/* The defaults above. */
void ws_colors_default(ws_colors *c);

/* Apply spec (the value of $WENSOU_COLORS) over c.  Every good pair is
 * applied; false with a malloc'd message in *err naming the first bad one
 * (an unknown name, or an SGR that is not numbers and ";"). */
bool ws_colors_parse(ws_colors *c, const char *spec, char **err);

/* The names, for messages and the man page: "match path line ...". */
const char *ws_colors_names(void);

#endif
