/*
 * layout_private.h - what the files of the layout module (layout.c,
 * layout_batch.c) share and nothing outside uses.
 */
#ifndef WENSOU_LAYOUT_PRIVATE_H
#define WENSOU_LAYOUT_PRIVATE_H

#include <stddef.h>

/* Write body into path atomically (a temporary file beside it, fsync,
 * rename).  Returns 0, or -1 with *err. */
int ws_layout_write_atomic(const char *path, const char *body, size_t len, char **err);

#endif
