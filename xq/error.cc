/*
 * error.cc - statuses, the messages of failed calls, and the argument
 * checks every other file of xq shares (xq_private.hh).
 */
#include "xq_private.hh"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>

namespace xq_internal {

static thread_local std::string last_error;

/* Store msg as the thread's last error and on db (if any).  Never throws:
 * if even that allocation fails the old message is cleared instead. */
void set_error(xq_db *db, const char *msg) noexcept
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

xq_status fail(xq_db *db, xq_status st, const char *msg) noexcept
{
	set_error(db, msg);
	return st;
}

/* The remote database an error's context names, as its stub line names it
 * (xq.h): Xapian's contexts are "remote:tcp(HOST:PORT)" and
 * "remote:prog(PROGRAM ARGS)" (net/remotetcpclient.cc, progclient.cc). */
static const char UNNAMED_REMOTE[] = "a remote shard";

static std::string remote_name(const std::string &context)
{
	auto inside = [&](const char *pfx) {
		size_t n = strlen(pfx);
		return context.compare(0, n, pfx) == 0 && context.back() == ')' ? context.substr(n, context.size() - n - 1)
		                                                                  : std::string();
	};
	std::string s;
	if (!(s = inside("remote:tcp(")).empty())
		return "remote shard " + s;
	if (!(s = inside("remote:prog(")).empty())
		return "remote shard :" + s;
	return context.empty() ? UNNAMED_REMOTE : "remote shard " + context;
}

/* Which remote shard of db has failed, when Xapian's error does not say
 * (it throws "Connection closed unexpectedly" without a context): the
 * one whose connection no longer answers a keep-alive.  A closed
 * connection fails at once; a live one answers at once, or within the
 * timeout.  "" when none is found. */
static std::string failed_remote(xq_db *db) noexcept
{
	try {
		for (size_t k = 0; db && k < db->shards.size(); k++) {
			if (!db->remote[k])
				continue;
			try {
				db->shards[k].keep_alive();
			} catch (const Xapian::Error &) {
				return "remote shard " + db->names[k].substr(strlen("remote "));
			}
		}
	} catch (...) {
	}
	return "";
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
		} catch (const Xapian::NetworkTimeoutError &e) {
			msg = remote_name(e.get_context()) + " did not answer in time (" + e.get_description() + ")";
			return XQ_ERR_NETWORK;
		} catch (const Xapian::NetworkError &e) {
			msg = remote_name(e.get_context()) + " failed (" + e.get_description() + ")";
			return XQ_ERR_NETWORK;
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
xq_status fail_current(xq_db *db) noexcept
{
	std::string msg;
	xq_status st = classify(msg);
	if (st == XQ_ERR_NETWORK && msg.compare(0, strlen(UNNAMED_REMOTE), UNNAMED_REMOTE) == 0) {
		try {
			std::string name = failed_remote(db);
			if (!name.empty())
				msg = name + msg.substr(strlen(UNNAMED_REMOTE));
		} catch (...) {
		}
	}
	set_error(db, msg.empty() && st == XQ_ERR_NOMEM ? "out of memory" : msg.c_str());
	return st;
}

/* Xapian refuses terms over 245 bytes, and an empty term means "every
 * document" to it, so both are rejected before Xapian sees them. */
xq_status check_term(xq_db *db, const char *term, size_t len, const char *what) noexcept
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

xq_status need_writable(xq_db *db) noexcept
{
	if (!db)
		return fail(nullptr, XQ_ERR_INVALID, "NULL database handle");
	if (!db->writable)
		return fail(db, XQ_ERR_INVALID, "database is open read-only");
	return XQ_OK;
}

} // namespace xq_internal

using namespace xq_internal;

/* The handler std::terminate calls (xq.h): inside it the exception that
 * met a noexcept frame is the one being handled, so classify() can
 * rethrow it to word its message. */
static void (*fatal_handler)(const char *message) = nullptr;

[[noreturn]] static void on_terminate() noexcept
{
	/* When the throw met the noexcept frame in a cleanup, C++ calls
	 * std::terminate with no exception to read: the error the throw
	 * reported (a write's EFBIG or ENOSPC) is then at best in errno. */
	int cause = errno;
	std::string msg;
	try {
		if (std::current_exception()) {
			classify(msg);
		} else {
			msg = "internal error: Xapian ended the process from inside a call";
			if (cause)
				msg = msg + " (the last system error, perhaps the cause: " + strerror(cause) + ")";
		}
	} catch (...) {
	}
	if (fatal_handler)
		fatal_handler(msg.empty() ? "out of memory" : msg.c_str());
	std::abort();
}

extern "C" {

const char *xq_status_to_string(xq_status status) noexcept
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
	case XQ_ERR_NETWORK: return "a remote database failed or did not answer in time";
	case XQ_ERR_XAPIAN: return "Xapian error";
	case XQ_ERR_INTERNAL: return "internal error";
	}
	return "unknown status";
}

const char *xq_last_error(void) noexcept
{
	return last_error.c_str();
}

void xq_set_fatal_handler(void (*fatal)(const char *message)) noexcept
{
	static std::terminate_handler cxx_default = nullptr;
	if (fatal && !fatal_handler)
		cxx_default = std::set_terminate(on_terminate);
	else if (!fatal && fatal_handler)
		std::set_terminate(cxx_default);
	fatal_handler = fatal;
}

} /* extern "C" */
