/*
 * xq.h - a thin C API over Xapian (the only C++ in wensou lives behind it).
 *
 * Rules that hold for every function here:
 *  - Handles are opaque.  Every _new/_open has one _free/_close, and every
 *    _free/_close accepts NULL.
 *  - A handle, and whatever was made from it (an enquiry or hits from a
 *    database), is used by one thread at a time; different handles may be
 *    used by different threads at once.
 *  - Functions that can fail return an xq_status.  XQ_OK is 0.  On failure a
 *    human-readable message is left in a thread-local buffer, readable with
 *    xq_last_error() until the next xq call on the same thread; calls that
 *    take an xq_db, or an enquiry or hits over one, also keep it on that
 *    handle (xq_db_error()).
 *  - XQ_ERR_MODIFIED means a writer's commits overwrote the revision being
 *    read.  Only xq_enquire_run reopens the handle by itself (once); every
 *    other call just reports it, and the caller reopens (xq_db_reopen) and
 *    starts over.
 *  - No C++ exception ever crosses this header: each entry point catches
 *    everything and classifies it into a status, and is declared noexcept
 *    to C++ (XQ_NOEXCEPT).
 *  - Strings are UTF-8 and passed with explicit lengths where they may hold
 *    NUL bytes (terms, values, data).  Ownership of each returned pointer is
 *    stated on the function.
 *  - No C++ type appears here; the header compiles as C17 and as C++.
 */
#ifndef WENSOU_XQ_H
#define WENSOU_XQ_H

#include <stdbool.h>
#include <stddef.h>

/* Every function here is noexcept in C++ (declaration and definition
 * agree); in C the macro is empty. */
#ifdef __cplusplus
#define XQ_NOEXCEPT noexcept
#else
#define XQ_NOEXCEPT
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum xq_status {
	XQ_OK = 0,
	XQ_ERR_LOCKED,    /* another writer holds the database lock */
	XQ_ERR_MODIFIED,  /* the revision being read was overwritten: reopen and retry */
	XQ_ERR_NOT_FOUND, /* no database at the path, or no such document */
	XQ_ERR_CORRUPT,   /* the database files are damaged */
	XQ_ERR_VERSION,   /* the database format is not one this Xapian reads */
	XQ_ERR_OPENING,   /* the database could not be opened (permissions, not a database, ...) */
	XQ_ERR_INVALID,   /* invalid argument or operation (bad term, bad query, ...) */
	XQ_ERR_NOMEM,     /* out of memory */
	XQ_ERR_NETWORK,   /* a remote database cannot be reached, failed, or did not answer in time */
	XQ_ERR_XAPIAN,    /* any other Xapian::Error */
	XQ_ERR_INTERNAL,  /* a non-Xapian exception: a bug */
} xq_status;

/* A short static description of a status, e.g. "database is locked".
 * Never NULL; the string is static. */
const char *xq_status_to_string(xq_status status) XQ_NOEXCEPT;

/* The message left by the last failing xq call on this thread ("" if none).
 * Owned by the library; valid until the next xq call on this thread. */
const char *xq_last_error(void) XQ_NOEXCEPT;

/* Xapian 1.4 can end the process from inside a call, where no status can
 * be returned: glass writes the last chunk of a value slot from a
 * destructor (~ValueUpdater, glass_values.cc), so a write error there (a
 * full disk, ulimit -f) during xq_db_commit throws out of a noexcept frame
 * and C++ calls std::terminate.  After xq_set_fatal_handler(fatal),
 * std::terminate calls fatal with the message the call would have left
 * (worded as xq_last_error words it) and aborts if fatal returns.  When
 * C++ leaves no exception to read (the throw met the noexcept frame in a
 * cleanup, as glass's does), the message is "internal error: Xapian
 * ended the process from inside a call", with errno's text if errno is
 * set ("perhaps the cause": it is the last system error, whatever made
 * it).  fatal should
 * write its message and _exit: the process is in no state for atexit
 * handlers or for another xq call.  message is valid during the call
 * only.  NULL restores C++'s default.  Process-wide: call it once, early,
 * before any thread starts. */
