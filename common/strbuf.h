/*
 * strbuf.h - a growable byte buffer, always NUL-terminated.
 *
 * An all-zero strbuf (STRBUF_INIT) is a valid empty buffer.  Appends return
 * false only when memory runs out; the buffer is then left as it was.
 */
#ifndef WENSOU_STRBUF_H
#define WENSOU_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct strbuf {
	char *data; /* NUL-terminated once anything was appended; owned */
	size_t len;
	size_t cap;
} strbuf;

#define STRBUF_INIT {NULL, 0, 0}

bool strbuf_reserve(strbuf *sb, size_t extra);
bool strbuf_append(strbuf *sb, const char *s, size_t n);
bool strbuf_appends(strbuf *sb, const char *s);
bool strbuf_appendc(strbuf *sb, char c);
bool strbuf_appendf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool strbuf_vappendf(strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* The contents as a C string ("" for an empty buffer); owned by sb. */
const char *strbuf_str(const strbuf *sb);
void strbuf_reset(strbuf *sb);   /* length 0, keeps memory */
void strbuf_free(strbuf *sb);    /* releases memory, back to STRBUF_INIT */
/* Hands the buffer to the caller (free() it) and resets sb.  Never NULL
 * unless out of memory. */
char *strbuf_detach(strbuf *sb);

/* A new malloc'd string formatted as by printf (free()), NULL when out of
 * memory. */
char *ws_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *ws_vstrdupf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
