/* readline_dl.c - GNU readline, loaded when the prompt starts
 * (readline_dl.h). */
#include "readline_dl.h"

#include <string.h>

#include "dynlib.h"
#include "sonames.h"

static const char *const readline_names[] = {
#define WS_READLINE_NAME(name) #name,
	WS_READLINE_SYMS(WS_READLINE_NAME)
#undef WS_READLINE_NAME
	NULL};
static ws_dynlib readline_lib = WS_DYNLIB_INIT(WS_SONAME_READLINE, readline_names);
static ws_readline readline_api;

const ws_readline *ws_readline_load(const char **err)
{
	void *const *syms = ws_dynlib_syms(&readline_lib, err);
	if (!syms)
		return NULL;
	size_t i = 0;
	/* dlsym gives object pointers: memcpy is ISO C's way to functions */
#define WS_READLINE_SET(name) memcpy(&readline_api.name, &syms[i++], sizeof readline_api.name);
	WS_READLINE_SYMS(WS_READLINE_SET)
#undef WS_READLINE_SET
	return &readline_api;
}