void xq_set_fatal_handler(void (*fatal)(const char *message)) XQ_NOEXCEPT;

/* Maximum length in bytes of a term Xapian accepts (longer ones are refused
 * with XQ_ERR_INVALID by the add functions; callers should drop them). */
#define XQ_MAX_TERM_BYTES 240

/* ------------------------------------------------------------------ */
/* Databases                                                            */

typedef struct xq_db xq_db;

typedef enum xq_open_mode {
	XQ_CREATE_OR_OPEN = 1,      /* open, creating it if missing */
	XQ_CREATE_OR_OVERWRITE = 2, /* create, wiping any existing database */
	XQ_OPEN = 3,                /* open an existing one only */
} xq_open_mode;

/* Open a database read-only.  path may be a database directory, a Xapian
 * stub database file, or a folder holding one named XAPIANDB (a "stub
 * directory", as a wensou index folder is).  A stub's lines are Xapian's:
 *   auto PATH, glass PATH, chert PATH   a local database; a relative PATH
 *                        is relative to the stub's folder; a PATH that is
 *                        a stub is read in turn (at most 8 deep)
 *   remote HOST:PORT     a database served by xapian-tcpsrv ([V6]:PORT)
 *   remote :PROGRAM ARGS a program speaking Xapian's remote protocol on
 *                        its standard input and output, such as
 *                        "remote :ssh HOST xapian-progsrv PATH"
 *   inmemory             an empty database
 * and blank lines and lines starting with '#' are skipped.  Every database
 * a stub names is opened on its own (a shard, see xq_db_shard_count), all
 * of them before any is added, and a line of any other form, or a stub
 * naming no database at all (an empty file), is XQ_ERR_OPENING naming the
 * stub (and the line).  Remote databases get
 * Xapian's default timeout (XQ_DEFAULT_TIMEOUT_MS).  On success *out is a
 * new handle (free with xq_db_close); on failure *out is NULL. */
xq_status xq_db_open(const char *path, xq_db **out) XQ_NOEXCEPT;

/* Xapian's default time a remote database may take to connect and to
 * answer each request. */
#define XQ_DEFAULT_TIMEOUT_MS 10000

/* xq_db_open with timeout_ms (0: XQ_DEFAULT_TIMEOUT_MS) for every remote
 * database: to connect, and to answer each request, now and for the life
 * of the handle (xq_db_add_database uses it too).  A remote database that
 * refuses, fails or stays silent longer gives XQ_ERR_NETWORK, on opening
 * or on any later call, with a message naming it as its stub line does
 * ("remote shard 10.0.0.2:33333 did not answer in time (...)"); the
 * connection is then dead, and only a new handle reaches it again. */
xq_status xq_db_open_timeout(const char *path, unsigned timeout_ms, xq_db **out) XQ_NOEXCEPT;

/* Add another read-only database (or stub) to a handle opened with
 * xq_db_open, so that searches cover both (Xapian's multi-database
 * search). */
xq_status xq_db_add_database(xq_db *db, const char *path) XQ_NOEXCEPT;

/* The databases a read-only handle searches as one, in Xapian's order
 * (document ids interleave in it): 0 for a writable handle or NULL.
 * Shard k's name is its path, or for a remote one its stub line
 * ("remote HOST:PORT", "remote :PROGRAM ARGS"); owned by db, valid until
 * xq_db_close.  NULL and false for k out of range. */
unsigned xq_db_shard_count(const xq_db *db) XQ_NOEXCEPT;
const char *xq_db_shard_name(const xq_db *db, unsigned k) XQ_NOEXCEPT;
bool xq_db_shard_is_remote(const xq_db *db, unsigned k) XQ_NOEXCEPT;

