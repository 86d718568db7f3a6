/* question.c - read a question, or a long run that occurs nowhere as
 * written, as its words (see question.h). */
#include "question.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Question and function words: they say how something is asked, not
 * what it is about.  Chinese as ICU's dictionary segments them. */
static const char *const stop_zh[] = {
	"怎样", "怎么", "怎么样", "如何", "什么", "哪些", "哪个", "哪里", "为什么", "为何", "是否", "是不是", "有没有",
	"吗", "呢", "吧", "啊", "的", "了", "和", "与", "及", "以及", "或", "或者", "在", "对", "把", "被", "是",
	"有", "要", "能", "会", "可以", "应该", "应当", "如何才能", "哪些方面", "什么样", "我们", "他们", "其",
	"这", "那", "这些", "那些", "一个", "一些", "提出", "有哪些", "主要", "进行", "关于", "中", "上", "为", NULL};
static const char *const stop_en[] = {
	"how", "what", "why", "which", "who", "whom", "when", "where", "is", "are", "was", "were", "be", "been",
	"do", "does", "did", "can", "could", "should", "would", "will", "shall", "may", "might", "must", "the",
	"a", "an", "of", "to", "in", "on", "for", "and", "or", "with", "by", "from", "at", "as", "about", "into",
	"that", "this", "these", "those", "it", "its", "their", "there", "we", "they", "i", "you", "not", NULL};

static bool listed(const char *const *list, const char *w, size_t n)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && !strncmp(list[i], w, n))
			return true;
	return false;
}

static bool is_stop(const char *w, size_t n)
{
	char low[32];
	if (n < sizeof low) {
		for (size_t i = 0; i < n; i++)
			low[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
		if (listed(stop_en, low, n))
			return true;
	}
	return listed(stop_zh, w, n);
}

/* Words that make a run of Chinese a question. */
static bool asks(const char *text)
{
	static const char *const marks[] = {"怎样", "怎么", "如何", "什么", "哪些", "哪个", "哪里", "为什么", "为何",
	                                    "是否", "有没有", "吗", "呢", "？", "?", NULL};
	for (size_t i = 0; marks[i]; i++)
		if (strstr(text, marks[i]))
			return true;
	return false;
}

/* Is u a unit this reading changes: a run of Han characters longer than
 * a term, or one that asks something; or a question or function word? */
static bool readable(const ws_unit *u)
{
	if (u->kind != WS_UNIT_TEXT || u->quoted || u->excluded || !u->nterms)
		return false;
	if (u->han)
		return u->nhan >= WS_QUESTION_RUN_CHARS || (u->nhan >= 4 && asks(u->text));
	return is_stop(u->text, strlen(u->text));
}

bool ws_query_is_question(const ws_query *q)
{
	for (size_t i = 0; i < q->nunits; i++)
		if (readable(&q->units[i]))
			return true;
	return false;
}

typedef struct builder {
	ws_query *q;
	unsigned group;
	bool oom;
} builder;

static bool push(builder *b, const ws_unit *like, const char *text, size_t len, unsigned group)
{
	ws_unit *v = realloc(b->q->units, (b->q->nunits + 1) * sizeof *v);
	if (!v)
		return b->oom = true, false;
	b->q->units = v;
	ws_unit *u = &v[b->q->nunits];
	memset(u, 0, sizeof *u);
	u->kind = like ? like->kind : WS_UNIT_TEXT;
	u->quoted = like && like->quoted;
	u->excluded = like && like->excluded;
	u->synonym = like && like->synonym;
	u->year_lo = like ? like->year_lo : 0;
	u->year_hi = like ? like->year_hi : 0;
	u->group = group;
	u->text = strndup(text, len);
	if (!u->text)
		return b->oom = true, false;
	b->q->nunits++;
	if (group + 1 > b->q->ngroups)
		b->q->ngroups = group + 1;
	return true;
}

static bool add_word(const char *w, size_t n, void *ud)
{
	builder *b = ud;
	/* one Han character alone says little and would expand to every
	 * word that starts with it */
	size_t i = 0;
	uint32_t c = ws_utf8_next(w, n, &i);
	if (is_stop(w, n) || (i == n && cjk_is_han(c)))
		return true;
	return push(b, NULL, w, n, b->group++);
}

bool ws_query_words(const ws_query *q, cjk_analyzer *a, ws_query **out, char **err)
{
	builder b = {.q = calloc(1, sizeof *b.q)};
	*out = NULL;
	if (!b.q)
		return ws_fail(err, "out of memory");
	/* the original groups keep their order; new words get groups of
	 * their own after them */
	unsigned *map = calloc(q->ngroups ? q->ngroups : 1, sizeof *map);
	bool *mapped = calloc(q->ngroups ? q->ngroups : 1, sizeof *mapped);
	if (!map || !mapped)
		goto oom;
	for (size_t i = 0; i < q->nunits && !b.oom; i++) {
		const ws_unit *u = &q->units[i];
		if (!readable(u)) {
			if (!mapped[u->group]) {
				mapped[u->group] = true;
				map[u->group] = b.group++;
			}
			push(&b, u, u->text, strlen(u->text), map[u->group]);
			continue;
		}
		if (u->han &&
		    cjk_words(a, u->text, strlen(u->text), add_word, &b) < 0 && !b.oom) {
			ws_query_free(b.q);
			free(map);
			free(mapped);
			return ws_fail(err, "cannot segment \"%s\": %s", u->text, cjk_analyzer_error(a));
		}
	}
	if (b.oom)
		goto oom;
	free(map);
	free(mapped);
	*out = b.q;
	return true;
oom:
	free(map);
	free(mapped);
	ws_query_free(b.q);
	return ws_fail(err, "out of memory");
}
