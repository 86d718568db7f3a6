/*
 * test_xq_fault.c - the fault injection of xq's test build (xq_faulty_dep;
 * "Fault injection" in xq.h).
 *
 * The faulty library reads its variables once, at its first counted call,
 * and counts calls for the whole process, so every scenario runs in a
 * child process of its own: the child sets the variables with setenv,
 * makes its xq calls, checks each, and exits 0 only if all is as it
 * should be (exiting also writes XQ_FAULT_COUNT).  The parent (cmocka)
 * makes no xq call at all.
 */
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmpdir.h"
#include "xq.h"



/* ------------------------------------------------------------------ */
/* Children                                                             */

typedef struct child_env {
	unsigned long fault_at;  /* XQ_FAULT_AT, 0: unset */
	unsigned long commit_at; /* XQ_FAULT_COMMIT_AT, 0: unset */
	const char *count_path;  /* XQ_FAULT_COUNT, NULL: unset */
} child_env;

static void set_number(const char *name, unsigned long n)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lu", n);
	if (n)
		setenv(name, buf, 1);
	else
		unsetenv(name);
}

/* Run fn(arg) in a child process with env set; its exit status (0: every
 * check passed), or -1 if it did not exit. */
static int in_child(int (*fn)(const child_env *, void *), const child_env *env, void *arg)
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		set_number("XQ_FAULT_AT", env->fault_at);
		set_number("XQ_FAULT_COMMIT_AT", env->commit_at);
		if (env->count_path)
			setenv("XQ_FAULT_COUNT", env->count_path, 1);
		else
			unsetenv("XQ_FAULT_COUNT");
		int rc = fn(env, arg);
		fflush(NULL);
		exit(rc); /* exit(), not _exit(): XQ_FAULT_COUNT is written at exit */
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The "calls C commits K" line at path. */
static void read_count(const char *path, unsigned long *calls, unsigned long *commits)
{
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("no count file at %s", path);
	int n = fscanf(f, "calls %lu commits %lu\n", calls, commits);
	int rest = fgetc(f);
	fclose(f);
	assert_int_equal(n, 2);
	assert_int_equal(rest, EOF);
	remove(path);
}

