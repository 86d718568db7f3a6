#include "layout.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layout_private.h"
#include "strbuf.h"

char *ws_layout_gen_dir(const char *dir, int gen)
{
	return ws_strdupf("%s/gen-%d", dir, gen);
}

char *ws_layout_shard_rel(int gen, unsigned k, bool build)
{
	return ws_strdupf("gen-%d/%s%u", gen, build ? "build-" : "s", k);
}

char *ws_layout_shard(const char *dir, int gen, unsigned k, bool build)
{
	return ws_strdupf("%s/gen-%d/%s%u", dir, gen, build ? "build-" : "s", k);
}

void ws_layout_free(ws_layout *l)
{
	for (unsigned k = 0; k < l->nshards; k++)
		free(l->shard[k]);
	memset(l, 0, sizeof *l);
}

bool ws_layout_parse_shard_rel(const char *rel, int *gen, unsigned *k)
{
	int consumed = 0;
	if (sscanf(rel, "gen-%d/s%u%n", gen, k, &consumed) == 2 && rel[consumed] == '\0')
		return *gen > 0;
	consumed = 0;
	if (sscanf(rel, "gen-%d/build-%u%n", gen, k, &consumed) == 2 && rel[consumed] == '\0')
		return *gen > 0;
	return false;
}

/* One stub line "TYPE gen-N/sK" or "TYPE gen-N/build-K" (TYPE glass or
 * auto); false for anything else. */
static bool parse_line(const char *s, int *gen, unsigned *k)
{
	char type[16], rest[64];
	char extra;
	if (sscanf(s, "%15s %63s %c", type, rest, &extra) != 2)
		return false;
	if (strcmp(type, "glass") != 0 && strcmp(type, "auto") != 0)
		return false;
	return ws_layout_parse_shard_rel(rest, gen, k);
}

ws_layout_result ws_layout_read(const char *dir, ws_layout *out, char **why)
{
	memset(out, 0, sizeof *out);
	*why = NULL;
	char *path = ws_strdupf("%s/" WS_LAYOUT_STUB, dir);
	if (!path) {
		*why = strdup("out of memory");
		return WS_LAYOUT_ERROR;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		/* ENOTDIR: dir is a file, e.g. a stub of the user's given to
		 * the searcher: no index in wensou's layout there */
		if (errno == ENOENT || errno == ENOTDIR) {
			free(path);
			return WS_LAYOUT_NONE;
		}
		*why = ws_strdupf("cannot read %s: %s", path, strerror(errno));
		free(path);
		return WS_LAYOUT_ERROR;
	}
	ws_layout_result res = WS_LAYOUT_OURS;
	char line[1024];
	unsigned lineno = 0;
	while (res == WS_LAYOUT_OURS && fgets(line, sizeof line, f)) {
		lineno++;
		const char *s = line + strspn(line, " \t\r\n");
		if (!*s || *s == '#')
			continue;
		int gen;
		unsigned k;
		if (!parse_line(s, &gen, &k)) {
			line[strcspn(line, "\r\n")] = '\0';
			*why = ws_strdupf("%s, line %u (\"%s\"): not a shard of a wensou index", path, lineno, line);
			res = WS_LAYOUT_FOREIGN;
		} else if ((out->nshards && gen != out->gen) || k != out->nshards || k >= WS_LAYOUT_MAX_SHARDS) {
			*why = ws_strdupf("%s, line %u: shard %u of generation %d does not follow the lines before it",
			                  path, lineno, k, gen);
			res = WS_LAYOUT_FOREIGN;
		} else {
			out->gen = gen;
			s += strcspn(s, " \t");
			s += strspn(s, " \t");
			char *rel = strndup(s, strcspn(s, " \t\r\n"));
			out->shard[k] = rel ? ws_strdupf("%s/%s", dir, rel) : NULL;
			free(rel);
			if (!out->shard[k]) {
				*why = strdup("out of memory");
				res = WS_LAYOUT_ERROR;
			} else {
				out->nshards++;
			}
		}
	}
	if (res == WS_LAYOUT_OURS && ferror(f)) {
		*why = ws_strdupf("cannot read %s: %s", path, strerror(errno));
		res = WS_LAYOUT_ERROR;
	}
	if (res == WS_LAYOUT_OURS && out->nshards == 0) {
		*why = ws_strdupf("%s names no database", path);
		res = WS_LAYOUT_FOREIGN;
	}
	fclose(f);
	free(path);
	if (res != WS_LAYOUT_OURS)
		ws_layout_free(out);
	return res;
}

