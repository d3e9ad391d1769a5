// What only the Redis StateStore does: URL parsing, outages (down, hung, back), a lost script cache, the
// key layout. The shared behaviour is in state_store_contract_test.cpp.
#include "redis_state_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "../support/redis_server.h"
#include "pseudonym.h"

namespace doelpoort {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::RedisServer;

// Generous against a 200 ms timeout, so a loaded CI box does not make it flaky.
constexpr auto kPromptly = 1s;

RedisOptions parsed(const std::string& url) {
  RedisOptions options;
  std::string error;
  EXPECT_TRUE(parse_redis_url(url, options, error)) << url << ": " << error;
  return options;
}

TEST(RedisUrl, ParsesHostAndPort) {
  const RedisOptions o = parsed("redis://127.0.0.1:6380");
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 6380);
  EXPECT_EQ(o.user, "");
  EXPECT_EQ(o.password, "");
  EXPECT_EQ(o.db, 0);
}

TEST(RedisUrl, ParsesUserPasswordAndDb) {
  const RedisOptions o = parsed("redis://gw:s3cret@redis.example:6379/2");
  EXPECT_EQ(o.host, "redis.example");
  EXPECT_EQ(o.port, 6379);
  EXPECT_EQ(o.user, "gw");
  EXPECT_EQ(o.password, "s3cret");
  EXPECT_EQ(o.db, 2);
}

TEST(RedisUrl, ParsesAPasswordWithoutUserAndAUserWithoutPassword) {
  RedisOptions o = parsed("redis://:s3cret@h:1");
  EXPECT_EQ(o.user, "");
  EXPECT_EQ(o.password, "s3cret");
  o = parsed("redis://gw@h:1");
  EXPECT_EQ(o.user, "gw");
  EXPECT_EQ(o.password, "");
}

TEST(RedisUrl, DecodesPercentEncodedCredentialsAndBracketedIpv6) {
  const RedisOptions o = parsed("redis://g%77:p%40ss%3Aw/rd@[::1]:6379");
  EXPECT_EQ(o.user, "gw");
  EXPECT_EQ(o.password, "p@ss:w/rd");
  EXPECT_EQ(o.host, "::1");
  EXPECT_EQ(o.port, 6379);
}

TEST(RedisUrl, LeavesTimeoutsPoolAndPrefixAlone) {
  RedisOptions o;
  o.pool_size = 4;
  o.key_prefix = "x:";
  std::string error;
  ASSERT_TRUE(parse_redis_url("redis://h:1", o, error)) << error;
  EXPECT_EQ(o.pool_size, 4u);
  EXPECT_EQ(o.key_prefix, "x:");
  EXPECT_EQ(o.connect_timeout_ms, 200);
  EXPECT_EQ(o.command_timeout_ms, 200);
}

TEST(RedisUrl, RejectsMalformedUrlsWithoutRepeatingThePassword) {
  for (const std::string url :
       {"", "http://h:1", "rediss://h:1", "redis://h", "redis://:1", "redis://h:0", "redis://h:65536",
        "redis://h:port", "redis://h:1/", "redis://h:1/x", "redis://h:1?db=2", "redis://@h:1",
        "redis://u:topsecret%4@h:1", "redis://u:topsecret@h:99999", "redis://[::1", "redis://[::1]6379"}) {
    RedisOptions o;
    std::string error;
    EXPECT_FALSE(parse_redis_url(url, o, error)) << url;
    EXPECT_FALSE(error.empty()) << url;
    EXPECT_EQ(error.find("topsecret"), std::string::npos) << error;
  }
}

class RedisStateStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<RedisStateStore> make(RedisOptions options) {
    std::string error;
    auto store = RedisStateStore::create(options, error);
    EXPECT_TRUE(store) << error;
    return store;
  }
  std::unique_ptr<RedisStateStore> make() { return make(parsed(server_.url())); }

  // Runs `call` and checks it failed with STATE_UNAVAILABLE promptly.
  static void expect_unavailable_promptly(const std::function<Status()>& call) {
    const auto start = Clock::now();
    const Status s = call();
    const auto took = Clock::now() - start;
    EXPECT_EQ(s.code(), Code::STATE_UNAVAILABLE) << s.message();
    EXPECT_LT(took, kPromptly) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
  }
  static void expect_every_call_unavailable_promptly(StateStore& store) {
    StateStore::Admitted out;
    expect_unavailable_promptly([&] { return store.admit(counting("m-1"), out); });
    expect_unavailable_promptly([&] { return store.replace_caseload({{"Z-1", {"s"}}}); });
    const auto start = Clock::now();
    EXPECT_FALSE(store.healthy());
    EXPECT_LT(Clock::now() - start, kPromptly);
  }
  // The replay and volume steps; `message_id` must outlive the admission.
  static StateStore::Admission counting(const std::string& message_id) {
    return {.application = "app-1", .message_id = message_id, .message_ttl = 60s, .user = "u1001",
            .window = "2026-11-29T14", .window_ttl = 60s, .max_inquiries = 1'000'000};
  }
  // One admission with a new message id; `count` gets the window's count after it.
  static Status count_once(StateStore& store, std::uint64_t* count = nullptr) {
    static std::atomic<int> next{0};
    const std::string id = "urn:uuid:" + std::to_string(++next);
    StateStore::Admitted out;
    const Status s = store.admit(counting(id), out);
    if (count != nullptr) *count = out.inquiries;
    return s;
  }

  RedisServer server_;
};

TEST_F(RedisStateStoreTest, CreateRefusesAnUnreachableRedis) {
  server_.stop();
  std::string error;
  const auto start = Clock::now();
  EXPECT_FALSE(RedisStateStore::create(parsed(server_.url()), error));
  EXPECT_LT(Clock::now() - start, kPromptly);
  EXPECT_NE(error.find("Connection refused"), std::string::npos) << error;
}

TEST_F(RedisStateStoreTest, AuthenticatesAsAnAclUserAndSelectsTheDb) {
  ASSERT_TRUE(server_.command({"ACL", "SETUSER", "gw", "on", ">s3cret", "~*", "+@all"}));
  std::string error;
  const std::string where = "127.0.0.1:" + std::to_string(server_.port());
  EXPECT_FALSE(RedisStateStore::create(parsed("redis://gw:wrong@" + where), error));
  EXPECT_NE(error.find("WRONGPASS"), std::string::npos) << error;

  auto store = make(parsed("redis://gw:s3cret@" + where + "/3"));
  ASSERT_TRUE(store);
  std::uint64_t n = 0;
  ASSERT_TRUE(count_once(*store, &n).is_ok());
  const auto keyspace = server_.command({"INFO", "keyspace"});
  ASSERT_TRUE(keyspace);
  EXPECT_NE(std::string(keyspace->str, keyspace->len).find("db3:keys=2,"), std::string::npos) << keyspace->str;
}

TEST_F(RedisStateStoreTest, EveryCallFailsPromptlyWhileRedisIsDown) {
  auto store = make();
  ASSERT_TRUE(store);
  server_.stop();
  expect_every_call_unavailable_promptly(*store);
}

TEST_F(RedisStateStoreTest, EveryCallFailsPromptlyWhileRedisHangs) {
  auto store = make();
  ASSERT_TRUE(store);
  server_.pause();
  expect_every_call_unavailable_promptly(*store);
  server_.resume();
}

TEST_F(RedisStateStoreTest, RecoversWhenRedisComesBack) {
  auto store = make();
  ASSERT_TRUE(store);
  server_.stop();
  EXPECT_EQ(count_once(*store).code(), Code::STATE_UNAVAILABLE);
  server_.start();
  std::this_thread::sleep_for(300ms);  // past the reconnect interval that follows the failed connect
  EXPECT_TRUE(store->healthy());
  EXPECT_TRUE(count_once(*store).is_ok());
}

TEST_F(RedisStateStoreTest, FirstCallAfterARestartSucceeds) {
  auto store = make();
  ASSERT_TRUE(store);
  ASSERT_TRUE(count_once(*store).is_ok());
  server_.stop();
  server_.start();
  // The pooled connection died with the old server; it is noticed and replaced, not used.
  const Status s = count_once(*store);
  EXPECT_TRUE(s.is_ok()) << s.message();
}

