// test_xq_header.cc - xq.h must compile as C++ too (it is included from
// C++ here, with the extern "C" block and no C++-only constructs required),
// and its functions must link and behave when called from C++.
#include "xq.h"

#include <cstring>

// Every function is noexcept to C++ (XQ_NOEXCEPT), so C++ callers know no
// exception can come out.
static_assert(noexcept(xq_status_to_string(XQ_OK)), "xq_status_to_string is noexcept");
static_assert(noexcept(xq_db_open(nullptr, nullptr)), "xq_db_open is noexcept");
static_assert(noexcept(xq_db_commit(nullptr)), "xq_db_commit is noexcept");
static_assert(noexcept(xq_db_set_reopen_check(nullptr, nullptr, nullptr)), "xq_db_set_reopen_check is noexcept");
static_assert(noexcept(xq_db_close(nullptr)), "xq_db_close is noexcept");
static_assert(noexcept(xq_doc_new()), "xq_doc_new is noexcept");
static_assert(noexcept(xq_query_match_all(nullptr)), "xq_query_match_all is noexcept");
static_assert(noexcept(xq_enquire_run(nullptr, 0, 0, nullptr)), "xq_enquire_run is noexcept");
static_assert(noexcept(xq_hits_count(nullptr)), "xq_hits_count is noexcept");

int main()
{
	const char *s = xq_status_to_string(XQ_ERR_LOCKED);
	if (s == nullptr || std::strlen(s) == 0)
		return 1;
	// No C++ exception crosses the header: a bad call returns a status.
	xq_db *db = nullptr;
	if (xq_db_open_writable("/nonexistent/wensou-xq-header-test", XQ_OPEN, &db) == XQ_OK || db != nullptr)
		return 1;
	if (std::strlen(xq_last_error()) == 0)
		return 1;
	char buf[18];
	if (xq_sortable_serialise(2024.0, buf) == 0)
		return 1;
	xq_db_close(nullptr);
	return 0;
}
