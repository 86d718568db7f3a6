/*
 * document.cc - documents built in C (terms, positions, values, data),
 * then added to a writable database (database.cc), and the sortable
 * encoding of numbers for values.
 */
#include "xq_private.hh"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

using namespace xq_internal;

extern "C" {

xq_doc *xq_doc_new(void) noexcept
{
	try {
		return new xq_doc;
	} catch (...) {
		fail_current(nullptr);
		return nullptr;
	}
}

void xq_doc_free(xq_doc *doc) noexcept
{
	delete doc;
}

xq_status xq_doc_add_posting(xq_doc *doc, const char *term, size_t len, unsigned pos, unsigned wdfinc) noexcept
{
	return entry(nullptr, [&] {
		if (!doc)
			return fail(nullptr, XQ_ERR_INVALID, "NULL document");
		if (xq_status st = check_term(nullptr, term, len, "term"))
			return st;
		doc->doc.add_posting(std::string(term, len), pos, wdfinc);
		return XQ_OK;
	});
}

xq_status xq_doc_add_term(xq_doc *doc, const char *term, size_t len, unsigned wdfinc) noexcept
{
	return entry(nullptr, [&] {
		if (!doc)
			return fail(nullptr, XQ_ERR_INVALID, "NULL document");
		if (xq_status st = check_term(nullptr, term, len, "term"))
			return st;
		doc->doc.add_term(std::string(term, len), wdfinc);
		return XQ_OK;
	});
}

xq_status xq_doc_add_boolean_term(xq_doc *doc, const char *term, size_t len) noexcept
{
	return entry(nullptr, [&] {
		if (!doc)
			return fail(nullptr, XQ_ERR_INVALID, "NULL document");
		if (xq_status st = check_term(nullptr, term, len, "term"))
			return st;
		doc->doc.add_boolean_term(std::string(term, len));
		return XQ_OK;
	});
}

xq_status xq_doc_set_value(xq_doc *doc, unsigned slot, const char *value, size_t len) noexcept
{
	return entry(nullptr, [&] {
		if (!doc || (!value && len))
			return fail(nullptr, XQ_ERR_INVALID, "NULL argument");
		doc->doc.add_value(slot, value ? std::string(value, len) : std::string());
		return XQ_OK;
	});
}

xq_status xq_doc_length(const xq_doc *doc, unsigned long *len) noexcept
{
	return entry(nullptr, [&] {
		if (!doc || !len)
			return fail(nullptr, XQ_ERR_INVALID, "NULL argument");
		unsigned long n = 0;
		for (auto t = doc->doc.termlist_begin(); t != doc->doc.termlist_end(); ++t)
			n += t.get_wdf();
		*len = n;
		return XQ_OK;
	});
}

xq_status xq_doc_scale_wdf(xq_doc *doc, double factor) noexcept
{
	return entry(nullptr, [&] {
		if (!doc)
			return fail(nullptr, XQ_ERR_INVALID, "NULL document");
		if (!(factor >= 1.0) || factor > 1e6)
			return fail(nullptr, XQ_ERR_INVALID, "wdf factor out of range");
		/* Xapian 1.4 has no call that sets a wdf: raise each by the
		 * difference (factor >= 1 never lowers one), which keeps its
		 * positions.  Collected first: adding to a term while walking
		 * the term list would move the walk. */
		std::vector<std::pair<std::string, Xapian::termcount>> add;
		for (auto t = doc->doc.termlist_begin(); t != doc->doc.termlist_end(); ++t) {
			Xapian::termcount wdf = t.get_wdf();
			if (!wdf)
				continue;
			double target = std::floor((double)wdf * factor + 0.5);
			if (target > 4e9)
				return fail(nullptr, XQ_ERR_INVALID, "scaled wdf too large");
			if (target > (double)wdf)
				add.emplace_back(*t, (Xapian::termcount)(target - (double)wdf));
		}
		for (const auto &a : add)
			doc->doc.add_term(a.first, a.second);
		return XQ_OK;
	});
}

xq_status xq_doc_prefix_terms(xq_doc *doc, const char *prefix, size_t len) noexcept
{
	return entry(nullptr, [&] {
		if (!doc || (!prefix && len))
			return fail(nullptr, XQ_ERR_INVALID, "NULL argument");
		/* Xapian 1.4 cannot rename a term: the term list is read out,
		 * cleared and added back under the new names */
		struct held {
			std::string term;
			Xapian::termcount wdf;
			std::vector<Xapian::termpos> pos;
		};
		std::vector<held> terms;
		for (auto t = doc->doc.termlist_begin(); t != doc->doc.termlist_end(); ++t) {
			std::string name = std::string(prefix, len) + *t;
			if (name.size() > XQ_MAX_TERM_BYTES)
				continue;
			terms.push_back({std::move(name), t.get_wdf(), {}});
			for (auto p = t.positionlist_begin(); p != t.positionlist_end(); ++p)
				terms.back().pos.push_back(*p);
		}
		doc->doc.clear_terms();
		for (const auto &h : terms) {
			if (h.pos.empty()) {
				if (h.wdf)
					doc->doc.add_term(h.term, h.wdf);
				else
					doc->doc.add_boolean_term(h.term);
				continue;
			}
			/* the wdf of a term with positions may exceed their number
			 * (xq_doc_scale_wdf): the rest goes in without one */
			for (Xapian::termpos p : h.pos)
				doc->doc.add_posting(h.term, p, 0);
			doc->doc.add_term(h.term, h.wdf);
		}
		return XQ_OK;
	});
}

xq_status xq_doc_set_data(xq_doc *doc, const char *data, size_t len) noexcept
{
	return entry(nullptr, [&] {
		if (!doc || (!data && len))
			return fail(nullptr, XQ_ERR_INVALID, "NULL argument");
		doc->doc.set_data(data ? std::string(data, len) : std::string());
		return XQ_OK;
	});
}

size_t xq_sortable_serialise(double value, char buf[18]) noexcept
{
	/* sortable_serialise_ writes at most 9 bytes and never throws. */
	return Xapian::sortable_serialise_(value, buf);
}

} /* extern "C" */
