/*
 * serve.h - wensou-search --serve: a long-lived process answering one JSON
 * request per line (doc/serve.md).
 */
#ifndef WS_SEARCH_SERVE_H
#define WS_SEARCH_SERVE_H

#include <stddef.h>
#include <stdio.h>

#include "index.h"

/* The protocol's version, in every summary. */
#define WS_SERVE_PROTOCOL 1

/* Answer the requests read from in on out until the end of in, over the
 * indexes at paths[0..n) (remote shards with timeout_ms, as
 * ws_index_open).  Returns the exit status: 0 at the end of input, 2 when
 * reading or writing failed. */
int ws_serve(const char *const *paths, size_t n, unsigned timeout_ms, FILE *in, FILE *out);

#endif
