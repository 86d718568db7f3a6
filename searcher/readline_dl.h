/*
 * readline_dl.h - GNU readline for the prompt, loaded when the prompt
 * starts (dynlib.h): a one-shot search or --serve never maps it or the
 * terminfo library under it, which would cost every process a few tenths
 * of a millisecond at start-up.
 */
#ifndef WS_SEARCH_READLINE_DL_H
#define WS_SEARCH_READLINE_DL_H

#include <stdio.h>

#include <readline/history.h>
#include <readline/readline.h>

/* What the prompt calls (and the variables it sets or reads), by their
 * readline names. */
#define WS_READLINE_SYMS(X)                                                                    \
	X(rl_readline_name) X(rl_catch_signals) X(rl_catch_sigwinch) X(rl_set_prompt)            \
	X(rl_callback_handler_install) X(rl_callback_handler_remove) X(rl_callback_read_char)    \
	X(rl_callback_sigcleanup) X(rl_redisplay) X(rl_resize_terminal) X(rl_free_line_state)    \
	X(rl_replace_line) X(rl_crlf) X(rl_on_new_line) X(using_history) X(stifle_history)       \
	X(read_history) X(write_history) X(append_history) X(history_truncate_file)              \
	X(add_history) X(history_get) X(history_length) X(history_base) X(clear_history)

/* A pointer to each: ws_readline_load(...)->rl_crlf() calls rl_crlf. */
typedef struct ws_readline {
#define WS_READLINE_FIELD(name) __typeof__(name) *name;
	WS_READLINE_SYMS(WS_READLINE_FIELD)
#undef WS_READLINE_FIELD
} ws_readline;

/* readline, loaded on the first call: a table owned by this module, or
 * NULL with *err (static storage) saying why it cannot be loaded. */
const ws_readline *ws_readline_load(const char **err);

#endif
