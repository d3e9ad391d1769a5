// The proportionality rules that need shared state (StateStore): replay protection, caseload binding and
// volume limits, in this order:
//   replay     the caller's wsa:MessageID was not used before within the window     REPLAY_DETECTED
//   caseload   the subject is in the case's caseload, where the activity binds it,
//              unless break-glass                                                    SUBJECT_NOT_IN_CASELOAD
//   volume     the user's inquiries this hour and distinct subjects today, per
//              activity, stay within the activity's limits                          VOLUME_LIMIT_EXCEEDED
// Each call is one step of the store (StateStore::admit: one Redis round trip however many rules apply).
// Any store failure denies with STATE_UNAVAILABLE (fail closed).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "codes.h"
#include "decision.h"
#include "register.h"
#include "state_store.h"

namespace doelpoort {

/// The periods volume limits count in, as local-time labels: "2026-11-29" and "2026-11-29T14".
struct LimitPeriods {
  std::string day;
  std::string hour;
};

/// The caller's message, as replay protection knows it: unique per application within `window`.
struct MessageRef {
  std::string_view application;
  std::string_view message_id;
  std::chrono::seconds window{};
};

/// Replay protection alone: for an inquiry the pure decision denied (a replay is refused as such; otherwise
/// the denial stands and nothing is counted).
Status check_replay(StateStore& state, const MessageRef& message);

/// Replay protection, caseload binding and volume limits for an inquiry the pure decision permitted under
/// `activity`. `subject` is the pseudonym of the subject (never a BSN).
Status check_replay_and_limits(StateStore& state, const MessageRef& message, const Activity& activity,
                               const InquiryRequest& request, std::string_view subject,
                               const LimitPeriods& periods);

}  // namespace doelpoort
