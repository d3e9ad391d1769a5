// The proportionality rules that need shared state (StateStore): replay protection, caseload binding and
// volume limits. Run after the pure decision permitted an inquiry (replay: before it), in this order:
//   replay     the caller's wsa:MessageID was not used before within the window     REPLAY_DETECTED
//   caseload   the subject is in the case's caseload, where the activity binds it,
//              unless break-glass                                                    SUBJECT_NOT_IN_CASELOAD
//   volume     the user's inquiries this hour and distinct subjects today, per
//              activity, stay within the activity's limits                          VOLUME_LIMIT_EXCEEDED
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

Status check_replay(StateStore& state, std::string_view application, std::string_view message_id,
                    std::chrono::seconds window);

/// `subject` is the pseudonym of the subject (never a BSN).
Status check_limits(StateStore& state, const Activity& activity, const InquiryRequest& request,
                    std::string_view subject, const LimitPeriods& periods);

}  // namespace doelpoort
