/*
 * discover.h - find the files to index under the paths given on the
 * command line.
 */
#ifndef WENSOU_DISCOVER_H
#define WENSOU_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct ws_file {
	char *path;       /* canonical absolute path (owned) */
	const char *root; /* the root it was found under (the string given to ws_discover) */
	uint64_t size;    /* bytes */
	int64_t mtime_ns; /* modification time, nanoseconds since the epoch */
} ws_file;

typedef struct ws_filelist {
	ws_file *items;
	size_t n, cap;
} ws_filelist;

/* Called for each thing worth saying about a path met while walking:
 * an error (unreadable folder, broken link: something that should have
 * been indexed was not) or a notice (hidden entry skipped, in verbose
 * mode).  msg says what happened. */
typedef void (*ws_report_fn)(const char *path, const char *msg, bool error, void *ud);

typedef struct ws_discover_opts {
	const char *skip_dir;  /* absolute path of a folder never to enter (the index), or NULL */
	bool verbose;          /* report skipped hidden entries too */
	ws_report_fn report;
	void *ud;
} ws_discover_opts;

/* path made canonical (realpath: absolute, links resolved), a new
 * malloc'd string; for a path that does not exist, *exists is false and
 * the path is only made absolute and lexically clean.  NULL when out of
 * memory or the working folder cannot be read. */
char *ws_canonical_path(const char *path, bool *exists);

/* Append the regular files under root (a canonical path, see
 * ws_canonical_path; a file or a folder, followed recursively) to out,
 * each by its canonical path: a file reached through a symbolic link is
 * listed as its target, and no folder is entered twice, so link loops
 * end.  Each file's root is root itself, which must outlive out.  Hidden
 * entries (names starting with '.') and the sidecar wensou-meta.json are
 * skipped.  Returns the number of problems reported, or -1 if root
 * itself cannot be read (reported too). */
int ws_discover(const char *root, const ws_discover_opts *opts, ws_filelist *out);

/* Sort by path and drop duplicates (a file reached through two roots). */
void ws_filelist_sort_unique(ws_filelist *list);
void ws_filelist_free(ws_filelist *list);

/* True if path lies under root_abs (or is root_abs). */
bool ws_path_under(const char *path, const char *root_abs);

#endif
