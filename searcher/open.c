/* open.c - open a hit in an editor or a viewer (open.h). */
#include "open.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strbuf.h"
#include "text.h"

const char *ws_open_editor(void)
{
	const char *e = getenv("VISUAL");
	if (!e || !*e)
		e = getenv("EDITOR");
	return e && *e ? e : "vi";
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcasecmp(s + n - k, suffix);
}

/* s in single quotes for sh. */
static bool quote(strbuf *sb, const char *s)
{
	bool ok = strbuf_appendc(sb, '\'');
	for (; ok && *s; s++)
		ok = *s == '\'' ? strbuf_appends(sb, "'\\''") : strbuf_appendc(sb, *s);
	return ok && strbuf_appendc(sb, '\'');
}

/* Run sh -c cmd with args; wait (and return the exit status) or, with
 * detach, leave it running on its own, its output to /dev/null. */
static bool run(const char *cmd, const char *const *args, bool detach, int *status, char **err)
{
	pid_t pid = fork();
	if (pid < 0)
		return ws_fail(err, "cannot start %s: %s", cmd, strerror(errno));
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (detach) {
			/* a grandchild, so that nobody waits for it */
			if (fork() != 0)
				_exit(0);
			setsid();
			int null = open("/dev/null", O_RDWR);
			if (null >= 0) {
				dup2(null, STDIN_FILENO);
				dup2(null, STDOUT_FILENO);
				dup2(null, STDERR_FILENO);
			}
		}
		const char *argv[8] = {"sh", "-c", cmd};
		size_t n = 3;
		for (size_t i = 0; args && args[i] && n < 7; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		execv("/bin/sh", (char *const *)argv);
		_exit(127);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return ws_fail(err, "cannot wait for %s: %s", cmd, strerror(errno));
	}
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return true;
}

static bool open_editor(const ws_hit *h, char **err)
{
	const char *editor = ws_open_editor();
	char line[24];
	snprintf(line, sizeof line, "+%u", h->line);
	/* the editor is a shell command, as git runs it: "$EDITOR" "$@" */
	char *cmd = ws_strdupf("%s \"$@\"", editor);
	if (!cmd)
		return ws_fail(err, "out of memory");
	const char *args[] = {editor, line, h->path, NULL};
	int status = 0;
	bool ok = run(cmd, args, false, &status, err);
	free(cmd);
	if (ok && status == 127)
		return ws_fail(err, "cannot run the editor \"%s\" (set $VISUAL or $EDITOR)", editor);
	if (ok && status)
		return ws_fail(err, "the editor \"%s\" exited with status %d", editor, status);
	return ok;
}

/* The viewer command for a page: the template with %p and %f filled in
 * (the file appended when it has no %f). */
static char *viewer_command(const char *tmpl, const char *path, int page)
{
	strbuf sb = STRBUF_INIT;
	bool ok = true, file = false;
	for (const char *p = tmpl; ok && *p; p++) {
		if (p[0] == '%' && p[1] == 'p') {
			ok = strbuf_appendf(&sb, "%d", page);
			p++;
		} else if (p[0] == '%' && p[1] == 'f') {
			ok = quote(&sb, path);
			file = true;
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			ok = strbuf_appendc(&sb, '%');
			p++;
		} else {
			ok = strbuf_appendc(&sb, *p);
		}
	}
	if (ok && !file)
		ok = strbuf_appendc(&sb, ' ') && quote(&sb, path);
	char *s = ok ? strbuf_detach(&sb) : NULL;
	strbuf_free(&sb);
	return s;
}

static bool open_viewer(const ws_hit *h, char **note, char **err)
{
	const char *tmpl = getenv("WENSOU_PDF_VIEWER");
	bool pdf = h->page > 0;
	char *cmd = pdf && tmpl && *tmpl ? viewer_command(tmpl, h->path, h->page) : NULL;
	if (pdf && tmpl && *tmpl && !cmd)
		return ws_fail(err, "out of memory");
	const char *args[] = {"xdg-open", h->path, NULL};
	int status = 0;
	bool ok = cmd ? run(cmd, NULL, true, &status, err) : run("exec xdg-open \"$1\"", args + 0, true, &status, err);
	if (ok && pdf && !cmd)
		*note = ws_strdupf("xdg-open opens page 1 (it cannot name a page): for page %d, set "
		                   "WENSOU_PDF_VIEWER, e.g. to 'evince -i %%p %%f' or 'zathura -P %%p %%f'", h->page);
	free(cmd);
	return ok;
}

bool ws_open_hit(const ws_hit *h, char **note, char **err)
{
	*note = NULL;
	if (access(h->path, R_OK) != 0)
		return ws_fail(err, "cannot open %s: %s", h->path, strerror(errno));
	if (h->page || ends_with(h->path, ".docx"))
		return open_viewer(h, note, err);
	return open_editor(h, err);
}
