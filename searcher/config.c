/* config.c - read the file of default options (config.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "text.h"

/* A file of default options is a few lines: anything bigger is not one
 * (a log, a binary, a device that never ends), and its lines are echoed
 * in messages. */
#define CONFIG_MAX_BYTES (1u << 20)
#define CONFIG_MAX_LINE 4096
#define SHOWN_PATH 1024   /* of a path: one that opens is under PATH_MAX */

/* The config file's path (malloc'd), NULL for none; *explicit says it was
 * named by $WENSOU_CONFIG_PATH, which must then exist. */
static char *config_path(bool *explicit)
{
	const char *env = getenv("WENSOU_CONFIG_PATH");
	*explicit = env != NULL;
	if (env)
		return *env ? strdup(env) : NULL;
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg && *xdg == '/')
		return ws_strdupf("%s/wensou/config", xdg);
	const char *home = getenv("HOME");
	return home && *home ? ws_strdupf("%s/.config/wensou/config", home) : NULL;
}

static bool push(ws_config *cfg, const char *s, size_t n, unsigned line)
{
	char **a = realloc(cfg->args, (cfg->n + 1) * sizeof *a);
	if (a)
		cfg->args = a;
	unsigned *l = realloc(cfg->lines, (cfg->n + 1) * sizeof *l);
	if (l)
		cfg->lines = l;
	char *copy = a && l ? strndup(s, n) : NULL;
	if (!copy)
		return false;
	cfg->args[cfg->n] = copy;
	cfg->lines[cfg->n++] = line;
	return true;
}

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "of another kind";
}

/* The config file at path (name: as messages show it) into *buf, *len
 * bytes and a NUL, read with a bound; *buf NULL when it is absent and
 * need not exist.  False with a message in *err. */
static bool slurp(const char *path, const char *name, bool explicit, char **buf, size_t *len, char **err)
{
	struct stat st;
	*buf = NULL;
	/* stat before opening: opening some devices does something (a
	 * watchdog, a tape); O_NONBLOCK so that a FIFO swapped in since
	 * cannot block, and fstat to see what was opened */
	if (stat(path, &st) != 0) {
		if (errno == ENOENT && !explicit)
			return true;
		return ws_fail(err, "cannot read the config file %s: %s", name, strerror(errno));
	}
	int fd = -1;
	if (S_ISREG(st.st_mode)) {
		fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) != 0) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			return ws_fail(err, "cannot read the config file %s: %s", name, strerror(e));
		}
	}
	if (!S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return ws_fail(err, "the config file %s is %s, not a regular file", name, file_kind(st.st_mode));
	}
	if (st.st_size > CONFIG_MAX_BYTES) {
		close(fd);
		return ws_fail(err, "the config file %s is larger than 1 MiB (%lld bytes): it holds default options, one per line",
		               name, (long long)st.st_size);
	}
	/* read to the limit and a byte, whatever its size said: it may have
	 * grown since, and a /proc file says 0 */
	char *b = malloc(CONFIG_MAX_BYTES + 2);
	size_t got = 0;
	bool ok = b != NULL || ws_fail(err, "out of memory");
	while (ok && got <= CONFIG_MAX_BYTES) {
		ssize_t n = read(fd, b + got, CONFIG_MAX_BYTES + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ok = ws_fail(err, "cannot read the config file %s: %s", name, strerror(errno));
		else if (n == 0)
			break;
		else
			got += (size_t)n;
	}
	if (ok && got > CONFIG_MAX_BYTES)
		ok = ws_fail(err, "the config file %s is larger than 1 MiB: it holds default options, one per line", name);
	close(fd);
	if (!ok) {
		free(b);
		return false;
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	return true;
}

bool ws_config_read(ws_config *cfg, char **err)
{
	bool explicit;
	memset(cfg, 0, sizeof *cfg);
	char *path = config_path(&explicit);
	if (!path)
		return true;
	char *name = ws_shown(path, strlen(path), SHOWN_PATH);
	char *text = NULL;
	size_t size = 0;
	bool ok = name ? slurp(path, name, explicit, &text, &size, err) : ws_fail(err, "out of memory");
	if (!ok || !text) {
		free(name);
		free(path);
		return ok;
	}
	cfg->path = path;
	unsigned no = 0;
	for (size_t at = 0; ok && at < size;) {
		const char *line = text + at;
		const char *nl = memchr(line, '\n', size - at);
		size_t len = nl ? (size_t)(nl - line) : size - at;
		at += len + (nl != NULL);
		no++;
		if (len > CONFIG_MAX_LINE) {
			char *start = ws_shown(line, len, WS_SHOWN_CHARS);
			ok = ws_fail(err, "the config file %s, line %u: longer than %d bytes (it starts \"%s\")", name, no,
			             CONFIG_MAX_LINE, start ? start : "");
			free(start);
			break;
		}
		while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
			len--;
		size_t start = 0;
		while (start < len && (line[start] == ' ' || line[start] == '\t'))
			start++;
		if (start >= len || line[start] == '#')
			continue;
		if (memchr(line + start, '\0', len - start))
			ok = ws_fail(err, "the config file %s, line %u: holds a NUL byte (it is not a text file)", name, no);
		else if (!ws_utf8_valid(line + start, len - start, NULL))
			ok = ws_fail(err, "the config file %s: line %u is not valid UTF-8", name, no);
		else if (!push(cfg, line + start, len - start, no))
			ok = ws_fail(err, "out of memory");
	}
	free(text);
	free(name);
	if (!ok)
		ws_config_free(cfg);
	return ok;
}

void ws_config_free(ws_config *cfg)
{
	for (size_t i = 0; i < cfg->n; i++)
		free(cfg->args[i]);
	free(cfg->args);
	free(cfg->lines);
	free(cfg->path);
	memset(cfg, 0, sizeof *cfg);
}
