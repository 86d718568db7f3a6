/*
 * layout_private.h - what the files of the layout module (layout.c,
 * layout_batch.c) share and nothing outside uses.
 */
#ifndef WENSOU_LAYOUT_PRIVATE_H
#define WENSOU_LAYOUT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

/* Write body into path atomically (a temporary file beside it, fsync,
 * rename).  Returns 0, or -1 with *err. */
int ws_layout_write_atomic(const char *path, const char *body, size_t len, char **err);

/* Whether the file at path holds exactly body[0..len). */
bool ws_layout_holds(const char *path, const char *body, size_t len);

/* A shard named as the stub names it, "gen-N/sK" or "gen-N/build-K":
 * true with N and K. */
bool ws_layout_parse_shard_rel(const char *rel, int *gen, unsigned *k);

#endif
