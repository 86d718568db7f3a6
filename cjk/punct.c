/* punct.c - the sentence ends and closing marks that the passage splitter,
 * the PDF reader and the snippet maker all cut text at: one definition,
 * from ICU's character properties, so that they never disagree. */
#include "cjk.h"

#include <unicode/uchar.h>

bool cjk_is_sentence_end(uint32_t c)
{
	/* Sentence_Terminal covers 。！？．!? and '.'; a semicolon or an
	 * ellipsis closes a clause that reads as a sentence in these reports */
	return u_hasBinaryProperty((UChar32)c, UCHAR_S_TERM) || c == ';' || c == 0xFF1B || c == 0x2026;
}

bool cjk_is_closing_mark(uint32_t c)
{
	int8_t t = u_charType((UChar32)c);
	/* Pe: ）」』》】; Pf: ”’; the ASCII quotes have no side */
	return t == U_END_PUNCTUATION || t == U_FINAL_PUNCTUATION || c == '"' || c == '\'';
}
