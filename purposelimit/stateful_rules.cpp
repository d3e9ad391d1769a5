#include "stateful_rules.h"

namespace doelpoort {

Status check_replay(StateStore& state, std::string_view application, std::string_view message_id,
                    std::chrono::seconds window) {
  bool fresh = false;
  if (Status s = state.remember_message(application, message_id, window, fresh); !s) return s;
  if (!fresh) return {Code::REPLAY_DETECTED, "wsa:MessageID " + std::string(message_id) + " was already used"};
  return Status::ok();
}

Status check_limits(StateStore& state, const Activity& a, const InquiryRequest& r, std::string_view subject,
                    const LimitPeriods& periods) {
  const Proportionality& p = a.proportionality;
  if (p.caseload_binding && !r.break_glass) {
    bool member = false;
    if (Status s = state.in_caseload(r.case_reference, subject, member); !s) return s;
    if (!member)
      return {Code::SUBJECT_NOT_IN_CASELOAD, "the subject is not in the caseload of case \"" + r.case_reference + "\""};
  }
  // Counted per user and activity; an attempt over the limit counts too, so hammering does not help.
  const std::string who = r.user + "/" + a.id;
  if (p.max_inquiries_per_user_per_hour > 0) {
    std::uint64_t count = 0;
    if (Status s = state.count_inquiry(who, periods.hour, std::chrono::hours(2), count); !s) return s;
    if (count > p.max_inquiries_per_user_per_hour)
      return {Code::VOLUME_LIMIT_EXCEEDED, "more than " + std::to_string(p.max_inquiries_per_user_per_hour) +
                                               " inquiries this hour for activity \"" + a.id + "\""};
  }
  if (p.max_subjects_per_user_per_day > 0) {
    std::uint64_t distinct = 0;
    if (Status s = state.note_subject(who, periods.day, subject, std::chrono::hours(25), distinct); !s) return s;
    if (distinct > p.max_subjects_per_user_per_day)
      return {Code::VOLUME_LIMIT_EXCEEDED, "more than " + std::to_string(p.max_subjects_per_user_per_day) +
                                               " distinct subjects today for activity \"" + a.id + "\""};
  }
  return Status::ok();
}

}  // namespace doelpoort
