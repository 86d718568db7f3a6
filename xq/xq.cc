/*
 * xq.cc - the thin C API over Xapian declared in xq.h.
 *
 * This is the only C++ in wensou.  Every extern "C" function below is
 * noexcept in effect: its body runs inside guard() (or an explicit
 * try/catch), which turns any exception into an xq_status and a message.
 * Argument errors detected here (NULL handles, bad term lengths) are
 * reported through fail() without throwing.
 */
#include "xq.h"

#include <xapian.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sys/stat.h>
#include <exception>
#include <map>
#include <new>
#include <string>
#include <utility>
#include <vector>

/* ------------------------------------------------------------------ */
/* Handles                                                              */

struct xq_db {
	/* Read-only handles use rdb; writable ones use wdb (rdb stays empty).
	 * read() gives whichever is live. */
	Xapian::Database rdb;
	Xapian::WritableDatabase wdb;
	/* The shards of rdb, each also opened on its own: Xapian answers
	 * metadata of a multi-database from its first shard only, and wensou
	 * keeps per-file metadata in every shard.  Empty when a shard could
	 * not be opened on its own (a remote one): metadata then comes from
	 * rdb. */
	std::vector<Xapian::Database> shards;
	bool writable = false;
	/* A writable handle always has a transaction open: either our own
	 * implicit unflushed one, or the caller's (user_txn).  See
	 * xq_db_open_writable for why. */
	bool user_txn = false;
	std::string err;

	Xapian::Database &read() { return writable ? wdb : rdb; }
};

struct xq_doc {
	Xapian::Document doc;
};

struct xq_query {
	Xapian::Query q;
};

/* A C decider seen as Xapian's MatchDecider.  The data string is copied
 * out of the Document because get_data() returns by value. */
struct xq_c_decider : public Xapian::MatchDecider {
	xq_decider_fn *fn = nullptr;
	void *ud = nullptr;
	bool operator()(const Xapian::Document &doc) const override
	{
		const std::string data = doc.get_data();
		return fn(ud, data.data(), data.size());
	}
};

struct xq_enquire {
	xq_db *db;
	Xapian::Enquire enq;
	xq_c_decider decider;
	explicit xq_enquire(xq_db *d) : db(d), enq(d->read()) {}
	const Xapian::MatchDecider *active_decider() const { return decider.fn ? &decider : nullptr; }
};

struct xq_hits {
	xq_db *db = nullptr;
	std::vector<Xapian::docid> ids;
	std::vector<double> weights;
	unsigned estimated = 0, lower = 0, upper = 0;
	/* Lazily fetched; the strings live as long as the hits so that the
	 * pointers handed out stay valid (vector sized once, map nodes are
	 * stable). */
	std::vector<std::string> data;
	std::vector<char> have_data;
	std::map<std::pair<size_t, unsigned>, std::string> values;
};

/* ------------------------------------------------------------------ */
/* Errors                                                               */

static thread_local std::string last_error;

/* Store msg as the thread's last error and on db (if any).  Never throws:
 * if even that allocation fails the old message is cleared instead. */
static void set_error(xq_db *db, const char *msg) noexcept
{
	try {
		last_error = msg;
	} catch (...) {
		last_error.clear();
	}
	if (db) {
		try {
			db->err = msg;
		} catch (...) {
			db->err.clear();
		}
	}
}

static xq_status fail(xq_db *db, xq_status st, const char *msg) noexcept
{
	set_error(db, msg);
	return st;
}

/* Classify the exception being handled.  Must be called from inside a catch
 * block.  Most-derived classes first: DatabaseVersionError and
 * DatabaseNotFoundError derive from DatabaseOpeningError, and every Xapian
 * class derives from Xapian::Error. */
