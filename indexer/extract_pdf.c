/*
 * extract_pdf.c - PDF text through poppler-glib, in a process of its own.
 *
 * wensou-pdf-text (pdf_text.c) reads the PDF from its standard input (a
 * memfd holding the bytes already read) and writes the laid-out text as
 * records (pdf_records.h) on its standard output, a pipe read here under a
 * deadline; the helper is killed when it passes.  It is spawned (exec),
 * not forked: the indexer has threads, and a forked child of a threaded
 * process may not call malloc or poppler safely.  The indexer itself never
 * calls poppler or GLib.
 */
#include "extract_pdf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "pdf_records.h"
#include "selfpath.h"
#include "strbuf.h"

#ifndef WENSOU_LIBEXECDIR
#define WENSOU_LIBEXECDIR "/usr/local/libexec/wensou"
#endif

extern char **environ;

/* ---- the parent ------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned default_timeout(size_t len)
{
	const char *e = getenv("WENSOU_PDF_TIMEOUT");
	if (e && *e) {
		long v = strtol(e, NULL, 10);
		if (v > 0)
			return (unsigned)v;
	}
	return 60 + (unsigned)(len >> 20);
}

static char *dup_n(const unsigned char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Read the records in buf into out.  Returns the result. */
static ws_extract_result parse_records(const unsigned char *buf, size_t n, ws_doctext *out, char **why)
{
	size_t i = 0;
	bool have_text = false;
	while (i + 5 <= n) {
		char tag = (char)buf[i];
		size_t len = (size_t)buf[i + 1] << 24 | (size_t)buf[i + 2] << 16 | (size_t)buf[i + 3] << 8 | buf[i + 4];
		i += 5;
		if (len > n - i)
			break;
		const unsigned char *p = buf + i;
		i += len;
		switch (tag) {
		case REC_ERROR: {
			char kind = len ? (char)p[0] : ERR_UNREADABLE;
			free(*why);
			*why = dup_n(p + (len ? 1 : 0), len ? len - 1 : 0);
			return kind == ERR_ENCRYPTED ? WS_EXTRACT_ENCRYPTED
			     : kind == ERR_NO_TEXT   ? WS_EXTRACT_NO_TEXT
			     : kind == ERR_EMPTY     ? WS_EXTRACT_EMPTY
			                             : WS_EXTRACT_UNREADABLE;
		}
		case REC_TITLE:
			free(out->doc_title);
			out->doc_title = dup_n(p, len);
			break;
		case REC_AUTHOR:
			free(out->doc_source);
			out->doc_source = dup_n(p, len);
			break;
		case REC_YEAR: {
			char y[16] = {0};
			memcpy(y, p, len < 15 ? len : 15);
			int v = atoi(y);
			out->doc_year = v >= 1900 && v <= 2099 ? v : 0;
			break;
		}
		case REC_PAGES: {
			char d[16] = {0};
			memcpy(d, p, len < 15 ? len : 15);
			long v = atol(d);
			if (v > 0 && v < 10000000 && !out->page_labels) {
				out->page_labels = calloc((size_t)v, sizeof *out->page_labels);
				out->npages = out->page_labels ? (size_t)v : 0;
			}
			break;
		}
		case REC_LABEL: {
			char d[16] = {0};
			size_t k = 0;
			while (k < len && k < 15 && p[k] != ' ')
				d[k] = (char)p[k], k++;
			long pg = atol(d);
			if (pg >= 1 && (size_t)pg <= out->npages && k < len && !out->page_labels[pg - 1])
				out->page_labels[pg - 1] = dup_n(p + k + 1, len - k - 1);
			break;
		}
		case REC_TEXT:
			free(out->owned);
			out->owned = dup_n(p, len);
			if (!out->owned) {
				*why = strdup("out of memory");
				return WS_EXTRACT_UNREADABLE;
			}
			out->text = out->owned;
			out->len = len;
			have_text = true;
			break;
		default:
			break;
		}
	}
	if (!have_text) {
		free(*why);
		*why = strdup("not a readable PDF: its parser stopped without an answer");
		return WS_EXTRACT_UNREADABLE;
	}
	return WS_EXTRACT_OK;
}

/* The helper: $WENSOU_PDF_HELPER, else beside this program (an installed
 * wensou-index's libexec folder is named at build time; a build tree has
 * it beside wensou-index), else in WENSOU_LIBEXECDIR. */
static char *helper_path(void)
{
	const char *env = getenv("WENSOU_PDF_HELPER");
	if (env && *env)
		return strdup(env);
	static const char *const beside[] = {"/wensou-pdf-text", "/../indexer/wensou-pdf-text"};
	char *p = ws_beside_program(beside, sizeof beside / sizeof *beside, X_OK);
	return p ? p : strdup(WENSOU_LIBEXECDIR "/wensou-pdf-text");
}

