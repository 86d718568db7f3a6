#include "fileid.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
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

unsigned ws_fileid_shard(const char *fileid, unsigned nshards)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = fileid[i];
		v = v * 16 + (unsigned)(c >= 'a' ? c - 'a' + 10 : c - '0');
	}
	return v % nshards;
}

int ws_hash_file(const char *path, char out[WS_HASH_HEX_LEN + 1])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return errno;
	struct stat sb;
	int rc = 0;
	if (fstat(fd, &sb) != 0) {
		rc = errno;
	} else if (!S_ISREG(sb.st_mode)) {
		rc = EINVAL;
	} else if (sb.st_size == 0) {
		ws_hash_hex("", 0, out);
	} else {
		void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			rc = errno;
		} else {
			ws_hash_hex(m, (size_t)sb.st_size, out);
			munmap(m, (size_t)sb.st_size);
		}
	}
	close(fd);
	return rc;
}
