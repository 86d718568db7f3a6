/*
 * index.h - the searcher's view of one or more wensou indexes: the Xapian
 * handle (several databases searched as one), the cjk analyzer configured
 * exactly as the indexer's (from WS_META_SCHEMA), and the tables of indexed
 * files and of sources used by title: and source: filters.
 */
#ifndef WS_SEARCH_INDEX_H
#define WS_SEARCH_INDEX_H

#include <stdbool.h>
#include <stddef.h>

#include "cjk.h"
#include "schema.h"
#include "xq.h"

typedef struct ws_file {
	char fileid[WS_FILEID_LEN + 1];
	char *title;  /* normalised (cjk_normalize) title, or NULL; owned */
	char *source; /* normalised source, or NULL; owned */
} ws_file;

typedef struct ws_index {
	xq_db *db;               /* every database, searched as one; owned */
	cjk_analyzer *analyzer;  /* configured from the schema; owned */
	cjk_options opts;
	ws_file *files;          /* every indexed file of every database, once */
	size_t nfiles;           /* ws_index_load_files has loaded them */
	bool files_loaded;
	char **sources;          /* every source indexed (normalised, distinct),
	                            from the XS terms; owned */
	size_t nsources;         /* ws_index_load_sources has loaded them */
	bool sources_loaded;
	bool sources_cut;        /* some XS term may hold a source cut short */
	unsigned doccount;       /* passages */
	unsigned timeout_ms;     /* for remote shards (ws_index_open) */
	bool remote;             /* some shard is remote: a failure may leave its
	                            connection dead, and only reopening the whole
	                            index reaches it again */
	struct ws_settle *settle;/* db's reopen check (settle.h), or NULL; owned */
	char **forms;            /* each shard's WS_META_FORMS list, or NULL when
	                            some shard has none (nforms 0); owned; read
	                            on first need */
	size_t *forms_len;
	unsigned nforms;
	bool forms_loaded;
} ws_index;

/* Open the indexes at paths[0..n) (n >= 1; each a wensou index folder, a
 * database directory or a Xapian stub file, whose lines may name remote
 * shards: xq_db_open).  timeout_ms (0: Xapian's 10 s) bounds how long a
 * remote shard may take to connect and to answer each request.  Returns
 * true and a new handle in *out, or false with a malloc'd message in *err
 * meant for the user (missing index with the command that builds one,
 * damaged index, unknown schema version, indexes analysed differently, a
 * remote shard that cannot be reached, by its name, ...).  The shards of
 * a wensou index are open at a batch boundary: a batch being committed
 * across them is waited for (settle.h), here and at every reopen. */
bool ws_index_open(const char *const *paths, size_t n, unsigned timeout_ms, ws_index **out, char **err);

/* Load the file table (titles and sources, normalised) on first need:
 * only title: and source: filters use it, and it costs a JSON parse per
 * indexed file.  False with a malloc'd message in *err on failure. */
bool ws_index_load_files(ws_index *ix, char **err);

/* Load the table of sources on first need, from the XS terms (one per
 * distinct source, what a source: filter ORs): walking them costs far less
 * than the file table (measured 1 ms against 27 ms for 3,000 files), and
 * a remote shard passes on its terms in full where it passes on only its
 * first database's metadata.  ix->sources_cut says a source may be longer
 * than its term, when only the file table has it whole.  False with a
 * malloc'd message in *err on failure. */
bool ws_index_load_sources(ws_index *ix, char **err);

/* Move to the databases' latest revision (a long-lived searcher calls it
 * before each search), waiting out a batch being committed across the
 * shards as opening does (settle.h).  When there was a new one, the passage count is
 * read again and the file and source tables (and whether the asides have
 * their term) on next need.  False with a malloc'd
 * message in *err on failure. */
bool ws_index_refresh(ws_index *ix, char **err);

/* Does every shard of ix have the XF term of form[0..n) (folded, see
 * formset.h) wherever its passages hold it?  The shards' lists are read on
 * first need (and again after a refresh that moved).  A remote shard is
 * taken to list none: a server that serves several databases as one
 * passes on the first one's metadata only, whose list need not be the
 * others'.  False with a message in *err and the failed call's status in
 * *xst when the index cannot be read. */
bool ws_index_has_form(ws_index *ix, const char *form, size_t n, bool *has, xq_status *xst, char **err);

void ws_index_close(ws_index *ix);

#endif
