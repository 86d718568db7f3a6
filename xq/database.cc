/*
 * database.cc - databases: opening (plain, stub, several as one), closing,
 * metadata, writes, commits and the implicit transaction, compaction, and
 * posting-list lookups.
 */
#include "xq_private.hh"

#include <sys/stat.h>

#include <fstream>
#include <new>
#include <string>
#include <vector>

using namespace xq_internal;

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
 * of our own.  xq_db_commit ends it, commits and begins a new one.  The
 * observable behaviour is Xapian's, except that nothing is ever committed
 * implicitly, which is also what makes a reindex run atomic. */
static void begin_implicit(xq_db *db)
{
	db->wdb.begin_transaction(false);
}

/* After our commit ends the implicit transaction, put it back; if even
 * that fails the handle would commit on close, so report it. */
static xq_status restore_implicit(xq_db *db) noexcept
{
	return guard(db, [&] {
		begin_implicit(db);
		return XQ_OK;
	});
}

extern "C" {

xq_status xq_db_open(const char *path, xq_db **out) noexcept
{
	clear_out(out);
	return entry(nullptr, [&] {
		if (!out)
			return fail(nullptr, XQ_ERR_INVALID, "NULL out pointer");
		if (!path)
			return fail(nullptr, XQ_ERR_INVALID, "NULL path");
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

xq_status xq_db_add_database(xq_db *db, const char *path) noexcept
{
	return entry(db, [&] {
		if (!db)
			return fail(nullptr, XQ_ERR_INVALID, "NULL database handle");
		if (!path)
			return fail(db, XQ_ERR_INVALID, "NULL path");
		if (db->writable)
			return fail(db, XQ_ERR_INVALID, "cannot add a database to a writable handle");
		open_into(db, path);
		return XQ_OK;
	});
}

xq_status xq_db_compact(const char *src, const char *dst) noexcept
{
	return entry(nullptr, [&] {
		if (!src || !dst)
			return fail(nullptr, XQ_ERR_INVALID, "NULL path");
		Xapian::Database(src).compact(dst);
		return XQ_OK;
	});
}

xq_status xq_db_open_writable(const char *path, xq_open_mode mode, xq_db **out) noexcept
{
	clear_out(out);
	return entry(nullptr, [&] {
		if (!out)
			return fail(nullptr, XQ_ERR_INVALID, "NULL out pointer");
		if (!path)
			return fail(nullptr, XQ_ERR_INVALID, "NULL path");
		int flags;
		switch (mode) {
		case XQ_CREATE_OR_OPEN: flags = Xapian::DB_CREATE_OR_OPEN; break;
		case XQ_CREATE_OR_OVERWRITE: flags = Xapian::DB_CREATE_OR_OVERWRITE; break;
		case XQ_OPEN: flags = Xapian::DB_OPEN; break;
		default: return fail(nullptr, XQ_ERR_INVALID, "invalid open mode");
		}
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

xq_status xq_db_reopen(xq_db *db, bool *changed) noexcept
{
	if (changed)
		*changed = false;
	return entry(db, [&] {
		if (!db)
			return fail(nullptr, XQ_ERR_INVALID, "NULL database handle");
		/* the shards share their internals with the combined handle:
		 * one reopen moves them all */
		bool moved = db->read().reopen();
		if (changed)
			*changed = moved;
		return XQ_OK;
	});
}

void xq_db_close(xq_db *db) noexcept
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

const char *xq_db_error(const xq_db *db) noexcept
{
	return db ? db->err.c_str() : "";
}

xq_status xq_db_doccount(xq_db *db, unsigned *out) noexcept
{
	return entry(db, [&] {
		if (!db || !out)
			return fail(db, XQ_ERR_INVALID, "NULL argument");
		*out = db->read().get_doccount();
		return XQ_OK;
	});
}

xq_status xq_db_termfreq(xq_db *db, const char *term, size_t len, unsigned *out) noexcept
{
	return entry(db, [&] {
		if (!db || !out)
			return fail(db, XQ_ERR_INVALID, "NULL argument");
		/* No document can be indexed by a term xq refuses to add (and
		 * Xapian reads "" as "every document"). */
		*out = 0;
		if (term && len > 0 && len <= XQ_MAX_TERM_BYTES)
			*out = db->read().get_termfreq(std::string(term, len));
		return XQ_OK;
	});
}

xq_status xq_db_get_metadata(xq_db *db, const char *key, char **value, size_t *len) noexcept
{
	clear_out(value);
	return entry(db, [&] {
		if (!db || !key || !value)
			return fail(db, XQ_ERR_INVALID, "NULL argument");
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

xq_status xq_db_set_metadata(xq_db *db, const char *key, const char *value, size_t len) noexcept
{
	return entry(db, [&] {
		if (xq_status st = need_writable(db))
			return st;
		if (!key || (!value && len))
			return fail(db, XQ_ERR_INVALID, "NULL argument");
		db->wdb.set_metadata(key, value ? std::string(value, len) : std::string());
		return XQ_OK;
	});
}

xq_status xq_db_metadata_foreach(xq_db *db, const char *prefix, xq_metadata_fn fn, void *ud) noexcept
{
	return entry(db, [&] {
		if (!db || !fn)
			return fail(db, XQ_ERR_INVALID, "NULL argument");
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

xq_status xq_db_terms_foreach(xq_db *db, const char *prefix, xq_term_fn fn, void *ud) noexcept
{
	return entry(db, [&] {
		if (!db || !fn)
			return fail(db, XQ_ERR_INVALID, "NULL argument");
		Xapian::Database &d = db->read();
		const std::string pfx = prefix ? prefix : "";
		for (auto it = d.allterms_begin(pfx); it != d.allterms_end(pfx); ++it) {
			const std::string term = *it;
			if (fn(term.data(), term.size(), it.get_termfreq(), ud) != 0)
				break;
		}
		return XQ_OK;
	});
}

xq_status xq_db_add_document(xq_db *db, const xq_doc *doc, unsigned *docid) noexcept
{
	return entry(db, [&] {
		if (xq_status st = need_writable(db))
			return st;
		if (!doc)
			return fail(db, XQ_ERR_INVALID, "NULL document");
		Xapian::docid id = db->wdb.add_document(doc->doc);
		if (docid)
			*docid = id;
		return XQ_OK;
	});
}

xq_status xq_db_delete_documents(xq_db *db, const char *term, size_t len) noexcept
{
	return entry(db, [&] {
		if (xq_status st = need_writable(db))
			return st;
		if (xq_status st = check_term(db, term, len, "unique term"))
			return st;
		db->wdb.delete_document(std::string(term, len));
		return XQ_OK;
	});
}

xq_status xq_db_commit(xq_db *db) noexcept
{
	return entry(db, [&] {
		if (xq_status st = need_writable(db))
			return st;
		xq_status st = guard(db, [&] {
			/* Ending an unflushed transaction leaves its changes
			 * pending; commit() then makes them durable. */
			db->wdb.commit_transaction();
			/* The fault-injection build may fail here, as if
			 * commit() had thrown before anything became
			 * durable. */
			fault_commit();
			db->wdb.commit();
			return XQ_OK;
		});
		xq_status st2 = restore_implicit(db);
		return st ? st : st2;
	});
}

xq_status xq_db_mark_term(xq_db *db, const char *term, size_t len, const unsigned *docids, size_t n,
                          bool *present) noexcept
{
	return entry(db, [&] {
		if (!db || (!term && len) || (n && (!docids || !present)))
			return fail(db, XQ_ERR_INVALID, "NULL argument");
		for (size_t k = 1; k < n; k++)
			if (docids[k] <= docids[k - 1])
				return fail(db, XQ_ERR_INVALID, "docids not in increasing order");
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

} /* extern "C" */
