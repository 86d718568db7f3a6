/*
 * check.c - wensou-index --check: verify the live index against itself and
 * against the files on disk, changing nothing.
 *
 * Damage (a shard that does not open, passages without a file record, a
 * record whose passages are missing, a file in the wrong shard) needs a
 * --rebuild; staleness (a file changed, removed or unreadable since it was
 * indexed, a root gone) is what the next run fixes.
 */
#include "check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileid.h"
#include "filerec.h"
#include "layout.h"
#include "records.h"
#include "roots.h"
#include "schema.h"
#include "strbuf.h"

#define PROG "wensou-index"

typedef struct checker {
	size_t files, passages, stale, damaged;
	size_t kept;              /* files of roots that are missing */
	const ws_roots *roots;    /* the index's */
} checker;

static void say(checker *c, bool damage, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(checker *c, bool damage, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stdout, "%s: ", damage ? "damaged" : "stale");
	vfprintf(stdout, fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	if (damage)
		c->damaged++;
	else
		c->stale++;
}

/* One file record of shard k against the shard and the disk. */
static void check_record(checker *c, xq_db *db, unsigned k, unsigned nshards, const ws_filerec *fr)
{
	char fileid[WS_HASH_HEX_LEN + 1], term[WS_TERM_FILE_SIZE];
	ws_fileid(fr->path, fileid);
	size_t tl = ws_term_file(fileid, term);
	unsigned home = ws_fileid_shard(fileid, nshards);
	c->files++;
	if (home != k)
		say(c, true, "%s: recorded in shard %u, belongs in shard %u", fr->path, k, home);
	unsigned have = 0;
	if (xq_db_termfreq(db, term, tl, &have) != XQ_OK) {
		say(c, true, "%s: its passages cannot be read: %s", fr->path, xq_last_error());
		return;
	}
	c->passages += have;
	if (have != fr->passages)
		say(c, true, "%s: the record says %zu passages, the index has %u", fr->path, fr->passages, have);
	struct stat sb;
	if (stat(fr->path, &sb) != 0) {
		/* a run keeps the files of a root that is missing (a disk not
		 * mounted): not stale, no run changes them */
		const char *root = fr->root ? fr->root : ws_roots_covering(c->roots, fr->path);
		struct stat rb;
		if (errno == ENOENT && root && stat(root, &rb) != 0 && errno == ENOENT) {
			c->kept++;
			return;
		}
		say(c, false, "%s: %s since it was indexed", fr->path,
		    errno == ENOENT ? "removed" : strerror(errno));
		return;
	}
	int64_t mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
	if ((uint64_t)sb.st_size == fr->size && mtime == fr->mtime_ns)
		return;
	char hash[WS_HASH_HEX_LEN + 1];
	int e = ws_hash_file(fr->path, hash);
	if (e)
		say(c, false, "%s: cannot be read: %s", fr->path, e == EINVAL ? "not a regular file" : strerror(e));
	else if (strcmp(hash, fr->hash) != 0)
		say(c, false, "%s: changed since it was indexed", fr->path);
}

typedef struct orphan_scan {
	checker *c;
	char (*ids)[WS_HASH_HEX_LEN + 1]; /* the file ids on record, sorted */
	size_t nids;
} orphan_scan;

static int cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, WS_FILEID_LEN);
}

/* A Q<fileid> term of a shard: its file must have a record. */
static int check_file_term(const char *term, size_t len, unsigned freq, void *ud)
{
	orphan_scan *os = ud;
	if (len != 1 + WS_FILEID_LEN || bsearch(term + 1, os->ids, os->nids, sizeof *os->ids, cmp_id))
		return 0;
	say(os->c, true, "%u passages of file id %.*s have no file record", freq, WS_FILEID_LEN, term + 1);
	return 0;
}

