/*
 * text.h - small UTF-8 helpers of the searcher and the glossary:
 * decoding, validation, display width (ICU East Asian width), and removal
 * of control characters before text reaches a terminal.  Offsets here
 * are UTF-8 byte offsets.
 */
#ifndef WENSOU_TEXT_H
#define WENSOU_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode the code point at s[*i] (i < len) and advance *i past it.  A byte
 * that does not start a valid, shortest-form sequence decodes as U+FFFD and
 * advances one byte. */
uint32_t ws_utf8_next(const char *s, size_t len, size_t *i);

/* Encode c (a valid scalar value) into buf; returns the byte count (1-4). */
size_t ws_utf8_encode(uint32_t c, char buf[4]);

/* True if s[0..len) is valid UTF-8.  If not and bad is not NULL, *bad is
 * the byte offset of the first invalid sequence. */
bool ws_utf8_valid(const char *s, size_t len, size_t *bad);

/* Number of code points in s[0..len) (invalid bytes count one each). */
size_t ws_utf8_count(const char *s, size_t len);

/* The number written in s with decimal digits of any script (ASCII, and
 * full-width ２０２３ as NFKC folds them), at most max_digits of them;
 * false if s is empty or holds anything else. */
bool ws_parse_decimal(const char *s, size_t max_digits, unsigned long long *out);

/* A four-digit year (1000 or later) in s[0..n), in ASCII or full-width
 * digits; false for anything else. */
bool ws_parse_year(const char *s, size_t n, int *out);

/* True for Unicode white space (White_Space: ASCII blanks, U+00A0,
 * U+2000..U+200A, U+3000, ...). */
bool ws_is_space(uint32_t c);

/* Terminal columns taken by c: 2 for East Asian Wide/Fullwidth, 0 for
 * combining marks and format characters, else 1. */
int ws_char_width(uint32_t c);

/* Columns taken by s[0..len). */
size_t ws_str_width(const char *s, size_t len);

/* True for East Asian Wide/Fullwidth characters (Han, kana, CJK punctuation,
 * full-width forms). */
bool ws_is_wide(uint32_t c);

/* True for characters that must never reach a terminal: C0 and C1 controls
 * (including ESC and DEL) and the bidirectional embedding, override and
 * isolate controls. */
bool ws_is_unsafe(uint32_t c);

/* A copy of s[0..len) safe to show on a terminal: unsafe characters removed
 * (a newline, tab or other line/space control becomes one space), invalid
 * UTF-8 replaced by U+FFFD.  New malloc'd string, or NULL when out of
 * memory. */
char *ws_sanitize(const char *s, size_t len);

/* How much of a value a message quotes (ws_shown): enough to recognise
 * it, and a value of 100 KB does not make a message of 100 KB. */
#define WS_SHOWN_CHARS 60

/* s[0..len) as a message quotes it: its first max characters (cut between
 * characters) then "…" if there is more, made safe as by ws_sanitize.
 * New malloc'd string, or NULL when out of memory. */
char *ws_shown(const char *s, size_t len, size_t max);

/* Format an error message into a new malloc'd string stored in *err (if err
 * is not NULL and *err is NULL: the first error wins).  Always returns
 * false, so that callers can write `return ws_fail(err, ...);`. */
bool ws_fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