/* Open a database for writing.  Fails with XQ_ERR_LOCKED at once if another
 * writer holds the lock.  On success *out is a new handle (free with
 * xq_db_close, which does NOT commit: uncommitted changes are discarded).
 * Nothing is ever committed implicitly (no auto-commit after N changes
 * either): changes become durable and visible only at xq_db_commit. */
xq_status xq_db_open_writable(const char *path, xq_open_mode mode, xq_db **out) XQ_NOEXCEPT;

/* Reopen a read-only handle at the latest revision (after XQ_ERR_MODIFIED,
 * or before each request of a long-lived reader).  *changed (changed may be
 * NULL) is set when the handle may have moved to another revision, and is
 * false when it certainly has not.  The handle's reopen check, if it has
 * one, then runs (xq_db_set_reopen_check). */
xq_status xq_db_reopen(xq_db *db, bool *changed) XQ_NOEXCEPT;

/* The revision of shard k of a read-only handle, as open (it moves only
 * when the handle is reopened), or with k 0 of a writable handle (its
 * last commit): a number that grows with each commit that changed
 * something.  XQ_ERR_INVALID for k out of range, and for a remote shard
 * (Xapian 1.4 tells the revision of a local glass or chert database only). */
xq_status xq_db_revision(xq_db *db, unsigned k, unsigned long long *out) XQ_NOEXCEPT;

/* A check of the revisions a read-only handle has open, for readers that
 * know more than Xapian about which mixes of its shards' revisions are
 * fit to read (several shards committed one after the other as one
 * batch).  It runs after every reopen (xq_db_reopen, and xq_enquire_run's
 * own) with attempt 0, and returns 0 when the revisions open will do,
 * else a number of milliseconds (at most 1000) to wait before xq reopens
 * the handle and runs it again with attempt 1, 2, ... (at most 1000
 * times); bounding the wait is fn's business.  fn may call xq_db_revision,
 * xq_db_shard_count, xq_db_shard_name and xq_db_shard_is_remote on db,
 * nothing else of xq.  Setting it runs it at once on the revisions open
 * now, with the same waits and reopens; NULL fn removes it.  Returns a
 * reopen's status (XQ_OK if none failed); XQ_ERR_INVALID for a writable
 * handle. */
typedef unsigned xq_reopen_check_fn(void *ud, xq_db *db, unsigned attempt);
xq_status xq_db_set_reopen_check(xq_db *db, xq_reopen_check_fn *fn, void *ud) XQ_NOEXCEPT;

/* Close and free the handle.  NULL is accepted. */
void xq_db_close(xq_db *db) XQ_NOEXCEPT;

/* The message of the last failing call on this handle ("" if none).  Owned
 * by db; valid until the next call on db. */
const char *xq_db_error(const xq_db *db) XQ_NOEXCEPT;

/* Number of documents. */
xq_status xq_db_doccount(xq_db *db, unsigned *out) XQ_NOEXCEPT;

/* Number of documents indexed by term (0 if none, and for a term that no
 * document can have: empty, or longer than XQ_MAX_TERM_BYTES). */
xq_status xq_db_termfreq(xq_db *db, const char *term, size_t len, unsigned *out) XQ_NOEXCEPT;

/* The sum of term's wdf over every document (0 as for xq_db_termfreq). */
xq_status xq_db_collfreq(xq_db *db, const char *term, size_t len, unsigned long long *out) XQ_NOEXCEPT;

/* User metadata.  A handle over several databases (a stub, or
 * xq_db_add_database) reads each of them: get gives the value of the first
 * that has the key, foreach walks them all in turn.
 * *value is a new NUL-terminated malloc'd buffer (free with
 * free()); a missing key gives XQ_OK with *value = an empty string and
 * *len = 0.  len may be NULL. */
xq_status xq_db_get_metadata(xq_db *db, const char *key, char **value, size_t *len) XQ_NOEXCEPT;

/* The metadata value of key, and the number of documents, of shard k of a
 * read-only handle alone (as xq_db_get_metadata gives a value): what one
 * database of several holds, without opening it again.  XQ_ERR_INVALID for
 * k out of range and for a writable handle. */
