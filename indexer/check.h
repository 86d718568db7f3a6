/*
 * check.h - wensou-index --check.
 */
#ifndef WENSOU_CHECK_H
#define WENSOU_CHECK_H

#include <stdbool.h>

/* Verify the live index at dir without changing it, one line per problem
 * on stdout ("stale: …" or "damaged: …") and a summary on stderr (unless
 * quiet and clean).  Returns 0 clean, 1 stale (the next run fixes it),
 * 3 damaged (rebuild), 2 when it cannot be checked. */
int ws_check_index(const char *dir, bool quiet);

#endif
