/*
 * xq_private.hh - what the files of xq share and nothing outside sees: the
 * handle structs behind xq.h's opaque types, the error helpers, and
 * guard(), which turns every exception into an xq_status.
 *
 * xq is split by concept: error.cc (statuses, messages, argument checks),
 * database.cc (open, close, metadata, writes, commit, compact, posting
 * lists), document.cc (documents built in C), query.cc (queries) and
 * enquire.cc (searching and its hits).
 *
 * Every extern "C" function of xq is noexcept: its body runs inside
 * guard() (or an explicit try/catch), which turns any exception into an
 * xq_status and a message.  Argument errors detected by xq itself (NULL
 * handles, bad term lengths) are reported through fail() without throwing.
 */
#ifndef WENSOU_XQ_PRIVATE_HH
#define WENSOU_XQ_PRIVATE_HH

#include "xq.h"

#include <xapian.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <sys/types.h>
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
	 * rdb.  They share rdb's internals, so reopening rdb reopens them. */
	std::vector<Xapian::Database> shards;
	/* Beside each shard: its name (a path, or the stub line of a remote
	 * one, "remote HOST:PORT"), and whether it is remote. */
	std::vector<std::string> names;
	std::vector<bool> remote;
	/* Some shard is remote: Xapian 1.4 runs no MatchDecider over one
	 * (xq_enquire_run checks candidates itself then). */
	bool has_remote = false;
	/* For remote shards: to connect, and for each answer (ms). */
	unsigned timeout_ms = XQ_DEFAULT_TIMEOUT_MS;
	bool writable = false;
	/* Run after every reopen (xq_db_set_reopen_check). */
	xq_reopen_check_fn *reopen_check = nullptr;
	void *reopen_check_ud = nullptr;
	/* A writable handle always has our own implicit unflushed
	 * transaction open (see begin_implicit in database.cc for why). */
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
	/* The collapse asked for (max 0: none), kept for runs over a remote
	 * shard, which collapse after the decider themselves. */
	Xapian::valueno collapse_slot = Xapian::BAD_VALUENO;
	unsigned collapse_max = 0;
	explicit xq_enquire(xq_db *d) : db(d), enq(d->read()) {}
	const Xapian::MatchDecider *active_decider() const { return decider.fn ? &decider : nullptr; }
};

struct xq_hits {
	xq_db *db = nullptr;
	std::vector<Xapian::docid> ids;
	std::vector<double> weights;
	unsigned estimated = 0;
	/* Lazily fetched; the strings live as long as the hits so that the
	 * pointers handed out stay valid (vector sized once, map nodes are
	 * stable). */
	std::vector<std::string> data;
	std::vector<char> have_data;
	std::map<std::pair<size_t, unsigned>, std::string> values;
};

namespace xq_internal {

/* ------------------------------------------------------------------ */
/* Errors (error.cc)                                                    */

/* Store msg as the thread's last error and on db (if any).  Never throws:
 * if even that allocation fails the old message is cleared instead. */
void set_error(xq_db *db, const char *msg) noexcept;

/* Record msg (as set_error) and return st: for errors found without an
 * exception (bad arguments). */
xq_status fail(xq_db *db, xq_status st, const char *msg) noexcept;

/* Classify the exception being handled into a status and record its
 * message on the thread and on db.  Must be called from inside a catch
 * block. */
xq_status fail_current(xq_db *db) noexcept;

/* Run f (returning xq_status) with every exception turned into a status. */
template <typename F>
xq_status guard(xq_db *db, F &&f) noexcept
{
	try {
		return f();
	} catch (...) {
		return fail_current(db);
	}
}

/* Around Xapian::Remote::open(PROGRAM, ...), whose program Xapian leaves
 * running (or a zombie) when the handshake fails (progchild.cc): the
 * calling thread's children before the open, and, after a failed one,
 * the end of those it gained that run program (and of its zombies).
 * Linux only; elsewhere nothing is seen and nothing is done. */
std::vector<pid_t> thread_children() noexcept;
void end_left_children(const std::vector<pid_t> &before, const std::string &program) noexcept;

/* The fault-injection hooks (fault.cc, built into xq_faulty_dep only;
 * see xq.h).  fault_call() counts a call of an extern "C" entry point
 * returning an xq_status, fault_commit() a commit reaching Xapian's
 * commit(); either throws Xapian::DatabaseError when it is the one the
 * environment names.  fault_committed() follows a commit that succeeded
 * and sleeps as long as the environment says (a slow disk).  In the
 * normal library they are empty. */
#ifdef XQ_FAULT_INJECTION
void fault_call();
void fault_commit();
void fault_committed();
#else
inline void fault_call() noexcept {}
inline void fault_commit() noexcept {}
inline void fault_committed() noexcept {}
#endif

/* The body of every extern "C" entry point that returns an xq_status: f
 * (argument checks included) runs inside guard(), after fault_call(). */
template <typename F>
xq_status entry(xq_db *db, F &&f) noexcept
{
	return guard(db, [&]() -> xq_status {
		fault_call();
		return f();
	});
}

/* Out parameters are cleared before anything else, so that they hold NULL
 * (0) after any failure, an injected one included. */
template <typename T>
inline void clear_out(T **out) noexcept
{
	if (out)
		*out = nullptr;
}

inline void clear_len(size_t *len) noexcept
{
	if (len)
		*len = 0;
}

/* Xapian refuses terms over 245 bytes, and an empty term means "every
 * document" to it, so both are rejected before Xapian sees them. */
xq_status check_term(xq_db *db, const char *term, size_t len, const char *what) noexcept;

/* Move a read-only handle to the latest revision, then run its reopen
 * check (database.cc) until it is satisfied: every reopen of xq goes
 * through here.  True when the handle may have moved.  Throws what
 * Xapian throws. */
bool reopen_checked(xq_db *db);

/* XQ_ERR_INVALID unless db is a writable handle. */
xq_status need_writable(xq_db *db) noexcept;

/* A malloc'd NUL-terminated copy of s, or NULL. */
inline char *dup_bytes(const std::string &s) noexcept
{
	char *p = static_cast<char *>(std::malloc(s.size() + 1));
	if (p) {
		std::memcpy(p, s.data(), s.size());
		p[s.size()] = '\0';
	}
	return p;
}

} // namespace xq_internal

#endif /* WENSOU_XQ_PRIVATE_HH */
