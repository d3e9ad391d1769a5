// StateStore in this process's memory: the embedded default for a single gateway. Every entry's expiry
// also goes into a min-heap, so expired entries are dropped a few at a time by later operations: O(log n)
// each, never a scan of everything.
#pragma once

#include <mutex>
#include <queue>
#include <vector>
#include <unordered_map>
#include <unordered_set>

#include "state_store.h"

namespace doelpoort {

class MemoryStateStore final : public StateStore {
 public:
  using Clock = std::chrono::steady_clock;

  Status admit(const Admission& admission, Admitted& out) override;
  Status replace_caseload(const std::map<std::string, std::set<std::string>>& caseload) override;
  bool healthy() override { return true; }

 private:
  static constexpr int kSweepPerOperation = 8;
  struct Counter {
    std::uint64_t count = 0;
    Clock::time_point expires;
  };
  struct SubjectSet {
    std::unordered_set<std::string> subjects;
    Clock::time_point expires;
  };
  enum class Kind : std::uint8_t { Message, Subjects, Counter };
  struct Expiry {
    Clock::time_point at;
    Kind kind;
    std::string key;
    bool operator>(const Expiry& o) const { return at > o.at; }
  };
  void sweep(Clock::time_point now);
  // The steps of admit, under mu_.
  bool fresh(std::string_view application, std::string_view message_id, std::chrono::seconds ttl,
             Clock::time_point now);
  bool member(std::string_view case_reference, std::string_view subject) const;
  std::uint64_t count(std::string_view user, std::string_view window, std::chrono::seconds ttl,
                      Clock::time_point now);
  std::uint64_t note(std::string_view user, std::string_view period, std::string_view subject,
                     std::chrono::seconds ttl, Clock::time_point now);
  void expire_later(Clock::time_point at, Kind kind, const std::string& key) { expiries_.push({at, kind, key}); }

  std::mutex mu_;
  std::priority_queue<Expiry, std::vector<Expiry>, std::greater<>> expiries_;
  std::unordered_map<std::string, Clock::time_point> messages_;
  std::unordered_map<std::string, SubjectSet> subjects_;
  std::unordered_map<std::string, Counter> counters_;
  std::unordered_map<std::string, std::set<std::string>> caseload_;
};

}  // namespace doelpoort
