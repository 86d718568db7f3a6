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

/* The shard of nshards that holds a file id's passages and record: its
 * first four hex digits modulo nshards. */
unsigned ws_fileid_shard(const char *fileid, unsigned nshards);

/* The content hash of the regular file at path into out (opened without
 * blocking, so a FIFO is refused, not waited on).  Returns 0, or an errno
 * value (EINVAL: not a regular file). */
int ws_hash_file(const char *path, char out[WS_HASH_HEX_LEN + 1]);

#endif