static xq_status classify(std::string &msg) noexcept
{
	try {
		try {
			throw;
		} catch (const Xapian::DatabaseLockError &e) {
			msg = "index is locked (perhaps another wensou-index is running?): " + e.get_description();
			return XQ_ERR_LOCKED;
		} catch (const Xapian::DatabaseModifiedError &e) {
			msg = "index was modified while being read, reopen and retry: " + e.get_description();
			return XQ_ERR_MODIFIED;
		} catch (const Xapian::DatabaseNotFoundError &e) {
			msg = e.get_description();
			return XQ_ERR_NOT_FOUND;
		} catch (const Xapian::DocNotFoundError &e) {
			msg = e.get_description();
			return XQ_ERR_NOT_FOUND;
		} catch (const Xapian::DatabaseCorruptError &e) {
			msg = e.get_description();
			return XQ_ERR_CORRUPT;
		} catch (const Xapian::DatabaseVersionError &e) {
			msg = e.get_description();
			return XQ_ERR_VERSION;
		} catch (const Xapian::DatabaseOpeningError &e) {
			msg = e.get_description();
			return XQ_ERR_OPENING;
		} catch (const Xapian::InvalidArgumentError &e) {
			msg = e.get_description();
			return XQ_ERR_INVALID;
		} catch (const Xapian::InvalidOperationError &e) {
			msg = e.get_description();
			return XQ_ERR_INVALID;
		} catch (const Xapian::UnimplementedError &e) {
			msg = e.get_description();
			return XQ_ERR_INVALID;
		} catch (const Xapian::Error &e) {
			msg = e.get_description();
			return XQ_ERR_XAPIAN;
		} catch (const std::bad_alloc &) {
			msg = "out of memory";
			return XQ_ERR_NOMEM;
		} catch (const std::exception &e) {
			msg = std::string("internal error: ") + e.what();
			return XQ_ERR_INTERNAL;
		} catch (...) {
			msg = "internal error: unknown exception";
			return XQ_ERR_INTERNAL;
		}
	} catch (...) {
		/* Building the message itself failed (out of memory). */
		msg.clear();
		return XQ_ERR_NOMEM;
	}
}

/* Classify the current exception and record its message. */
static xq_status fail_current(xq_db *db) noexcept
{
	std::string msg;
	xq_status st = classify(msg);
	set_error(db, msg.empty() && st == XQ_ERR_NOMEM ? "out of memory" : msg.c_str());
	return st;
}

/* Run f (returning xq_status) with every exception turned into a status. */
template <typename F>
static xq_status guard(xq_db *db, F &&f) noexcept
{
	try {
		return f();
	} catch (...) {
		return fail_current(db);
	}
}

/* Xapian refuses terms over 245 bytes, and an empty term means "every
 * document" to it, so both are rejected before Xapian sees them. */
static xq_status check_term(xq_db *db, const char *term, size_t len, const char *what) noexcept
{
	char msg[160];
	if (!term || len == 0) {
		snprintf(msg, sizeof msg, "empty %s", what);
		return fail(db, XQ_ERR_INVALID, msg);
	}
	if (len > XQ_MAX_TERM_BYTES) {
		snprintf(msg, sizeof msg, "%s of %zu bytes is longer than the %d-byte limit", what, len,
		         XQ_MAX_TERM_BYTES);
		return fail(db, XQ_ERR_INVALID, msg);
	}
	return XQ_OK;
}

static xq_status need_writable(xq_db *db) noexcept
{
	if (!db)
		return fail(nullptr, XQ_ERR_INVALID, "NULL database handle");
	if (!db->writable)
		return fail(db, XQ_ERR_INVALID, "database is open read-only");
	return XQ_OK;
}

/* A malloc'd NUL-terminated copy of s, or NULL. */
static char *dup_bytes(const std::string &s) noexcept
{
	char *p = static_cast<char *>(std::malloc(s.size() + 1));
	if (p) {
		std::memcpy(p, s.data(), s.size());
		p[s.size()] = '\0';
	}
	return p;
}