/* Start the helper on data: its stdin a memfd of the bytes, its stdout
 * the write end of a pipe whose read end goes to fds[0] (fds[1] closed).
 * Returns 0, or -1 with *why. */
static int spawn_helper(const char *data, size_t len, pid_t *pid, int fds[2], char **why)
{
	char *helper = helper_path();
	int in = memfd_create("wensou-pdf", MFD_CLOEXEC);
	int dn = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int rc = -1;
	fds[0] = fds[1] = -1;
	size_t done = 0;
	while (in >= 0 && done < len) {
		ssize_t w = write(in, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	if (!helper || in < 0 || done < len || lseek(in, 0, SEEK_SET) != 0 || pipe2(fds, O_CLOEXEC) != 0) {
		*why = ws_strdupf("cannot start the PDF reader: %s", strerror(errno ? errno : ENOMEM));
		goto out;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	/* poppler's complaints about a damaged file go nowhere: the answer
	 * says what matters */
	if (dn >= 0)
		posix_spawn_file_actions_adddup2(&fa, dn, 2);
	char name[] = "wensou-pdf-text";
	char *argv[] = {name, NULL};
	int e = posix_spawn(pid, helper, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		*why = ws_strdupf("cannot start the PDF reader %s: %s", helper, strerror(e));
		goto out;
	}
	rc = 0;
out:
	if (fds[1] >= 0)
		close(fds[1]);
	fds[1] = -1;
	if (rc != 0 && fds[0] >= 0) {
		close(fds[0]);
		fds[0] = -1;
	}
	if (in >= 0)
		close(in);
	if (dn >= 0)
		close(dn);
	free(helper);
	return rc;
}

ws_extract_result ws_extract_pdf(const char *data, size_t len, unsigned timeout_s, ws_doctext *out, char **why)
{
	memset(out, 0, sizeof *out);
	out->body_line = 1;
	*why = NULL;
	if (!timeout_s)
		timeout_s = default_timeout(len);
	/* as for every other format, an empty file is skipped, not failed */
	bool blank = true;
	for (size_t i = 0; i < len && blank; i++)
		blank = isspace((unsigned char)data[i]) != 0;
	if (blank) {
		*why = strdup("empty file (nothing but white space)");
		return WS_EXTRACT_EMPTY;
	}
	if (len < 5 || memcmp(data, "%PDF-", 5) != 0) {
		/* poppler would look for a header further in; a file named .pdf
		 * that starts with something else is not one */
		if (len < 1024 || !memmem(data, 1024, "%PDF-", 5)) {
			*why = strdup("not a readable PDF: no %PDF- header");
			return WS_EXTRACT_UNREADABLE;
		}
	}
	pid_t pid;
	int fds[2];
	if (spawn_helper(data, len, &pid, fds, why) != 0)
		return WS_EXTRACT_UNREADABLE;
	strbuf buf = STRBUF_INIT;
	double deadline = now_s() + timeout_s;
	bool timed_out = false, too_big = false, oom = false;
	for (;;) {
		double left = deadline - now_s();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
		int pr = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0)
			continue;
		if (pr < 0)
			break;
		if (!strbuf_reserve(&buf, 65536)) {
			oom = true;
			break;
		}
		ssize_t r = read(fds[0], buf.data + buf.len, 65536);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		buf.len += (size_t)r;
		if (buf.len > MAX_TEXT_BYTES + 65536) {
			too_big = true;
			break;
		}
	}
	close(fds[0]);
	if (timed_out || too_big || oom)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	ws_extract_result res;
	if (timed_out) {
		*why = ws_strdupf("not a readable PDF: parsing took longer than %u s, stopped", timeout_s);
		res = WS_EXTRACT_UNREADABLE;
	} else if (too_big) {
		*why = ws_strdupf("too much text (over %u MB)", MAX_TEXT_BYTES >> 20);
		res = WS_EXTRACT_UNREADABLE;
	} else if (oom) {
		*why = strdup("out of memory");
		res = WS_EXTRACT_UNREADABLE;
	} else if (WIFSIGNALED(status)) {
		*why = ws_strdupf("not a readable PDF: the parser died (%s)", strsignal(WTERMSIG(status)));
		res = WS_EXTRACT_UNREADABLE;
	} else {
		res = parse_records((const unsigned char *)(buf.data ? buf.data : ""), buf.len, out, why);
	}
	strbuf_free(&buf);
	if (res != WS_EXTRACT_OK) {
		char *w = *why;
		ws_doctext_free(out);
		*why = w;
		if (!*why)
			*why = strdup("out of memory");
	}
	return res;
}
