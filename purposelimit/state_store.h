// Proportionality state shared by every gateway instance: replay protection, volume counters and the
// caseload (which subjects belong to which case). Two implementations: in memory (one node, the embedded
// default) and Redis (several nodes; gateway/redis_state_store.h).
//
// Contract for implementations:
//  - Every operation is atomic on its own (no read-then-write race between instances; for Redis one
//    command, MULTI or one Lua script, never INCR then EXPIRE in two round trips).
//  - Every operation is bounded in time; when the store cannot answer it returns STATE_UNAVAILABLE and
//    the caller denies (fail closed). The store recovers by itself when its backend comes back.
//  - Keys hold no BSN: subjects are passed in pseudonymised (HMAC, see gateway/pseudonym.h).
//  - Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "codes.h"

namespace doelpoort {

class StateStore {
 public:
  virtual ~StateStore() = default;

  /// Records `message_id` (scoped by application) for `ttl`. Sets `fresh` false when it was already
  /// recorded within its ttl (a replay). STATE_UNAVAILABLE on failure.
  virtual Status remember_message(std::string_view application, std::string_view message_id,
                                  std::chrono::seconds ttl, bool& fresh) = 0;

  /// Adds `subject` to the set of distinct subjects `user` consulted in the period `period` (e.g. the
  /// day "2026-11-29"), kept for `ttl`, and sets `distinct` to the set's size afterwards.
  virtual Status note_subject(std::string_view user, std::string_view period, std::string_view subject,
                              std::chrono::seconds ttl, std::uint64_t& distinct) = 0;

  /// Counts one inquiry by `user` in the window `window` (e.g. the hour "2026-11-29T14"), kept for `ttl`,
  /// and sets `count` to the window's count afterwards.
  virtual Status count_inquiry(std::string_view user, std::string_view window, std::chrono::seconds ttl,
                               std::uint64_t& count) = 0;

  /// Sets `member` to whether `subject` belongs to the caseload of case `case_reference`.
  virtual Status in_caseload(std::string_view case_reference, std::string_view subject, bool& member) = 0;

  /// Replaces the caseload of each case in `caseload` (case reference -> subjects) with the given set;
  /// cases not named are left alone. Atomic per case.
  virtual Status replace_caseload(const std::map<std::string, std::set<std::string>>& caseload) = 0;

  /// Whether the store answers now (for /readyz).
  virtual bool healthy() = 0;
};

}  // namespace doelpoort
