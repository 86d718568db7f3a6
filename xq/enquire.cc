/*
 * enquire.cc - searching: an enquiry over a database (query, weighting,
 * collapsing, a C decider) and the hits of its runs.
 */
#include "xq_private.hh"

#include <climits>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace xq_internal;

/* The document of hit i, read at the revision its database handle has
 * open.  Nothing is reopened here: a revision overwritten since the run
 * throws DatabaseModifiedError (XQ_ERR_MODIFIED), and the caller decides
 * (xq_db_reopen, then a new run). */
static Xapian::Document hit_document(xq_hits *hits, size_t i)
{
	return hits->db->read().get_document(hits->ids[i]);
}

/* The database handle that keeps the messages of calls on enq / hits. */
static xq_db *db_of(const xq_enquire *enq) noexcept
{
	return enq ? enq->db : nullptr;
}

static xq_db *db_of(const xq_hits *hits) noexcept
{
	return hits ? hits->db : nullptr;
}

/* XQ_ERR_INVALID unless hits[i] exists and out is given. */
static xq_status check_hit(xq_hits *hits, size_t i, const char **out) noexcept
{
	if (!hits || !out)
		return fail(hits ? hits->db : nullptr, XQ_ERR_INVALID, "NULL argument");
	if (i >= hits->ids.size())
		return fail(hits->db, XQ_ERR_INVALID, "hit index out of range");
	return XQ_OK;
}

/* The hits first..first+max-1 of a run with a decider over a handle with
 * a remote shard, into h.  Xapian 1.4 refuses a MatchDecider there ("not
 * supported for the remote backend"), so the decider is asked here, as
 * Xapian's matcher asks it: about every match, before collapsing.  The
 * match runs without collapse or decider over every document; then, in
 * rank order, a candidate the decider refuses is dropped, and one past
 * the collapse's max for its key (a document without a value in the slot
 * is never collapsed, as in Xapian) too.  What is counted is exact, where
 * Xapian's own estimate would be an estimate.  It reads every match's
 * document, one request each over the network: the price of a decider on
 * a remote shard. */
static void run_decided_here(xq_enquire *enq, unsigned first, unsigned max, xq_hits *h)
{
	Xapian::Database &db = enq->db->read();
	enq->enq.set_collapse_key(Xapian::BAD_VALUENO);
	Xapian::MSet mset;
	try {
		mset = enq->enq.get_mset(0, db.get_doccount());
	} catch (...) {
		enq->enq.set_collapse_key(enq->collapse_slot, enq->collapse_max);
		throw;
	}
	enq->enq.set_collapse_key(enq->collapse_slot, enq->collapse_max);
	std::map<std::string, unsigned> per_key;
	uint64_t kept = 0, end = (uint64_t)first + max;
	std::vector<std::string> data;
	for (auto it = mset.begin(); it != mset.end(); ++it) {
		Xapian::Document doc = it.get_document();
		std::string d = doc.get_data();
		if (!enq->decider.fn(enq->decider.ud, d.data(), d.size()))
			continue;
		if (enq->collapse_max) {
			std::string key = doc.get_value(enq->collapse_slot);
			if (!key.empty() && per_key[key]++ >= enq->collapse_max)
				continue;
		}
		if (kept >= first && kept < end) {
			h->ids.push_back(*it);
			h->weights.push_back(it.get_weight());
			data.push_back(std::move(d));
		}
		kept++;
	}
	h->estimated = kept > UINT_MAX ? UINT_MAX : static_cast<unsigned>(kept);
	/* the documents were read: the hits keep their data */
	h->data = std::move(data);
	h->have_data.assign(h->ids.size(), 1);
}

