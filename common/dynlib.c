/* dynlib.c - a shared library loaded on first need (dynlib.h). */
#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

void *const *ws_dynlib_syms(ws_dynlib *lib, const char **err)
{
	pthread_mutex_lock(&lib->lock);
	if (lib->state == 0) {
		void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
		/* a library that cannot be loaded now may be later (out of
		 * file descriptors, of memory: a long --serve goes on); one
		 * without the symbols never will */
		if (h)
			lib->state = 1;
		else
			snprintf(lib->error, sizeof lib->error, "cannot load %s: %s", lib->soname, dlerror());
		for (size_t i = 0; h && lib->names[i]; i++) {
			if (i == WS_DYNLIB_MAX_SYMS || !(lib->syms[i] = dlsym(h, lib->names[i]))) {
				snprintf(lib->error, sizeof lib->error, "%s has no %s (another version?)", lib->soname,
				         lib->names[i]);
				lib->state = -1;
				break;
			}
		}
		/* a library without the symbols stays open: its handle is
		 * harmless */
	}
	bool ok = lib->state == 1;
	/* the message as this call saw it: another thread's retry may
	 * write lib's while this one reads */
	static _Thread_local char message[sizeof lib->error];
	if (!ok)
		memcpy(message, lib->error, sizeof message);
	pthread_mutex_unlock(&lib->lock);
	if (!ok && err)
		*err = message;
	return ok ? lib->syms : NULL;
}

bool ws_dynlib_loaded(ws_dynlib *lib)
{
	pthread_mutex_lock(&lib->lock);
	bool ok = lib->state == 1;
	pthread_mutex_unlock(&lib->lock);
	return ok;
}