xq_status xq_db_shard_get_metadata(xq_db *db, unsigned k, const char *key, char **value, size_t *len) XQ_NOEXCEPT;
xq_status xq_db_shard_doccount(xq_db *db, unsigned k, unsigned *out) XQ_NOEXCEPT;

/* Set metadata on a writable handle; an empty value deletes the key. */
xq_status xq_db_set_metadata(xq_db *db, const char *key, const char *value, size_t len) XQ_NOEXCEPT;

/* Call fn for every metadata key starting with prefix, in key order (per
 * database), with
 * its value.  key and value are valid only during the call.  A non-zero
 * return from fn stops the walk (the function still returns XQ_OK). */
typedef int (*xq_metadata_fn)(const char *key, const char *value, size_t len, void *ud);
xq_status xq_db_metadata_foreach(xq_db *db, const char *prefix, xq_metadata_fn fn, void *ud) XQ_NOEXCEPT;

/* Call fn for every term starting with prefix ("" or NULL: every term), in
 * byte order, with the number of documents it indexes (over every
 * database of the handle).  term is not NUL-terminated and is valid only
 * during the call.  A non-zero return from fn stops the walk (the
 * function still returns XQ_OK). */
typedef int (*xq_term_fn)(const char *term, size_t len, unsigned freq, void *ud);
xq_status xq_db_terms_foreach(xq_db *db, const char *prefix, xq_term_fn fn, void *ud) XQ_NOEXCEPT;

/* ------------------------------------------------------------------ */
/* Documents (built in C, then added to a writable database)            */

typedef struct xq_doc xq_doc;

/* A new empty document, or NULL when out of memory.  Free with xq_doc_free. */
xq_doc *xq_doc_new(void) XQ_NOEXCEPT;
void xq_doc_free(xq_doc *doc) XQ_NOEXCEPT;

/* Add a term at position pos (positions start at 1) with wdf increment. */
xq_status xq_doc_add_posting(xq_doc *doc, const char *term, size_t len, unsigned pos, unsigned wdfinc) XQ_NOEXCEPT;
/* Add a term without position. */
xq_status xq_doc_add_term(xq_doc *doc, const char *term, size_t len, unsigned wdfinc) XQ_NOEXCEPT;
/* Add a boolean (filter) term: wdf 0, no position. */
xq_status xq_doc_add_boolean_term(xq_doc *doc, const char *term, size_t len) XQ_NOEXCEPT;
xq_status xq_doc_set_value(xq_doc *doc, unsigned slot, const char *value, size_t len) XQ_NOEXCEPT;
/* The document's length as Xapian counts it: the sum of its terms' wdf. */
xq_status xq_doc_length(const xq_doc *doc, unsigned long *len) XQ_NOEXCEPT;
/* Multiply the wdf of every term that has one by factor (>= 1), rounded
 * to the nearest integer; positions and boolean terms are left alone.
 * Lets an indexer fold a length normalisation into the wdf (schema.h). */
xq_status xq_doc_scale_wdf(xq_doc *doc, double factor) XQ_NOEXCEPT;
/* Give every term doc has so far, boolean ones too (its wdf and
 * positions kept), the prefix prefix[0..len): terms added after keep
 * their names.  A term that would pass XQ_MAX_TERM_BYTES is dropped. */
xq_status xq_doc_prefix_terms(xq_doc *doc, const char *prefix, size_t len) XQ_NOEXCEPT;
xq_status xq_doc_set_data(xq_doc *doc, const char *data, size_t len) XQ_NOEXCEPT;

/* Add doc to a writable database; *docid (may be NULL) receives its id. */
xq_status xq_db_add_document(xq_db *db, const xq_doc *doc, unsigned *docid) XQ_NOEXCEPT;
/* Delete every document indexed by term (none is not an error). */
xq_status xq_db_delete_documents(xq_db *db, const char *term, size_t len) XQ_NOEXCEPT;

