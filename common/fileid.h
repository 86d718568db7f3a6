/*
 * fileid.h - content hashes and file ids (XXH3-128 as lowercase hex).
 */
#ifndef WENSOU_FILEID_H
#define WENSOU_FILEID_H

#include <stddef.h>

#define WS_HASH_HEX_LEN 32

/* Write the 32 hex digits of XXH3-128(data) and a NUL into out. */
void ws_hash_hex(const void *data, size_t len, char out[WS_HASH_HEX_LEN + 1]);

/* The file id of an absolute path (see schema.h): ws_hash_hex of the path. */
void ws_fileid(const char *path, char out[WS_HASH_HEX_LEN + 1]);

#endif
