// The audit log under stress, on the real binaries: a full disk fails closed and recovers without a restart;
// a gateway killed with SIGKILL again and again under load loses no acknowledged inquiry and never called
// a registry without a durable record first; inclusion proofs for an inquiry verify.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "harness.h"
#include "merkle.h"

namespace doelpoort::testing {
namespace {

using AuditTest = IntegrationTest;

struct AuditCounts {
  std::set<std::string> decided_permit;  // inquiry ids with a permit decision record
  std::set<std::string> with_outcome;
};

AuditCounts count_records(const std::vector<nlohmann::json>& records) {
  AuditCounts c;
  for (const auto& r : records) {
    if (r.value("kind", "") == "decision" && r.value("decision", "") == "permit") c.decided_permit.insert(r["inquiry_id"]);
    if (r.value("kind", "") == "outcome") c.with_outcome.insert(r["inquiry_id"]);
  }
  return c;
}

TEST_F(AuditTest, FullDiskFailsClosedAndRecoversWithoutRestart) {
  int port = 0;
  // The gateway may write files of at most 24 KiB: its audit segment fills up after a few dozen records.
  GatewayOptions unlimited;
  unlimited.register_file = register_without_volume_limits();
  auto gw = start_gateway(unlimited, port, "full", [] {
    rlimit limit{24 * 1024, RLIM_INFINITY};
    setrlimit(RLIMIT_FSIZE, &limit);
  });
  auto c = client("app-zaaksysteem", port);
  InquiryAnswer a;
  int answered = 0;
  for (int i = 0; i < 200; ++i) {
    a = c->inquire(permitted_request());
    if (a.fault) break;
    ++answered;
  }
  ASSERT_TRUE(a.fault) << "the audit segment never filled up";
  EXPECT_EQ(a.fault_code, "AUDIT_UNAVAILABLE") << a.fault_string;
  EXPECT_TRUE(a.fields.empty());
  const int calls_when_full = sim_stats()["total"];
  EXPECT_EQ(c->inquire(permitted_request()).fault_code, "AUDIT_UNAVAILABLE");  // still full: still closed
  // The disk has room again (the limit is lifted): the next inquiry is answered, no restart.
  rlimit lifted{RLIM_INFINITY, RLIM_INFINITY};
  ASSERT_EQ(prlimit(gw->pid(), RLIMIT_FSIZE, &lifted, nullptr), 0);
  InquiryAnswer back = c->inquire(permitted_request());
  EXPECT_FALSE(back.fault) << back.fault_code;
  ASSERT_EQ(gw->stop(), 0);
  // Every registry call was preceded by a durable decision record, and every answer has its outcome.
  std::vector<nlohmann::json> records;
  for (const auto& e : std::filesystem::directory_iterator(dir_ + "/full-audit")) {
    if (e.path().filename().string().rfind("segment-", 0) != 0) continue;
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);) records.push_back(nlohmann::json::parse(line));
  }
  const AuditCounts counts = count_records(records);
  EXPECT_LE(sim_stats()["total"].get<int>(), static_cast<int>(counts.decided_permit.size()));
  EXPECT_GE(calls_when_full, answered);
  EXPECT_EQ(counts.with_outcome.size(), static_cast<std::size_t>(answered + 1));
  std::string out;
  EXPECT_EQ(run_command({bin("doelpoort"), "audit", "verify", dir_ + "/full-audit", "--public-key", dir_ + "/tree-head.key.pub"}, out), 0) << out;
  EXPECT_NE(read_file(gw->log_file()).find("audit_write_failed"), std::string::npos);
  EXPECT_NE(read_file(gw->log_file()).find("audit_write_recovered"), std::string::npos);
}

TEST_F(AuditTest, KilledGatewayLosesNoAcknowledgedInquiryAndNeverCallsWithoutARecord) {
  constexpr int kRounds = 20;
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::mt19937 rng(20261129);
  GatewayOptions unlimited;
  unlimited.register_file = register_without_volume_limits();
  for (int round = 0; round < kRounds; ++round) {
    int port = 0;
    auto gw = start_gateway(unlimited, port, "crash");
    ASSERT_GT(port, 0) << "round " << round;
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t)
      clients.emplace_back([&, port] {
        std::string error;
        ClientOptions o;
        o.url = "https://127.0.0.1:" + std::to_string(port) + "/";
        o.tls = {pki("app-zaaksysteem.crt"), pki("app-zaaksysteem.key"), pki("ca.crt"), "", ""};
        o.timeout_ms = 2000;
        auto c = InquiryClient::create(o, error);
        while (!stop && c) {
          InquiryAnswer a = c->inquire(permitted_request());
          if (a.transport_ok && !a.fault) {
            std::lock_guard lock(mu);
            acknowledged.insert(a.inquiry_id);
          }
          if (!a.transport_ok) c = InquiryClient::create(o, error);  // the gateway is gone: reconnect
        }
      });
    // Kill at a random moment once the round has traffic (a slow, e.g. sanitizer, build starts later).
    const std::size_t before = [&] { std::lock_guard lock(mu); return acknowledged.size(); }();
    for (int i = 0; i < 500 && [&] { std::lock_guard lock(mu); return acknowledged.size(); }() == before; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 200));
    ::kill(gw->pid(), SIGKILL);
    gw->stop(SIGKILL, 5000);
    stop = true;
    for (auto& c : clients) c.join();
  }
  ASSERT_GT(acknowledged.size(), 20u);
  std::string out;
  ASSERT_EQ(run_command({bin("doelpoort"), "audit", "verify", dir_ + "/crash-audit", "--public-key", dir_ + "/tree-head.key.pub"}, out), 0) << out;
  std::vector<nlohmann::json> records;
  for (const auto& e : std::filesystem::directory_iterator(dir_ + "/crash-audit")) {
    if (e.path().filename().string().rfind("segment-", 0) != 0) continue;
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);)
      if (auto r = nlohmann::json::parse(line, nullptr, false); r.is_object()) records.push_back(r);
  }
  const AuditCounts counts = count_records(records);
  for (const auto& id : acknowledged) EXPECT_TRUE(counts.with_outcome.count(id)) << "answered without a durable record: " << id;
  EXPECT_LE(sim_stats()["total"].get<std::size_t>(), counts.decided_permit.size()) << "a registry call without a record";
  RecordProperty("acknowledged", static_cast<int>(acknowledged.size()));
}