extern "C" {

const char *xq_status_to_string(xq_status status)
{
	switch (status) {
	case XQ_OK: return "success";
	case XQ_ERR_LOCKED: return "database is locked";
	case XQ_ERR_MODIFIED: return "database was modified, reopen and retry";
	case XQ_ERR_NOT_FOUND: return "not found";
	case XQ_ERR_CORRUPT: return "database is corrupt";
	case XQ_ERR_VERSION: return "unsupported database version";
	case XQ_ERR_OPENING: return "database could not be opened";
	case XQ_ERR_INVALID: return "invalid argument or operation";
	case XQ_ERR_NOMEM: return "out of memory";
	case XQ_ERR_XAPIAN: return "Xapian error";
	case XQ_ERR_INTERNAL: return "internal error";
	}
	return "unknown status";
}

const char *xq_last_error(void)
{
	return last_error.c_str();
}

/* ------------------------------------------------------------------ */
/* Databases                                                            */

/* The local databases a stub file lists (see Xapian's "stub database"
 * format: "TYPE PATH" lines, '#' comments, paths relative to the stub's
 * folder), or false if path is no stub or lists anything but local
 * databases. */
static bool stub_shards(const std::string &path, std::vector<std::string> &out)
{
	struct stat st;
	if (stat(path.c_str(), &st) != 0)
		return false;
	std::string stub = path, dir;
	if (S_ISDIR(st.st_mode)) {
		stub = path + "/XAPIANDB";
		dir = path;
		if (stat(stub.c_str(), &st) != 0)
			return false;
	} else {
		size_t slash = path.rfind('/');
		dir = slash == std::string::npos ? "." : path.substr(0, slash);
	}
	std::ifstream in(stub);
	if (!in)
		return false;
	std::string line;
	while (std::getline(in, line)) {
		size_t b = line.find_first_not_of(" \t\r");
		if (b == std::string::npos || line[b] == '#')
			continue;
		size_t sp = line.find_first_of(" \t", b);
		if (sp == std::string::npos)
			return false;
		std::string type = line.substr(b, sp - b);
		if (type != "auto" && type != "glass" && type != "chert" && type != "honey")
			return false;
		size_t pb = line.find_first_not_of(" \t", sp);
		size_t pe = line.find_last_not_of(" \t\r");
		if (pb == std::string::npos)
			return false;
		std::string p = line.substr(pb, pe - pb + 1);
		out.push_back(p[0] == '/' ? p : dir + "/" + p);
	}
	return !out.empty();
}

/* Open path (a database or a stub) into the read-only handle db. */
static void open_into(xq_db *db, const char *path)
{
	std::vector<std::string> parts;
	if (stub_shards(path, parts)) {
		std::vector<Xapian::Database> opened;
		for (const std::string &p : parts)
			opened.push_back(Xapian::Database(p));
		for (Xapian::Database &d : opened) {
			db->rdb.add_database(d);
			db->shards.push_back(d);
		}
	} else {
		/* a plain database, or a stub naming remote ones */
		Xapian::Database d(path);
		db->rdb.add_database(d);
		db->shards.push_back(d);
	}
}

xq_status xq_db_open(const char *path, xq_db **out)
{
	if (!out)
		return fail(nullptr, XQ_ERR_INVALID, "NULL out pointer");
	*out = nullptr;
	if (!path)
		return fail(nullptr, XQ_ERR_INVALID, "NULL path");
	return guard(nullptr, [&] {
		xq_db *db = new xq_db;
		try {
			open_into(db, path);
		} catch (...) {
			delete db;
			throw;
		}
		*out = db;
		return XQ_OK;
	});
}

xq_status xq_db_add_database(xq_db *db, const char *path)
{
	if (!db)
		return fail(nullptr, XQ_ERR_INVALID, "NULL database handle");
	if (!path)
		return fail(db, XQ_ERR_INVALID, "NULL path");
	if (db->writable)
		return fail(db, XQ_ERR_INVALID, "cannot add a database to a writable handle");
	return guard(db, [&] {
		open_into(db, path);
		return XQ_OK;
	});
}

xq_status xq_db_compact(const char *src, const char *dst)
{
	if (!src || !dst)
		return fail(nullptr, XQ_ERR_INVALID, "NULL path");
	return guard(nullptr, [&] {
		Xapian::Database(src).compact(dst);
		return XQ_OK;
	});
}

/* Why a writable handle always holds an open transaction:
 *
 * xq.h promises that xq_db_close discards uncommitted changes, but
 * Xapian::WritableDatabase's destructor and close() commit them when no
 * transaction is active (and Xapian also auto-commits every
 * XAPIAN_FLUSH_THRESHOLD changes).  Inside a transaction neither happens:
 * close()/destruction cancels it, and an *unflushed* transaction's cancel
 * discards every change since the last commit, including those made before
 * it began (documented on WritableDatabase::begin_transaction).  So right
 * after opening, and after every commit, we begin an unflushed transaction
 * of our own.  xq_db_commit ends it, commits and begins a new one; the
 * caller's own transactions temporarily replace it (see below).  The
 * observable behaviour is Xapian's, except that nothing is ever committed
 * implicitly, which is also what makes a reindex run atomic. */
static void begin_implicit(xq_db *db)
{
	db->wdb.begin_transaction(false);
}

xq_status xq_db_open_writable(const char *path, xq_open_mode mode, xq_db **out)
{
	if (!out)
		return fail(nullptr, XQ_ERR_INVALID, "NULL out pointer");
	*out = nullptr;
	if (!path)
		return fail(nullptr, XQ_ERR_INVALID, "NULL path");
	int flags;
	switch (mode) {
	case XQ_CREATE_OR_OPEN: flags = Xapian::DB_CREATE_OR_OPEN; break;
	case XQ_CREATE_OR_OVERWRITE: flags = Xapian::DB_CREATE_OR_OVERWRITE; break;
	case XQ_OPEN: flags = Xapian::DB_OPEN; break;
	default: return fail(nullptr, XQ_ERR_INVALID, "invalid open mode");
	}
	return guard(nullptr, [&] {
		xq_db *db = new xq_db;
		try {
			/* No DB_RETRY_LOCK: a locked database fails at once. */
			db->wdb = Xapian::WritableDatabase(path, flags);
			db->writable = true;
			begin_implicit(db);
		} catch (...) {
			delete db;
			throw;
		}
		*out = db;
		return XQ_OK;
	});
}

xq_status xq_db_reopen(xq_db *db)
{
	if (!db)
		return fail(nullptr, XQ_ERR_INVALID, "NULL database handle");
	return guard(db, [&] {
		db->read().reopen();
		return XQ_OK;
	});
}

void xq_db_close(xq_db *db)
{
	if (!db)
		return;
	try {
		/* Explicit close(): releases the write lock even if other
		 * Xapian objects still reference the database, and, a
		 * transaction being open, discards uncommitted changes. */
		db->read().close();
	} catch (...) {
		fail_current(nullptr);
	}
	delete db;
}

const char *xq_db_error(const xq_db *db)
{
	return db ? db->err.c_str() : "";
}

xq_status xq_db_doccount(xq_db *db, unsigned *out)
{
	if (!db || !out)
		return fail(db, XQ_ERR_INVALID, "NULL argument");
	return guard(db, [&] {
		*out = db->read().get_doccount();
		return XQ_OK;
	});
}

xq_status xq_db_termfreq(xq_db *db, const char *term, size_t len, unsigned *out)
{
	if (!db || !out)
		return fail(db, XQ_ERR_INVALID, "NULL argument");
	/* No document can be indexed by a term xq refuses to add (and Xapian
	 * reads "" as "every document"). */
	if (!term || len == 0 || len > XQ_MAX_TERM_BYTES) {
		*out = 0;
		return XQ_OK;
	}
	return guard(db, [&] {
		*out = db->read().get_termfreq(std::string(term, len));
		return XQ_OK;
	});
}

xq_status xq_db_get_metadata(xq_db *db, const char *key, char **value, size_t *len)
{
	if (!db || !key || !value)
		return fail(db, XQ_ERR_INVALID, "NULL argument");
	*value = nullptr;
	return guard(db, [&] {
		/* the first shard that has the key */
		std::string v;
		if (db->writable || db->shards.empty())
			v = db->read().get_metadata(key);
		else
			for (Xapian::Database &d : db->shards)
				if (!(v = d.get_metadata(key)).empty())
					break;
		char *p = dup_bytes(v);
		if (!p)
			throw std::bad_alloc();
		*value = p;
		if (len)
			*len = v.size();
		return XQ_OK;
	});
}

xq_status xq_db_set_metadata(xq_db *db, const char *key, const char *value, size_t len)
{
	if (xq_status st = need_writable(db))
		return st;
	if (!key || (!value && len))
		return fail(db, XQ_ERR_INVALID, "NULL argument");
	return guard(db, [&] {
		db->wdb.set_metadata(key, value ? std::string(value, len) : std::string());
		return XQ_OK;
	});
}

xq_status xq_db_metadata_foreach(xq_db *db, const char *prefix, xq_metadata_fn fn, void *ud)
{
	if (!db || !fn)
		return fail(db, XQ_ERR_INVALID, "NULL argument");
	return guard(db, [&] {
		std::string pfx = prefix ? prefix : "";
		std::vector<Xapian::Database> one;
		if (db->writable || db->shards.empty())
			one.push_back(db->read());
		for (Xapian::Database &d : db->writable || db->shards.empty() ? one : db->shards) {
			for (auto it = d.metadata_keys_begin(pfx); it != d.metadata_keys_end(pfx); ++it) {
				std::string key = *it;
				std::string val = d.get_metadata(key);
				if (fn(key.c_str(), val.c_str(), val.size(), ud) != 0)
					return XQ_OK;
			}
		}
		return XQ_OK;
	});
}

xq_status xq_db_get_data(xq_db *db, unsigned docid, char **data, size_t *len)
{
	if (!db || !data)
		return fail(db, XQ_ERR_INVALID, "NULL argument");
	*data = nullptr;
	return guard(db, [&] {
		std::string v = db->read().get_document(docid).get_data();
		char *p = dup_bytes(v);
		if (!p)
			throw std::bad_alloc();
		*data = p;
		if (len)
			*len = v.size();
		return XQ_OK;
	});
}

/* ------------------------------------------------------------------ */
/* Documents                                                            */

xq_doc *xq_doc_new(void)
{
	try {
		return new xq_doc;
	} catch (...) {
		fail_current(nullptr);
		return nullptr;
	}
}

void xq_doc_free(xq_doc *doc)
{
	delete doc;
}

void xq_doc_clear(xq_doc *doc)
{
	if (!doc)
		return;
	try {
		doc->doc.clear_terms();
		doc->doc.clear_values();
		doc->doc.set_data(std::string());
	} catch (...) {
		fail_current(nullptr);
	}
}

xq_status xq_doc_add_posting(xq_doc *doc, const char *term, size_t len, unsigned pos, unsigned wdfinc)
{
	if (!doc)
		return fail(nullptr, XQ_ERR_INVALID, "NULL document");
	if (xq_status st = check_term(nullptr, term, len, "term"))
		return st;
	return guard(nullptr, [&] {
		doc->doc.add_posting(std::string(term, len), pos, wdfinc);
		return XQ_OK;
	});
}

xq_status xq_doc_add_term(xq_doc *doc, const char *term, size_t len, unsigned wdfinc)
{
	if (!doc)
		return fail(nullptr, XQ_ERR_INVALID, "NULL document");
	if (xq_status st = check_term(nullptr, term, len, "term"))
		return st;
	return guard(nullptr, [&] {
		doc->doc.add_term(std::string(term, len), wdfinc);
		return XQ_OK;
	});
}

xq_status xq_doc_add_boolean_term(xq_doc *doc, const char *term, size_t len)
{
	if (!doc)
		return fail(nullptr, XQ_ERR_INVALID, "NULL document");
	if (xq_status st = check_term(nullptr, term, len, "term"))
		return st;
	return guard(nullptr, [&] {
		doc->doc.add_boolean_term(std::string(term, len));
		return XQ_OK;
	});
}

xq_status xq_doc_set_value(xq_doc *doc, unsigned slot, const char *value, size_t len)
{
	if (!doc || (!value && len))
		return fail(nullptr, XQ_ERR_INVALID, "NULL argument");
	return guard(nullptr, [&] {
		doc->doc.add_value(slot, value ? std::string(value, len) : std::string());
		return XQ_OK;
	});
}

xq_status xq_doc_set_data(xq_doc *doc, const char *data, size_t len)
{
	if (!doc || (!data && len))
		return fail(nullptr, XQ_ERR_INVALID, "NULL argument");
	return guard(nullptr, [&] {
		doc->doc.set_data(data ? std::string(data, len) : std::string());
		return XQ_OK;
	});
}

xq_status xq_db_add_document(xq_db *db, const xq_doc *doc, unsigned *docid)
{
	if (xq_status st = need_writable(db))
		return st;
	if (!doc)
		return fail(db, XQ_ERR_INVALID, "NULL document");
	return guard(db, [&] {
		Xapian::docid id = db->wdb.add_document(doc->doc);
		if (docid)
			*docid = id;
		return XQ_OK;
	});
}

xq_status xq_db_replace_document(xq_db *db, const char *term, size_t len, const xq_doc *doc)
{
	if (xq_status st = need_writable(db))
		return st;
	if (!doc)
		return fail(db, XQ_ERR_INVALID, "NULL document");
	if (xq_status st = check_term(db, term, len, "unique term"))
		return st;
	return guard(db, [&] {
		db->wdb.replace_document(std::string(term, len), doc->doc);
		return XQ_OK;
	});
}

xq_status xq_db_delete_documents(xq_db *db, const char *term, size_t len)
{
	if (xq_status st = need_writable(db))
		return st;
	if (xq_status st = check_term(db, term, len, "unique term"))
		return st;
	return guard(db, [&] {
		db->wdb.delete_document(std::string(term, len));
		return XQ_OK;
	});
}

/* After the caller's transaction or our commit ends, put the implicit
 * transaction back; if even that fails the handle would commit on close,
 * so report it. */
static xq_status restore_implicit(xq_db *db) noexcept
{
	return guard(db, [&] {
		begin_implicit(db);
		return XQ_OK;
	});
}

xq_status xq_db_commit(xq_db *db)
{
	if (xq_status st = need_writable(db))
		return st;
	if (db->user_txn)
		return fail(db, XQ_ERR_INVALID, "cannot commit while a transaction is in progress");
	xq_status st = guard(db, [&] {
		/* Ending an unflushed transaction leaves its changes pending;
		 * commit() then makes them durable. */
		db->wdb.commit_transaction();
		db->wdb.commit();
		return XQ_OK;
	});
	xq_status st2 = restore_implicit(db);
	return st ? st : st2;
}

xq_status xq_db_begin_transaction(xq_db *db, bool flushed)
{
	if (xq_status st = need_writable(db))
		return st;
	if (db->user_txn)
		return fail(db, XQ_ERR_INVALID, "a transaction is already in progress");
	/* Swap the implicit transaction for the caller's.  Ending the implicit
	 * (unflushed) one keeps earlier changes pending, exactly as if it had
	 * never existed; a flushed begin then commits them, as in Xapian. */
	xq_status st = guard(db, [&] {
		db->wdb.commit_transaction();
		db->wdb.begin_transaction(flushed);
		db->user_txn = true;
		return XQ_OK;
	});
	if (st != XQ_OK && !db->user_txn)
		restore_implicit(db);
	return st;
}

xq_status xq_db_commit_transaction(xq_db *db)
{
	if (xq_status st = need_writable(db))
		return st;
	if (!db->user_txn)
		return fail(db, XQ_ERR_INVALID, "no transaction is in progress");
	/* Xapian ends the transaction whether or not this throws. */
	xq_status st = guard(db, [&] {
		db->wdb.commit_transaction();
		return XQ_OK;
	});
	db->user_txn = false;
	xq_status st2 = restore_implicit(db);
	return st ? st : st2;
}

xq_status xq_db_cancel_transaction(xq_db *db)
{
	if (xq_status st = need_writable(db))
		return st;
	if (!db->user_txn)
		return fail(db, XQ_ERR_INVALID, "no transaction is in progress");
	xq_status st = guard(db, [&] {
		db->wdb.cancel_transaction();
		return XQ_OK;
	});
	db->user_txn = false;
	xq_status st2 = restore_implicit(db);
	return st ? st : st2;
}

size_t xq_sortable_serialise(double value, char buf[18])
{
	/* sortable_serialise_ writes at most 9 bytes and never throws. */
	return Xapian::sortable_serialise_(value, buf);
}

/* ------------------------------------------------------------------ */
/* Queries                                                              */

/* Store q in a new handle in *out. */
static xq_status new_query(Xapian::Query &&q, xq_query **out)
{
	*out = new xq_query{std::move(q)};
	return XQ_OK;
}

xq_status xq_query_term(const char *term, size_t len, unsigned wqf, unsigned pos, xq_query **out)
{
	if (!out)
		return fail(nullptr, XQ_ERR_INVALID, "NULL out pointer");
	*out = nullptr;
	if (xq_status st = check_term(nullptr, term, len, "query term"))
		return st;
	return guard(nullptr, [&] { return new_query(Xapian::Query(std::string(term, len), wqf, pos), out); });
}

static bool map_op(xq_op op, Xapian::Query::op *xop) noexcept
{
	switch (op) {
	case XQ_OP_AND: *xop = Xapian::Query::OP_AND; return true;
	case XQ_OP_OR: *xop = Xapian::Query::OP_OR; return true;
	case XQ_OP_AND_NOT: *xop = Xapian::Query::OP_AND_NOT; return true;
	case XQ_OP_AND_MAYBE: *xop = Xapian::Query::OP_AND_MAYBE; return true;
	case XQ_OP_FILTER: *xop = Xapian::Query::OP_FILTER; return true;
	case XQ_OP_PHRASE: *xop = Xapian::Query::OP_PHRASE; return true;
	case XQ_OP_NEAR: *xop = Xapian::Query::OP_NEAR; return true;
	case XQ_OP_SYNONYM: *xop = Xapian::Query::OP_SYNONYM; return true;
	case XQ_OP_MAX: *xop = Xapian::Query::OP_MAX; return true;
	}
	return false;
}

xq_status xq_query_combine(xq_op op, xq_query *const *subs, size_t n, unsigned window, xq_query **out)
{
	if (!out)
		return fail(nullptr, XQ_ERR_INVALID, "NULL out pointer");
	*out = nullptr;
	Xapian::Query::op xop;
	if (!map_op(op, &xop))
		return fail(nullptr, XQ_ERR_INVALID, "invalid query operator");
	if (n == 0 || !subs)
		return fail(nullptr, XQ_ERR_INVALID, "no subqueries to combine");
	for (size_t i = 0; i < n; i++)
		if (!subs[i])
			return fail(nullptr, XQ_ERR_INVALID, "NULL subquery");
	return guard(nullptr, [&] {
		std::vector<Xapian::Query> v;
		v.reserve(n);
		for (size_t i = 0; i < n; i++)
			v.push_back(subs[i]->q);
		Xapian::termcount w = 0;
		if (op == XQ_OP_PHRASE || op == XQ_OP_NEAR)
			w = window ? window : static_cast<Xapian::termcount>(n);
		return new_query(Xapian::Query(xop, v.begin(), v.end(), w), out);
	});
}

xq_status xq_query_value_range(unsigned slot, const char *lo, size_t lolen, const char *hi, size_t hilen,
                               xq_query **out)
{
	if (!out)
		return fail(nullptr, XQ_ERR_INVALID, "NULL out pointer");
	*out = nullptr;
	return guard(nullptr, [&] {
		if (lo && hi)
			return new_query(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, std::string(lo, lolen),
			                               std::string(hi, hilen)),
			                 out);
		if (hi)
			return new_query(Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, std::string(hi, hilen)), out);
		/* lo only, or neither: >= "" is every document with a value in
		 * slot (Xapian stores no empty values). */
		return new_query(
		    Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, lo ? std::string(lo, lolen) : std::string()), out);
	});
}

