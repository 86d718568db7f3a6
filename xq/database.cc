/*
 * database.cc - databases: opening (plain, stub, several as one), closing,
 * metadata, writes, commits and the implicit transaction, compaction, and
 * posting-list lookups.
 */
#include "xq_private.hh"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <new>
#include <string>
#include <vector>

using namespace xq_internal;

/* How deep stubs may name stubs (a stub naming itself must end). */
static const int STUB_DEPTH = 8;

/* The stub file path stands for: path itself if it is a file that reads
 * as text (a single-file glass database is binary), path/XAPIANDB for a
 * folder that is no database but holds one (a "stub directory", as an
 * index folder of wensou's is); "" if neither. */
static std::string stub_file(const std::string &path)
{
	struct stat st;
	if (stat(path.c_str(), &st) != 0)
		return "";
	if (S_ISDIR(st.st_mode)) {
		std::string stub = path + "/XAPIANDB";
		struct stat sb;
		bool db = stat((path + "/iamglass").c_str(), &sb) == 0 || stat((path + "/iamchert").c_str(), &sb) == 0;
		return !db && stat(stub.c_str(), &sb) == 0 && S_ISREG(sb.st_mode) ? stub : "";
	}
	if (!S_ISREG(st.st_mode))
		return "";
	std::ifstream in(path, std::ios::binary);
	char head[512];
	in.read(head, sizeof head);
	return std::memchr(head, '\0', static_cast<size_t>(in.gcount())) ? "" : path;
}

/* Open one remote database of a stub line's rest: ":PROGRAM ARGS" (a
 * program speaking Xapian's remote protocol on its standard input and
 * output, e.g. "ssh HOST xapian-progsrv PATH") or "HOST:PORT"
 * ("[V6ADDR]:PORT"), xapian-tcpsrv's; Xapian's own grammar
 * (backends/databasehelpers.h).  timeout_ms bounds connecting and each
 * answer.  *name gets the line's form, "remote " + rest. */
static bool open_remote(const std::string &rest, unsigned timeout_ms, Xapian::Database &out, std::string &name)
{
	name = "remote " + rest;
	if (rest.empty())
		return false;
	if (rest[0] == ':') {
		size_t sp = rest.find(' ');
		std::string prog = rest.substr(1, sp == std::string::npos ? std::string::npos : sp - 1);
		std::string args = sp == std::string::npos ? "" : rest.substr(sp + 1);
		if (prog.empty())
			return false;
		/* "remote :HOST:PORT" would run a program of that name: surely
		 * meant for xapian-tcpsrv */
		size_t c = prog.rfind(':');
		if (args.empty() && c != std::string::npos && c + 1 < prog.size() &&
		    prog.find_first_not_of("0123456789", c + 1) == std::string::npos &&
		    prog.find_first_of("/ ") == std::string::npos)
			throw Xapian::DatabaseOpeningError("\"" + name + "\" would run a program named \"" + prog +
			                                   "\"; a database served by xapian-tcpsrv is \"remote " + prog +
			                                   "\", without the colon before the host");
		std::vector<pid_t> before = thread_children();
		try {
			out = Xapian::Remote::open(prog, args, timeout_ms);
		} catch (...) {
			end_left_children(before, prog);
			throw;
		}
		return true;
	}
	size_t colon = rest.rfind(':');
	if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size())
		return false;
	std::string host = rest.substr(0, colon), port = rest.substr(colon + 1);
	if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 || std::stoul(port) > 65535)
		return false;
	if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
		host = host.substr(1, host.size() - 2);
	out = Xapian::Remote::open(host, static_cast<unsigned>(std::stoul(port)), timeout_ms, timeout_ms);
	return true;
}

static void open_path(const std::string &path, unsigned timeout_ms, int depth, std::vector<Xapian::Database> &dbs,
                      std::vector<std::string> &names, std::vector<bool> &remote);

/* Open every database the stub file lists into dbs (names beside them),
 * each on its own: "auto|glass|chert PATH" (relative to the stub's
 * folder; a stub in turn is read in turn), "remote ...", "inmemory";
 * blank lines and '#' lines skipped.  A line Xapian would not read is an
 * error naming the stub and the line. */
