#include "decision.h"

#include <set>

#include "bsn.h"

namespace doelpoort {
namespace {

Decision deny(Code code, std::string message, const Activity* activity = nullptr) {
  return {Status(code, message), activity};
}

Status check_complete(const InquiryRequest& r) {
  if (r.activity.empty()) return {Code::INVALID_REQUEST, "activity is empty"};
  if (r.user.empty()) return {Code::INVALID_REQUEST, "userId is empty"};
  if (r.source.empty()) return {Code::INVALID_REQUEST, "source is empty"};
  if (r.fields.empty()) return {Code::INVALID_REQUEST, "no field requested"};
  std::set<std::string_view> seen;
  for (const auto& f : r.fields)
    if (!seen.insert(f).second) return {Code::INVALID_REQUEST, "field \"" + f + "\" requested twice"};
  if (r.subject_bsn.empty()) return {Code::INVALID_REQUEST, "subjectBsn is empty"};
  if (!is_valid_bsn(r.subject_bsn)) return {Code::INVALID_REQUEST, "subjectBsn is not a valid BSN (11-proef)"};
  return Status::ok();
}

bool any_role_allowed(const StaffMember& user, const Activity& activity) {
  for (const auto& role : user.roles)
    if (activity.allows_role(role)) return true;
  return false;
}

}  // namespace

Decision decide(const Policy& policy, const Application& app, const InquiryRequest& r) {
  if (Status s = check_complete(r); !s) return {s, nullptr};

  const Activity* activity = policy.reg->find(r.activity);
  if (activity == nullptr) return deny(Code::ACTIVITY_UNKNOWN, "no activity \"" + r.activity + "\" in the register");
  if (!app.activities.count(activity->id))
    return deny(Code::APPLICATION_NOT_AUTHORISED,
                "application \"" + app.id + "\" may not use activity \"" + activity->id + "\"", activity);

  const StaffMember* user = policy.staff->find(r.user);
  if (user == nullptr) return deny(Code::USER_UNKNOWN, "user \"" + r.user + "\" is not on the staff list", activity);
  if (!any_role_allowed(*user, *activity))
    return deny(Code::ROLE_NOT_AUTHORISED,
                "no role of user \"" + r.user + "\" is allowed for activity \"" + activity->id + "\"", activity);

  if (r.break_glass) {
    if (!activity->break_glass_allowed)
      return deny(Code::BREAK_GLASS_NOT_PERMITTED, "activity \"" + activity->id + "\" does not allow break-glass",
                  activity);
    if (r.reason.empty()) return deny(Code::REASON_REQUIRED, "break-glass requires a reason", activity);
  }
  if (activity->case_reference_required && r.case_reference.empty())
    return deny(Code::CASE_REQUIRED, "activity \"" + activity->id + "\" requires a case reference", activity);

  const std::set<std::string>* allowed = activity->fields_of(r.source);
  if (allowed == nullptr)
    return deny(Code::SOURCE_NOT_PERMITTED,
                "activity \"" + activity->id + "\" may not consult source \"" + r.source + "\"", activity);
  std::string refused;
  for (const auto& f : r.fields) {
    if (allowed->count(f)) continue;
    refused += (refused.empty() ? "" : ", ") + f;
  }
  if (!refused.empty())
    return deny(Code::FIELD_NOT_PERMITTED,
                "not allowed for activity \"" + activity->id + "\" from \"" + r.source + "\": " + refused, activity);
  return {Status::ok(), activity};
}

}  // namespace doelpoort
