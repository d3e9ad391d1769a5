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

  /// What one inquiry asks of the state, done as one atomic step (for Redis: one round trip). The steps
  /// run in this order; the first that refuses ends the step, and the steps after it change nothing:
  ///   replay    remembers `message_id` (scoped by `application`) for `message_ttl`; refuses when it was
  ///             already remembered within its ttl
  ///   caseload  when `caseload_bound`: refuses when `subject` is not in the caseload of `case_reference`
  ///             (an empty or unknown case has no members)
  ///   volume    when `max_inquiries` > 0: counts one inquiry by `user` in `window` (e.g. the hour
  ///             "2026-11-29T14"; the count is kept for `window_ttl` from its first inquiry); refuses when
  ///             the count exceeds `max_inquiries` (the refused attempt stays counted)
  ///   subjects  when `max_subjects` > 0: adds `subject` to the distinct subjects `user` consulted in
  ///             `period` (e.g. the day "2026-11-29"; kept for `period_ttl` from its first subject); refuses
  ///             when there are more than `max_subjects` (the refused subject stays noted)
  struct Admission {
    std::string_view application;
    std::string_view message_id;
    std::chrono::seconds message_ttl{0};
    std::string_view subject;         ///< pseudonymised
    bool caseload_bound = false;      ///< false: no caseload step
    std::string_view case_reference;
    std::string_view user;            ///< whose volume is counted
    std::string_view window;
    std::chrono::seconds window_ttl{0};
    std::uint64_t max_inquiries = 0;  ///< 0: no volume step
    std::string_view period;
    std::chrono::seconds period_ttl{0};
    std::uint64_t max_subjects = 0;  ///< 0: no subjects step
  };
  enum class Refusal : std::uint8_t { None, Replay, NotInCaseload, TooManyInquiries, TooManySubjects };
  struct Admitted {
    Refusal refusal = Refusal::None;
    std::uint64_t inquiries = 0;  ///< the window's count after this inquiry, when the volume step ran
    std::uint64_t subjects = 0;   ///< the period's distinct subjects after this one, when the subjects step ran
  };
  /// STATE_UNAVAILABLE on failure (then nothing is known about what was changed).
  virtual Status admit(const Admission& admission, Admitted& out) = 0;

  /// Replaces the caseload of each case in `caseload` (case reference -> subjects) with the given set;
  /// cases not named are left alone. Atomic per case.
  virtual Status replace_caseload(const std::map<std::string, std::set<std::string>>& caseload) = 0;

  /// Whether the store answers now (for /readyz).
  virtual bool healthy() = 0;
};

}  // namespace doelpoort
