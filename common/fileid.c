#include "fileid.h"

#include <string.h>
#include <xxhash.h>

void ws_hash_hex(const void *data, size_t len, char out[WS_HASH_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	XXH128_hash_t h = XXH3_128bits(data, len);
	unsigned long long parts[2] = {h.high64, h.low64};
	for (int p = 0; p < 2; p++)
		for (int i = 0; i < 16; i++)
			out[p * 16 + i] = hex[(parts[p] >> (60 - 4 * i)) & 0xf];
	out[WS_HASH_HEX_LEN] = '\0';
}

void ws_fileid(const char *path, char out[WS_HASH_HEX_LEN + 1])
{
	ws_hash_hex(path, strlen(path), out);
}