static void open_stub(const std::string &stub, unsigned timeout_ms, int depth, std::vector<Xapian::Database> &dbs,
                      std::vector<std::string> &names, std::vector<bool> &remote)
{
	std::ifstream in(stub);
	if (!in)
		throw Xapian::DatabaseOpeningError("cannot read the stub database file " + stub);
	size_t slash = stub.rfind('/');
	std::string dir = slash == std::string::npos ? "." : stub.substr(0, slash);
	std::string line;
	unsigned lineno = 0;
	size_t before = dbs.size();
	while (std::getline(in, line)) {
		lineno++;
		size_t b = line.find_first_not_of(" \t\r");
		if (b == std::string::npos || line[b] == '#')
			continue;
		size_t e = line.find_last_not_of(" \t\r");
		line = line.substr(b, e - b + 1);
		size_t sp = line.find_first_of(" \t");
		std::string type = line.substr(0, sp);
		std::string rest = sp == std::string::npos ? "" : line.substr(line.find_first_not_of(" \t", sp));
		bool good = true;
		if (type == "auto" || type == "glass" || type == "chert") {
			good = !rest.empty();
			if (good)
				open_path(rest[0] == '/' ? rest : dir + "/" + rest, timeout_ms, depth + 1, dbs, names, remote);
		} else if (type == "remote") {
			Xapian::Database d;
			std::string name;
			/* Xapian leaves some failures of a connection being
			 * made without its context, which names the shard
			 * in messages (error.cc): give them the one Xapian
			 * gives the others */
			std::string context = rest.compare(0, 1, ":") == 0 ? "remote:prog(" + rest.substr(1) + ")"
			                                                   : "remote:tcp(" + rest + ")";
			try {
				good = open_remote(rest, timeout_ms, d, name);
			} catch (const Xapian::NetworkTimeoutError &ne) {
				if (!ne.get_context().empty())
					throw;
				throw Xapian::NetworkTimeoutError(ne.get_msg(), context, ne.get_error_string());
			} catch (const Xapian::NetworkError &ne) {
				if (!ne.get_context().empty())
					throw;
				throw Xapian::NetworkError(ne.get_msg(), context, ne.get_error_string());
			}
			if (good) {
				dbs.push_back(d);
				names.push_back(name);
				remote.push_back(true);
			}
		} else if (type == "inmemory" && rest.empty()) {
			dbs.push_back(Xapian::Database(std::string(), Xapian::DB_BACKEND_INMEMORY));
			names.push_back("inmemory");
			remote.push_back(false);
		} else {
			good = false;
		}
		if (!good)
			throw Xapian::DatabaseOpeningError(stub + ", line " + std::to_string(lineno) + " (\"" + line +
			                                   "\"): not a database line (auto, glass or chert PATH; "
			                                   "remote HOST:PORT; remote :PROGRAM ARGS)");
	}
	/* Xapian would open it as an empty database, and every search
	 * would find nothing: an empty file given as --db is a mistake */
	if (dbs.size() == before)
		throw Xapian::DatabaseOpeningError(stub + ": a stub database file that names no database (its lines are "
		                                   "auto, glass or chert PATH; remote HOST:PORT; remote :PROGRAM ARGS)");
}

/* Open path (a database, or a stub naming databases) into dbs. */
static void open_path(const std::string &path, unsigned timeout_ms, int depth, std::vector<Xapian::Database> &dbs,
                      std::vector<std::string> &names, std::vector<bool> &remote)
{
	std::string stub = stub_file(path);
	if (stub.empty()) {
		dbs.push_back(Xapian::Database(path));
		names.push_back(path);
		remote.push_back(false);
		return;
	}
	if (depth > STUB_DEPTH)
		throw Xapian::DatabaseOpeningError(stub + ": stubs name stubs more than " + std::to_string(STUB_DEPTH) +
		                                   " deep (does one name itself?)");
	open_stub(stub, timeout_ms, depth, dbs, names, remote);
}

/* Open path (a database or a stub) into the read-only handle db: every
 * database on its own, then all added, so that a failure adds none. */
