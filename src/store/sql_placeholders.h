// Rewrites portable `?` placeholders to PostgreSQL's $1..$n, leaving `?` alone inside
// '...' strings (with '' escapes), E'...' strings (backslash escapes), "..." identifiers,
// $tag$...$tag$ dollar quotes, -- line comments and /* nested */ comments.
//
//   auto r = rewrite_placeholders("SELECT '?' , ? FROM t WHERE a = ?");
//   r->sql == "SELECT '?' , $1 FROM t WHERE a = $2", r->count == 2
//
// PostgreSQL's jsonb operators ?, ?| and ?& cannot be told apart from placeholders: use
// jsonb_exists()/jsonb_exists_any()/jsonb_exists_all() in portable SQL instead.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace koban::store {

struct RewrittenSql {
  std::string sql;
  int count = 0;
};

// Fails (invalid_argument) on an unterminated string, identifier or comment.
Result<RewrittenSql> rewrite_placeholders(std::string_view sql);

}  // namespace koban::store
