/*
 * charset.h - the encoding of a text file, and its text in UTF-8.
 *
 * Read, in order: an encoding pinned by the caller (the sidecar's
 * "encoding"), a byte-order mark (UTF-8, UTF-16LE/BE, UTF-32LE/BE), UTF-16
 * without a byte-order mark where its code units leave no doubt, UTF-8
 * (valid, or with a few bad bytes among many good sequences), then ICU's
 * charset detector (ucsdet) restricted to GB18030 (which covers GBK and
 * GB2312) and Big5, and last UTF-8 again when under 1% of it is invalid.
 * Conversion is ICU's (ucnv).  Every sequence that cannot be decoded
 * becomes one U+FFFD and is counted.  Newlines are kept as they are, so
 * line k of the text is line k of the file; byte offsets are offsets in the
 * UTF-8 text, not in the file (unless the file was UTF-8 used as is).
 */
#ifndef WENSOU_CHARSET_H
#define WENSOU_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

typedef enum ws_charset_result {
	WS_CHARSET_OK,
	WS_CHARSET_BINARY,  /* NUL bytes, and not UTF-16 */
	WS_CHARSET_UNSURE,  /* no supported encoding could be told with confidence */
	WS_CHARSET_DAMAGED, /* over 10% of the characters could not be decoded */
	WS_CHARSET_NOMEM,
} ws_charset_result;

typedef struct ws_decoded {
	/* The text in UTF-8 (malloc'd, NUL-terminated, no byte-order mark), or
	 * NULL when the input is valid UTF-8 and is used as it is: then the
	 * text is input[skip..len). */
	char *text;
	size_t len;
	size_t skip;
	size_t chars;      /* characters converted (0 when text is NULL) */
	size_t replaced;   /* sequences that could not be decoded (each one U+FFFD) */
	/* What the input was read as ("UTF-8", "UTF-16LE", "GB18030", "Big5",
	 * or the pinned name as given), and how that was decided. */
	char encoding[48];
	const char *how;   /* "pinned", "byte-order mark", "detected", "valid" or "mostly valid" (UTF-8) */
	int confidence;    /* ucsdet's confidence (0..100) when detected, else -1 */
} ws_decoded;

/* Whether ICU has a converter of that name (any ICU name or alias:
 * "gb18030", "GBK", "big5", "utf-16le", "shift_jis", "windows-1252" ...). */
bool ws_charset_known(const char *name);

/* Decide the encoding of data[0..len) (or take pin, a name that
 * ws_charset_known accepts, when not NULL) and decode it into out.  On a
 * result other than WS_CHARSET_OK, *why points to a static explanation
 * and out->encoding says what was tried, if anything; out holds nothing to
 * free.  On WS_CHARSET_OK, free out with ws_decoded_free. */
ws_charset_result ws_charset_decode(const char *data, size_t len, const char *pin, ws_decoded *out,
                                    const char **why);
void ws_decoded_free(ws_decoded *d);

#endif
