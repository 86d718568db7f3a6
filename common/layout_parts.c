/* layout_parts.c - the layout of a sharded archive (layout.h). */
#include "layout.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "fileid.h"
#include "layout_private.h"
#include "strbuf.h"

/* A part's name stays well under NAME_MAX (255 bytes) with its prefix. */
#define PART_NAME_MAX 200
#define PART_NAME_CUT 160

const char *ws_shard_by_name(ws_shard_by by)
{
	return by == WS_SHARD_BY_YEAR ? "year" : by == WS_SHARD_BY_SOURCE ? "source" : NULL;
}

bool ws_shard_by_parse(const char *s, ws_shard_by *by)
{
	if (s && strcmp(s, "year") == 0)
		*by = WS_SHARD_BY_YEAR;
	else if (s && strcmp(s, "source") == 0)
		*by = WS_SHARD_BY_SOURCE;
	else
		return false;
	return true;
}

int ws_layout_shard_by_read(const char *dir, ws_shard_by *by, char **why)
{
	*by = WS_SHARD_BY_NONE;
	*why = NULL;
	char *path = ws_strdupf("%s/" WS_LAYOUT_SHARD_BY, dir);
	if (!path) {
		*why = strdup("out of memory");
		return -1;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		int e = errno;
		if (e == ENOENT || e == ENOTDIR) {
			free(path);
			return 0;
		}
		*why = ws_strdupf("cannot read %s: %s", path, strerror(e));
		free(path);
		return -1;
	}
	char line[64] = "";
	bool got = fgets(line, sizeof line, f) != NULL;
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	int rc = 0;
	if (!got || !ws_shard_by_parse(line, by)) {
		*why = ws_strdupf("%s says \"%s\": an archive is sharded by year or by source", path, line);
		rc = -1;
	}
	free(path);
	return rc;
}

int ws_layout_shard_by_write(const char *dir, ws_shard_by by, char **err)
{
	char *path = ws_strdupf("%s/" WS_LAYOUT_SHARD_BY, dir);
	char *body = ws_shard_by_name(by) ? ws_strdupf("%s\n", ws_shard_by_name(by)) : NULL;
	int rc = -1;
	if (!path || !body)
		*err = strdup(path && !ws_shard_by_name(by) ? "internal error: no key to shard by" : "out of memory");
	else
		rc = ws_layout_write_atomic(path, body, strlen(body), err);
	free(path);
	free(body);
	return rc;
}

/* Bytes a part's name shows as they are: UTF-8 (a source is a JSON
 * string, so valid), and what no shell or file system minds. */
static bool plain_byte(unsigned char c)
{
	return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_' || c == '.';
}

