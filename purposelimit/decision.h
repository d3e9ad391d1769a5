// The purpose-limitation decision: may this application, for this user, for this processing activity,
// ask this source for these fields about this subject? Deny by default: only an inquiry that passes
// every rule is permitted. Pure: no I/O, no clocks, no state; the same inputs give the same decision.
#pragma once

#include <string>
#include <vector>

#include "codes.h"
#include "policy.h"

namespace doelpoort {

struct InquiryRequest {
  std::string activity;
  std::string case_reference;
  std::string user;
  std::string subject_bsn;
  std::string source;
  std::vector<std::string> fields;
  std::string reason;
  bool break_glass = false;
};

struct Decision {
  Status status;                        ///< OK = permitted; otherwise the first rule that denied
  const Activity* activity = nullptr;   ///< the activity decided under (null when unknown)
};

/// Rules, in order (the first that fails decides):
///  1. the request is complete (activity, user, source, at least one field, no field twice)  INVALID_REQUEST
///  2. the subject BSN passes the 11-proef                                                    INVALID_REQUEST
///  3. the activity is in the register                                                        ACTIVITY_UNKNOWN
///  4. the application may use the activity                                       APPLICATION_NOT_AUTHORISED
///  5. the user is on the staff list                                                          USER_UNKNOWN
///  6. one of the user's roles is allowed for the activity                                    ROLE_NOT_AUTHORISED
///  7. break-glass only where the activity allows it, and only with a reason
///                                                        BREAK_GLASS_NOT_PERMITTED / REASON_REQUIRED
///  8. a case reference when the activity requires one                                        CASE_REQUIRED
///  9. the activity may consult the source                                                    SOURCE_NOT_PERMITTED
/// 10. every requested field is allowed for the activity and source                           FIELD_NOT_PERMITTED
Decision decide(const Policy& policy, const Application& application, const InquiryRequest& request);

}  // namespace doelpoort
