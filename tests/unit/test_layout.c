/*
 * test_layout.c - unit tests of the batch record and the writer's lock
 * of an index folder (common/layout.h).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "layout.h"
#include "tmpdir.h"

static int group_setup(void **state)
{
	(void)state;
	return tmpdir_make("wensou-test-layout");
}

static int group_teardown(void **state)
{
	(void)state;
	return tmpdir_remove();
}

static void test_shard_paths(void **state)
{
	(void)state;
	char *gendir, *dir;
	unsigned k;
	assert_true(ws_layout_shard_path("/x/index/gen-3/s1", &gendir, &dir, &k));
	assert_string_equal(gendir, "/x/index/gen-3");
	assert_string_equal(dir, "/x/index");
	assert_int_equal(k, 1);
	free(gendir);
	free(dir);
	/* as a shard stub names it, and a shard used as written */
	assert_true(ws_layout_shard_path("/x/index/shard-0/../gen-12/build-0", &gendir, &dir, &k));
	assert_string_equal(gendir, "/x/index/shard-0/../gen-12");
	assert_string_equal(dir, "/x/index/shard-0/..");
	assert_int_equal(k, 0);
	free(gendir);
	free(dir);
	assert_true(ws_layout_shard_path("gen-1/s0", &gendir, &dir, &k));
	assert_string_equal(dir, ".");
	free(gendir);
	free(dir);
	const char *others[] = {"/x/index", "/x/gen-1", "/x/gen-1/shard0", "/x/gen-0/s0", "/x/gen-1/s0x", "/x/other/s0",
	                        "remote 10.0.0.2:33333", "s0", "/x/gen-1/s99"};
	for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
		assert_false(ws_layout_shard_path(others[i], &gendir, &dir, &k));
		assert_null(gendir);
		assert_null(dir);
	}
}

static void test_batch_record(void **state)
{
	(void)state;
	char gendir[PATH_MAX], path[PATH_MAX + 32];
	path_in_tmp(gendir, sizeof gendir, "gen-1");
	assert_int_equal(mkdir(gendir, 0755), 0);
	ws_layout_batch b;
	/* none: an index from before the records */
	assert_false(ws_layout_batch_read(gendir, &b));
	ws_layout_batch w = {.seq = 41, .committing = true, .nshards = 2, .rev = {17, 23}};
	char *err = NULL;
	assert_int_equal(ws_layout_batch_write(gendir, &w, &err), 0);
	assert_true(ws_layout_batch_read(gendir, &b));
	assert_int_equal(b.seq, 41);
	assert_true(b.committing);
	assert_int_equal(b.nshards, 2);
	assert_int_equal(b.rev[0], 17);
	assert_int_equal(b.rev[1], 23);
	w.committing = false;
	w.rev[1] = 24;
	assert_int_equal(ws_layout_batch_write(gendir, &w, &err), 0);
	assert_true(ws_layout_batch_read(gendir, &b));
	assert_false(b.committing);
	assert_int_equal(b.rev[1], 24);
	/* one that cannot be read counts as none */
	snprintf(path, sizeof path, "%s/" WS_LAYOUT_BATCH, gendir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("seq 3\nstate sideways\nrevisions 1 2\n", f);
	fclose(f);
	assert_false(ws_layout_batch_read(gendir, &b));
	assert_int_equal(b.nshards, 0);
}

static void test_writer_running(void **state)
{
	(void)state;
	char dir[PATH_MAX], lock[PATH_MAX + 32];
	path_in_tmp(dir, sizeof dir, "index");
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_false(ws_layout_writer_running(dir)); /* no lock file */
	snprintf(lock, sizeof lock, "%s/" WS_LAYOUT_LOCK, dir);
	int fd = open(lock, O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_false(ws_layout_writer_running(dir));
	/* a writer in another process, as the indexer takes it */
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int wfd = open(lock, O_RDWR);
		if (wfd < 0 || flock(wfd, LOCK_EX | LOCK_NB) != 0 || ws_layout_writer_mark(wfd) != 0)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_true(ws_layout_writer_running(dir));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_false(ws_layout_writer_running(dir));
	close(ready[0]);
	close(ready[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shard_paths),
		cmocka_unit_test(test_batch_record),
		cmocka_unit_test(test_writer_running),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
