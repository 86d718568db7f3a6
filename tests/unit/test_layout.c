/*
 * test_layout.c - unit tests of the batch record and the writer's lock
 * of an index folder (common/layout.h).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
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

/* Parts of an archive: names a key always gives alike, that no other key
 * gives, that read back as parts, and that fit a folder name. */
static void test_part_names(void **state)
{
	(void)state;
	char *n;
	n = ws_layout_part_name(WS_SHARD_BY_YEAR, 2023, NULL);
	assert_string_equal(n, "year-2023");
	assert_true(ws_layout_is_part_name(WS_SHARD_BY_YEAR, n));
	assert_false(ws_layout_is_part_name(WS_SHARD_BY_SOURCE, n));
	free(n);
	n = ws_layout_part_name(WS_SHARD_BY_YEAR, 0, "ignored");
	assert_string_equal(n, "year-unknown");
	free(n);
	assert_false(ws_layout_is_part_name(WS_SHARD_BY_YEAR, "year-"));
	assert_false(ws_layout_is_part_name(WS_SHARD_BY_YEAR, "year-20x3"));
	assert_false(ws_layout_is_part_name(WS_SHARD_BY_YEAR, "gen-3"));
	const struct { const char *source, *name; } cases[] = {
		{NULL, "source-unknown"},
		{"", "source-unknown"},
		{"unknown", "source-%75nknown"},
		{"联合国 / UNCTAD", "source-联合国%20%2F%20UNCTAD"},
		{".hidden", "source-%2Ehidden"},
		{"a.b_c-d", "source-a.b_c-d"},
		{"50%", "source-50%25"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		n = ws_layout_part_name(WS_SHARD_BY_SOURCE, 2020, cases[i].source);
		assert_string_equal(n, cases[i].name);
		assert_true(ws_layout_is_part_name(WS_SHARD_BY_SOURCE, n));
		free(n);
	}
	/* a long source is cut at a character and told apart by a hash */
	char longer[600] = "", other[600];
	for (int i = 0; i < 50; i++) /* 300 bytes: over the 200 a name keeps */
		strcat(longer, "数字");
	strcpy(other, longer);
	strcat(longer, "甲");
	strcat(other, "乙");
	char *a = ws_layout_part_name(WS_SHARD_BY_SOURCE, 0, longer);
	char *b = ws_layout_part_name(WS_SHARD_BY_SOURCE, 0, other);
	assert_true(strlen(a) < 255 && strlen(b) < 255);
	assert_string_not_equal(a, b);
	assert_int_equal(strncmp(a, "source-数字数字", strlen("source-数字数字")), 0);
	const char *tilde = strchr(a, '~');
	assert_non_null(tilde);
	assert_int_equal((tilde - a - 7) % 3, 0); /* whole characters only */
	assert_true(ws_layout_is_part_name(WS_SHARD_BY_SOURCE, a));
	free(a);
	free(b);
}

/* The key file and the parts' stub: written, read back, and refused when
 * it names anything but parts. */
static void test_archive_files(void **state)
{
	(void)state;
	char dir[PATH_MAX], path[PATH_MAX + 32];
	path_in_tmp(dir, sizeof dir, "archive");
	assert_int_equal(mkdir(dir, 0755), 0);
	ws_shard_by by = WS_SHARD_BY_SOURCE;
	char *why = NULL, *err = NULL;
	assert_int_equal(ws_layout_shard_by_read(dir, &by, &why), 0);
	assert_int_equal(by, WS_SHARD_BY_NONE);
	assert_int_equal(ws_layout_shard_by_write(dir, WS_SHARD_BY_YEAR, &err), 0);
	assert_int_equal(ws_layout_shard_by_read(dir, &by, &why), 0);
	assert_int_equal(by, WS_SHARD_BY_YEAR);
	unsigned n = 9;
	assert_null(ws_layout_parts_read(dir, by, &n, &why)); /* no stub yet */
	assert_null(why);
	assert_int_equal(n, 0);
	/* folders present: parts only, sorted */
	snprintf(path, sizeof path, "%s/year-2030", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/year-1999", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/other", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	char **parts = ws_layout_parts(dir, by, &n);
	assert_int_equal(n, 2);
	assert_string_equal(parts[0], "year-1999");
	assert_string_equal(parts[1], "year-2030");
	ws_layout_parts_free(parts, n);
	/* none holds an index: the stub names none, and is not written */
	assert_null(ws_layout_part_dirs(dir, by, &n));
	assert_int_equal(n, 0);
	assert_int_equal(ws_layout_parts_write(dir, by, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(ws_layout_parts_read(dir, by, &n, &why));
	assert_null(why);
	/* two that do */
	char rel[] = "gen-1/s0", *rels[] = {rel};
	const char *built[] = {"year-2021", "year-unknown"};
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, built[i]);
		assert_int_equal(mkdir(path, 0755), 0);
		assert_int_equal(ws_layout_write(path, rels, 1, &err), 0);
	}
	assert_int_equal(ws_layout_parts_write(dir, by, &n, &err), 0);
	assert_int_equal(n, 2);
	parts = ws_layout_parts_read(dir, by, &n, &why);
	assert_non_null(parts);
	assert_int_equal(n, 2);
	snprintf(path, sizeof path, "%s/year-unknown", dir);
	assert_string_equal(parts[1], path);
	ws_layout_parts_free(parts, n);
	parts = ws_layout_part_dirs(dir, by, &n);
	assert_int_equal(n, 2);
	assert_string_equal(parts[1], path);
	ws_layout_parts_free(parts, n);
	/* a stub of the user's is no archive's */
	snprintf(path, sizeof path, "%s/" WS_LAYOUT_STUB, dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("auto year-2021\nremote :host:33333\n", f);
	fclose(f);
	assert_null(ws_layout_parts_read(dir, by, &n, &why));
	assert_non_null(strstr(why, "line 2"));
	free(why);
	why = NULL;
	snprintf(path, sizeof path, "%s/" WS_LAYOUT_SHARD_BY, dir);
	f = fopen(path, "w");
	fputs("month\n", f);
	fclose(f);
	assert_int_equal(ws_layout_shard_by_read(dir, &by, &why), -1);
	assert_non_null(strstr(why, "month"));
	free(why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shard_paths),
		cmocka_unit_test(test_batch_record),
		cmocka_unit_test(test_writer_running),
		cmocka_unit_test(test_part_names),
		cmocka_unit_test(test_archive_files),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