/* Make all changes since the last commit durable and visible, atomically. */
xq_status xq_db_commit(xq_db *db) XQ_NOEXCEPT;

/* Write a compact copy of the database at src (not open for writing) to
 * the new folder dst: full blocks, no gaps, as xapian-compact does. */
xq_status xq_db_compact(const char *src, const char *dst) XQ_NOEXCEPT;

/* Xapian's sortable_serialise: write the encoding of value into buf (at
 * least 18 bytes) and return its length.  Encodings sort as the numbers do. */
size_t xq_sortable_serialise(double value, char buf[18]) XQ_NOEXCEPT;

/* ------------------------------------------------------------------ */
/* Queries (immutable values; combining copies, never consumes)         */

typedef struct xq_query xq_query;

typedef enum xq_op {
	XQ_OP_AND,
	XQ_OP_OR,
	XQ_OP_AND_NOT,   /* first subquery minus the union of the rest */
	XQ_OP_AND_MAYBE, /* first subquery, ranked up by the rest */
	XQ_OP_FILTER,    /* first subquery, restricted to the rest, no weight from them */
	XQ_OP_PHRASE,    /* subqueries (terms) in order within window positions */
	XQ_OP_NEAR,      /* subqueries (terms) in any order within window positions */
	XQ_OP_SYNONYM,   /* subqueries weighted as one term */
	XQ_OP_MAX,
} xq_op;

/* Each constructor stores a new query in *out (free with xq_query_free).
 * Failure leaves *out NULL. */
xq_status xq_query_term(const char *term, size_t len, unsigned wqf, unsigned pos, xq_query **out) XQ_NOEXCEPT;
/* Combine n subqueries with op.  window is used by PHRASE and NEAR (0 means
 * the number of subqueries, i.e. adjacent).  The subqueries are copied; the
 * caller still owns and frees them.  n == 0 is XQ_ERR_INVALID. */
xq_status xq_query_combine(xq_op op, xq_query *const *subs, size_t n, unsigned window, xq_query **out) XQ_NOEXCEPT;
/* Documents whose value in slot lies in [lo, hi] (sortable_serialise'd
 * strings; a NULL lo or hi leaves that end open). */
xq_status xq_query_value_range(unsigned slot, const char *lo, size_t lolen, const char *hi, size_t hilen,
                               xq_query **out) XQ_NOEXCEPT;
/* All terms starting with prefix, OR'd (as a synonym), at most max_expansion
 * of them (0: no limit; past the limit the most frequent are kept). */
xq_status xq_query_wildcard(const char *prefix, size_t len, unsigned max_expansion, xq_query **out) XQ_NOEXCEPT;
/* sub with every weight multiplied by factor (finite, > 0): Xapian's
 * OP_SCALE_WEIGHT.  sub is copied; the caller still owns it. */
xq_status xq_query_scale(const xq_query *sub, double factor, xq_query **out) XQ_NOEXCEPT;
/* Matches every document. */
xq_status xq_query_match_all(xq_query **out) XQ_NOEXCEPT;
void xq_query_free(xq_query *q) XQ_NOEXCEPT;

/* For docids[0..n), in increasing order, set present[k] where document
 * docids[k] has the term.  present[] is only ever set, never cleared, so
 * that calls for several terms OR together.  One walk of the term's
 * posting list: far cheaper than reading n documents' term lists. */
xq_status xq_db_mark_term(xq_db *db, const char *term, size_t len, const unsigned *docids, size_t n, bool *present) XQ_NOEXCEPT;

/* ------------------------------------------------------------------ */
/* Searching                                                            */

typedef struct xq_enquire xq_enquire;
typedef struct xq_hits xq_hits;

