// Identifier types shared by the org headers (units.h, people.h, roles.h ...).
#pragma once

#include <cstdint>

namespace koban::org {

using UnitId = std::int64_t;
using PersonId = std::int64_t;
using GrantId = std::int64_t;

}  // namespace koban::org