TEST_F(RedisStateStoreTest, ConnectsAtMostEvery250msWhileRedisDoesNotAnswer) {
  auto store = make();
  ASSERT_TRUE(store);
  server_.stop();
  // In Redis's place, a socket that lets connections in (the kernel's backlog) but never answers.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  const int yes = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(server_.port()));
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 64), 0);

  int calls = 0;
  Clock::duration slowest{};
  const auto start = Clock::now();
  while (Clock::now() - start < 1s) {
    const auto before = Clock::now();
    EXPECT_EQ(count_once(*store).code(), Code::STATE_UNAVAILABLE);
    slowest = std::max(slowest, Clock::now() - before);
    ++calls;
    std::this_thread::sleep_for(5ms);
  }
  int connects = 0;
  ::fcntl(listener, F_SETFL, O_NONBLOCK);
  for (int fd; (fd = ::accept(listener, nullptr, nullptr)) >= 0; ++connects) ::close(fd);
  ::close(listener);

  EXPECT_GE(connects, 2);  // it does keep trying
  EXPECT_LE(connects, 5);  // 1 s / 250 ms, plus the first
  EXPECT_GT(calls, connects * 5);  // the calls in between failed at once
  EXPECT_LT(slowest, kPromptly);
}

TEST_F(RedisStateStoreTest, RecoversFromALostScriptCache) {
  auto store = make();
  ASSERT_TRUE(store);
  std::uint64_t n = 0;
  ASSERT_TRUE(count_once(*store, &n).is_ok());
  ASSERT_TRUE(server_.command({"SCRIPT", "FLUSH"}));
  const Status s = count_once(*store, &n);
  ASSERT_TRUE(s.is_ok()) << s.message();
  EXPECT_EQ(n, 2u);
  EXPECT_TRUE(count_once(*store).is_ok());
}

TEST_F(RedisStateStoreTest, KeysUseThePrefixAndHoldNoBsn) {
  RedisOptions options = parsed(server_.url());
  options.key_prefix = "dp-test:";
  auto store = make(options);
  ASSERT_TRUE(store);
  const std::string bsn = "111222333";
  const std::string subject = Pseudonymiser(std::array<unsigned char, 32>{}).pseudonym(bsn);
  ASSERT_TRUE(store->replace_caseload({{"Z-1", {subject}}}).is_ok());
  const std::string id = "urn:uuid:1";
  StateStore::Admission every_step = counting(id);
  every_step.subject = subject;
  every_step.caseload_bound = true;
  every_step.case_reference = "Z-1";
  every_step.period = "2026-11-29";
  every_step.period_ttl = 60s;
  every_step.max_subjects = 1'000'000;
  StateStore::Admitted out;
  ASSERT_TRUE(store->admit(every_step, out).is_ok());
  EXPECT_EQ(out.refusal, StateStore::Refusal::None);
  EXPECT_EQ(out.subjects, 1u);

  const auto keys = server_.command({"KEYS", "*"});
  ASSERT_TRUE(keys);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < keys->elements; ++i) names.emplace_back(keys->element[i]->str, keys->element[i]->len);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"dp-test:case:Z-1", "dp-test:cnt:u1001:2026-11-29T14",
                                             "dp-test:msg:app-1:urn%3Auuid%3A1", "dp-test:subj:u1001:2026-11-29"}));
  for (const char* expiring : {"dp-test:msg:app-1:urn%3Auuid%3A1", "dp-test:cnt:u1001:2026-11-29T14",
                                "dp-test:subj:u1001:2026-11-29"}) {
    const auto ttl = server_.command({"TTL", expiring});
    ASSERT_TRUE(ttl);
    EXPECT_GT(ttl->integer, 0) << expiring;
  }
  for (const auto& name : names) EXPECT_EQ(name.find(bsn), std::string::npos) << name;
}

TEST_F(RedisStateStoreTest, ASmallPoolServesManyThreads) {
  RedisOptions options = parsed(server_.url());
  options.pool_size = 1;
  auto store = make(options);
  ASSERT_TRUE(store);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i)
        if (!count_once(*store).is_ok()) ++failures;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  std::uint64_t n = 0;
  ASSERT_TRUE(count_once(*store, &n).is_ok());
  EXPECT_EQ(n, 801u);
}

}  // namespace
}  // namespace doelpoort
