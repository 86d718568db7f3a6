#include "array.h"

#include <stdint.h>
#include <stdlib.h>

void *ws_array_grow(void *items, size_t n, size_t *cap, size_t elem, size_t first)
{
	if (n < *cap)
		return items;
	size_t ncap = *cap ? *cap * 2 : first;
	if (ncap < *cap || ncap > SIZE_MAX / elem)
		return NULL;
	void *p = realloc(items, ncap * elem);
	if (p)
		*cap = ncap;
	return p;
}