xq_status xq_query_wildcard(const char *prefix, size_t len, unsigned max_expansion, xq_query **out)
{
	if (!out)
		return fail(nullptr, XQ_ERR_INVALID, "NULL out pointer");
	*out = nullptr;
	if (xq_status st = check_term(nullptr, prefix, len, "wildcard prefix"))
		return st;
	/* In 1.4.22 WILDCARD_LIMIT_MOST_FREQUENT with max_expansion 0 keeps
	 * no terms at all, so "no limit" uses the (then unused) ERROR mode. */
	int limit = max_expansion ? Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT : Xapian::Query::WILDCARD_LIMIT_ERROR;
	return guard(nullptr, [&] {
		return new_query(Xapian::Query(Xapian::Query::OP_WILDCARD, std::string(prefix, len), max_expansion, limit,
		                               Xapian::Query::OP_SYNONYM),
		                 out);
	});
}

xq_status xq_query_match_all(xq_query **out)
{
	if (!out)
		return fail(nullptr, XQ_ERR_INVALID, "NULL out pointer");
	*out = nullptr;
	return guard(nullptr, [&] { return new_query(Xapian::Query(Xapian::Query::MatchAll), out); });
}

xq_status xq_query_scale(const xq_query *q, double factor, xq_query **out)
{
	if (!out)
		return fail(nullptr, XQ_ERR_INVALID, "NULL out pointer");
	*out = nullptr;
	if (!q)
		return fail(nullptr, XQ_ERR_INVALID, "NULL query");
	return guard(nullptr, [&] {
		return new_query(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor), out);
	});
}

