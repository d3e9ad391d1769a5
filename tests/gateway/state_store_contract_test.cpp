// The StateStore contract, run against every implementation: in memory, and Redis on a real redis-server.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "../support/redis_server.h"
#include "memory_state_store.h"
#include "redis_state_store.h"

namespace doelpoort {
namespace {

using namespace std::chrono_literals;

#define ASSERT_OK(expr)                                                      \
  do {                                                                       \
    const Status status_ = (expr);                                           \
    ASSERT_TRUE(status_.is_ok()) << name(status_.code()) << ": " << status_.message(); \
  } while (false)

// Past a 1 s ttl: Redis and the memory store both expire at millisecond precision.
constexpr auto kPastOneSecond = 1100ms;

struct MemoryBackend {
  static constexpr const char* kName = "Memory";
  std::unique_ptr<StateStore> make() { return std::make_unique<MemoryStateStore>(); }
};

struct RedisBackend {
  static constexpr const char* kName = "Redis";
  testing::RedisServer server;
  std::unique_ptr<StateStore> make() {
    RedisOptions options;
    std::string error;
    if (!parse_redis_url(server.url(), options, error)) throw std::runtime_error(error);
    auto store = RedisStateStore::create(options, error);
    if (!store) throw std::runtime_error(error);
    return store;
  }
};

struct BackendName {
  template <typename Backend>
  static std::string GetName(int) { return Backend::kName; }
};

template <typename Backend>
class StateStoreContract : public ::testing::Test {
 protected:
  using Admission = StateStore::Admission;
  using Refusal = StateStore::Refusal;

  StateStore::Admitted admit(const Admission& a) {
    StateStore::Admitted out;
    const Status s = this->store_->admit(a, out);
    EXPECT_TRUE(s.is_ok()) << s.message();
    return out;
  }
  std::string new_message_id() { return "urn:uuid:" + std::to_string(++next_id_); }

  // Each helper asks for the replay step and one other (with a message id not used before and a limit no
  // test reaches), and answers what that step found.
  bool fresh(std::string_view application, std::string_view message_id, std::chrono::seconds ttl = 60s) {
    return admit({.application = application, .message_id = message_id, .message_ttl = ttl}).refusal != Refusal::Replay;
  }
  std::uint64_t note(std::string_view user, std::string_view period, std::string_view subject,
                     std::chrono::seconds ttl = 60s) {
    const std::string id = new_message_id();
    return admit({.application = "app-1", .message_id = id, .message_ttl = 60s, .subject = subject, .user = user,
                  .period = period, .period_ttl = ttl, .max_subjects = kUnreached})
        .subjects;
  }
  std::uint64_t count(std::string_view user, std::string_view window, std::chrono::seconds ttl = 60s) {
    const std::string id = new_message_id();
    return admit({.application = "app-1", .message_id = id, .message_ttl = 60s, .user = user, .window = window,
                  .window_ttl = ttl, .max_inquiries = kUnreached})
        .inquiries;
  }
  bool member(std::string_view case_reference, std::string_view subject) {
    const std::string id = new_message_id();
    return admit({.application = "app-1", .message_id = id, .message_ttl = 60s, .subject = subject,
                  .caseload_bound = true, .case_reference = case_reference})
               .refusal != Refusal::NotInCaseload;
  }
  // Every step at once, as a permitted inquiry on an activity with caseload binding and both limits.
  StateStore::Admitted everything(std::string_view message_id, std::string_view subject, std::uint64_t max_inquiries,
                                  std::uint64_t max_subjects) {
    return admit({.application = "app-1", .message_id = message_id, .message_ttl = 60s, .subject = subject,
                  .caseload_bound = true, .case_reference = "Z-1", .user = "u1001", .window = "2026-11-29T14",
                  .window_ttl = 60s, .max_inquiries = max_inquiries, .period = "2026-11-29", .period_ttl = 60s,
                  .max_subjects = max_subjects});
  }

