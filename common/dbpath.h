/*
 * dbpath.h - where the index lives: --db DIR, else $WENSOU_DB, else
 * $XDG_DATA_HOME/wensou/index, else ~/.local/share/wensou/index.
 */
#ifndef WENSOU_DBPATH_H
#define WENSOU_DBPATH_H

/* The index path for a command-line --db value (NULL if not given).
 * Returns a new malloc'd string (free()), or NULL with a malloc'd message
 * in *err when no location can be worked out (no HOME). */
char *ws_db_path_resolve(const char *cli_db, char **err);

#endif