char *xq_query_describe(const xq_query *q)
{
	if (!q) {
		fail(nullptr, XQ_ERR_INVALID, "NULL query");
		return nullptr;
	}
	char *res = nullptr;
	xq_status st = guard(nullptr, [&] {
		res = dup_bytes(q->q.get_description());
		if (!res)
			throw std::bad_alloc();
		return XQ_OK;
	});
	return st == XQ_OK ? res : nullptr;
}

void xq_query_free(xq_query *q)
{
	delete q;
}

/* ------------------------------------------------------------------ */
/* Searching                                                            */

xq_status xq_db_mark_term(xq_db *db, const char *term, size_t len, const unsigned *docids, size_t n, bool *present)
{
	if (!db || (!term && len) || (n && (!docids || !present)))
		return fail(db, XQ_ERR_INVALID, "NULL argument");
	for (size_t k = 1; k < n; k++)
		if (docids[k] <= docids[k - 1])
			return fail(db, XQ_ERR_INVALID, "docids not in increasing order");
	return guard(db, [&] {
		Xapian::Database &d = db->read();
		const std::string t(term ? term : "", len);
		Xapian::PostingIterator it = d.postlist_begin(t), end = d.postlist_end(t);
		for (size_t k = 0; k < n && it != end; k++) {
			it.skip_to(docids[k]);
			if (it != end && *it == docids[k])
				present[k] = true;
		}
		return XQ_OK;
	});
}

