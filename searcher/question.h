/*
 * question.h - a question typed as one run of Chinese (怎样提升发展中国家的
 * 数字能力) or in English words (how to close the digital divide) finds
 * nothing as written: its words do.  A long run (WS_QUESTION_RUN_CHARS or
 * more Han characters, longer than a term) or one that asks (如何, 哪些,
 * 什么, 吗, ？…) is read as the words ICU's dictionary finds in it,
 * and question and function words (怎样, 的, how, the) are left out; the
 * engine then ranks passages by how many of the words they hold.  A short
 * run still matches only as written.
 */
#ifndef WS_SEARCH_QUESTION_H
#define WS_SEARCH_QUESTION_H

#include <stdbool.h>

#include "cjk.h"
#include "query.h"

#define WS_QUESTION_RUN_CHARS 8

/* Does q (analysed) have a unit that reading it as words would change? */
bool ws_query_is_question(const ws_query *q);

/* A new, unanalysed query in *out: q's units with every long run replaced
 * by its words and the question and function words left out; the other
 * units (filters, quoted phrases, exclusions) as they were.  False with a
 * message in *err on failure. */
bool ws_query_words(const ws_query *q, cjk_analyzer *a, ws_query **out, char **err);

#endif
