/* dynlib.c - a shared library loaded on first need (dynlib.h). */
#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

void *const *ws_dynlib_syms(ws_dynlib *lib, const char **err)
{
	pthread_mutex_lock(&lib->lock);
	if (lib->state == 0) {
		void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
		lib->state = h ? 1 : -1;
		if (!h)
			snprintf(lib->error, sizeof lib->error, "cannot load %s: %s", lib->soname, dlerror());
		for (size_t i = 0; h && lib->names[i]; i++) {
			if (i == WS_DYNLIB_MAX_SYMS || !(lib->syms[i] = dlsym(h, lib->names[i]))) {
				snprintf(lib->error, sizeof lib->error, "%s has no %s (another version?)", lib->soname,
				         lib->names[i]);
				lib->state = -1;
				break;
			}
		}
		/* a failed library stays open: its handle is harmless and a
		 * second dlopen would find what the first did */
	}
	bool ok = lib->state == 1;
	pthread_mutex_unlock(&lib->lock);
	if (!ok && err)
		*err = lib->error;
	return ok ? lib->syms : NULL;
}

bool ws_dynlib_loaded(ws_dynlib *lib)
{
	pthread_mutex_lock(&lib->lock);
	bool ok = lib->state == 1;
	pthread_mutex_unlock(&lib->lock);
	return ok;
}