xq_status xq_enquire_new(xq_db *db, xq_enquire **out)
{
	if (!out)
		return fail(db, XQ_ERR_INVALID, "NULL out pointer");
	*out = nullptr;
	if (!db)
		return fail(nullptr, XQ_ERR_INVALID, "NULL database handle");
	return guard(db, [&] {
		/* The Enquire's copy of the Database shares its internals, so
		 * xq_db_reopen on db is seen by the enquiry too. */
		auto *enq = new xq_enquire(db);
		enq->enq.set_weighting_scheme(Xapian::BM25Weight());
		*out = enq;
		return XQ_OK;
	});
}

void xq_enquire_free(xq_enquire *enq)
{
	delete enq;
}

xq_status xq_enquire_set_decider(xq_enquire *enq, xq_decider_fn *fn, void *ud)
{
	if (!enq)
		return fail(nullptr, XQ_ERR_INVALID, "NULL enquire");
	enq->decider.fn = fn;
	enq->decider.ud = ud;
	return XQ_OK;
}

xq_status xq_enquire_set_query(xq_enquire *enq, const xq_query *q)
{
	if (!enq || !q)
		return fail(enq ? enq->db : nullptr, XQ_ERR_INVALID, "NULL argument");
	return guard(enq->db, [&] {
		enq->enq.set_query(q->q);
		return XQ_OK;
	});
}

