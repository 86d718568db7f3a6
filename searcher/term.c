/* term.c - terminal size and capabilities (term.h). */
#include "term.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static bool size_of(int fd, struct winsize *w)
{
	return isatty(fd) && ioctl(fd, TIOCGWINSZ, w) == 0 && w->ws_col >= 20;
}

unsigned ws_term_width(int fd)
{
	struct winsize w;
	return size_of(fd, &w) ? w.ws_col : 0;
}

unsigned ws_term_height(int fd)
{
	struct winsize w;
	return size_of(fd, &w) && w.ws_row > 0 ? w.ws_row : 0;
}

static bool env_is(const char *name, const char *value)
{
	const char *v = getenv(name);
	return v && !strcmp(v, value);
}

static bool env_set(const char *name)
{
	const char *v = getenv(name);
	return v && *v;
}

bool ws_term_want_color(ws_color when, int fd)
{
	if (when != WS_COLOR_AUTO)
		return when == WS_COLOR_ALWAYS;
	return isatty(fd) && !env_set("NO_COLOR") && !env_is("TERM", "dumb");
}

bool ws_term_want_hyperlinks(ws_color when, int fd)
{
	if (when != WS_COLOR_AUTO)
		return when == WS_COLOR_ALWAYS;
	if (!isatty(fd) || env_is("TERM", "dumb") || env_set("TMUX") || env_set("STY"))
		return false;
	const char *vte = getenv("VTE_VERSION");
	if (vte && atoi(vte) >= 5000) /* GNOME Terminal, Tilix, ... since VTE 0.50 */
		return true;
	static const char *const programs[] = {"iTerm.app", "WezTerm", "vscode", "ghostty", "Hyper", "Tabby", "rio"};
	for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
		if (env_is("TERM_PROGRAM", programs[i]))
			return true;
	const char *term = getenv("TERM");
	static const char *const terms[] = {"xterm-kitty", "foot", "alacritty", "wezterm", "contour", "xterm-ghostty"};
	for (size_t i = 0; term && i < sizeof terms / sizeof terms[0]; i++)
		if (!strncmp(term, terms[i], strlen(terms[i])))
			return true;
	return env_set("KITTY_WINDOW_ID") || env_set("WT_SESSION") || env_set("KONSOLE_VERSION");
}
