/*
 * array.h - growing a malloc'd array one element at a time.
 */
#ifndef WENSOU_ARRAY_H
#define WENSOU_ARRAY_H

#include <stddef.h>

/* The array items (n elements used, *cap allocated, each elem bytes) with
 * room for at least one more: items itself when it has room, else a
 * reallocation to twice the capacity (first when empty), *cap updated.
 * NULL when out of memory, items and *cap then unchanged. */
void *ws_array_grow(void *items, size_t n, size_t *cap, size_t elem, size_t first);

#endif
