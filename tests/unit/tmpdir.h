/*
 * tmpdir.h - a temporary folder per cmocka test program: made in the group
 * setup, removed with everything in it in the group teardown.
 */
#ifndef WENSOU_TEST_TMPDIR_H
#define WENSOU_TEST_TMPDIR_H

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static char tmpdir[PATH_MAX];

/* Make $TMPDIR/NAME.XXXXXX (or under /tmp) into tmpdir; 0 or -1. */
static inline int tmpdir_make(const char *name)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/%s.XXXXXX", base, name);
	return mkdtemp(tmpdir) ? 0 : -1;
}

static inline int tmpdir_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove tmpdir and everything under it; 0 or -1. */
static inline int tmpdir_remove(void)
{
	return nftw(tmpdir, tmpdir_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* NAME inside tmpdir into buf (a test failure if it does not fit). */
static inline void path_in_tmp(char *buf, size_t size, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", tmpdir, name);
	assert_true(n > 0 && (size_t)n < size);
}

#endif
