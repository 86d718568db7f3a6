/*
 * present.h - what a one-shot search and the prompt share on a terminal:
 * the request the command line asks for, the terminal style (colours,
 * $WENSOU_COLORS, links, size), a short description of a search for
 * header and "nothing matched" lines, and the hits with their totals.
 */
#ifndef WS_SEARCH_PRESENT_H
#define WS_SEARCH_PRESENT_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "colors.h"
#include "engine.h"
#include "index.h"
#include "print.h"

/* The request of cli (its query, filters, limits and output mode). */
ws_request ws_request_of(const ws_cli *cli);

/* The style for terminal output on fd.  colors receives the defaults and
 * $WENSOU_COLORS, whose first bad entry is named once on stderr (prog: the
 * program's name).  style->cwd is a malloc'd working folder (free it). */
void ws_present_style(const ws_cli *cli, int fd, const char *prog, ws_colors *colors, ws_term_style *style);

/* "数字鸿沟 (since 2022, source 联合国)": req's query and the filters
 * given beside it.  New malloc'd string, NULL when out of memory. */
char *ws_present_what(const ws_request *req);

/* The hits of req (their header counts all the matches), or on a
 * terminal the line that says nothing matched.  False with *err when the
 * totals cannot be counted, or on a write error (*err NULL, errno). */
bool ws_present_hits(FILE *out, ws_index *ix, const ws_request *req, const ws_result *r,
                     const ws_term_style *style, char **err);

#endif
