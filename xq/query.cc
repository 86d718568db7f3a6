/*
 * query.cc - queries: immutable values built from terms, value ranges,
 * wildcards and combinations.
 */
#include "xq_private.hh"

#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

using namespace xq_internal;

/* Store q in a new handle in *out. */
static xq_status new_query(Xapian::Query &&q, xq_query **out)
{
	*out = new xq_query{std::move(q)};
	return XQ_OK;
}

/* The Xapian operator of *op.  A C caller may pass any int as an xq_op,
 * and loading a value outside the enumeration through the xq_op type is
 * undefined in C++, so its bytes are read as the underlying integer. */
static bool map_op(const xq_op *op, Xapian::Query::op *xop) noexcept
{
	std::underlying_type_t<xq_op> v;
	std::memcpy(&v, op, sizeof v);
	switch (v) {
	case XQ_OP_AND: *xop = Xapian::Query::OP_AND; return true;
	case XQ_OP_OR: *xop = Xapian::Query::OP_OR; return true;
	case XQ_OP_AND_NOT: *xop = Xapian::Query::OP_AND_NOT; return true;
	case XQ_OP_AND_MAYBE: *xop = Xapian::Query::OP_AND_MAYBE; return true;
	case XQ_OP_FILTER: *xop = Xapian::Query::OP_FILTER; return true;
	case XQ_OP_PHRASE: *xop = Xapian::Query::OP_PHRASE; return true;
	case XQ_OP_NEAR: *xop = Xapian::Query::OP_NEAR; return true;
	case XQ_OP_SYNONYM: *xop = Xapian::Query::OP_SYNONYM; return true;
	case XQ_OP_MAX: *xop = Xapian::Query::OP_MAX; return true;
	}
	return false;
}

extern "C" {

xq_status xq_query_term(const char *term, size_t len, unsigned wqf, unsigned pos, xq_query **out) noexcept
{
	clear_out(out);
	return entry(nullptr, [&] {
		if (!out)
			return fail(nullptr, XQ_ERR_INVALID, "NULL out pointer");
		if (xq_status st = check_term(nullptr, term, len, "query term"))
			return st;
		return new_query(Xapian::Query(std::string(term, len), wqf, pos), out);
	});
}

xq_status xq_query_combine(xq_op op, xq_query *const *subs, size_t n, unsigned window, xq_query **out) noexcept
{
	clear_out(out);
	return entry(nullptr, [&] {
		if (!out)
			return fail(nullptr, XQ_ERR_INVALID, "NULL out pointer");
		Xapian::Query::op xop;
		if (!map_op(&op, &xop))
			return fail(nullptr, XQ_ERR_INVALID, "invalid query operator");
		if (n == 0 || !subs)
			return fail(nullptr, XQ_ERR_INVALID, "no subqueries to combine");
		for (size_t i = 0; i < n; i++)
			if (!subs[i])
				return fail(nullptr, XQ_ERR_INVALID, "NULL subquery");
		std::vector<Xapian::Query> v;
		v.reserve(n);
		for (size_t i = 0; i < n; i++)
			v.push_back(subs[i]->q);
		Xapian::termcount w = 0;
		if (op == XQ_OP_PHRASE || op == XQ_OP_NEAR)
			w = window ? window : static_cast<Xapian::termcount>(n);
		return new_query(Xapian::Query(xop, v.begin(), v.end(), w), out);
	});
}

xq_status xq_query_value_range(unsigned slot, const char *lo, size_t lolen, const char *hi, size_t hilen,
                               xq_query **out) noexcept
{
	clear_out(out);
	return entry(nullptr, [&] {
		if (!out)
			return fail(nullptr, XQ_ERR_INVALID, "NULL out pointer");
		if (lo && hi)
			return new_query(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, std::string(lo, lolen),
			                               std::string(hi, hilen)),
			                 out);
		if (hi)
			return new_query(Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, std::string(hi, hilen)), out);
		/* lo only, or neither: >= "" is every document with a value in
		 * slot (Xapian stores no empty values). */
		return new_query(
		    Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, lo ? std::string(lo, lolen) : std::string()), out);
	});
}

xq_status xq_query_wildcard(const char *prefix, size_t len, unsigned max_expansion, xq_query **out) noexcept
{
	clear_out(out);
	return entry(nullptr, [&] {
		if (!out)
			return fail(nullptr, XQ_ERR_INVALID, "NULL out pointer");
		if (xq_status st = check_term(nullptr, prefix, len, "wildcard prefix"))
			return st;
		/* In 1.4.22 WILDCARD_LIMIT_MOST_FREQUENT with max_expansion 0
		 * keeps no terms at all, so "no limit" uses the (then unused)
		 * ERROR mode. */
		int limit = max_expansion ? Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT
		                          : Xapian::Query::WILDCARD_LIMIT_ERROR;
		return new_query(Xapian::Query(Xapian::Query::OP_WILDCARD, std::string(prefix, len), max_expansion, limit,
		                               Xapian::Query::OP_SYNONYM),
		                 out);
	});
}

xq_status xq_query_scale(const xq_query *sub, double factor, xq_query **out) noexcept
{
	clear_out(out);
	return entry(nullptr, [&] {
		if (!out || !sub)
			return fail(nullptr, XQ_ERR_INVALID, "NULL argument");
		if (!(factor > 0.0) || !std::isfinite(factor))
			return fail(nullptr, XQ_ERR_INVALID, "weight factor out of range");
		return new_query(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, sub->q, factor), out);
	});
}

xq_status xq_query_match_all(xq_query **out) noexcept
{
	clear_out(out);
	return entry(nullptr, [&] {
		if (!out)
			return fail(nullptr, XQ_ERR_INVALID, "NULL out pointer");
		/* Query::MatchAll is Query(""), but one object shared by every
		 * copy, and Xapian's reference counts are not atomic: copying it
		 * from two threads at once corrupts its count (a use after free
		 * under ASan).  A query of its own per call shares nothing. */
		return new_query(Xapian::Query(std::string()), out);
	});
}

void xq_query_free(xq_query *q) noexcept
{
	delete q;
}

} /* extern "C" */