char *ws_layout_part_name(ws_shard_by by, int year, const char *source)
{
	if (by == WS_SHARD_BY_YEAR)
		return year > 0 ? ws_strdupf("year-%d", year) : strdup("year-unknown");
	if (by != WS_SHARD_BY_SOURCE)
		return NULL;
	if (!source || !*source)
		return strdup("source-unknown");
	strbuf sb = STRBUF_INIT;
	bool ok = strbuf_appends(&sb, "source-");
	size_t cut = 0; /* the length at the last character boundary within PART_NAME_CUT */
	for (const unsigned char *p = (const unsigned char *)source; ok && *p; p++) {
		if ((*p & 0xC0) != 0x80 && sb.len <= PART_NAME_CUT)
			cut = sb.len;
		/* "unknown" spelt out is the part of files with no source */
		bool first_of_unknown = p == (const unsigned char *)source && strcmp(source, "unknown") == 0;
		ok = plain_byte(*p) && !first_of_unknown && !(p == (const unsigned char *)source && *p == '.')
		             ? strbuf_appendf(&sb, "%c", *p)
		             : strbuf_appendf(&sb, "%%%02X", *p);
	}
	if (ok && sb.len > PART_NAME_MAX) {
		char hex[WS_HASH_HEX_LEN + 1];
		ws_hash_hex(source, strlen(source), hex);
		sb.len = cut;
		sb.data[cut] = '\0';
		ok = strbuf_appendf(&sb, "~%.16s", hex);
	}
	if (!ok) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

bool ws_layout_is_part_name(ws_shard_by by, const char *name)
{
	const char *prefix = by == WS_SHARD_BY_YEAR ? "year-" : by == WS_SHARD_BY_SOURCE ? "source-" : NULL;
	size_t n = prefix ? strlen(prefix) : 0;
	if (!prefix || strncmp(name, prefix, n) != 0 || !name[n] || strchr(name, '/'))
		return false;
	if (by == WS_SHARD_BY_YEAR && strcmp(name + n, "unknown") != 0)
		return strspn(name + n, "0123456789") == strlen(name + n) && name[n] != '0';
	return strlen(name) <= PART_NAME_MAX + 17;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append name (taken) to *v; false when out of memory (name is freed). */
static bool push(char ***v, unsigned *n, size_t *cap, char *name)
{
	char **p = name ? ws_array_grow(*v, *n, cap, sizeof **v, 8) : NULL;
	if (!p) {
		free(name);
		return false;
	}
	*v = p;
	p[(*n)++] = name;
	return true;
}

char **ws_layout_parts(const char *dir, ws_shard_by by, unsigned *n)
{
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char **names = NULL;
	size_t cap = 0;
	bool ok = true;
	struct dirent *de;
	while (ok && (de = readdir(d))) {
		if (!ws_layout_is_part_name(by, de->d_name))
			continue;
		struct stat sb;
		if (fstatat(dirfd(d), de->d_name, &sb, 0) == 0 && S_ISDIR(sb.st_mode))
			ok = push(&names, n, &cap, strdup(de->d_name));
	}
	closedir(d);
	if (!ok) {
		ws_layout_parts_free(names, *n);
		*n = 0;
		return NULL;
	}
	if (names)
		qsort(names, *n, sizeof *names, cmp_str);
	return names;
}

char **ws_layout_part_dirs(const char *dir, ws_shard_by by, unsigned *n)
{
	unsigned present;
	char **names = ws_layout_parts(dir, by, &present);
	*n = 0;
	for (unsigned i = 0; i < present; i++) {
		char *path = ws_strdupf("%s/%s", dir, names[i]), *why = NULL;
		ws_layout l;
		ws_layout_result lr = path ? ws_layout_read(path, &l, &why) : WS_LAYOUT_ERROR;
		if (lr == WS_LAYOUT_OURS)
			ws_layout_free(&l);
		free(why);
		free(names[i]);
		if (lr == WS_LAYOUT_OURS)
			names[(*n)++] = path; /* sorted as the names were */
		else
			free(path);
	}
	if (!*n) {
		free(names);
		return NULL;
	}
	return names;
}

char **ws_layout_parts_read(const char *dir, ws_shard_by by, unsigned *n, char **why)
{
	*n = 0;
	*why = NULL;
	char *path = ws_strdupf("%s/" WS_LAYOUT_STUB, dir);
	if (!path) {
		*why = strdup("out of memory");
		return NULL;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno != ENOENT)
			*why = ws_strdupf("cannot read %s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	char **parts = NULL, line[1024];
	size_t cap = 0;
	unsigned lineno = 0;
	while (!*why && fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		const char *s = line + strspn(line, " \t");
		if (!*s || *s == '#')
			continue;
		char name[PART_NAME_MAX + 32], extra;
		if (sscanf(s, "auto %231s %c", name, &extra) != 1 || !ws_layout_is_part_name(by, name))
			*why = ws_strdupf("%s, line %u (\"%s\"): not a part of a wensou archive by %s", path, lineno, line,
			                  ws_shard_by_name(by));
		else if (!push(&parts, n, &cap, ws_strdupf("%s/%s", dir, name)))
			*why = strdup("out of memory");
	}
	if (!*why && ferror(f))
		*why = ws_strdupf("cannot read %s: %s", path, strerror(errno));
	if (!*why && !*n)
		*why = ws_strdupf("%s names no part", path);
	fclose(f);
	free(path);
	if (*why) {
		ws_layout_parts_free(parts, *n);
		*n = 0;
		return NULL;
	}
	return parts;
}

int ws_layout_parts_write(const char *dir, ws_shard_by by, unsigned *nparts, char **err)
{
	unsigned n;
	char **parts = ws_layout_part_dirs(dir, by, &n);
	*nparts = n;
	if (!n)
		return 0;
	char *path = ws_strdupf("%s/" WS_LAYOUT_STUB, dir);
	strbuf body = STRBUF_INIT;
	int rc = -1;
	bool ok = strbuf_appends(&body, "# wensou archive: its parts, each an index (written by wensou-index)\n");
	for (unsigned k = 0; ok && k < n; k++)
		ok = strbuf_appendf(&body, "auto %s\n", strrchr(parts[k], '/') + 1);
	ws_layout_parts_free(parts, n);
	if (!path || !ok) {
		*err = strdup("out of memory");
	} else if (ws_layout_holds(path, body.data, body.len)) {
		rc = 0; /* as it was: a night that adds no part changes no file */
	} else if (ws_layout_write_atomic(path, body.data, body.len, err) == 0) {
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		rc = 0;
	}
	strbuf_free(&body);
	free(path);
	return rc;
}

void ws_layout_parts_free(char **names, unsigned n)
{
	for (unsigned i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}
