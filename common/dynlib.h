/*
 * dynlib.h - a shared library loaded on first need.
 *
 * Every library a process links is mapped and relocated before main()
 * runs, whether the process calls it or not.  A one-shot search is a few
 * milliseconds, and three of the searcher's libraries cost a millisecond
 * of them at start-up (bench/README.md): libstemmer, which only a query
 * with English words needs; ICU's i18n library, whose transliterator only
 * an index without a folding table needs; and readline, which only the
 * prompt needs.  Those are opened with dlopen(3) by their run-time
 * names (SONAMEs, found at configure time: scripts/soname) the first
 * time they are called.
 */
#ifndef WENSOU_DYNLIB_H
#define WENSOU_DYNLIB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define WS_DYNLIB_MAX_SYMS 32

typedef struct ws_dynlib {
	const char *soname;                  /* what dlopen is given */
	const char *const *names;            /* the symbols, NULL-terminated */
	pthread_mutex_t lock;
	int state;                           /* 0 not loaded, 1 loaded, -1 lacks a symbol */
	void *syms[WS_DYNLIB_MAX_SYMS];      /* dlsym of each name, once loaded */
	char error[256];                     /* why it failed, once it has */
} ws_dynlib;

/* A static initialiser: soname and a NULL-terminated array of names. */
#define WS_DYNLIB_INIT(soname, names) {(soname), (names), PTHREAD_MUTEX_INITIALIZER, 0, {0}, {0}}

/* The symbols of lib, loading it on the first call that can (later calls,
 * from any thread, return what it found): an array owned by lib, in the
 * order of its names, or NULL when the library or one of its symbols
 * cannot be had, with *err (static storage of the calling thread, valid
 * until its next call) saying which and why.  A library that could not be loaded is tried
 * again by the next call; one that lacks a symbol is not.  A loaded
 * library stays loaded until the process ends. */
void *const *ws_dynlib_syms(ws_dynlib *lib, const char **err);

/* Whether lib is loaded: for tests and diagnostics; loads nothing. */
bool ws_dynlib_loaded(ws_dynlib *lib);

#endif
