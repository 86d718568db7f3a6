/*
 * progchild.cc - ending the program of a "remote :PROGRAM" that Xapian
 * leaves behind (xq_private.hh).
 *
 * Xapian 1.4's ProgClient forks and execs the program inside the
 * initialiser of its RemoteDatabase base; when the handshake that follows
 * fails (a timeout, a program that is no Xapian server), the exception
 * leaves the constructor, ProgClient's destructor never runs, and the
 * child is neither killed nor reaped (net/progclient.cc).  Each failed
 * open left a process running (an ssh to a dead host, say) or a zombie:
 * one per request of a --serve whose remote shard is down.  The calling
 * thread's children before and after the open (Linux's
 * /proc/thread-self/children) tell which one Xapian started.
 */
#include "xq_private.hh"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace xq_internal {

std::vector<pid_t> thread_children() noexcept
{
	std::vector<pid_t> pids;
	try {
		std::ifstream in("/proc/thread-self/children");
		pids.assign(std::istream_iterator<pid_t>(in), std::istream_iterator<pid_t>());
	} catch (...) {
		pids.clear();
	}
	return pids;
}

/* argv[0] of process pid as /proc shows it ("" if gone, exiting or a
 * zombie). */
static std::string program_of(pid_t pid)
{
	std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
	std::string arg0;
	std::getline(in, arg0, '\0');
	return arg0;
}

void end_left_children(const std::vector<pid_t> &before, const std::string &program) noexcept
{
	try {
		for (pid_t pid : thread_children()) {
			if (std::find(before.begin(), before.end(), pid) != before.end())
				continue;
			/* a zombie, or one on its way out, shows no program */
			std::string running = program_of(pid);
			if (!running.empty() && running != program)
				continue; /* a child of someone else's call */
			kill(pid, SIGTERM);
			/* a tenth of a second to go, then no choice */
			bool gone = false;
			for (int i = 0; i < 20 && !gone; i++) {
				gone = waitpid(pid, nullptr, WNOHANG) == pid;
				if (!gone)
					usleep(5000);
			}
			if (!gone) {
				kill(pid, SIGKILL);
				waitpid(pid, nullptr, 0);
			}
		}
	} catch (...) {
	}
}

} // namespace xq_internal
