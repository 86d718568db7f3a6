/* expand.c - expand a query through the glossary (expand.h). */
#include "expand.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "text.h"

/* The longest run of query units compared with the forms. */
#define WS_GLOSSARY_MAX_UNITS 8

/* A unit the glossary may read: plain words, alone in their group. */
static bool plain(const ws_query *q, size_t i)
{
	const ws_unit *u = &q->units[i];
	if (u->kind != WS_UNIT_TEXT || u->quoted || u->excluded || u->synonym)
		return false;
	for (size_t j = 0; j < q->nunits; j++)
		if (j != i && q->units[j].group == u->group)
			return false;
	return true;
}

/* Renumber q's groups 0, 1, … in order of first appearance. */
static void renumber(ws_query *q)
{
	unsigned *map = calloc(q->ngroups + 1, sizeof *map), next = 0;
	if (!map)
		return; /* the numbers stay sparse, which only costs an empty group */
	for (size_t i = 0; i < q->nunits; i++) {
		unsigned g = q->units[i].group;
		if (g <= q->ngroups && !map[g])
			map[g] = ++next;
		q->units[i].group = map[g] - 1;
	}
	q->ngroups = next;
	free(map);
}

/* Replace units [i, j) of q, which spell form f of the glossary, by one
 * group: their text as one unit, then the concept's other forms. */
static bool rewrite(const ws_glossary *g, ws_query *q, size_t i, size_t j, size_t f)
{
	size_t nforms = ws_glossary_nforms(g);
	unsigned concept = ws_glossary_concept(g, f);
	strbuf sb = STRBUF_INIT;
	for (size_t k = i; k < j; k++)
		if ((k > i && !strbuf_appendc(&sb, ' ')) || !strbuf_appends(&sb, q->units[k].text))
			goto oom;
	size_t others = 0;
	for (size_t k = 0; k < nforms; k++)
		others += ws_glossary_concept(g, k) == concept && k != f;
	size_t total = q->nunits - (j - i) + 1 + others;
	ws_unit *v = calloc(total, sizeof *v);
	if (!v)
		goto oom;
	unsigned group = q->units[i].group;
	size_t o = 0;
	for (size_t k = 0; k < i; k++)
		v[o++] = q->units[k];
	v[o] = (ws_unit){.kind = WS_UNIT_TEXT, .group = group, .text = strbuf_detach(&sb)};
	if (!v[o++].text) {
		free(v);
		goto oom;
	}
	bool first = true;
	for (size_t k = 0; k < nforms; k++) {
		if (ws_glossary_concept(g, k) != concept)
			continue;
		bool preferred = first;
		first = false;
		if (k == f)
			continue;
		v[o] = (ws_unit){.kind = WS_UNIT_TEXT, .group = group, .synonym = true, .preferred = preferred,
		                 .text = strdup(ws_glossary_form(g, k))};
		if (!v[o++].text) {
			for (size_t x = i; x < o; x++)
				free(v[x].text);
			free(v);
			return false;
		}
	}
	for (size_t k = i; k < j; k++)
		free(q->units[k].text);
	for (size_t k = j; k < q->nunits; k++)
		v[o++] = q->units[k];
	free(q->units);
	q->units = v;
	q->nunits = o;
	renumber(q);
	return true;
oom:
	strbuf_free(&sb);
	return false;
}

bool ws_glossary_expand(const ws_glossary *g, cjk_analyzer *a, ws_query *q, char **err)
{
	if (!ws_glossary_nforms(g))
		return true;
	for (size_t i = 0; i < q->nunits; i++) {
		if (!plain(q, i))
			continue;
		size_t last = i;
		while (last + 1 < q->nunits && last + 1 - i < WS_GLOSSARY_MAX_UNITS && plain(q, last + 1))
			last++;
		/* the longest run of units, from i, that spells a form */
		for (size_t j = last + 1; j > i; j--) {
			strbuf sb = STRBUF_INIT;
			bool ok = true;
			for (size_t k = i; k < j && ok; k++)
				ok = (k == i || strbuf_appendc(&sb, ' ')) && strbuf_appends(&sb, q->units[k].text);
			size_t f = 0;
			bool found = false;
			ok = ok && ws_glossary_find(g, a, sb.data ? sb.data : "", sb.len, &f, &found);
			strbuf_free(&sb);
			if (!ok)
				return ws_fail(err, "out of memory");
			if (!found)
				continue;
			if (!rewrite(g, q, i, j, f))
				return ws_fail(err, "out of memory");
			/* the new group's units are synonyms or its typed text:
			 * go on after them */
			while (i + 1 < q->nunits && q->units[i + 1].synonym)
				i++;
			break;
		}
	}
	return true;
}