extern "C" {

xq_status xq_enquire_new(xq_db *db, xq_enquire **out) noexcept
{
	clear_out(out);
	return entry(db, [&] {
		if (!out)
			return fail(db, XQ_ERR_INVALID, "NULL out pointer");
		if (!db)
			return fail(nullptr, XQ_ERR_INVALID, "NULL database handle");
		/* The Enquire's copy of the Database shares its internals, so
		 * xq_db_reopen on db is seen by the enquiry too. */
		auto *enq = new xq_enquire(db);
		enq->enq.set_weighting_scheme(Xapian::BM25Weight());
		*out = enq;
		return XQ_OK;
	});
}

void xq_enquire_free(xq_enquire *enq) noexcept
{
	delete enq;
}

xq_status xq_enquire_set_decider(xq_enquire *enq, xq_decider_fn *fn, void *ud) noexcept
{
	return entry(db_of(enq), [&] {
		if (!enq)
			return fail(nullptr, XQ_ERR_INVALID, "NULL enquire");
		enq->decider.fn = fn;
		enq->decider.ud = ud;
		return XQ_OK;
	});
}

xq_status xq_enquire_set_query(xq_enquire *enq, const xq_query *q) noexcept
{
	return entry(db_of(enq), [&] {
		if (!enq || !q)
			return fail(db_of(enq), XQ_ERR_INVALID, "NULL argument");
		enq->enq.set_query(q->q);
		return XQ_OK;
	});
}

xq_status xq_enquire_set_bm25(xq_enquire *enq, double k1, double k2, double k3, double b, double min_normlen) noexcept
{
	return entry(db_of(enq), [&] {
		if (!enq)
			return fail(nullptr, XQ_ERR_INVALID, "NULL enquire");
		/* BM25Weight clamps negative parameters to 0 and b to
		 * [0, 1]. */
		enq->enq.set_weighting_scheme(Xapian::BM25Weight(k1, k2, k3, b, min_normlen));
		return XQ_OK;
	});
}

xq_status xq_enquire_set_collapse(xq_enquire *enq, unsigned slot, unsigned max) noexcept
{
	return entry(db_of(enq), [&] {
		if (!enq)
			return fail(nullptr, XQ_ERR_INVALID, "NULL enquire");
		enq->enq.set_collapse_key(max ? slot : Xapian::BAD_VALUENO, max);
		enq->collapse_slot = max ? slot : Xapian::BAD_VALUENO;
		enq->collapse_max = max;
		return XQ_OK;
	});
}

xq_status xq_enquire_count(xq_enquire *enq, unsigned at_least, unsigned *matches, bool *exact) noexcept
{
	if (matches)
		*matches = 0;
	if (exact)
		*exact = false;
	return entry(db_of(enq), [&] {
		if (!enq)
			return fail(nullptr, XQ_ERR_INVALID, "NULL enquire");
		if (!matches || !exact)
			return fail(db_of(enq), XQ_ERR_INVALID, "NULL out pointer");
		if (enq->decider.fn && enq->db->has_remote)
			return fail(db_of(enq), XQ_ERR_INVALID, "a count with a decider cannot run on remote shards");
		/* Xapian's bounds cost nothing; with max 0 a match stops at
		 * check_at_least no sooner than at the end, so it is asked
		 * to go through only where the bound says the end is near. */
		auto count = [&](Xapian::doccount check) {
			try {
				return enq->enq.get_mset(0, 0, check, nullptr, enq->active_decider());
			} catch (const Xapian::DatabaseModifiedError &) {
				reopen_checked(enq->db);
				return enq->enq.get_mset(0, 0, check, nullptr, enq->active_decider());
			}
		};
		Xapian::MSet mset = count(0);
		Xapian::doccount upper = mset.get_matches_upper_bound();
		if (mset.get_matches_lower_bound() != upper && (!at_least || upper <= at_least))
			mset = count(upper);
		*exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
		*matches = *exact ? mset.get_matches_lower_bound() : mset.get_matches_estimated();
		return XQ_OK;
	});
}

xq_status xq_enquire_value_counts(xq_enquire *enq, unsigned slot, xq_value_count_fn fn, void *ud) noexcept
{
	return entry(db_of(enq), [&] {
		if (!enq)
			return fail(nullptr, XQ_ERR_INVALID, "NULL enquire");
		if (!fn)
			return fail(db_of(enq), XQ_ERR_INVALID, "NULL callback");
		if (enq->decider.fn && enq->db->has_remote)
			return fail(db_of(enq), XQ_ERR_INVALID, "counts with a decider cannot run on remote shards");
		/* Xapian raises no weight floor before check_at_least
		 * matches, so with every document to check the spy sees
		 * every match the decider accepts */
		std::unique_ptr<Xapian::ValueCountMatchSpy> spy;
		auto pass = [&] {
			enq->enq.clear_matchspies();
			spy.reset(new Xapian::ValueCountMatchSpy(slot));
			enq->enq.add_matchspy(spy.get());
			enq->enq.get_mset(0, 0, enq->db->read().get_doccount(), nullptr, enq->active_decider());
		};
		try {
			try {
				pass();
			} catch (const Xapian::DatabaseModifiedError &) {
				reopen_checked(enq->db);
				pass();
			}
		} catch (...) {
			enq->enq.clear_matchspies();
			throw;
		}
		enq->enq.clear_matchspies();
		for (auto v = spy->values_begin(); v != spy->values_end(); ++v) {
			const std::string value = *v;
			if (fn(value.data(), value.size(), v.get_termfreq(), ud))
				break;
		}
		return XQ_OK;
	});
}

xq_status xq_enquire_run(xq_enquire *enq, unsigned first, unsigned max, xq_hits **out) noexcept
{
	clear_out(out);
	return entry(db_of(enq), [&] {
		if (!out)
			return fail(db_of(enq), XQ_ERR_INVALID, "NULL out pointer");
		if (!enq)
			return fail(nullptr, XQ_ERR_INVALID, "NULL enquire");
		if (enq->decider.fn && enq->db->has_remote) {
			auto *h = new xq_hits;
			h->db = enq->db;
			try {
				try {
					run_decided_here(enq, first, max, h);
				} catch (const Xapian::DatabaseModifiedError &) {
					reopen_checked(enq->db);
					*h = xq_hits();
					h->db = enq->db;
					run_decided_here(enq, first, max, h);
				}
			} catch (...) {
				delete h;
				throw;
			}
			*out = h;
			return XQ_OK;
		}
		Xapian::MSet mset;
		try {
			mset = enq->enq.get_mset(first, max, 0, nullptr, enq->active_decider());
		} catch (const Xapian::DatabaseModifiedError &) {
			/* A writer committed twice since we opened: move to
			 * the latest revision and try once more. */
			reopen_checked(enq->db);
			mset = enq->enq.get_mset(first, max, 0, nullptr, enq->active_decider());
		}
		auto *h = new xq_hits;
		try {
			h->db = enq->db;
			h->estimated = mset.get_matches_estimated();
			h->ids.reserve(mset.size());
			h->weights.reserve(mset.size());
			for (auto it = mset.begin(); it != mset.end(); ++it) {
				h->ids.push_back(*it);
				h->weights.push_back(it.get_weight());
			}
			h->data.resize(h->ids.size());
			h->have_data.assign(h->ids.size(), 0);
		} catch (...) {
			delete h;
			throw;
		}
		*out = h;
		return XQ_OK;
	});
}

size_t xq_hits_count(const xq_hits *hits) noexcept
{
	return hits ? hits->ids.size() : 0;
}

unsigned xq_hits_estimated(const xq_hits *hits) noexcept
{
	return hits ? hits->estimated : 0;
}

unsigned xq_hits_docid(const xq_hits *hits, size_t i) noexcept
{
	return hits && i < hits->ids.size() ? hits->ids[i] : 0;
}

double xq_hits_score(const xq_hits *hits, size_t i) noexcept
{
	return hits && i < hits->weights.size() ? hits->weights[i] : 0.0;
}

xq_status xq_hits_data(xq_hits *hits, size_t i, const char **data, size_t *len) noexcept
{
	clear_out(data);
	clear_len(len);
	return entry(db_of(hits), [&] {
		if (xq_status st = check_hit(hits, i, data))
			return st;
		if (!hits->have_data[i]) {
			hits->data[i] = hit_document(hits, i).get_data();
			hits->have_data[i] = 1;
		}
		*data = hits->data[i].c_str();
		if (len)
			*len = hits->data[i].size();
		return XQ_OK;
	});
}

xq_status xq_hits_value(xq_hits *hits, size_t i, unsigned slot, const char **value, size_t *len) noexcept
{
	clear_out(value);
	clear_len(len);
	return entry(db_of(hits), [&] {
		if (xq_status st = check_hit(hits, i, value))
			return st;
		auto key = std::make_pair(i, slot);
		auto it = hits->values.find(key);
		if (it == hits->values.end())
			it = hits->values.emplace(key, hit_document(hits, i).get_value(slot)).first;
		*value = it->second.c_str();
		if (len)
			*len = it->second.size();
		return XQ_OK;
	});
}

void xq_hits_free(xq_hits *hits) noexcept
{
	delete hits;
}

} /* extern "C" */