/* In a child: report a failed check (the exit status says which line). */
#define CHECK(c)                                                                                         \
	do {                                                                                             \
		if (!(c)) {                                                                              \
			fprintf(stderr, "%s:%d: check failed: %s (last xq error: \"%s\")\n", __FILE__, __LINE__, \
			        #c, xq_last_error());                                                    \
			return 1;                                                                        \
		}                                                                                        \
	} while (0)

/* ------------------------------------------------------------------ */
/* A scenario of every counted call, each checked                       */

/* The scenario's own tally of its counted calls, to compare with the
 * library's. */
typedef struct tally {
	unsigned long fault_at; /* the call that is to fail, 0: none */
	unsigned long calls;    /* counted calls made so far */
	unsigned long faults;   /* injected faults seen */
} tally;

/* Check the status st of the counted call just made: the injected fault
 * if it is call fault_at, else success. */
static bool counted(tally *t, xq_status st, xq_db *db, const char *what, int line)
{
	unsigned long n = ++t->calls;
	if (n == t->fault_at) {
		char want[64];
		snprintf(want, sizeof want, "DatabaseError: injected fault at xq call %lu", n);
		if (st == XQ_ERR_XAPIAN && !strcmp(xq_last_error(), want) && (!db || !strcmp(xq_db_error(db), want))) {
			t->faults++;
			return true;
		}
		fprintf(stderr, "line %d: call %lu, %s, should have failed as injected: %s (\"%s\")\n", line, n, what,
		        xq_status_to_string(st), xq_last_error());
		return false;
	}
	if (st == XQ_OK)
		return true;
	fprintf(stderr, "line %d: call %lu, %s, failed: %s (\"%s\")\n", line, n, what, xq_status_to_string(st),
	        xq_last_error());
	return false;
}

/* Make the counted call expr (on handle db, or NULL); if it is the one
 * that is to fail, check that it did and make it once more (a new call,
 * which must succeed): an injected fault changes nothing, so the rest of
 * the scenario runs as a clean one does. */
#define CALL(t, db, expr)                                                          \
	do {                                                                       \
		xq_status st_ = (expr);                                            \
		if (!counted((t), st_, (db), #expr, __LINE__))                     \
			return 1;                                                  \
		if (st_ != XQ_OK && !counted((t), (expr), (db), #expr, __LINE__)) \
			return 1;                                                  \
	} while (0)

static int first_key(const char *key, const char *value, size_t len, void *ud)
{
	(void)value;
	(void)len;
	snprintf(ud, 16, "%s", key);
	return 1;
}

static int count_terms(const char *term, size_t len, unsigned freq, void *ud)
{
	(void)term;
	(void)len;
	(void)freq;
	++*(unsigned *)ud;
	return 0;
}

static bool keep_all(void *ud, const char *data, size_t len)
{
	(void)data;
	(void)len;
	++*(unsigned *)ud;
	return true;
}

/* Every entry point that returns an xq_status, at least once, in a run
 * that succeeds throughout when nothing is injected. */
static int scenario(const child_env *env, void *arg)
{
	tally t = {.fault_at = env->fault_at};
	const char *dir = arg;
	char path[PATH_MAX], path2[PATH_MAX], compacted[PATH_MAX];
	snprintf(path, sizeof path, "%s/db", dir);
	snprintf(path2, sizeof path2, "%s/db2", dir);
	snprintf(compacted, sizeof compacted, "%s/compacted", dir);

	xq_db *w = NULL, *r = NULL;
	CALL(&t, NULL, xq_db_open_writable(path, XQ_CREATE_OR_OVERWRITE, &w));
	CHECK(w);
	xq_doc *doc = xq_doc_new();
	CHECK(doc);
	CALL(&t, NULL, xq_doc_add_posting(doc, "alpha", 5, 1, 1));
	CALL(&t, NULL, xq_doc_add_term(doc, "beta", 4, 1));
	CALL(&t, NULL, xq_doc_add_boolean_term(doc, "Qa", 2));
	char year[18];
	size_t ylen = xq_sortable_serialise(2024, year);
	CALL(&t, NULL, xq_doc_set_value(doc, 0, year, ylen));
	CALL(&t, NULL, xq_doc_set_value(doc, 1, "fileA", 5));
	CALL(&t, NULL, xq_doc_set_data(doc, "a", 1));
	unsigned docid = 0;
	CALL(&t, w, xq_db_add_document(w, doc, &docid));
	CHECK(docid == 1);
	xq_doc_free(doc);
	CALL(&t, w, xq_db_set_metadata(w, "k", "v", 1));
	CALL(&t, w, xq_db_commit(w));
	unsigned count = 0;
	CALL(&t, w, xq_db_doccount(w, &count));
	CHECK(count == 1);
	CALL(&t, w, xq_db_delete_documents(w, "Qnone", 5));
	xq_db_close(w);

	/* A second database, searched with the first. */
	CALL(&t, NULL, xq_db_open_writable(path2, XQ_CREATE_OR_OVERWRITE, &w));
	CHECK(w);
	doc = xq_doc_new();
	CHECK(doc);
	CALL(&t, NULL, xq_doc_add_posting(doc, "alpha", 5, 1, 1));
	CALL(&t, NULL, xq_doc_set_data(doc, "b", 1));
	CALL(&t, w, xq_db_add_document(w, doc, NULL));
	xq_doc_free(doc);
	CALL(&t, w, xq_db_commit(w));
	xq_db_close(w);
	CALL(&t, NULL, xq_db_compact(path2, compacted));

	CALL(&t, NULL, xq_db_open(path, &r));
	CHECK(r);
	CALL(&t, r, xq_db_add_database(r, compacted));
	CALL(&t, r, xq_db_reopen(r, NULL));
	unsigned long long rev = 0;
	CALL(&t, r, xq_db_revision(r, 1, &rev));
	CHECK(rev > 0);
	CALL(&t, r, xq_db_doccount(r, &count));
	CHECK(count == 2);
	CALL(&t, r, xq_db_termfreq(r, "alpha", 5, &count));
	CHECK(count == 2);
	count = 0;
	CALL(&t, r, xq_db_terms_foreach(r, "al", count_terms, &count));
	CHECK(count == 1);
	char *value = NULL;
	CALL(&t, r, xq_db_get_metadata(r, "k", &value, NULL));
	CHECK(value && !strcmp(value, "v"));
	free(value);
	char key[16] = "";
	CALL(&t, r, xq_db_metadata_foreach(r, "", first_key, key));
	CHECK(!strcmp(key, "k"));
	unsigned ids[2] = {1, 2};
	bool present[2] = {false, false};
	CALL(&t, r, xq_db_mark_term(r, "beta", 4, ids, 2, present));
	CHECK(present[0] && !present[1]);

	xq_query *qa = NULL, *qb = NULL, *range = NULL, *wild = NULL, *all = NULL, *q = NULL;
	CALL(&t, NULL, xq_query_term("alpha", 5, 1, 0, &qa));
	CALL(&t, NULL, xq_query_term("beta", 4, 1, 0, &qb));
	CALL(&t, NULL, xq_query_value_range(0, year, ylen, NULL, 0, &range));
	CALL(&t, NULL, xq_query_wildcard("al", 2, 0, &wild));
	CALL(&t, NULL, xq_query_match_all(&all));
	xq_query *subs[3] = {qa, wild, all};
	CALL(&t, NULL, xq_query_combine(XQ_OP_AND, subs, 3, 0, &q));
	CHECK(qa && qb && range && wild && all && q);

	xq_enquire *enq = NULL;
	xq_hits *hits = NULL;
	unsigned decided = 0;
	CALL(&t, r, xq_enquire_new(r, &enq));
	CALL(&t, r, xq_enquire_set_query(enq, q));
	CALL(&t, r, xq_enquire_set_bm25(enq, 1.2, 0, 1, 0.75, 0.5));
	CALL(&t, r, xq_enquire_set_collapse(enq, 1, 1));
	CALL(&t, r, xq_enquire_set_decider(enq, keep_all, &decided));
	CALL(&t, r, xq_enquire_run(enq, 0, 10, &hits));
	CHECK(xq_hits_count(hits) == 2 && decided == 2);
	const char *data = NULL, *file = NULL;
	size_t len = 0;
	CALL(&t, r, xq_hits_data(hits, 0, &data, &len));
	CHECK(data && len == 1);
	CALL(&t, r, xq_hits_value(hits, 1, 1, &file, &len));
	CHECK(file);
	xq_hits_free(hits);
	xq_enquire_free(enq);
	xq_query_free(qa);
	xq_query_free(qb);
	xq_query_free(range);
	xq_query_free(wild);
	xq_query_free(all);
	xq_query_free(q);
	xq_db_close(r);

	CHECK(t.faults <= 1);
	/* The parent compares the tally with the library's count. */
	char tally_path[PATH_MAX];
	snprintf(tally_path, sizeof tally_path, "%s/tally", dir);
	FILE *f = fopen(tally_path, "w");
	CHECK(f);
	fprintf(f, "%lu\n", t.calls);
	fclose(f);
	return 0;
}

static unsigned long read_tally(const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/tally", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	unsigned long n = 0;
	assert_int_equal(fscanf(f, "%lu", &n), 1);
	fclose(f);
	remove(path);
	return n;
}

/* A clean run counts its calls and commits; then, for every N, call N and
 * only call N fails, with the message, and everything else goes on. */
static void test_call_sweep(void **state)
{
	(void)state;
	char dir[PATH_MAX], count[PATH_MAX];
	path_in_tmp(dir, sizeof dir, "sweep");
	path_in_tmp(count, sizeof count, "sweep.count");
	assert_int_equal(mkdir(dir, 0700), 0);

	child_env env = {.count_path = count};
	assert_int_equal(in_child(scenario, &env, dir), 0);
	unsigned long calls = 0, commits = 0;
	read_count(count, &calls, &commits);
	assert_int_equal(calls, read_tally(dir));
	assert_true(calls >= 33); /* each of the 33 entry points, some twice */
	assert_int_equal(commits, 2);

	for (unsigned long n = 1; n <= calls; n++) {
		env.fault_at = n;
		if (in_child(scenario, &env, dir) != 0)
			fail_msg("with XQ_FAULT_AT=%lu", n);
		unsigned long c = 0, k = 0;
		read_count(count, &c, &k);
		/* the faulted call, then the same call once more */
		assert_int_equal(c, calls + 1);
		assert_int_equal(read_tally(dir), calls + 1);
		assert_int_equal(k, commits);
	}
	/* Past the last call nothing fails. */
	env.fault_at = calls + 1;
	assert_int_equal(in_child(scenario, &env, dir), 0);
	unsigned long c = 0, k = 0;
	read_count(count, &c, &k);
	assert_int_equal(c, calls);
	assert_int_equal(read_tally(dir), calls);
}

/* Arguments xq refuses by itself still count as calls, and the faulted
 * one fails as injected, not as refused. */
static int bad_arguments(const child_env *env, void *arg)
{
	(void)arg;
	xq_db *db = (xq_db *)1;
	xq_query *q = (xq_query *)1;
	CHECK(env->fault_at == 3);
	CHECK(xq_db_doccount(NULL, NULL) == XQ_ERR_INVALID);          /* 1 */
	CHECK(xq_query_term("", 0, 1, 0, &q) == XQ_ERR_INVALID);       /* 2 */
	CHECK(q == NULL);
	CHECK(xq_db_open(NULL, &db) == XQ_ERR_XAPIAN);                 /* 3 */
	CHECK(db == NULL);
	CHECK(!strcmp(xq_last_error(), "DatabaseError: injected fault at xq call 3"));
	CHECK(xq_db_open(NULL, &db) == XQ_ERR_INVALID);                /* 4 */
	/* Neither the void, pointer nor number functions count. */
	xq_doc *doc = xq_doc_new();
	CHECK(doc);
	xq_doc_free(doc);
	xq_db_close(NULL);
	CHECK(xq_hits_count(NULL) == 0);
	char buf[18];
	CHECK(xq_sortable_serialise(1, buf) > 0);
	CHECK(strlen(xq_status_to_string(XQ_OK)) > 0);
	return 0;
}

static void test_bad_arguments_count(void **state)
{
	(void)state;
	char count[PATH_MAX];
	path_in_tmp(count, sizeof count, "args.count");
	child_env env = {.fault_at = 3, .count_path = count};
	assert_int_equal(in_child(bad_arguments, &env, NULL), 0);
	unsigned long calls = 0, commits = 0;
	read_count(count, &calls, &commits);
	assert_int_equal(calls, 4);
	assert_int_equal(commits, 0);
}

/* ------------------------------------------------------------------ */
/* Commits                                                              */

enum { COMMITS = 4 };

static unsigned doccount_at(const char *path)
{
	xq_db *db = NULL;
	unsigned n = 0;
	if (xq_db_open(path, &db) != XQ_OK || xq_db_doccount(db, &n) != XQ_OK)
		n = 999;
	xq_db_close(db);
	return n;
}

/* COMMITS commits of one document each; the one XQ_FAULT_COMMIT_AT names
 * fails, and the database stays at the commit before it. */
static int commits(const child_env *env, void *arg)
{
	const char *path = arg;
	xq_db *w = NULL, *r = NULL;
	CHECK(xq_db_open_writable(path, XQ_CREATE_OR_OVERWRITE, &w) == XQ_OK);
	CHECK(xq_db_open(path, &r) == XQ_OK); /* the new, empty database */
	for (unsigned k = 1; k <= COMMITS; k++) {
		char mark[2] = {(char)('0' + k), '\0'};
		xq_doc *doc = xq_doc_new();
		CHECK(doc);
		CHECK(xq_doc_add_term(doc, "word", 4, 1) == XQ_OK);
		CHECK(xq_db_add_document(w, doc, NULL) == XQ_OK);
		xq_doc_free(doc);
		CHECK(xq_db_set_metadata(w, "commit", mark, 1) == XQ_OK);
		xq_status st = xq_db_commit(w);
		if (k != env->commit_at) {
			CHECK(st == XQ_OK);
			continue;
		}
		char want[64];
		snprintf(want, sizeof want, "DatabaseError: injected fault at xq commit %u", k);
		CHECK(st == XQ_ERR_XAPIAN);
		CHECK(!strcmp(xq_last_error(), want));
		CHECK(!strcmp(xq_db_error(w), want));
		/* The writer still sees its pending change... */
		unsigned n = 0;
		CHECK(xq_db_doccount(w, &n) == XQ_OK && n == k);
		/* ...but nothing of it is durable: a reader reopened, or a
		 * new one, finds the previous commit. */
		CHECK(xq_db_reopen(r, NULL) == XQ_OK);
		CHECK(xq_db_doccount(r, &n) == XQ_OK && n == k - 1);
		CHECK(doccount_at(path) == k - 1);
		char *v = NULL;
		CHECK(xq_db_get_metadata(r, "commit", &v, NULL) == XQ_OK);
		mark[0] = k == 1 ? '\0' : (char)('0' + k - 1);
		CHECK(!strcmp(v, mark));
		free(v);
		/* Closing the writer discards the changes. */
		xq_db_close(w);
		CHECK(doccount_at(path) == k - 1);
		xq_db_close(r);
		return 0;
	}
	CHECK(env->commit_at == 0 || env->commit_at > COMMITS);
	unsigned n = 0;
	CHECK(xq_db_reopen(r, NULL) == XQ_OK && xq_db_doccount(r, &n) == XQ_OK && n == COMMITS);
	xq_db_close(w);
	xq_db_close(r);
	return 0;
}

static void test_commit_fault(void **state)
{
	(void)state;
	char path[PATH_MAX], count[PATH_MAX];
	path_in_tmp(path, sizeof path, "commits");
	path_in_tmp(count, sizeof count, "commits.count");
	child_env env = {.count_path = count};
	assert_int_equal(in_child(commits, &env, path), 0);
	unsigned long calls = 0, ncommits = 0;
	read_count(count, &calls, &ncommits);
	assert_int_equal(ncommits, COMMITS);

	for (unsigned long k = 1; k <= COMMITS + 1; k++) {
		env.commit_at = k;
		if (in_child(commits, &env, path) != 0)
			fail_msg("with XQ_FAULT_COMMIT_AT=%lu", k);
		unsigned long c = 0, kk = 0;
		read_count(count, &c, &kk);
		/* the failed one counts; the scenario stops after it */
		assert_int_equal(kk, k <= COMMITS ? k : COMMITS);
	}
}

/* ------------------------------------------------------------------ */
/* std::terminate from inside a commit (xq_set_fatal_handler)           */

enum { FATAL_EXIT = 42 };

typedef struct fatal_case {
	const char *db;       /* the database the child commits to */
	const char *msg_path; /* where the handler writes its message */
	int handler;          /* 0: none, 1: writes and _exits, 2: returns, 3: set then unset */
} fatal_case;

static const char *fatal_msg_path;

static void fatal_writes_and_exits(const char *message)
{
	FILE *f = fopen(fatal_msg_path, "w");
	if (f) {
		fputs(message, f);
		fclose(f);
	}
	_exit(FATAL_EXIT);
}

static void fatal_returns(const char *message)
{
	(void)message;
}

/* Two commits of one document each; XQ_FAULT_COMMIT_TERMINATE_AT=2 ends
 * the process inside the second. */
static int terminating_commits(const child_env *env, void *arg)
{
	(void)env;
	const fatal_case *c = arg;
	fatal_msg_path = c->msg_path;
	setenv("XQ_FAULT_COMMIT_TERMINATE_AT", "2", 1);
	if (c->handler == 1 || c->handler == 3)
		xq_set_fatal_handler(fatal_writes_and_exits);
	else if (c->handler == 2)
		xq_set_fatal_handler(fatal_returns);
	if (c->handler == 3)
		xq_set_fatal_handler(NULL);
	xq_db *w = NULL;
	CHECK(xq_db_open_writable(c->db, XQ_CREATE_OR_OVERWRITE, &w) == XQ_OK);
	for (int k = 1; k <= 2; k++) {
		xq_doc *doc = xq_doc_new();
		CHECK(doc);
		CHECK(xq_doc_add_term(doc, "word", 4, 1) == XQ_OK);
		CHECK(xq_db_add_document(w, doc, NULL) == XQ_OK);
		xq_doc_free(doc);
		CHECK(xq_db_commit(w) == XQ_OK);
	}
	return 1; /* the second commit returned */
}

static int one_document(const child_env *env, void *arg)
{
	(void)env;
	CHECK(doccount_at(arg) == 1);
	return 0;
}

static void test_terminate_inside_a_commit(void **state)
{
	(void)state;
	char db[PATH_MAX], msg[PATH_MAX];
	path_in_tmp(db, sizeof db, "terminate");
	path_in_tmp(msg, sizeof msg, "terminate.msg");
	child_env env = {0};
	/* The handler gets the exception's message and ends the process;
	 * the database is at the first commit. */
	fatal_case c = {.db = db, .msg_path = msg, .handler = 1};
	remove(msg);
	assert_int_equal(in_child(terminating_commits, &env, &c), FATAL_EXIT);
	char got[200] = "";
	FILE *f = fopen(msg, "r");
	assert_non_null(f);
	assert_non_null(fgets(got, sizeof got, f));
	fclose(f);
	assert_string_equal(got, "DatabaseError: injected fault inside xq commit 2");
	assert_int_equal(in_child(one_document, &env, db), 0);
	/* A handler that returns: the process aborts all the same. */
	c.handler = 2;
	assert_int_equal(in_child(terminating_commits, &env, &c), -1);
	/* Unset again: C++'s own handler, which never calls ours. */
	c.handler = 3;
	remove(msg);
	assert_int_equal(in_child(terminating_commits, &env, &c), -1);
	assert_int_equal(access(msg, F_OK), -1);
}

/* Commits refused before they reach Xapian's commit() do not count. */
static int refused_commits(const child_env *env, void *arg)
{
	const char *path = arg;
	xq_db *w = NULL, *r = NULL;
	CHECK(env->commit_at == 1);
	CHECK(xq_db_commit(NULL) == XQ_ERR_INVALID);
	CHECK(xq_db_open_writable(path, XQ_CREATE_OR_OVERWRITE, &w) == XQ_OK);
	CHECK(xq_db_open(path, &r) == XQ_OK);
	CHECK(xq_db_commit(r) == XQ_ERR_INVALID); /* read-only */
	CHECK(xq_db_commit(w) == XQ_ERR_XAPIAN);  /* the first real one */
	CHECK(strstr(xq_last_error(), "injected fault at xq commit 1"));
	CHECK(xq_db_commit(w) == XQ_OK);
	xq_db_close(r);
	xq_db_close(w);
	return 0;
}

static void test_refused_commits(void **state)
{
	(void)state;
	char path[PATH_MAX], count[PATH_MAX];
	path_in_tmp(path, sizeof path, "refused");
	path_in_tmp(count, sizeof count, "refused.count");
	child_env env = {.commit_at = 1, .count_path = count};
	assert_int_equal(in_child(refused_commits, &env, path), 0);
	unsigned long calls = 0, ncommits = 0;
	read_count(count, &calls, &ncommits);
	assert_int_equal(calls, 6);
	assert_int_equal(ncommits, 2);
}

/* ------------------------------------------------------------------ */
/* Threads                                                              */

enum { THREADS = 4, PER_THREAD = 5000, THREAD_FAULT = 10000 };

static pthread_barrier_t start_line; /* the workers start together */

typedef struct worker {
	pthread_t thread;
	unsigned failed;
	bool wrong; /* a failure other than the injected one */
} worker;

static void *work(void *arg)
{
	worker *wk = arg;
	pthread_barrier_wait(&start_line);
	for (int i = 0; i < PER_THREAD; i++) {
		xq_query *q = NULL;
		xq_status st = xq_query_match_all(&q);
		if (st != XQ_OK) {
			wk->failed++;
			wk->wrong |= st != XQ_ERR_XAPIAN || q ||
			             strcmp(xq_last_error(), "DatabaseError: injected fault at xq call 10000") != 0;
		}
		xq_query_free(q);
	}
	return NULL;
}

/* Calls from several threads are counted once each: exactly one of them
 * is call THREAD_FAULT.  (Under ASan this also checks that the calls share
 * nothing unsafely: match_all once copied a global query.) */
static int threads(const child_env *env, void *arg)
{
	(void)arg;
	worker wk[THREADS];
	memset(wk, 0, sizeof wk);
	CHECK(env->fault_at == THREAD_FAULT);
	CHECK(pthread_barrier_init(&start_line, NULL, THREADS) == 0);
	for (int i = 0; i < THREADS; i++)
		CHECK(pthread_create(&wk[i].thread, NULL, work, &wk[i]) == 0);
	unsigned failed = 0;
	for (int i = 0; i < THREADS; i++) {
		CHECK(pthread_join(wk[i].thread, NULL) == 0);
		CHECK(!wk[i].wrong);
		failed += wk[i].failed;
	}
	pthread_barrier_destroy(&start_line);
	CHECK(failed == 1);
	return 0;
}

static void test_threads(void **state)
{
	(void)state;
	char count[PATH_MAX];
	path_in_tmp(count, sizeof count, "threads.count");
	child_env env = {.fault_at = THREAD_FAULT, .count_path = count};
	assert_int_equal(in_child(threads, &env, NULL), 0);
	unsigned long calls = 0, commits = 0;
	read_count(count, &calls, &commits);
	assert_int_equal(calls, THREADS * PER_THREAD);
	assert_int_equal(commits, 0);
}

/* ------------------------------------------------------------------ */


static int group_setup(void **state)
{
	(void)state;
	return tmpdir_make("test_xq_fault");
}

static int group_teardown(void **state)
{
	(void)state;
	return tmpdir_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call_sweep),
		cmocka_unit_test(test_bad_arguments_count),
		cmocka_unit_test(test_commit_fault),
		cmocka_unit_test(test_refused_commits),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_terminate_inside_a_commit),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