static void open_into(xq_db *db, const char *path)
{
	std::vector<Xapian::Database> opened;
	std::vector<std::string> names;
	std::vector<bool> remote;
	open_path(path, db->timeout_ms, 0, opened, names, remote);
	for (size_t k = 0; k < opened.size(); k++) {
		db->rdb.add_database(opened[k]);
		db->shards.push_back(opened[k]);
		db->names.push_back(names[k]);
		db->remote.push_back(remote[k]);
		db->has_remote = db->has_remote || remote[k];
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

/* Run db's reopen check on the revisions open, reopening while it asks
 * to wait.  True when a reopen of its own may have moved the handle. */
static bool settle(xq_db *db)
{
	bool moved = false;
	for (unsigned attempt = 0; db->reopen_check && attempt < 1000; attempt++) {
		unsigned ms = db->reopen_check(db->reopen_check_ud, db, attempt);
		if (!ms)
			break;
		usleep((ms < 1000 ? ms : 1000) * 1000);
		moved = db->rdb.reopen() || moved;
	}
	return moved;
}

bool xq_internal::reopen_checked(xq_db *db)
{
	/* the shards share their internals with the combined handle: one
	 * reopen moves them all */
	bool moved = db->rdb.reopen();
	return settle(db) || moved;
}

extern "C" {

xq_status xq_db_open(const char *path, xq_db **out) noexcept
{
	return xq_db_open_timeout(path, 0, out);
}

xq_status xq_db_open_timeout(const char *path, unsigned timeout_ms, xq_db **out) noexcept
{
	clear_out(out);
	return entry(nullptr, [&] {
		if (!out)
			return fail(nullptr, XQ_ERR_INVALID, "NULL out pointer");
		if (!path)
			return fail(nullptr, XQ_ERR_INVALID, "NULL path");
		xq_db *db = new xq_db;
		db->timeout_ms = timeout_ms ? timeout_ms : XQ_DEFAULT_TIMEOUT_MS;
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
		bool moved = db->writable ? db->wdb.reopen() : reopen_checked(db);
		if (changed)
			*changed = moved;
		return XQ_OK;
	});
}

xq_status xq_db_revision(xq_db *db, unsigned k, unsigned long long *out) noexcept
{
	if (out)
		*out = 0;
	return entry(db, [&] {
		if (!db || !out)
			return fail(db, XQ_ERR_INVALID, "NULL argument");
		if (db->writable ? k != 0 : k >= db->shards.size())
			return fail(db, XQ_ERR_INVALID, "no such shard");
		if (!db->writable && db->remote[k])
			return fail(db, XQ_ERR_INVALID, "a remote shard tells no revision");
		*out = db->writable ? db->wdb.get_revision() : db->shards[k].get_revision();
		return XQ_OK;
	});
}

xq_status xq_db_set_reopen_check(xq_db *db, xq_reopen_check_fn *fn, void *ud) noexcept
{
	return entry(db, [&] {
		if (!db)
			return fail(nullptr, XQ_ERR_INVALID, "NULL database handle");
		if (db->writable)
			return fail(db, XQ_ERR_INVALID, "a writable handle is never reopened");
		db->reopen_check = fn;
		db->reopen_check_ud = ud;
		settle(db);
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

unsigned xq_db_shard_count(const xq_db *db) noexcept
{
	return db && !db->writable ? static_cast<unsigned>(db->shards.size()) : 0;
}

const char *xq_db_shard_name(const xq_db *db, unsigned k) noexcept
{
	return k < xq_db_shard_count(db) ? db->names[k].c_str() : nullptr;
}

bool xq_db_shard_is_remote(const xq_db *db, unsigned k) noexcept
{
	return k < xq_db_shard_count(db) && db->remote[k];
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

xq_status xq_db_collfreq(xq_db *db, const char *term, size_t len, unsigned long long *out) noexcept
{
	return entry(db, [&] {
		if (!db || !out)
			return fail(db, XQ_ERR_INVALID, "NULL argument");
		*out = 0;
		if (term && len > 0 && len <= XQ_MAX_TERM_BYTES)
			*out = db->read().get_collection_freq(std::string(term, len));
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

/* Shard k of a read-only handle, or NULL (with the failure set on db). */
static Xapian::Database *shard_of(xq_db *db, unsigned k)
{
	if (db->writable || k >= db->shards.size()) {
		fail(db, XQ_ERR_INVALID, db->writable ? "a writable handle has no shards" : "no such shard");
		return nullptr;
	}
	return &db->shards[k];
}

xq_status xq_db_shard_get_metadata(xq_db *db, unsigned k, const char *key, char **value, size_t *len) noexcept
{
	clear_out(value);
	return entry(db, [&] {
		if (!db || !key || !value)
			return fail(db, XQ_ERR_INVALID, "NULL argument");
		Xapian::Database *d = shard_of(db, k);
		if (!d)
			return XQ_ERR_INVALID;
		std::string v = d->get_metadata(key);
		char *p = dup_bytes(v);
		if (!p)
			throw std::bad_alloc();
		*value = p;
		if (len)
			*len = v.size();
		return XQ_OK;
	});
}

xq_status xq_db_shard_doccount(xq_db *db, unsigned k, unsigned *out) noexcept
{
	return entry(db, [&] {
		if (!db || !out)
			return fail(db, XQ_ERR_INVALID, "NULL argument");
		Xapian::Database *d = shard_of(db, k);
		if (!d)
			return XQ_ERR_INVALID;
		*out = d->get_doccount();
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
			fault_committed();
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