TEST_F(AuditTest, InclusionProofOfAnInquiryVerifiesAgainstTheSignedTreeHead) {
  auto c = client("app-zaaksysteem");
  InquiryAnswer a = c->inquire(permitted_request());
  ASSERT_FALSE(a.fault);
  for (int i = 0; i < 6; ++i) ASSERT_FALSE(c->inquire(permitted_request()).fault);
  c.reset();
  ASSERT_EQ(gateway_->stop(), 0);
  gateway_.reset();
  std::string out;
  ASSERT_EQ(run_command({bin("doelpoort"), "audit", "prove", dir_ + "/gw-audit", "--inquiry", a.inquiry_id}, out), 0) << out;
  auto proof = nlohmann::json::parse(out.substr(out.find('{')));
  ASSERT_EQ(proof["records"].size(), 2u);  // the decision and the outcome
  merkle::Hash root{};
  ASSERT_TRUE(merkle::from_hex(proof["tree_head"]["root"].get<std::string>(), root));
  for (const auto& r : proof["records"]) {
    merkle::Hash leaf{};
    ASSERT_TRUE(merkle::from_hex(r["leaf_hash"].get<std::string>(), leaf));
    std::vector<merkle::Hash> path;
    for (const auto& h : r["proof"]) path.push_back({}), merkle::from_hex(h.get<std::string>(), path.back());
    EXPECT_TRUE(merkle::verify_inclusion(r["leaf_index"], proof["tree_size"], leaf, path, root));
  }
  ASSERT_EQ(run_command({bin("doelpoort"), "audit", "prove", dir_ + "/gw-audit", "--consistency", "4", "14"}, out), 0) << out;
  EXPECT_NE(out.find("\"proof\""), std::string::npos);
}

// `doelpoort audit verify` on a real log, tampered with in each way an insider might: the exit status and
// the one line that names the first bad record.
TEST_F(AuditTest, VerifyNamesEachKindOfTampering) {
  auto c = client("app-zaaksysteem");
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(c->inquire(permitted_request()).fault);
  c.reset();
  ASSERT_EQ(gateway_->stop(), 0);
  gateway_.reset();
  const std::string log = dir_ + "/gw-audit";
  auto lines_of = [](const std::string& file) {
    std::vector<std::string> out;
    std::istringstream in(read_file(file));
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  };
  auto write_lines = [](const std::string& file, const std::vector<std::string>& lines, bool last_newline = true) {
    std::string text;
    for (std::size_t i = 0; i < lines.size(); ++i) text += lines[i] + (i + 1 < lines.size() || last_newline ? "\n" : "");
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  };
  struct Case {
    const char* name;
    std::function<void(const std::string& dir)> tamper;
    int exit_code;
    const char* says;
  };
  const std::string seg = "/segment-000000000001.jsonl";
  const std::vector<Case> cases = {
      {"changed byte", [&](const std::string& d) { auto l = lines_of(d + seg); l[2].replace(l[2].find("u1001"), 5, "u1009"); write_lines(d + seg, l); },
       1, ":3: hash mismatch: the record was changed"},
      {"removed record", [&](const std::string& d) { auto l = lines_of(d + seg); l.erase(l.begin() + 2); write_lines(d + seg, l); },
       1, ":3: sequence 4 where 3 was expected"},
      {"two records swapped", [&](const std::string& d) { auto l = lines_of(d + seg); std::swap(l[4], l[5]); write_lines(d + seg, l); },
       1, ":5: sequence 6 where 5 was expected"},
      {"truncated tail", [&](const std::string& d) { auto l = lines_of(d + seg); l.resize(l.size() - 3); write_lines(d + seg, l); },
       1, "records were removed from its end"},
      {"torn last write", [&](const std::string& d) { std::ofstream(d + seg, std::ios::app) << R"({"kind":"decision","inq)"; },
       0, "torn last write"},
      {"forged tree head", [&](const std::string& d) {
         auto l = lines_of(d + "/tree-heads.jsonl");
         char& c = l.back()[l.back().find("\"root\":\"") + 8];
         c = c == '0' ? '1' : '0';  // a different hex digit, whatever the root happened to be
         write_lines(d + "/tree-heads.jsonl", l); },
       1, "signature does not verify"},
  };
  for (const auto& k : cases) {
    const std::string copy = dir_ + "/tampered-" + std::to_string(&k - &cases[0]);
    std::filesystem::copy(log, copy, std::filesystem::copy_options::recursive);
    k.tamper(copy);
    std::string out;
    const int rc = run_command({bin("doelpoort"), "audit", "verify", copy, "--public-key", dir_ + "/tree-head.key.pub"}, out);
    EXPECT_EQ(rc, k.exit_code) << k.name << ": " << out;
    EXPECT_NE(out.find(k.says), std::string::npos) << k.name << ": " << out;
    std::cout << "[ tamper  ] " << k.name << " -> exit " << rc << ": " << out.substr(0, out.find('\n')) << "\n";
  }
}

}  // namespace
}  // namespace doelpoort::testing
