/*
 * prompt.h - the interactive prompt: wensou-search with no query on a
 * terminal.  GNU readline edits the line (wide characters, history in
 * $XDG_STATE_HOME/wensou/history); a line is a query or a command
 * (prompt_cmd.h); results look as one-shot output does.  Ctrl-C cancels
 * the line, Ctrl-D leaves.
 */
#ifndef WS_SEARCH_PROMPT_H
#define WS_SEARCH_PROMPT_H

#include "cli.h"
#include "glossary.h"
#include "index.h"

/* Run the prompt on stdin and stdout (terminals) over ix, starting from
 * cli's filters, limit and layout.  Returns the exit status: 0. */
int ws_prompt_run(const ws_cli *cli, ws_index *ix, const ws_glossary *glossary);

#endif
