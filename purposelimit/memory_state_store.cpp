#include "memory_state_store.h"

namespace doelpoort {
namespace {

std::string key(std::string_view a, std::string_view b) {
  std::string k;
  k.reserve(a.size() + b.size() + 1);
  k.append(a).push_back('\x1f');  // unit separator: cannot occur in ids
  k.append(b);
  return k;
}

}  // namespace

// An entry whose expiry was renewed has a later time than its heap item says: it is kept.
void MemoryStateStore::sweep(Clock::time_point now) {
  for (int i = 0; i < kSweepPerOperation && !expiries_.empty() && expiries_.top().at <= now; ++i) {
    const Expiry& e = expiries_.top();
    switch (e.kind) {
      case Kind::Message:
        if (auto it = messages_.find(e.key); it != messages_.end() && it->second <= now) messages_.erase(it);
        break;
      case Kind::Subjects:
        if (auto it = subjects_.find(e.key); it != subjects_.end() && it->second.expires <= now) subjects_.erase(it);
        break;
      case Kind::Counter:
        if (auto it = counters_.find(e.key); it != counters_.end() && it->second.expires <= now) counters_.erase(it);
        break;
    }
    expiries_.pop();
  }
}

Status MemoryStateStore::admit(const Admission& a, Admitted& out) {
  const auto now = Clock::now();
  std::lock_guard lock(mu_);
  sweep(now);
  out = {};
  if (!fresh(a.application, a.message_id, a.message_ttl, now)) out.refusal = Refusal::Replay;
  else if (a.caseload_bound && !member(a.case_reference, a.subject)) out.refusal = Refusal::NotInCaseload;
  else if (a.max_inquiries > 0 && (out.inquiries = count(a.user, a.window, a.window_ttl, now)) > a.max_inquiries)
    out.refusal = Refusal::TooManyInquiries;
  else if (a.max_subjects > 0 && (out.subjects = note(a.user, a.period, a.subject, a.period_ttl, now)) > a.max_subjects)
    out.refusal = Refusal::TooManySubjects;
  return Status::ok();
}

bool MemoryStateStore::fresh(std::string_view application, std::string_view message_id, std::chrono::seconds ttl,
                             Clock::time_point now) {
  auto [it, inserted] = messages_.try_emplace(key(application, message_id), now + ttl);
  if (!inserted && it->second > now) return false;
  it->second = now + ttl;
  expire_later(now + ttl, Kind::Message, it->first);
  return true;
}

bool MemoryStateStore::member(std::string_view case_reference, std::string_view subject) const {
  auto it = caseload_.find(std::string(case_reference));
  return it != caseload_.end() && it->second.count(std::string(subject)) > 0;
}

std::uint64_t MemoryStateStore::count(std::string_view user, std::string_view window, std::chrono::seconds ttl,
                                      Clock::time_point now) {
  const std::string k = key(user, window);
  Counter& c = counters_[k];
  if (c.expires <= now) {
    c = {0, now + ttl};
    expire_later(now + ttl, Kind::Counter, k);
  }
  return ++c.count;
}

std::uint64_t MemoryStateStore::note(std::string_view user, std::string_view period, std::string_view subject,
                                     std::chrono::seconds ttl, Clock::time_point now) {
  const std::string k = key(user, period);
  SubjectSet& s = subjects_[k];
  if (s.expires <= now) {
    s = {{}, now + ttl};
    expire_later(now + ttl, Kind::Subjects, k);
  }
  s.subjects.emplace(subject);
  return s.subjects.size();
}

Status MemoryStateStore::replace_caseload(const std::map<std::string, std::set<std::string>>& caseload) {
  std::lock_guard lock(mu_);
  for (const auto& [case_ref, subjects] : caseload) caseload_[case_ref] = subjects;
  return Status::ok();
}

}  // namespace doelpoort