xq_status xq_enquire_set_bm25(xq_enquire *enq, double k1, double k2, double k3, double b, double min_normlen)
{
	if (!enq)
		return fail(nullptr, XQ_ERR_INVALID, "NULL enquire");
	return guard(enq->db, [&] {
		/* BM25Weight throws InvalidArgumentError on negative
		 * parameters or b > 1. */
		enq->enq.set_weighting_scheme(Xapian::BM25Weight(k1, k2, k3, b, min_normlen));
		return XQ_OK;
	});
}

xq_status xq_enquire_set_collapse(xq_enquire *enq, unsigned slot, unsigned max)
{
	if (!enq)
		return fail(nullptr, XQ_ERR_INVALID, "NULL enquire");
	return guard(enq->db, [&] {
		enq->enq.set_collapse_key(max ? slot : Xapian::BAD_VALUENO, max);
		return XQ_OK;
	});
}

xq_status xq_enquire_run(xq_enquire *enq, unsigned first, unsigned max, xq_hits **out)
{
	if (!out)
		return fail(enq ? enq->db : nullptr, XQ_ERR_INVALID, "NULL out pointer");
	*out = nullptr;
	if (!enq)
		return fail(nullptr, XQ_ERR_INVALID, "NULL enquire");
	return guard(enq->db, [&] {
		Xapian::MSet mset;
		try {
			mset = enq->enq.get_mset(first, max, 0, nullptr, enq->active_decider());
		} catch (const Xapian::DatabaseModifiedError &) {
			/* A writer committed twice since we opened: move to
			 * the latest revision and try once more. */
			enq->db->read().reopen();
			mset = enq->enq.get_mset(first, max, 0, nullptr, enq->active_decider());
		}
		auto *h = new xq_hits;
		try {
			h->db = enq->db;
			h->estimated = mset.get_matches_estimated();
			h->lower = mset.get_matches_lower_bound();
			h->upper = mset.get_matches_upper_bound();
			h->ids.reserve(mset.size());
			h->weights.reserve(mset.size());
			for (auto it = mset.begin(); it != mset.end(); ++it) {
				h->ids.push_back(*it);
				h->weights.push_back(it.get_weight());
			}
			h->data.resize(h->ids.size());
			h->have_data.assign(h->ids.size(), 0);
		} catch (...) {
			delete h;
			throw;
		}
		*out = h;
		return XQ_OK;
	});
}