  static constexpr std::uint64_t kUnreached = 1'000'000;
  std::atomic<std::uint64_t> next_id_{0};
  Backend backend_;
  std::unique_ptr<StateStore> store_ = backend_.make();
};

using Backends = ::testing::Types<MemoryBackend, RedisBackend>;
TYPED_TEST_SUITE(StateStoreContract, Backends, BackendName);

TYPED_TEST(StateStoreContract, FirstMessageIsFreshAndItsReplayIsNot) {
  EXPECT_TRUE(this->fresh("app-1", "urn:uuid:1"));
  EXPECT_FALSE(this->fresh("app-1", "urn:uuid:1"));
  EXPECT_TRUE(this->fresh("app-1", "urn:uuid:2"));
}

TYPED_TEST(StateStoreContract, SameMessageIdFromAnotherApplicationIsFresh) {
  EXPECT_TRUE(this->fresh("app-1", "urn:uuid:1"));
  EXPECT_TRUE(this->fresh("app-2", "urn:uuid:1"));
  // The application and the id are kept apart exactly, whatever characters they hold.
  EXPECT_TRUE(this->fresh("a:b", "c"));
  EXPECT_TRUE(this->fresh("a", "b:c"));
}

TYPED_TEST(StateStoreContract, MessageIsFreshAgainAfterItsTtl) {
  EXPECT_TRUE(this->fresh("app-1", "urn:uuid:1", 1s));
  EXPECT_FALSE(this->fresh("app-1", "urn:uuid:1", 1s));
  std::this_thread::sleep_for(kPastOneSecond);
  EXPECT_TRUE(this->fresh("app-1", "urn:uuid:1", 1s));
}

TYPED_TEST(StateStoreContract, SameSubjectTwiceCountsOnce) {
  EXPECT_EQ(this->note("u1001", "2026-11-29", "subject-a"), 1u);
  EXPECT_EQ(this->note("u1001", "2026-11-29", "subject-a"), 1u);
  EXPECT_EQ(this->note("u1001", "2026-11-29", "subject-b"), 2u);
}

TYPED_TEST(StateStoreContract, SubjectsAreCountedPerUserAndPeriod) {
  EXPECT_EQ(this->note("u1001", "2026-11-29", "subject-a"), 1u);
  EXPECT_EQ(this->note("u1001", "2026-11-29", "subject-b"), 2u);
  EXPECT_EQ(this->note("u1001", "2026-11-30", "subject-a"), 1u);
  EXPECT_EQ(this->note("u1002", "2026-11-29", "subject-a"), 1u);
}

TYPED_TEST(StateStoreContract, SubjectsAreForgottenAfterTheirTtl) {
  EXPECT_EQ(this->note("u1001", "2026-11-29", "subject-a", 1s), 1u);
  EXPECT_EQ(this->note("u1001", "2026-11-29", "subject-b", 1s), 2u);
  std::this_thread::sleep_for(kPastOneSecond);
  EXPECT_EQ(this->note("u1001", "2026-11-29", "subject-b", 1s), 1u);
}

TYPED_TEST(StateStoreContract, InquiriesAreCountedPerUserAndWindow) {
  EXPECT_EQ(this->count("u1001", "2026-11-29T14"), 1u);
  EXPECT_EQ(this->count("u1001", "2026-11-29T14"), 2u);
  EXPECT_EQ(this->count("u1001", "2026-11-29T15"), 1u);
  EXPECT_EQ(this->count("u1002", "2026-11-29T14"), 1u);
  EXPECT_EQ(this->count("u1001", "2026-11-29T14"), 3u);
}

TYPED_TEST(StateStoreContract, CountStartsAgainAfterItsTtl) {
  EXPECT_EQ(this->count("u1001", "2026-11-29T14", 1s), 1u);
  EXPECT_EQ(this->count("u1001", "2026-11-29T14", 1s), 2u);
  std::this_thread::sleep_for(kPastOneSecond);
  EXPECT_EQ(this->count("u1001", "2026-11-29T14", 1s), 1u);
}

TYPED_TEST(StateStoreContract, UnknownCaseHasNoMembers) { EXPECT_FALSE(this->member("Z-404", "subject-a")); }

TYPED_TEST(StateStoreContract, ReplacedCaseloadHoldsExactlyTheNewSubjects) {
  ASSERT_OK(this->store_->replace_caseload({{"Z-1", {"subject-a", "subject-b"}}}));
  EXPECT_TRUE(this->member("Z-1", "subject-a"));
  EXPECT_TRUE(this->member("Z-1", "subject-b"));
  EXPECT_FALSE(this->member("Z-1", "subject-c"));
  ASSERT_OK(this->store_->replace_caseload({{"Z-1", {"subject-c"}}}));
  EXPECT_FALSE(this->member("Z-1", "subject-a"));
  EXPECT_TRUE(this->member("Z-1", "subject-c"));
  ASSERT_OK(this->store_->replace_caseload({{"Z-1", {}}}));
  EXPECT_FALSE(this->member("Z-1", "subject-c"));
}

TYPED_TEST(StateStoreContract, ReplacingOneCaseLeavesTheOthers) {
  ASSERT_OK(this->store_->replace_caseload({{"Z-1", {"subject-a"}}, {"Z-2", {"subject-b"}}}));
  ASSERT_OK(this->store_->replace_caseload({{"Z-1", {"subject-c"}}}));
  EXPECT_TRUE(this->member("Z-2", "subject-b"));
  EXPECT_FALSE(this->member("Z-2", "subject-a"));
  EXPECT_FALSE(this->member("Z-1", "subject-a"));
}

TYPED_TEST(StateStoreContract, ConcurrentCountsAreExact) {
  constexpr int kThreads = 8, kEach = 200;
  std::mutex mu;
  std::set<std::uint64_t> seen;
  std::atomic<int> failures{0};
  std::latch go(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      go.arrive_and_wait();
      for (int i = 0; i < kEach; ++i) {
        const std::uint64_t n = this->count("u1001", "2026-11-29T14");
        if (n == 0) ++failures;
        std::lock_guard lock(mu);
        seen.insert(n);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  // Every increment saw its own value: 1 .. 1600, none twice.
  EXPECT_EQ(seen.size(), std::size_t{kThreads * kEach});
  EXPECT_EQ(*seen.rbegin(), std::uint64_t{kThreads * kEach});
  EXPECT_EQ(this->count("u1001", "2026-11-29T14"), std::uint64_t{kThreads * kEach + 1});
}

TYPED_TEST(StateStoreContract, ConcurrentReplaysHaveExactlyOneFresh) {
  constexpr int kThreads = 8, kMessages = 50;
  std::atomic<int> fresh_count[kMessages] = {};
  std::atomic<int> failures{0};
  std::latch go(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      go.arrive_and_wait();
      for (int m = 0; m < kMessages; ++m) {
        const std::string id = "urn:uuid:" + std::to_string(m);
        StateStore::Admitted out;
        if (!this->store_->admit({.application = "app-1", .message_id = id, .message_ttl = 60s}, out).is_ok())
          ++failures;
        if (out.refusal == StateStore::Refusal::None) ++fresh_count[m];
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  for (int m = 0; m < kMessages; ++m) EXPECT_EQ(fresh_count[m], 1) << "message " << m;
}

TYPED_TEST(StateStoreContract, ConcurrentSubjectsAreCountedOnceEach) {
  constexpr int kThreads = 8, kSubjects = 100;
  std::atomic<int> failures{0};
  std::latch go(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      go.arrive_and_wait();
      for (int s = 0; s < kSubjects; ++s) {
        if (this->note("u1001", "2026-11-29", "subject-" + std::to_string(s)) == 0) ++failures;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(this->note("u1001", "2026-11-29", "subject-0"), std::uint64_t{kSubjects});
}

TYPED_TEST(StateStoreContract, AllStepsPassTogetherAndReportTheirCounts) {
  ASSERT_OK(this->store_->replace_caseload({{"Z-1", {"subject-a", "subject-b"}}}));
  const auto first = this->everything("m-1", "subject-a", 5, 5);
  EXPECT_EQ(first.refusal, StateStore::Refusal::None);
  EXPECT_EQ(first.inquiries, 1u);
  EXPECT_EQ(first.subjects, 1u);
  const auto second = this->everything("m-2", "subject-b", 5, 5);
  EXPECT_EQ(second.refusal, StateStore::Refusal::None);
  EXPECT_EQ(second.inquiries, 2u);
  EXPECT_EQ(second.subjects, 2u);
}

TYPED_TEST(StateStoreContract, ReplayIsRefusedFirstAndCountsNothing) {
  ASSERT_OK(this->store_->replace_caseload({{"Z-1", {"subject-a"}}}));
  EXPECT_EQ(this->everything("m-1", "subject-a", 5, 5).refusal, StateStore::Refusal::None);
  EXPECT_EQ(this->everything("m-1", "subject-a", 5, 5).refusal, StateStore::Refusal::Replay);
  EXPECT_EQ(this->count("u1001", "2026-11-29T14"), 2u);  // the replay was not counted
}

TYPED_TEST(StateStoreContract, SubjectOutsideTheCaseloadIsRefusedAndNotCounted) {
  ASSERT_OK(this->store_->replace_caseload({{"Z-1", {"subject-a"}}}));
  EXPECT_EQ(this->everything("m-1", "subject-x", 5, 5).refusal, StateStore::Refusal::NotInCaseload);
  EXPECT_EQ(this->count("u1001", "2026-11-29T14"), 1u);
  EXPECT_EQ(this->note("u1001", "2026-11-29", "subject-a"), 1u);
  // Its message id is used up all the same.
  EXPECT_FALSE(this->fresh("app-1", "m-1"));
}

TYPED_TEST(StateStoreContract, EmptyCaseReferenceHasNoMembers) {
  ASSERT_OK(this->store_->replace_caseload({{"Z-1", {"subject-a"}}}));
  EXPECT_FALSE(this->member("", "subject-a"));
}

TYPED_TEST(StateStoreContract, InquiryOverTheHourlyLimitStaysCountedButItsSubjectIsNotNoted) {
  ASSERT_OK(this->store_->replace_caseload({{"Z-1", {"subject-a", "subject-b", "subject-c"}}}));
  EXPECT_EQ(this->everything("m-1", "subject-a", 2, 5).refusal, StateStore::Refusal::None);
  EXPECT_EQ(this->everything("m-2", "subject-b", 2, 5).refusal, StateStore::Refusal::None);
  const auto third = this->everything("m-3", "subject-c", 2, 5);
  EXPECT_EQ(third.refusal, StateStore::Refusal::TooManyInquiries);
  EXPECT_EQ(third.inquiries, 3u);
  EXPECT_EQ(this->count("u1001", "2026-11-29T14"), 4u);
  EXPECT_EQ(this->note("u1001", "2026-11-29", "subject-b"), 2u);  // subject-c was not noted
}

TYPED_TEST(StateStoreContract, SubjectOverTheDailyLimitIsRefusedAndStaysNoted) {
  ASSERT_OK(this->store_->replace_caseload({{"Z-1", {"subject-a", "subject-b", "subject-c"}}}));
  EXPECT_EQ(this->everything("m-1", "subject-a", 10, 2).refusal, StateStore::Refusal::None);
  EXPECT_EQ(this->everything("m-2", "subject-b", 10, 2).refusal, StateStore::Refusal::None);
  EXPECT_EQ(this->everything("m-3", "subject-a", 10, 2).refusal, StateStore::Refusal::None);  // not a new one
  const auto fourth = this->everything("m-4", "subject-c", 10, 2);
  EXPECT_EQ(fourth.refusal, StateStore::Refusal::TooManySubjects);
  EXPECT_EQ(fourth.subjects, 3u);
  EXPECT_EQ(this->note("u1001", "2026-11-29", "subject-c"), 3u);
}

TYPED_TEST(StateStoreContract, IsHealthy) { EXPECT_TRUE(this->store_->healthy()); }

}  // namespace
}  // namespace doelpoort
