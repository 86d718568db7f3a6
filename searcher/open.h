/*
 * open.h - open a hit where it is: text in $VISUAL (else $EDITOR, else
 * vi) at its line, by the "+LINE" convention that vi, Emacs, nano and
 * most editors share; a PDF at its page in $WENSOU_PDF_VIEWER (a command
 * where %p stands for the page and %f for the file, e.g. "zathura -P %p
 * %f" or "evince -i %p %f"), else with xdg-open, which cannot name a
 * page; a DOCX with xdg-open.
 */
#ifndef WS_SEARCH_OPEN_H
#define WS_SEARCH_OPEN_H

#include <stdbool.h>

#include "engine.h"

/* Open h.  An editor gets the terminal and is waited for; a viewer runs
 * on its own.  On success *note may get a malloc'd remark for the user
 * (xdg-open opened page 1).  False with a malloc'd message in *err when
 * the program cannot be started or the editor failed. */
bool ws_open_hit(const ws_hit *h, char **note, char **err);

/* The editor command: $VISUAL, else $EDITOR, else "vi". */
const char *ws_open_editor(void);

#endif
