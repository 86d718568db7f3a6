/*
 * config.h - the file of default options, as ripgrep's RIPGREP_CONFIG_PATH:
 * one argument per line ("--limit=20", or "-n" then "20"), blank lines and
 * lines starting with "#" ignored.  It is $WENSOU_CONFIG_PATH when that is
 * set (empty: no file), else $XDG_CONFIG_HOME/wensou/config
 * (~/.config/wensou/config), which may be absent.
 */
#ifndef WS_SEARCH_CONFIG_H
#define WS_SEARCH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ws_config {
	char *path;      /* the file read, or NULL when there was none; owned */
	char **args;     /* its arguments, in order; owned */
	unsigned *lines; /* the line of each argument, 1-based */
	size_t n;
} ws_config;

/* Read the config file into cfg (cleared first; n = 0 when there is
 * none).  False with a malloc'd message in *err when the file named by
 * $WENSOU_CONFIG_PATH is missing, or a file cannot be read, is not a
 * regular file, is over 1 MiB, has a line over 4096 bytes or one that is
 * not UTF-8 (or holds a NUL). */
bool ws_config_read(ws_config *cfg, char **err);

void ws_config_free(ws_config *cfg);

#endif
