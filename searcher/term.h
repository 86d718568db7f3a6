/*
 * term.h - what the terminal on a file descriptor can do: its size,
 * whether colour and OSC 8 hyperlinks should be written to it.
 */
#ifndef WS_SEARCH_TERM_H
#define WS_SEARCH_TERM_H

#include <stdbool.h>

#include "cli.h"

/* Columns and rows of the terminal on fd; 0 when fd is no terminal (or
 * the terminal is narrower than 20 columns, too narrow to lay out). */
unsigned ws_term_width(int fd);
unsigned ws_term_height(int fd);

/* --color: auto means fd is a terminal, NO_COLOR is unset or empty and
 * TERM is not "dumb". */
bool ws_term_want_color(ws_color when, int fd);

/* --hyperlink: auto means a terminal known to show OSC 8 links (by the
 * variables it sets: VTE_VERSION, TERM_PROGRAM, KITTY_WINDOW_ID, ...),
 * and not inside tmux or screen, which drop them. */
bool ws_term_want_hyperlinks(ws_color when, int fd);

#endif