int ws_check_index(const char *dir, bool quiet)
{
	checker c = {0};
	ws_layout l;
	char *why = NULL;
	ws_layout_result lr = ws_layout_read(dir, &l, &why);
	if (lr != WS_LAYOUT_OURS) {
		fprintf(stderr, PROG ": --check: %s\n", lr == WS_LAYOUT_NONE ? "no index here yet" : why);
		free(why);
		return 2;
	}
	ws_roots roots = {0};
	c.roots = &roots;
	ws_layout_batch now = {.nshards = l.nshards};
	bool revs = true;
	for (unsigned k = 0; k < l.nshards; k++) {
		xq_db *db = NULL;
		unsigned docs;
		xq_status xs = xq_db_open(l.shard[k], &db);
		if (xs == XQ_OK)
			xs = xq_db_doccount(db, &docs);
		revs = revs && xs == XQ_OK && xq_db_revision(db, 0, &now.rev[k]) == XQ_OK;
		if (xs != XQ_OK) {
			say(&c, true, "shard %s does not open: %s", l.shard[k], xq_last_error());
			xq_db_close(db);
			continue;
		}
		ws_records recs = {0};
		if ((k == 0 && ws_roots_load(db, &roots) != XQ_OK) || ws_records_load(&recs, db) != XQ_OK) {
			say(&c, true, "shard %s: its records cannot be read: %s", l.shard[k], xq_last_error());
		} else {
			orphan_scan os = {&c, calloc(recs.n ? recs.n : 1, sizeof *os.ids), 0};
			for (size_t i = 0; i < recs.cap; i++) {
				if (!recs.slots[i].r.path)
					continue;
				check_record(&c, db, k, l.nshards, &recs.slots[i].r);
				if (os.ids)
					ws_fileid(recs.slots[i].r.path, os.ids[os.nids++]);
			}
			if (os.ids)
				qsort(os.ids, os.nids, sizeof *os.ids, cmp_id);
			if (!os.ids || xq_db_terms_foreach(db, WS_PREFIX_FILE, check_file_term, &os) != XQ_OK)
				say(&c, true, "shard %s: its terms cannot be read: %s", l.shard[k], xq_last_error());
			free(os.ids);
		}
		ws_records_free(&recs);
		xq_db_close(db);
	}
	for (size_t i = 0; i < roots.n; i++) {
		struct stat sb;
		if (stat(roots.items[i], &sb) == 0)
			continue;
		if (errno == ENOENT)
			fprintf(stdout, "kept: root %s is missing: its files stay in the index (" PROG " --forget %s "
			        "drops them)\n", roots.items[i], roots.items[i]);
		else
			say(&c, false, "root %s: %s", roots.items[i], strerror(errno));
	}
	/* a run that stopped during a batch: searchers no longer wait for it,
	 * but would for the next writer until it repairs the record */
	char *gendir = ws_layout_gen_dir(dir, l.gen);
	ws_layout_batch b;
	if (revs && gendir && ws_layout_batch_read(gendir, &b) && !ws_layout_writer_running(dir)) {
		bool at_record = ws_layout_batch_names(&b, now.rev, now.nshards);
		if (b.committing && at_record)
			say(&c, false, "%s/" WS_LAYOUT_BATCH ": a batch was begun and committed in no shard (the run "
			    "writing it stopped); the next run repairs the record", gendir);
		else if (!at_record)
			say(&c, false, "%s/" WS_LAYOUT_BATCH ": a batch was left committed in some shards only (the run "
			    "writing it stopped)", gendir);
	}
	free(gendir);
	int stale_stub = ws_layout_shard_stub_stale(dir, &l);
	if (stale_stub >= 0)
		say(&c, false, "%s/shard-%d/" WS_LAYOUT_STUB " does not name the live shard %d (a server of it serves "
		    "another generation, or nothing)", dir, stale_stub, stale_stub);
	if (!quiet || c.stale || c.damaged)
		fprintf(stderr, PROG ": --check %s: %zu files, %zu passages; %zu stale, %zu damaged%s%s\n", dir, c.files,
		        c.passages, c.stale, c.damaged,
		        c.damaged ? ": rebuild it with " PROG " --rebuild"
		                  : c.stale ? ": the next " PROG " run brings it up to date" : "",
		        c.kept ? "; the files of a missing root are kept" : "");
	ws_roots_free(&roots);
	ws_layout_free(&l);
	return c.damaged ? 3 : c.stale ? 1 : 0;
}
