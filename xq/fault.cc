/*
 * fault.cc - fault injection, compiled only into the test build of xq
 * (xq_faulty_dep, -DXQ_FAULT_INJECTION; see "Fault injection" in xq.h).
 *
 * Every extern "C" entry point that returns an xq_status calls
 * fault_call() first thing inside its guard (entry() in xq_private.hh),
 * and xq_db_commit calls fault_commit() just where Xapian's commit() would
 * be called.  Both count, process-wide and atomically; the one the
 * environment names throws a Xapian::DatabaseError, which the guard turns
 * into a status and message as it would a real one (or, for
 * XQ_FAULT_COMMIT_TERMINATE_AT, throws it through a noexcept frame, as
 * glass does, so that std::terminate runs).  fault_committed(),
 * called once commit() has returned, counts nothing: it only sleeps, for
 * tests that search between two shards' commits.
 */
#ifndef XQ_FAULT_INJECTION
#error "fault.cc belongs to the fault-injection build only (-DXQ_FAULT_INJECTION)"
#endif

#include "xq_private.hh"

#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

namespace {

std::atomic<unsigned long> calls{0};
std::atomic<unsigned long> commits{0};

/* A positive decimal number from the environment, or 0 (off) if name is
 * unset, empty or anything else. */
unsigned long env_number(const char *name) noexcept
{
	const char *s = std::getenv(name);
	if (!s || *s < '0' || *s > '9')
		return 0;
	char *end;
	errno = 0;
	unsigned long n = std::strtoul(s, &end, 10);
	return *end || errno ? 0 : n;
}

struct fault_plan {
	unsigned long call_at;   /* XQ_FAULT_AT */
	unsigned long commit_at; /* XQ_FAULT_COMMIT_AT */
	unsigned long commit_ms; /* XQ_FAULT_COMMIT_SLEEP_MS */
	unsigned long terminate_at; /* XQ_FAULT_COMMIT_TERMINATE_AT */
};

/* Read once, at the first counted call (so that a test may setenv before
 * it), then fixed for the process. */
const fault_plan &plan() noexcept
{
	static const fault_plan p{env_number("XQ_FAULT_AT"), env_number("XQ_FAULT_COMMIT_AT"),
	                          env_number("XQ_FAULT_COMMIT_SLEEP_MS"), env_number("XQ_FAULT_COMMIT_TERMINATE_AT")};
	return p;
}

/* At exit, "calls C commits K" to the file XQ_FAULT_COUNT names (read
 * then), so that a test can count a clean run before sweeping N over it. */
struct count_at_exit {
	count_at_exit() = default;
	count_at_exit(const count_at_exit &) = delete;
	count_at_exit &operator=(const count_at_exit &) = delete;
	~count_at_exit()
	{
		const char *path = std::getenv("XQ_FAULT_COUNT");
		if (!path || !*path)
			return;
		if (FILE *f = std::fopen(path, "w")) {
			std::fprintf(f, "calls %lu commits %lu\n", calls.load(), commits.load());
			std::fclose(f);
		}
	}
};

count_at_exit counter_file;

/* Glass's ~ValueUpdater on a write error: a throw that meets a noexcept
 * frame.  Called through a pointer so that the compiler cannot see (and
 * warn) that it always ends in std::terminate. */
[[noreturn]] void throw_inside(unsigned long n)
{
	throw Xapian::DatabaseError("injected fault inside xq commit " + std::to_string(n));
}

void (*volatile thrower)(unsigned long) = throw_inside;

void throw_through_noexcept(unsigned long n) noexcept
{
	thrower(n);
}

} // namespace

namespace xq_internal {

void fault_call()
{
	unsigned long n = calls.fetch_add(1) + 1;
	if (n == plan().call_at)
		throw Xapian::DatabaseError("injected fault at xq call " + std::to_string(n));
}

void fault_commit()
{
	unsigned long n = commits.fetch_add(1) + 1;
	if (n == plan().commit_at)
		throw Xapian::DatabaseError("injected fault at xq commit " + std::to_string(n));
	if (n == plan().terminate_at)
		throw_through_noexcept(n);
}

void fault_committed()
{
	if (unsigned long ms = plan().commit_ms)
		std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

} // namespace xq_internal