/* A new enquiry over db (which must outlive it).  BM25 weighting. */
xq_status xq_enquire_new(xq_db *db, xq_enquire **out) XQ_NOEXCEPT;
void xq_enquire_free(xq_enquire *enq) XQ_NOEXCEPT;
/* Set the query (copied). */
xq_status xq_enquire_set_query(xq_enquire *enq, const xq_query *q) XQ_NOEXCEPT;
/* BM25 parameters (Xapian's defaults: k1 1, k2 0, k3 1, b 0.5, min_normlen 0.5;
 * negative ones are taken as 0 and b is clamped to [0, 1], as Xapian does). */
xq_status xq_enquire_set_bm25(xq_enquire *enq, double k1, double k2, double k3, double b, double min_normlen) XQ_NOEXCEPT;
/* At most max hits sharing the same value in slot (0 turns collapsing off). */
xq_status xq_enquire_set_collapse(xq_enquire *enq, unsigned slot, unsigned max) XQ_NOEXCEPT;
/* A test on a candidate's document data (not NUL-terminated beyond len),
 * run inside the match: a candidate is a hit only if it returns true.
 * Xapian asks only about candidates that could still rank among the hits
 * asked for (it drops lower-weighted ones first), so a decider costs per
 * hit, not per match; with max covering every match (a count), it is asked
 * about every candidate.  It must not longjmp; a failure inside it is for
 * the caller to record in ud (answer false, then check after the run). */
typedef bool xq_decider_fn(void *ud, const char *data, size_t len);
/* Set (or with fn NULL, remove) the decider of the enquiry's runs. */
xq_status xq_enquire_set_decider(xq_enquire *enq, xq_decider_fn *fn, void *ud) XQ_NOEXCEPT;
/* Run the query, returning hits first..first+max-1 in rank order in *out
 * (free with xq_hits_free; *out is NULL on failure).  Unlike the hit
 * getters below this is no plain read: if the revision being read was
 * overwritten under the run (a writer committed twice), it reopens the
 * enquiry's db at the latest revision, as xq_db_reopen does (its reopen
 * check included), and retries the run once; a second XQ_ERR_MODIFIED is
 * returned.
 * The hits read documents through the enquiry's db, which must outlive
 * them too (the enquiry itself may be freed first). */
xq_status xq_enquire_run(xq_enquire *enq, unsigned first, unsigned max, xq_hits **out) XQ_NOEXCEPT;

/* How many documents match the query (the decider, if one is set,
 * deciding), without ranking or returning any.  Where Xapian's bounds
 * say at most at_least can match (0: any number), it goes through them
 * and *matches is exact, *exact true; else *matches is its estimate
 * (exact too where the bounds meet).  So a count costs at most at_least
 * candidates' worth, however large the archive.  A
 * decider is refused (XQ_ERR_INVALID) on a db with remote shards, which
 * cannot run it.  Reopens and retries once as xq_enquire_run does. */
xq_status xq_enquire_count(xq_enquire *enq, unsigned at_least, unsigned *matches, bool *exact) XQ_NOEXCEPT;

/* How many documents that match the query (the decider, if one is set,
 * deciding) hold each value of slot: fn(value, len, count, ud) for each
 * value held, in byte order of the values (documents without one are not
 * counted); a non-zero return stops the calls.  One pass through every
 * match, as a count makes, without ranking or keeping any: what a count
 * per value would take a pass each.  value is valid only during the
 * call.  A decider is refused (XQ_ERR_INVALID) on a db with remote
 * shards.  Reopens and retries once as xq_enquire_run does. */
typedef int (*xq_value_count_fn)(const char *value, size_t len, unsigned count, void *ud);
xq_status xq_enquire_value_counts(xq_enquire *enq, unsigned slot, xq_value_count_fn fn, void *ud) XQ_NOEXCEPT;

/* The getters of hits have no side effects on the database: they never
 * reopen it (what they read is cached in hits). */
