// The purpose-limitation decision: may this application, for this user, for this processing activity,
// ask this source for these fields about this subject, now? Deny by default: only an inquiry that passes
// every rule is permitted. Pure: no I/O and no clock (the time is passed in), so the same inputs give the
// same decision and `register diff --replay` can re-decide recorded inquiries. The rules that need shared
// state (replay, caseload, volume) are the limits stage's: see stateful_rules.h.
#pragma once

#include <string>
#include <vector>

#include "codes.h"
#include "policy.h"
#include "search_key.h"

namespace doelpoort {

/// A subject named by other means than a BSN (only where the activity allows the search key).
struct SearchValues {
  std::string geslachtsnaam;
  std::string geboortedatum;  ///< yyyymmdd, as SuwiML dates
  std::string postcode;       ///< 1234AB
  std::string huisnummer;
  std::string kenteken;       ///< licence plate, letters and digits without dashes
  bool empty() const {
    return geslachtsnaam.empty() && geboortedatum.empty() && postcode.empty() && huisnummer.empty() && kenteken.empty();
  }
};

struct InquiryRequest {
  std::string activity;
  std::string case_reference;
  std::string user;
  std::string subject_bsn;
  std::string source;
  std::vector<std::string> fields;
  std::string reason;
  bool break_glass = false;
  SearchValues search;
};

/// Local time of the inquiry, for office hours.
struct DecisionTime {
  int weekday = 0;        ///< 0 = Monday … 6 = Sunday
  int minute_of_day = 0;  ///< 0 … 1439
};

struct Decision {
  Status status;                       ///< OK = permitted; otherwise the first rule that denied
  const Activity* activity = nullptr;  ///< the activity decided under (null when unknown)
  SearchKey search_key = SearchKey::Bsn;
};

/// Which search key `r` uses; INVALID_REQUEST when it names no subject, several ways, or malformed values.
Status search_key_of(const InquiryRequest& r, SearchKey& key);

/// Rules, in order (the first that fails decides):
///  1. the request is complete: activity, user, source, at least one field, no field twice   INVALID_REQUEST
///  2. the subject is named exactly one way, well formed; a BSN passes the 11-proef          INVALID_REQUEST
///  3. the activity is in the register                                                        ACTIVITY_UNKNOWN
///  4. the application may use the activity                                       APPLICATION_NOT_AUTHORISED
///  5. the user is on the staff list                                                          USER_UNKNOWN
///  6. one of the user's roles is allowed for the activity                                    ROLE_NOT_AUTHORISED
///  7. break-glass only where the activity allows it, and only with a reason
///                                                        BREAK_GLASS_NOT_PERMITTED / REASON_REQUIRED
///  8. within the activity's office hours, unless break-glass                                 OUTSIDE_OFFICE_HOURS
///  9. a case reference when the activity requires one                                        CASE_REQUIRED
/// 10. the activity allows the search key                                                     SEARCH_KEY_NOT_PERMITTED
/// 11. the activity may consult the source                                                    SOURCE_NOT_PERMITTED
/// 12. the source can be searched by that key                                                 INVALID_REQUEST
/// 13. every requested field is allowed for the activity and source                           FIELD_NOT_PERMITTED
/// 14. a field of a special category (AVG art. 9/10) only for the roles its grant names
///                                                                             SPECIAL_CATEGORY_NOT_PERMITTED
Decision decide(const Policy& policy, const Application& application, const InquiryRequest& request,
                const DecisionTime& time);

}  // namespace doelpoort
