#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool strbuf_reserve(strbuf *sb, size_t extra)
{
	if (extra > (size_t)-1 - sb->len - 1)
		return false;
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return true;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap = cap > (size_t)-1 / 2 ? need : cap * 2;
	char *p = realloc(sb->data, cap);
	if (!p)
		return false;
	sb->data = p;
	sb->cap = cap;
	return true;
}

bool strbuf_append(strbuf *sb, const char *s, size_t n)
{
	if (!strbuf_reserve(sb, n))
		return false;
	if (n)
		memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
	return true;
}

bool strbuf_appends(strbuf *sb, const char *s)
{
	return strbuf_append(sb, s, strlen(s));
}

bool strbuf_appendc(strbuf *sb, char c)
{
	return strbuf_append(sb, &c, 1);
}

bool strbuf_vappendf(strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || !strbuf_reserve(sb, (size_t)n))
		return false;
	vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return true;
}

bool strbuf_appendf(strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool ok = strbuf_vappendf(sb, fmt, ap);
	va_end(ap);
	return ok;
}

const char *strbuf_str(const strbuf *sb)
{
	return sb->data ? sb->data : "";
}

void strbuf_reset(strbuf *sb)
{
	sb->len = 0;
	if (sb->data)
		sb->data[0] = '\0';
}

void strbuf_free(strbuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
}

char *strbuf_detach(strbuf *sb)
{
	if (!sb->data && !strbuf_reserve(sb, 0))
		return NULL;
	if (!sb->len)
		sb->data[0] = '\0';
	char *p = sb->data;
	sb->data = NULL;
	sb->len = sb->cap = 0;
	return p;
}

char *ws_vstrdupf(const char *fmt, va_list ap)
{
	strbuf sb = STRBUF_INIT;
	if (!strbuf_vappendf(&sb, fmt, ap)) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

char *ws_strdupf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = ws_vstrdupf(fmt, ap);
	va_end(ap);
	return s;
}
