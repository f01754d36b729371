// Shared between engine.cc and queues.cc; not for other modules.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "store/database.h"
#include "workflow/request.h"

namespace koban::workflow {

// Enqueues a "workflow.notify" job in s's transaction (recipients sorted, duplicates removed).
Result<void> enqueue_notify(store::Session& s, RequestId id, std::string_view event,
                            std::vector<org::PersonId> recipients, Instant now);

}  // namespace koban::workflow
