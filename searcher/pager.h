/*
 * pager.h - long output through a pager, as git does it: only when
 * stdout is a terminal and the output has more lines than it has rows;
 * the pager is $WENSOU_PAGER, else $PAGER, else "less -R" (with LESS=FRX
 * when LESS is unset, so less keeps colours and quits on a short text);
 * an empty pager or "cat" means none.
 */
#ifndef WS_SEARCH_PAGER_H
#define WS_SEARCH_PAGER_H

#include <stdbool.h>
#include <stddef.h>

/* Write text[0..len) to stdout, through the pager if allowed and it has
 * more than rows lines (rows 0: stdout is no terminal, never page).
 * False if writing failed (errno set; EPIPE from stdout is the reader
 * gone).  A pager that quits before reading it all is no failure. */
bool ws_pager_write(const char *text, size_t len, unsigned rows, bool allowed);

#endif
