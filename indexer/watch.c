#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "roots.h"
#include "strbuf.h"

#define PROG "wensou-index"
#define QUIET_MS 1000   /* a run starts after a second without changes */
#define STEADY_MS 2000  /* or two seconds after the first of steady changes */
#define RESCAN_MS (15 * 60 * 1000) /* and every quarter of an hour anyway */

#define EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_ATTRIB | \
                IN_DELETE_SELF | IN_MOVE_SELF)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct watcher {
	int fd;
	const char *skip;   /* the index folder */
	bool full;          /* out of watches: said once */
} watcher;

/* Watch dir and the folders under it (hidden ones and the index aside,
 * as the indexer walks). */
static void watch_tree(watcher *w, const char *dir)
{
	if (w->skip && strcmp(dir, w->skip) == 0)
		return;
	if (inotify_add_watch(w->fd, dir, EVENTS | IN_ONLYDIR) < 0) {
		if (errno == ENOSPC && !w->full) {
			w->full = true;
			fprintf(stderr, PROG ": --watch: out of inotify watches (fs.inotify.max_user_watches): "
			        "folders past %s are indexed every %d minutes only\n", dir, RESCAN_MS / 60000);
		}
		return;
	}
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	strbuf path = STRBUF_INIT;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		strbuf_reset(&path);
		strbuf_appendf(&path, "%s/%s", dir, de->d_name);
		struct stat sb;
		if (stat(strbuf_str(&path), &sb) == 0 && S_ISDIR(sb.st_mode))
			watch_tree(w, strbuf_str(&path));
	}
	strbuf_free(&path);
	closedir(d);
}

/* A root that is not there: its nearest folder that is, so that the root
 * coming back (a folder made again, a disk mounted) is seen: the folder
 * made below it sets the watches again (ws_watch).  IN_MASK_ADD: that
 * folder may be watched already, with the events of a tree. */
static void watch_ancestor(watcher *w, const char *path)
{
	char *dir = strdup(path);
	struct stat sb;
	while (dir && *dir) {
		char *slash = strrchr(dir, '/');
		if (!slash)
			break;
		*slash = '\0';
		const char *d = *dir ? dir : "/";
		if (stat(d, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			inotify_add_watch(w->fd, d, EVENTS | IN_ONLYDIR | IN_MASK_ADD);
			break;
		}
	}
	free(dir);
}

/* Watch a root: a folder and the folders under it, or a file's folder. */
static void watch_path(watcher *w, const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT)
			watch_ancestor(w, path);
		return;
	}
	if (S_ISDIR(sb.st_mode)) {
		watch_tree(w, path);
		return;
	}
	char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (slash) {
		*slash = '\0';
		inotify_add_watch(w->fd, *dir ? dir : "/", EVENTS | IN_ONLYDIR);
	} else if (dir) {
		inotify_add_watch(w->fd, ".", EVENTS | IN_ONLYDIR);
	}
	free(dir);
}

/* Watch every root (a file root: its folder). */
static void watch_roots(watcher *w, const char *dbdir)
{
	ws_roots roots = {0};
	char *err = NULL;
	if (ws_roots_of_index(dbdir, &roots, &err) != 0) {
		fprintf(stderr, PROG ": --watch: %s\n", err);
		free(err);
	}
	for (size_t i = 0; i < roots.n; i++)
		watch_path(w, roots.items[i]);
	ws_roots_free(&roots);
}

int ws_watch(const options *opt, const char *dbdir, char **paths, int npaths, ws_index_fn *index_once)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	watcher w = {.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), .skip = dbdir};
	if (w.fd < 0) {
		fprintf(stderr, PROG ": --watch: cannot use inotify: %s\n", strerror(errno));
		return 2;
	}
	/* Watched before the first run, so that what changes while it runs
	 * (after it walked past, or after searchers can already see its
	 * result) makes the next run, instead of waiting for the rescan. */
	for (int i = 0; i < npaths; i++)
		watch_path(&w, paths[i]);
	watch_roots(&w, dbdir);
	int rc = index_once(opt, dbdir, paths, npaths);
	if (rc == 2) {
		close(w.fd);
		return rc;
	}
	watch_roots(&w, dbdir);
	if (!opt->quiet)
		fprintf(stderr, PROG ": watching the roots of %s for changes\n", dbdir);
	long long first = 0, last = 0, next_scan = now_ms() + RESCAN_MS;
	char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	while (!stop) {
		long long t = now_ms();
		long long due = first ? (last + QUIET_MS < first + STEADY_MS ? last + QUIET_MS : first + STEADY_MS)
		                      : next_scan;
		struct pollfd pfd = {w.fd, POLLIN, 0};
		int n = poll(&pfd, 1, due > t ? (int)(due - t) : 0);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0) {
			ssize_t len;
			bool rewatch = false;
			while ((len = read(w.fd, buf, sizeof buf)) > 0) {
				for (char *p = buf; p < buf + len;) {
					struct inotify_event *ev = (struct inotify_event *)p;
					/* a new folder, or events lost: its watches
					 * are set again before the run */
					if ((ev->mask & IN_ISDIR && ev->mask & (IN_CREATE | IN_MOVED_TO)) ||
					    ev->mask & IN_Q_OVERFLOW)
						rewatch = true;
					p += sizeof *ev + ev->len;
				}
			}
			if (rewatch)
				watch_roots(&w, dbdir);
			last = now_ms();
			if (!first)
				first = last;
			continue;
		}
		if (stop)
			break;
		if (now_ms() >= due) {
			index_once(opt, dbdir, NULL, 0);
			/* roots added by another run get their watches */
			watch_roots(&w, dbdir);
			first = last = 0;
			next_scan = now_ms() + RESCAN_MS;
		}
	}
	close(w.fd);
	return 0;
}
