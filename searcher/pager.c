/* pager.c - page long output (pager.h). */
#include "pager.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static bool write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		s += n;
		len -= (size_t)n;
	}
	return true;
}

/* Is the program named by the first word of cmd on $PATH (or a path)? */
static bool on_path(const char *cmd)
{
	size_t n = strcspn(cmd, " \t");
	char prog[256];
	if (!n || n >= sizeof prog)
		return false;
	memcpy(prog, cmd, n);
	prog[n] = '\0';
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	const char *path = getenv("PATH");
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t k = strcspn(p, ":");
		char full[1024];
		if (snprintf(full, sizeof full, "%.*s/%s", (int)k, p, prog) < (int)sizeof full && access(full, X_OK) == 0)
			return true;
		p += k;
		if (*p == ':')
			p++;
	}
	return false;
}

static const char *pager_command(void)
{
	const char *p = getenv("WENSOU_PAGER");
	if (!p)
		p = getenv("PAGER");
	if (!p)
		return on_path("less") ? "less -R" : NULL;
	while (*p == ' ')
		p++;
	return *p && strcmp(p, "cat") ? p : NULL;
}

bool ws_pager_write(const char *text, size_t len, unsigned rows, bool allowed)
{
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	const char *cmd = allowed && rows && lines >= rows ? pager_command() : NULL;
	if (!cmd)
		return fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0;

	if (fflush(stdout) != 0)
		return false;
	int fds[2];
	if (pipe(fds) != 0)
		return fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0;
	}
	if (pid == 0) {
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		close(fds[1]);
		setenv("LESS", getenv("LESS") ? getenv("LESS") : "FRX", 1);
		setenv("LV", getenv("LV") ? getenv("LV") : "-c", 1);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	/* the pager owns the terminal until it quits: Ctrl-C is its */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_quit;
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	write_all(fds[1], text, len); /* EPIPE: the pager quit early */
	close(fds[1]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	return true;
}