size_t xq_hits_count(const xq_hits *hits) XQ_NOEXCEPT;
/* Xapian's estimate of the total number of matches. */
unsigned xq_hits_estimated(const xq_hits *hits) XQ_NOEXCEPT;
/* Per hit i (0-based, < xq_hits_count); 0 for a hit that does not exist. */
unsigned xq_hits_docid(const xq_hits *hits, size_t i) XQ_NOEXCEPT;
double xq_hits_score(const xq_hits *hits, size_t i) XQ_NOEXCEPT;
/* The document data, or the value in slot ("" where the document has
 * none), of hit i.  On XQ_OK *data / *value points to *len bytes followed
 * by a NUL; the bytes are owned by hits and stay valid and unchanged until
 * xq_hits_free (asking again gives the same pointer).  len may be NULL.
 * On failure *data / *value is NULL and *len 0:
 *  - XQ_ERR_MODIFIED: the revision the run read has been overwritten
 *    since (a writer committed twice).  The handle is left as it is: call
 *    xq_db_reopen on the db and run the search again (hits of the old
 *    revision are not to be mixed with a new one's).
 *  - XQ_ERR_NOT_FOUND: the document is gone (the db was reopened, at a
 *    revision without it, after the run).
 *  - XQ_ERR_INVALID: hits or data / value NULL, or i out of range. */
xq_status xq_hits_data(xq_hits *hits, size_t i, const char **data, size_t *len) XQ_NOEXCEPT;
xq_status xq_hits_value(xq_hits *hits, size_t i, unsigned slot, const char **value, size_t *len) XQ_NOEXCEPT;
void xq_hits_free(xq_hits *hits) XQ_NOEXCEPT;

/* ------------------------------------------------------------------ */
/* Fault injection (tests only)                                         */
/*
 * xq_faulty_dep (xq/meson.build) is this library built with
 * -DXQ_FAULT_INJECTION, for tests; the normal library (xq_dep) has none
 * of it.  The faulty build reads XQ_FAULT_AT and XQ_FAULT_COMMIT_AT once,
 * at its first counted call (so a test may setenv them before that), and
 * counts process-wide and atomically (any thread):
 *  - XQ_FAULT_AT=N: the Nth call of a function here that returns an
 *    xq_status (every one, the xq_doc_* ones included, whatever its
 *    arguments; not the void, pointer or number ones) fails before doing
 *    anything: a Xapian::DatabaseError("injected fault at xq call N") is
 *    thrown inside its guard, so it returns XQ_ERR_XAPIAN, out parameters
 *    cleared, with the message "DatabaseError: injected fault at xq call
 *    N", exactly as a real Xapian error would.  Calls before and after it
 *    are not affected.
 *  - XQ_FAULT_COMMIT_AT=N: the Nth xq_db_commit to reach Xapian's
 *    commit() fails there, with "injected fault at xq commit N": nothing
 *    of that commit becomes durable (the database stays at its previous
 *    commit); the changes stay pending on the handle, and closing it
 *    discards them.
 *  - XQ_FAULT_COMMIT_TERMINATE_AT=N: the Nth xq_db_commit to reach
 *    Xapian's commit() throws Xapian::DatabaseError("injected fault inside
 *    xq commit N") through a noexcept frame there, as glass does on a
 *    write error inside commit() (xq_set_fatal_handler): std::terminate
 *    runs, nothing of that commit having become durable.  It counts the
 *    same commits as XQ_FAULT_COMMIT_AT.
 *  - XQ_FAULT_COMMIT_SLEEP_MS=N: every xq_db_commit sleeps N ms once
 *    Xapian's commit() has returned (the commit is durable and visible):
 *    a slow disk, so that a test can search between the commits of two
 *    shards.  Nothing fails.
 *  - XQ_FAULT_COUNT=PATH: at process exit, the line "calls C commits K"
 *    is written to PATH: C calls counted as XQ_FAULT_AT counts them, K
 *    commits that reached commit() (a failed injected one included).  So
 *    a test can count a clean run, then sweep N over 1..C (or 1..K).
 * A variable unset, empty, 0 or not a decimal number injects nothing.
 */

#ifdef __cplusplus
}
#endif

#endif /* WENSOU_XQ_H */
