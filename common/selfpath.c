/* selfpath.c - files beside the running program (see selfpath.h). */
#include "selfpath.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"

char *ws_beside_program(const char *const *rel, size_t n, int mode)
{
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len <= 0)
		return NULL;
	self[len] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	for (size_t i = 0; i < n; i++) {
		char *p = ws_strdupf("%s%s", self, rel[i]);
		if (p && access(p, mode) == 0)
			return p;
		free(p);
	}
	return NULL;
}
