/*
 * layout_batch.c - the batch record of a generation and the test of the
 * writer's lock (layout.h): what lets a searcher tell a batch committed
 * across every shard from one half committed.
 *
 * The record is a few lines of text, e.g.
 *
 *   seq 12
 *   state done
 *   revisions 17 23
 *
 * written whole by a rename, so a reader sees the old one or the new one.
 */
#include "layout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layout_private.h"
#include "strbuf.h"

bool ws_layout_batch_read(const char *gendir, ws_layout_batch *b)
{
	memset(b, 0, sizeof *b);
	char *path = ws_strdupf("%s/" WS_LAYOUT_BATCH, gendir);
	FILE *f = path ? fopen(path, "r") : NULL;
	free(path);
	if (!f)
		return false;
	bool seq = false, state = false, revs = false;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		char word[16];
		int n = 0;
		if (line[0] == '#' || sscanf(line, "%15s %n", word, &n) != 1)
			continue;
		const char *rest = line + n;
		if (strcmp(word, "seq") == 0) {
			seq = sscanf(rest, "%llu", &b->seq) == 1;
		} else if (strcmp(word, "state") == 0) {
			b->committing = strncmp(rest, "committing", 10) == 0;
			state = b->committing || strncmp(rest, "done", 4) == 0;
		} else if (strcmp(word, "revisions") == 0) {
			b->nshards = 0;
			unsigned long long r;
			while (b->nshards < WS_LAYOUT_MAX_SHARDS && sscanf(rest, "%llu%n", &r, &n) == 1) {
				b->rev[b->nshards++] = r;
				rest += n;
			}
			revs = b->nshards > 0;
		}
	}
	fclose(f);
	if (seq && state && revs)
		return true;
	memset(b, 0, sizeof *b);
	return false;
}

int ws_layout_batch_write(const char *gendir, const ws_layout_batch *b, char **err)
{
	strbuf body = STRBUF_INIT;
	strbuf_appendf(&body,
	               "# the shards' revisions at the last batch committed across all of them, and whether\n"
	               "# the next one is being committed (written by wensou-index, read by wensou-search)\n"
	               "seq %llu\nstate %s\nrevisions",
	               b->seq, b->committing ? "committing" : "done");
	for (unsigned k = 0; k < b->nshards; k++)
		strbuf_appendf(&body, " %llu", b->rev[k]);
	bool ok = strbuf_appendc(&body, '\n');
	char *path = ws_strdupf("%s/" WS_LAYOUT_BATCH, gendir);
	int rc = -1;
	if (!ok || !path)
		*err = strdup("out of memory");
	else
		rc = ws_layout_write_atomic(path, body.data, body.len, err);
	free(path);
	strbuf_free(&body);
	return rc;
}

bool ws_layout_batch_names(const ws_layout_batch *b, const unsigned long long *rev, unsigned n)
{
	if (b->nshards != n)
		return false;
	for (unsigned k = 0; k < n; k++)
		if (b->rev[k] != rev[k])
			return false;
	return true;
}

/* The first byte, locked for writing: any lock a writer holds covers it. */
static struct flock first_byte(short type)
{
	struct flock fl;
	memset(&fl, 0, sizeof fl);
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = 1;
	return fl;
}

int ws_layout_writer_mark(int fd)
{
	struct flock fl = first_byte(F_WRLCK);
	return fcntl(fd, F_SETLK, &fl);
}

bool ws_layout_writer_running(const char *dir)
{
	char *path = ws_strdupf("%s/" WS_LAYOUT_LOCK, dir);
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	free(path);
	if (fd < 0)
		return false;
	struct flock fl = first_byte(F_WRLCK);
	bool running = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	/* closing drops this process's POSIX locks on the file: a searcher
	 * holds none, and the indexer never asks */
	close(fd);
	return running;
}

/* The length of the last component of path[0..len) and where it starts. */
static size_t last_part(const char *path, size_t len, const char **start)
{
	size_t i = len;
	while (i > 0 && path[i - 1] != '/')
		i--;
	*start = path + i;
	return len - i;
}

bool ws_layout_shard_path(const char *path, char **gendir, char **dir, unsigned *k)
{
	*gendir = *dir = NULL;
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	const char *shard, *gen;
	size_t sl = last_part(path, len, &shard);
	if (shard == path)
		return false;
	size_t gl = last_part(path, (size_t)(shard - 1 - path), &gen);
	/* "gen-N/sK", the two last parts, as the stub names a shard */
	char rel[128];
	int g;
	if (gl + 1 + sl >= sizeof rel)
		return false;
	memcpy(rel, gen, gl + 1 + sl);
	rel[gl + 1 + sl] = '\0';
	if (!ws_layout_parse_shard_rel(rel, &g, k) || *k >= WS_LAYOUT_MAX_SHARDS)
		return false;
	*gendir = strndup(path, (size_t)(gen + gl - path));
	/* "gen-N/sK" alone: DIR is the current folder */
	*dir = gen == path ? strdup(".") : strndup(path, (size_t)(gen - 1 - path));
	if (*gendir && *dir)
		return true;
	free(*gendir);
	free(*dir);
	*gendir = *dir = NULL;
	return false;
}