int ws_layout_write_atomic(const char *path, const char *body, size_t len, char **err)
{
	char *tmp = ws_strdupf("%s.tmp", path);
	if (!tmp) {
		*err = strdup("out of memory");
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int rc = -1;
	if (fd < 0 || write(fd, body, len) != (ssize_t)len || fsync(fd) != 0) {
		*err = ws_strdupf("cannot write %s: %s", tmp, strerror(errno ? errno : EIO));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
	} else if (close(fd) != 0 || rename(tmp, path) != 0) {
		*err = ws_strdupf("cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
	} else {
		rc = 0;
	}
	free(tmp);
	return rc;
}

int ws_layout_write(const char *dir, char *const *rel, unsigned n, char **err)
{
	char *path = ws_strdupf("%s/" WS_LAYOUT_STUB, dir);
	strbuf body = STRBUF_INIT;
	int rc = -1;
	strbuf_appends(&body, "# wensou index: the shards of the live generation (written by wensou-index)\n");
	for (unsigned k = 0; k < n; k++)
		strbuf_appendf(&body, "glass %s\n", rel[k]);
	if (!path || !body.len) {
		*err = strdup("out of memory");
		goto out;
	}
	if (ws_layout_write_atomic(path, body.data, body.len, err) != 0)
		goto out;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	rc = 0;
out:
	strbuf_free(&body);
	free(path);
	return rc;
}

/* True if the file at path holds exactly body[0..len). */
bool ws_layout_holds(const char *path, const char *body, size_t len)
{
	FILE *f = fopen(path, "r");
	char *buf = f ? malloc(len + 1) : NULL;
	size_t n = buf ? fread(buf, 1, len + 1, f) : 0;
	bool same = buf && n == len && memcmp(buf, body, len) == 0;
	if (f)
		fclose(f);
	free(buf);
	return same;
}

/* What DIR/shard-K/XAPIANDB should hold for l's shard k (malloc'd), or
 * NULL with *err. */
static char *shard_stub_body(const char *dir, const ws_layout *l, unsigned k, char **err)
{
	size_t dl = strlen(dir);
	if (strncmp(l->shard[k], dir, dl) != 0 || l->shard[k][dl] != '/') {
		*err = ws_strdupf("shard %s is not inside %s", l->shard[k], dir);
		return NULL;
	}
	char *body = ws_strdupf("# shard %u alone of the wensou index in the folder above, for a server "
	                        "(written by wensou-index)\nglass ../%s\n",
	                        k, l->shard[k] + dl + 1);
	if (!body)
		*err = strdup("out of memory");
	return body;
}

int ws_layout_shard_stub_stale(const char *dir, const ws_layout *l)
{
	for (unsigned k = 0; k < l->nshards; k++) {
		char *err = NULL;
		char *body = shard_stub_body(dir, l, k, &err);
		char *stub = ws_strdupf("%s/shard-%u/" WS_LAYOUT_STUB, dir, k);
		bool good = body && stub && ws_layout_holds(stub, body, strlen(body));
		free(err);
		free(body);
		free(stub);
		if (!good)
			return (int)k;
	}
	return -1;
}

int ws_layout_write_shard_stubs(const char *dir, const ws_layout *l, char **err)
{
	for (unsigned k = 0; k < WS_LAYOUT_MAX_SHARDS; k++) {
		char *sdir = ws_strdupf("%s/shard-%u", dir, k);
		char *stub = ws_strdupf("%s/shard-%u/" WS_LAYOUT_STUB, dir, k);
		int rc = 0;
		if (!sdir || !stub) {
			*err = strdup("out of memory");
			rc = -1;
		} else if (k >= l->nshards) {
			/* a shard the index no longer has */
			unlink(stub);
			rmdir(sdir);
		} else {
			char *body = shard_stub_body(dir, l, k, err);
			if (!body) {
				rc = -1;
			} else if (!ws_layout_holds(stub, body, strlen(body))) {
				if (mkdir(sdir, 0755) != 0 && errno != EEXIST) {
					*err = ws_strdupf("cannot create %s: %s", sdir, strerror(errno));
					rc = -1;
				} else {
					rc = ws_layout_write_atomic(stub, body, strlen(body), err);
				}
			}
			free(body);
		}
		free(sdir);
		free(stub);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

int *ws_layout_generations(const char *dir, unsigned *n)
{
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	int *gens = NULL;
	unsigned cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		int g, consumed = 0;
		if (sscanf(de->d_name, "gen-%d%n", &g, &consumed) != 1 || de->d_name[consumed] || g <= 0)
			continue;
		if (*n == cap) {
			unsigned nc = cap ? cap * 2 : 8;
			int *p = realloc(gens, nc * sizeof *p);
			if (!p)
				break;
			gens = p;
			cap = nc;
		}
		gens[(*n)++] = g;
	}
	closedir(d);
	if (gens)
		qsort(gens, *n, sizeof *gens, cmp_int);
	return gens;
}
