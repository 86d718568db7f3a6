#include "discover.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "strbuf.h"

#define SIDECAR_NAME "wensou-meta.json"

/* Folders already entered, by (device, inode): symlinks may lead back into
 * an ancestor or reach one folder twice. */
typedef struct visited {
	struct { dev_t dev; ino_t ino; } *items;
	size_t n, cap;
} visited;

typedef struct walk {
	const ws_discover_opts *opts;
	const char *root;
	ws_filelist *out;
	visited seen;
	int problems;
	int depth;
} walk;

static void report(walk *w, const char *path, const char *msg)
{
	w->problems++;
	if (w->opts->report)
		w->opts->report(path, msg, true, w->opts->ud);
}

static void notice(walk *w, const char *path, const char *msg)
{
	if (w->opts->report)
		w->opts->report(path, msg, false, w->opts->ud);
}

static bool visited_add(visited *v, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->items[i].dev == dev && v->items[i].ino == ino)
			return false;
	void *p = ws_array_grow(v->items, v->n, &v->cap, sizeof *v->items, 64);
	if (!p)
		return false;
	v->items = p;
	v->items[v->n].dev = dev;
	v->items[v->n].ino = ino;
	v->n++;
	return true;
}

static bool list_add(ws_filelist *l, const char *path, const char *root, const struct stat *st)
{
	ws_file *p = ws_array_grow(l->items, l->n, &l->cap, sizeof *p, 256);
	if (!p)
		return false;
	l->items = p;
	char *copy = strdup(path);
	if (!copy)
		return false;
	l->items[l->n].path = copy;
	l->items[l->n].root = root;
	l->items[l->n].size = (uint64_t)st->st_size;
	l->items[l->n].mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
	l->n++;
	return true;
}

static void walk_dir(walk *w, const char *dir);
static void walk_entry_real(walk *w, const char *path, const char *name, bool is_root, const struct stat *known);

static void walk_entry(walk *w, const char *path, const char *name, bool is_root)
{
	struct stat st;
	char *real = NULL;
	bool have = lstat(path, &st) == 0;
	if (have && S_ISLNK(st.st_mode)) {
		/* a link and its target are one file: the index knows it by
		 * its canonical path */
		real = realpath(path, NULL);
		if (!real) {
			char msg[256];
			snprintf(msg, sizeof msg, "skipped: %s", errno == ENOENT ? "broken symbolic link" : strerror(errno));
			report(w, path, msg);
			return;
		}
		path = real;
		have = false; /* the target's, not the link's */
	}
	walk_entry_real(w, path, name, is_root, have ? &st : NULL);
	free(real);
}

/* path is canonical; known, when not NULL, is its stat (a non-link's
 * lstat is its stat: one call per entry, not two). */
static void walk_entry_real(walk *w, const char *path, const char *name, bool is_root, const struct stat *known)
{
	struct stat st;
	if (known) {
		st = *known;
	} else if (stat(path, &st) != 0) {
		char msg[256];
		snprintf(msg, sizeof msg, "skipped: %s", errno == ENOENT ? "broken symbolic link" : strerror(errno));
		report(w, path, msg);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (w->opts->skip_dir && strcmp(path, w->opts->skip_dir) == 0)
			return;
		if (!visited_add(&w->seen, st.st_dev, st.st_ino)) {
			if (w->opts->verbose)
				notice(w, path, "skipped: folder already visited (symbolic link loop?)");
			return;
		}
		walk_dir(w, path);
	} else if (S_ISREG(st.st_mode)) {
		if (!is_root && strcmp(name, SIDECAR_NAME) == 0)
			return;
		if (!list_add(w->out, path, w->root, &st))
			report(w, path, "skipped: out of memory");
	} else if (is_root) {
		report(w, path, "skipped: not a regular file or folder");
	}
}

static void walk_dir(walk *w, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		char msg[256];
		snprintf(msg, sizeof msg, "cannot read folder: %s", strerror(errno));
		report(w, dir, msg);
		return;
	}
	strbuf path = STRBUF_INIT;
	struct dirent *de;
	while ((errno = 0, de = readdir(d))) {
		if (de->d_name[0] == '.') {
			if (w->opts->verbose && strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
				strbuf_reset(&path);
				strbuf_appendf(&path, "%s/%s", strcmp(dir, "/") ? dir : "", de->d_name);
				notice(w, strbuf_str(&path), "skipped: hidden");
			}
			continue;
		}
		strbuf_reset(&path);
		if (!strbuf_appendf(&path, "%s/%s", strcmp(dir, "/") ? dir : "", de->d_name)) {
			report(w, dir, "out of memory");
			break;
		}
		walk_entry(w, strbuf_str(&path), de->d_name, false);
	}
	if (errno) {
		char msg[256];
		snprintf(msg, sizeof msg, "error reading folder: %s", strerror(errno));
		report(w, dir, msg);
	}
	closedir(d);
	strbuf_free(&path);
}

/* Make path absolute and lexically clean (no "." or ".." parts, no double
 * slashes): the best name for a path that does not exist (any more). */
static char *absolute_path(const char *path)
{
	strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	if (path[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof cwd))
			return NULL;
		strbuf_appends(&in, cwd);
		strbuf_appendc(&in, '/');
	}
	strbuf_appends(&in, path);
	const char *p = strbuf_str(&in);
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* skip */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = out.len ? strrchr(out.data, '/') : NULL;
			if (slash) {
				out.len = (size_t)(slash - out.data);
				out.data[out.len] = '\0';
			}
		} else {
			strbuf_appendc(&out, '/');
			strbuf_append(&out, p, n);
		}
		p += n;
	}
	if (!out.len)
		strbuf_appendc(&out, '/');
	strbuf_free(&in);
	return strbuf_detach(&out);
}

char *ws_canonical_path(const char *path, bool *exists)
{
	char *real = realpath(path, NULL);
	*exists = real != NULL;
	return real ? real : absolute_path(path);
}

int ws_discover(const char *root, const ws_discover_opts *opts, ws_filelist *out)
{
	walk w = {.opts = opts, .out = out, .root = root};
	struct stat st;
	if (stat(root, &st) != 0) {
		char msg[256];
		snprintf(msg, sizeof msg, "cannot read: %s", strerror(errno));
		report(&w, root, msg);
		return -1;
	}
	const char *name = strrchr(root, '/');
	walk_entry_real(&w, root, name ? name + 1 : root, true, &st);
	free(w.seen.items);
	return w.problems;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const ws_file *)a)->path, ((const ws_file *)b)->path);
}

void ws_filelist_sort_unique(ws_filelist *l)
{
	if (l->n < 2)
		return;
	qsort(l->items, l->n, sizeof *l->items, cmp_file);
	size_t k = 1;
	for (size_t i = 1; i < l->n; i++) {
		if (strcmp(l->items[i].path, l->items[k - 1].path) == 0)
			free(l->items[i].path);
		else
			l->items[k++] = l->items[i];
	}
	l->n = k;
}

void ws_filelist_free(ws_filelist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].path);
	free(l->items);
	l->items = NULL;
	l->n = l->cap = 0;
}

bool ws_path_under(const char *path, const char *root_abs)
{
	size_t n = strlen(root_abs);
	if (n == 1 && root_abs[0] == '/')
		return path[0] == '/';
	return strncmp(path, root_abs, n) == 0 && (path[n] == '\0' || path[n] == '/');
}
