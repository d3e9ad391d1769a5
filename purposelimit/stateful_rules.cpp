#include "stateful_rules.h"

namespace doelpoort {
namespace {

using Refusal = StateStore::Refusal;

StateStore::Admission replay_only(const MessageRef& m) {
  StateStore::Admission a;
  a.application = m.application;
  a.message_id = m.message_id;
  a.message_ttl = m.window;
  return a;
}

Status replayed(const MessageRef& m) {
  return {Code::REPLAY_DETECTED, "wsa:MessageID " + std::string(m.message_id) + " was already used"};
}

}  // namespace

Status check_replay(StateStore& state, const MessageRef& message) {
  StateStore::Admitted out;
  if (Status s = state.admit(replay_only(message), out); !s) return s;
  return out.refusal == Refusal::Replay ? replayed(message) : Status::ok();
}

Status check_replay_and_limits(StateStore& state, const MessageRef& message, const Activity& activity,
                               const InquiryRequest& r, std::string_view subject, const LimitPeriods& periods) {
  const Proportionality& p = activity.proportionality;
  // Counted per user and activity; an attempt over the limit counts too, so hammering does not help.
  const std::string who = r.user + "/" + activity.id;
  StateStore::Admission a = replay_only(message);
  a.subject = subject;
  a.caseload_bound = p.caseload_binding && !r.break_glass;
  a.case_reference = r.case_reference;
  a.user = who;
  a.window = periods.hour;
  a.window_ttl = std::chrono::hours(2);
  a.max_inquiries = p.max_inquiries_per_user_per_hour;
  a.period = periods.day;
  a.period_ttl = std::chrono::hours(25);
  a.max_subjects = p.max_subjects_per_user_per_day;

  StateStore::Admitted out;
  if (Status s = state.admit(a, out); !s) return s;
  switch (out.refusal) {
    case Refusal::None:
      return Status::ok();
    case Refusal::Replay:
      return replayed(message);
    case Refusal::NotInCaseload:
      return {Code::SUBJECT_NOT_IN_CASELOAD, "the subject is not in the caseload of case \"" + r.case_reference + "\""};
    case Refusal::TooManyInquiries:
      return {Code::VOLUME_LIMIT_EXCEEDED, "more than " + std::to_string(p.max_inquiries_per_user_per_hour) +
                                               " inquiries this hour for activity \"" + activity.id + "\""};
    case Refusal::TooManySubjects:
      return {Code::VOLUME_LIMIT_EXCEEDED, "more than " + std::to_string(p.max_subjects_per_user_per_day) +
                                               " distinct subjects today for activity \"" + activity.id + "\""};
  }
  return {Code::INTERNAL_ERROR, "the state store gave an unknown refusal"};
}

}  // namespace doelpoort