size_t xq_hits_count(const xq_hits *hits)
{
	return hits ? hits->ids.size() : 0;
}

unsigned xq_hits_estimated(const xq_hits *hits)
{
	return hits ? hits->estimated : 0;
}

unsigned xq_hits_lower_bound(const xq_hits *hits)
{
	return hits ? hits->lower : 0;
}

unsigned xq_hits_upper_bound(const xq_hits *hits)
{
	return hits ? hits->upper : 0;
}

unsigned xq_hits_docid(const xq_hits *hits, size_t i)
{
	return hits && i < hits->ids.size() ? hits->ids[i] : 0;
}

double xq_hits_score(const xq_hits *hits, size_t i)
{
	return hits && i < hits->weights.size() ? hits->weights[i] : 0.0;
}

/* The document of hit i, reopening the database once if the revision the
 * search ran on has been overwritten since (docids are never reused, so the
 * same id still names the same document, or none). */
static Xapian::Document hit_document(xq_hits *hits, size_t i)
{
	Xapian::Database &d = hits->db->read();
	try {
		Xapian::Document doc = d.get_document(hits->ids[i]);
		return doc;
	} catch (const Xapian::DatabaseModifiedError &) {
		d.reopen();
		return d.get_document(hits->ids[i]);
	}
}

const char *xq_hits_data(xq_hits *hits, size_t i, size_t *len)
{
	if (!hits || i >= hits->ids.size()) {
		fail(nullptr, XQ_ERR_INVALID, "hit index out of range");
		return nullptr;
	}
	xq_status st = guard(hits->db, [&] {
		if (!hits->have_data[i]) {
			hits->data[i] = hit_document(hits, i).get_data();
			hits->have_data[i] = 1;
		}
		return XQ_OK;
	});
	if (st != XQ_OK)
		return nullptr;
	if (len)
		*len = hits->data[i].size();
	return hits->data[i].c_str();
}

const char *xq_hits_value(xq_hits *hits, size_t i, unsigned slot, size_t *len)
{
	if (!hits || i >= hits->ids.size()) {
		fail(nullptr, XQ_ERR_INVALID, "hit index out of range");
		return nullptr;
	}
	const std::string *val = nullptr;
	xq_status st = guard(hits->db, [&] {
		auto key = std::make_pair(i, slot);
		auto it = hits->values.find(key);
		if (it == hits->values.end())
			it = hits->values.emplace(key, hit_document(hits, i).get_value(slot)).first;
		val = &it->second;
		return XQ_OK;
	});
	if (st != XQ_OK)
		return nullptr;
	if (len)
		*len = val->size();
	return val->c_str();
}

void xq_hits_free(xq_hits *hits)
{
	delete hits;
}

} /* extern "C" */
