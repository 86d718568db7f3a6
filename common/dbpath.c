#include "dbpath.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

char *ws_db_path_resolve(const char *cli_db, char **err)
{
	strbuf sb = STRBUF_INIT;
	const char *env;
	bool ok;

	if (cli_db && *cli_db)
		ok = strbuf_appends(&sb, cli_db);
	else if ((env = getenv("WENSOU_DB")) && *env)
		ok = strbuf_appends(&sb, env);
	else if ((env = getenv("XDG_DATA_HOME")) && *env == '/')
		ok = strbuf_appendf(&sb, "%s/wensou/index", env);
	else if ((env = getenv("HOME")) && *env)
		ok = strbuf_appendf(&sb, "%s/.local/share/wensou/index", env);
	else {
		if (err)
			*err = strdup("cannot locate the index: give --db DIR, or set WENSOU_DB or HOME");
		return NULL;
	}
	if (!ok) {
		strbuf_free(&sb);
		if (err)
			*err = strdup("out of memory");
		return NULL;
	}
	return strbuf_detach(&sb);
}
