/* config.c - read the file of default options (config.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "text.h"

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

bool ws_config_read(ws_config *cfg, char **err)
{
	bool explicit;
	memset(cfg, 0, sizeof *cfg);
	char *path = config_path(&explicit);
	if (!path)
		return true;
	FILE *f = fopen(path, "r");
	if (!f) {
		bool ok = errno == ENOENT && !explicit;
		if (!ok)
			ws_fail(err, "cannot read the config file %s: %s", path, strerror(errno));
		free(path);
		return ok;
	}
	cfg->path = path;
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	unsigned no = 0;
	bool ok = true;
	while (ok && (got = getline(&line, &cap, f)) >= 0) {
		no++;
		size_t len = (size_t)got;
		while (len && strchr(" \t\r\n", line[len - 1]))
			len--;
		size_t start = strspn(line, " \t");
		if (start >= len || line[start] == '#')
			continue;
		if (!ws_utf8_valid(line + start, len - start, NULL))
			ok = ws_fail(err, "the config file %s: line %u is not valid UTF-8", path, no);
		else if (!push(cfg, line + start, len - start, no))
			ok = ws_fail(err, "out of memory");
	}
	if (ok && ferror(f))
		ok = ws_fail(err, "cannot read the config file %s: %s", path, strerror(errno));
	free(line);
	fclose(f);
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
