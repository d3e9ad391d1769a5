// The audit chain: what verify accepts, and each kind of tampering it must find.
#include "audit_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

#include "audit_purge.h"
#include "audit_reader.h"
#include "audit_verify.h"
#include "metrics.h"
#include "test_dir.h"

namespace doelpoort {
namespace {

using testing::TestDir;

std::string only_segment(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename().string().rfind("segment-", 0) == 0) files.push_back(e.path().string());
  EXPECT_EQ(files.size(), 1u);
  return files.empty() ? "" : files.front();
}

AuditOptions options_for(const std::string& dir) {
  AuditOptions o;
  o.dir = dir;
  o.signing_key = dir + "/tree-head.key";  // beside the segments: verify looks at segment files only
  o.tree_head_every = 2;
  return o;
}

void write_records(const std::string& dir, int n) {
  std::string error;
  auto log = AuditLog::open(options_for(dir), error);
  ASSERT_TRUE(log) << error;
  for (int i = 0; i < n; ++i) {
    std::uint64_t seq = 0;
    ASSERT_TRUE(log->append({{"inquiry_id", "q" + std::to_string(i)}, {"code", "OK"}}, &seq).is_ok());
    EXPECT_GT(seq, 0u);
  }
}

std::vector<std::string> lines_of(const std::string& file) {
  std::vector<std::string> out;
  std::istringstream in(TestDir::read(file));
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

void rewrite(const std::string& file, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

TEST(AuditLog, RecordsAreSequencedChainedAndVerify) {
  TestDir dir;
  write_records(dir.path(), 5);
  AuditVerifyReport r = verify_audit(dir.path());
  EXPECT_TRUE(r.ok) << r.first_problem;
  EXPECT_EQ(r.records, 5u);
  auto lines = lines_of(only_segment(dir.path()));
  ASSERT_EQ(lines.size(), 5u);
  auto first = nlohmann::json::parse(lines[0]);
  auto second = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(first["seq"], 1);
  EXPECT_EQ(first["prev"], std::string(64, '0'));
  EXPECT_EQ(second["prev"], first["hash"]);
}

TEST(AuditLog, ChainContinuesAcrossRestartsInANewSegment) {
  TestDir dir;
  write_records(dir.path(), 3);
  write_records(dir.path(), 2);
  AuditVerifyReport r = verify_audit(dir.path());
  EXPECT_TRUE(r.ok) << r.first_problem;
  EXPECT_EQ(r.records, 5u);
  EXPECT_EQ(r.segments, 2u);
}

TEST(AuditLog, ConcurrentAppendsAreAllDurableAndInOneChain) {
  TestDir dir;
  std::string error;
  auto log = AuditLog::open(options_for(dir.path()), error);
  ASSERT_TRUE(log) << error;
  // Each caller must get back the sequence number of its own record, however the batches formed.
  constexpr int kThreads = 32, kEach = 25;
  std::vector<std::vector<std::uint64_t>> seqs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::uint64_t seq = 0;
        EXPECT_TRUE(log->append({{"t", t}, {"i", i}}, &seq).is_ok());
        seqs[t].push_back(seq);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(log->durable_seq(), std::uint64_t{kThreads * kEach});
  log.reset();
  AuditVerifyReport r = verify_audit(dir.path());
  EXPECT_TRUE(r.ok) << r.first_problem;
  EXPECT_EQ(r.records, std::uint64_t{kThreads * kEach});
  const auto lines = lines_of(only_segment(dir.path()));
  ASSERT_EQ(lines.size(), std::size_t{kThreads * kEach});
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kEach; ++i) {
      const std::uint64_t seq = seqs[t][i];
      ASSERT_TRUE(seq >= 1 && seq <= lines.size()) << seq;
      const auto record = nlohmann::json::parse(lines[seq - 1]);
      EXPECT_EQ(record["seq"], seq);
      EXPECT_EQ(record["t"], t);
      EXPECT_EQ(record["i"], i);
    }
}

double syncs(Metrics& metrics) {
  return static_cast<double>(metrics.audit().fsync->Collect().histogram.sample_count);
}

// Under load the writer lets records gather for one sync; a quiet log syncs each record at once.
TEST(AuditLog, UnderLoadRecordsQueuedWithinTheGroupCommitDelayShareOneSync) {
  TestDir dir;
  Metrics metrics{"test"};
  AuditOptions o = options_for(dir.path());
  o.tree_head_every = 1000;
  o.group_commit_delay = std::chrono::milliseconds(500);
  o.group_commit_min_waiting = 1;  // every caller counts as load
  o.metrics = &metrics.audit();
  std::string error;
  auto log = AuditLog::open(o, error);
  ASSERT_TRUE(log) << error;
  ASSERT_TRUE(log->append({{"i", 0}}).is_ok());  // the first sync: nothing before it to wait for
  ASSERT_EQ(syncs(metrics), 1);
  // Four callers, 50 ms apart: all within 500 ms of that sync, so all in the next one.
  std::vector<std::thread> callers;
  for (int i = 1; i <= 4; ++i) {
    callers.emplace_back([&, i] { EXPECT_TRUE(log->append({{"i", i}}).is_ok()); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(syncs(metrics), 2);
  EXPECT_EQ(log->durable_seq(), 5u);
  log.reset();
  AuditVerifyReport r = verify_audit(dir.path());
  EXPECT_TRUE(r.ok) << r.first_problem;
  EXPECT_EQ(r.records, 5u);
}

TEST(AuditLog, WithFewerCallersWaitingThanTheGroupCommitNeedsEachRecordIsSyncedAtOnce) {
  TestDir dir;
  Metrics metrics{"test"};
  AuditOptions o = options_for(dir.path());
  o.group_commit_delay = std::chrono::seconds(2);
  o.group_commit_min_waiting = 2;  // one caller at a time is no load
  o.metrics = &metrics.audit();
  std::string error;
  auto log = AuditLog::open(o, error);
  ASSERT_TRUE(log) << error;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(log->append({{"i", i}}).is_ok());
  // Waiting for company would have taken 2 s per record after the first.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(syncs(metrics), 3);
}

TEST(AuditVerify, FindsAChangedByte) {
  TestDir dir;
  write_records(dir.path(), 4);
  const std::string file = only_segment(dir.path());
  auto lines = lines_of(file);
  lines[2].replace(lines[2].find("q2"), 2, "q9");
  rewrite(file, lines);
  AuditVerifyReport r = verify_audit(dir.path());
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.first_problem.find(":3: hash mismatch"), std::string::npos) << r.first_problem;
}

TEST(AuditVerify, FindsARecordChangedAndResealed) {
  TestDir dir;
  write_records(dir.path(), 4);
  const std::string file = only_segment(dir.path());
  auto lines = lines_of(file);
  auto rec = nlohmann::json::parse(lines[1]);
  rec.erase("hash");
  rec["code"] = "FIELD_NOT_PERMITTED";
  lines[1] = seal_line(rec.dump());  // its own hash is right now, but the next record's prev is not
  rewrite(file, lines);
  AuditVerifyReport r = verify_audit(dir.path());
  EXPECT_FALSE(r.ok);
  // The signed tree head over records 1..2 catches it at record 2 (without heads: the chain, at record 3).
  EXPECT_NE(r.first_problem.find(":2: records 1..2 do not match the tree head"), std::string::npos) << r.first_problem;
}

TEST(AuditVerify, FindsARemovedRecord) {
  TestDir dir;
  write_records(dir.path(), 4);
  const std::string file = only_segment(dir.path());
  auto lines = lines_of(file);
  lines.erase(lines.begin() + 1);
  rewrite(file, lines);
  AuditVerifyReport r = verify_audit(dir.path());
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.first_problem.find("a record is missing or out of order"), std::string::npos) << r.first_problem;
}

TEST(AuditVerify, FindsTwoSwappedRecords) {
  TestDir dir;
  write_records(dir.path(), 4);
  const std::string file = only_segment(dir.path());
  auto lines = lines_of(file);
  std::swap(lines[1], lines[2]);
  rewrite(file, lines);
  EXPECT_FALSE(verify_audit(dir.path()).ok);
}

TEST(AuditVerify, TreeHeadsAreSignedAndVerifyWithThePublicKey) {
  TestDir dir;
  write_records(dir.path(), 5);
  AuditVerifyReport r = verify_audit(dir.path(), dir.file("tree-head.key.pub"));
  EXPECT_TRUE(r.ok) << r.first_problem;
  EXPECT_TRUE(r.heads_authenticated);
  EXPECT_GE(r.tree_heads, 2u);  // every 2 records, and one at the close
}

TEST(AuditVerify, FindsARecordRewrittenWithTheWholeChainAfterIt) {
  TestDir dir;
  write_records(dir.path(), 6);
  const std::string file = only_segment(dir.path());
  auto lines = lines_of(file);
  // A careful forger changes record 2 and re-seals every record after it, so the chain holds again.
  std::string prev = nlohmann::json::parse(lines[0])["hash"];
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto rec = nlohmann::json::parse(lines[i]);
    rec.erase("hash");
    if (i == 1) rec["code"] = "FIELD_NOT_PERMITTED";
    rec["prev"] = prev;
    merkle::Hash leaf{};
    lines[i] = seal_line(rec.dump(), &leaf);
    prev = merkle::hex(leaf);
  }
  rewrite(file, lines);
  AuditVerifyReport r = verify_audit(dir.path(), dir.file("tree-head.key.pub"));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.first_problem.find("do not match the tree head signed at"), std::string::npos) << r.first_problem;
}

TEST(AuditVerify, FindsRecordsCutOffTheEnd) {
  TestDir dir;
  write_records(dir.path(), 6);
  const std::string file = only_segment(dir.path());
  auto lines = lines_of(file);
  lines.resize(4);  // whole lines removed: the chain of what is left is intact
  rewrite(file, lines);
  AuditVerifyReport r = verify_audit(dir.path(), dir.file("tree-head.key.pub"));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.first_problem.find("records were removed from its end"), std::string::npos) << r.first_problem;
}

TEST(AuditVerify, FindsAForgedTreeHead) {
  TestDir dir;
  write_records(dir.path(), 4);
  auto heads = lines_of(dir.file("tree-heads.jsonl"));
  auto h = nlohmann::json::parse(heads.back());
  h["timestamp"] = h["timestamp"].get<std::int64_t>() + 1;  // any change breaks the signature
  heads.back() = h.dump();
  rewrite(dir.file("tree-heads.jsonl"), heads);
  AuditVerifyReport r = verify_audit(dir.path(), dir.file("tree-head.key.pub"));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.first_problem.find("signature does not verify"), std::string::npos) << r.first_problem;
}

TEST(AuditVerify, RefusesHeadsSignedWithAnotherKey) {
  TestDir dir;
  write_records(dir.path(), 3);
  std::string error;
  ASSERT_TRUE(TreeHeadSigner::open(dir.file("other.key"), true, error)) << error;
  AuditVerifyReport r = verify_audit(dir.path(), dir.file("other.key.pub"));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.first_problem.find("signature does not verify"), std::string::npos) << r.first_problem;
}

TEST(AuditVerify, FindsARemovedSegment) {
  TestDir dir;
  write_records(dir.path(), 2);
  write_records(dir.path(), 2);
  write_records(dir.path(), 2);
  std::filesystem::remove(dir.file("segment-000000000003.jsonl"));
  AuditVerifyReport r = verify_audit(dir.path());
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.first_problem.find("segment-000000000005.jsonl:1"), std::string::npos) << r.first_problem;
}

TEST(AuditVerify, ReportsATornLastWriteWithoutFailing) {
  TestDir dir;
  write_records(dir.path(), 2);
  const std::string file = only_segment(dir.path());
  // A crash in the middle of writing the third record: never durable, so never acknowledged or signed.
  std::ofstream(file, std::ios::binary | std::ios::app) << R"({"code":"OK","inquiry_id":"q2","prev":")";
  AuditVerifyReport r = verify_audit(dir.path(), dir.file("tree-head.key.pub"));
  EXPECT_TRUE(r.ok) << r.first_problem;
  EXPECT_EQ(r.records, 2u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("torn last write"), std::string::npos);
  // and the gateway, restarted, moves the torn bytes aside and continues from the last whole record
  write_records(dir.path(), 1);
  r = verify_audit(dir.path(), dir.file("tree-head.key.pub"));
  EXPECT_TRUE(r.ok) << r.first_problem;
  EXPECT_EQ(r.records, 3u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("quarantined"), std::string::npos) << r.warnings[0];
  EXPECT_EQ(TestDir::read(file).find("\"inquiry_id\":\"q2\",\"prev\":\"\n"), std::string::npos);
}

// The active segment is written over newlines written ahead (padding); readers stop at the first empty
// line, and a clean stop cuts the padding off.
TEST(AuditLog, ActiveSegmentIsPaddedWhileOpenAndTrimmedAtAStop) {
  TestDir dir;
  std::string error;
  auto log = AuditLog::open(options_for(dir.path()), error);
  ASSERT_TRUE(log) << error;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(log->append({{"inquiry_id", "q" + std::to_string(i)}}).is_ok());
  const std::string file = only_segment(dir.path());
  const std::string live = TestDir::read(file);
  const std::size_t records_end = live.find("\n\n") + 1;
  ASSERT_NE(records_end, 0u) << "no padding after the records";
  EXPECT_EQ(live.find_first_not_of('\n', records_end), std::string::npos) << "padding is newlines only";
  EXPECT_GE(live.size(), records_end + (1u << 20) - 4096);
  AuditVerifyReport r = verify_audit(dir.path(), dir.file("tree-head.key.pub"));
  EXPECT_TRUE(r.ok) << r.first_problem;
  EXPECT_EQ(r.records, 3u);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings[0];
  int seen = 0;
  ASSERT_TRUE(for_each_audit_record(dir.path(), [&](const nlohmann::json&) { ++seen; }, error)) << error;
  EXPECT_EQ(seen, 3);
  log.reset();
  EXPECT_EQ(TestDir::read(file), live.substr(0, records_end));
}

// What a power cut can leave of the last, unacknowledged write over the padding, and what start-up makes of it.
struct CrashTail {
  const char* name;
  std::function<std::string(const std::string& last_line)> tail;  // appended to three whole records
  // What start-up moves aside: "" nothing; null the tail up to its padding (computed: it holds last_line).
  const char* quarantined;
};

TEST(AuditLog, StartUpCutsOffPaddingAndWritesCutShortAfterACrash) {
  const std::string pad(8192, '\n');
  const std::vector<CrashTail> cases = {
      {"padding only", [&](const std::string&) { return pad; }, ""},
      {"a record cut short before the padding",
       [&](const std::string&) { return std::string(R"({"inquiry_id":"q9","prev":")") + pad; },
       R"({"inquiry_id":"q9","prev":")"},
      {"a record cut short at the end of the file",
       [](const std::string&) { return std::string(R"({"inquiry_id":"q9")"); }, R"({"inquiry_id":"q9")"},
      // The disk kept a later page of the write but not the one before it: a whole line after a gap.
      {"a later page kept, an earlier one lost",
       [&](const std::string& last) { return pad.substr(0, 100) + last + "\n" + pad; },
       nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    TestDir dir;
    write_records(dir.path(), 3);
    const std::string file = only_segment(dir.path());
    const std::string records = TestDir::read(file);
    const std::string last = records.substr(records.rfind('\n', records.size() - 2) + 1, std::string::npos);
    const std::string tail = c.tail(last.substr(0, last.size() - 1));
    std::ofstream(file, std::ios::binary | std::ios::app) << tail;
    AuditVerifyReport r = verify_audit(dir.path(), dir.file("tree-head.key.pub"));
    EXPECT_TRUE(r.ok) << r.first_problem;
    EXPECT_EQ(r.records, 3u);
    const bool torn = c.quarantined == nullptr || *c.quarantined != '\0';
    EXPECT_EQ(r.warnings.size(), torn ? 1u : 0u);
    if (torn && !r.warnings.empty()) EXPECT_NE(r.warnings[0].find(":4: torn last write"), std::string::npos) << r.warnings[0];

    write_records(dir.path(), 1);  // the gateway starts again and appends
    EXPECT_EQ(TestDir::read(file), records) << "the old segment ends at its last whole record";
    const std::string qfile = dir.file("quarantine/" + std::filesystem::path(file).filename().string() + "." +
                                       std::to_string(records.size()) + ".torn");
    if (!torn) {
      EXPECT_FALSE(std::filesystem::exists(dir.file("quarantine")));
    } else {
      ASSERT_TRUE(std::filesystem::exists(qfile));
      const std::string expected = c.quarantined != nullptr ? c.quarantined : pad.substr(0, 100) + last.substr(0, last.size() - 1);
      EXPECT_EQ(TestDir::read(qfile), expected);
    }
    r = verify_audit(dir.path(), dir.file("tree-head.key.pub"));
    EXPECT_TRUE(r.ok) << r.first_problem;
    EXPECT_EQ(r.records, 4u);
  }
}

TEST(AuditVerify, FindsBytesAfterTheRecordsOfAClosedSegment) {
  TestDir dir;
  write_records(dir.path(), 2);
  const std::string first = only_segment(dir.path());
  write_records(dir.path(), 2);
  std::ofstream(first, std::ios::binary | std::ios::app) << "\n\n" << R"({"inquiry_id":"smuggled"})" << "\n";
  AuditVerifyReport r = verify_audit(dir.path(), dir.file("tree-head.key.pub"));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.first_problem.find("segment-000000000001.jsonl:3: bytes after the last record of a closed segment"),
            std::string::npos)
      << r.first_problem;
}

}  // namespace
}  // namespace doelpoort

namespace doelpoort {
namespace {

// Rewrites the "time" of every record of a segment and re-seals the chain from there (an old segment).
void backdate(const std::string& dir, const std::string& segment, const std::string& day) {
  auto lines = lines_of(dir + "/" + segment);
  std::string prev = nlohmann::json::parse(lines[0])["prev"];
  for (auto& line : lines) {
    auto rec = nlohmann::json::parse(line);
    rec.erase("hash");
    rec["time"] = day + "T10:00:00.000000Z";
    rec["prev"] = prev;
    merkle::Hash leaf{};
    line = seal_line(rec.dump(), &leaf);
    prev = merkle::hex(leaf);
  }
  rewrite(dir + "/" + segment, lines);
}

TEST(AuditPurge, RemovesOldSegmentsAndTheLogStillVerifiesWithASignedStatement) {
  TestDir dir;
  {
    std::string error;
    auto log = AuditLog::open(options_for(dir.path()), error);  // opened once to make the key
  }
  std::filesystem::remove_all(dir.file("tree-heads.jsonl"));
  write_records(dir.path(), 3);  // segment 1
  // Make segment 1 two years old and re-sign nothing: its tree heads no longer match, so start the heads anew.
  backdate(dir.path(), "segment-000000000001.jsonl", "2024-01-15");
  std::filesystem::remove(dir.file("tree-heads.jsonl"));
  write_records(dir.path(), 2);  // segment 4, today; its close signs a head over all 5
  ASSERT_TRUE(verify_audit(dir.path(), dir.file("tree-head.key.pub")).ok);

  std::string error;
  auto signer = TreeHeadSigner::open(dir.file("tree-head.key"), false, error);
  ASSERT_TRUE(signer) << error;
  PurgeReport report;
  ASSERT_TRUE(purge_audit(dir.path(), "2025-01-01", *signer, report, error)) << error;
  EXPECT_EQ(report.segments, 1u);
  EXPECT_EQ(report.records, 3u);
  EXPECT_FALSE(std::filesystem::exists(dir.file("segment-000000000001.jsonl")));
  AuditVerifyReport r = verify_audit(dir.path(), dir.file("tree-head.key.pub"));
  EXPECT_TRUE(r.ok) << r.first_problem;
  EXPECT_EQ(r.purged, 3u);
  EXPECT_EQ(r.records, 2u);
  // the log carries on after a purge, and a tampered leaves file or statement is found
  write_records(dir.path(), 1);
  EXPECT_TRUE(verify_audit(dir.path(), dir.file("tree-head.key.pub")).ok);
  auto leaves = lines_of(dir.file("purged/segment-000000000001.leaves"));
  leaves[1][0] = leaves[1][0] == 'a' ? 'b' : 'a';
  rewrite(dir.file("purged/segment-000000000001.leaves"), leaves);
  r = verify_audit(dir.path(), dir.file("tree-head.key.pub"));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.first_problem.find("differs from what the purge statement signed"), std::string::npos) << r.first_problem;
}

TEST(AuditPurge, KeepsSegmentsWithAnyRecordAfterTheDateAndTheNewestSegment) {
  TestDir dir;
  write_records(dir.path(), 2);
  write_records(dir.path(), 2);
  std::string error;
  auto signer = TreeHeadSigner::open(dir.file("tree-head.key"), false, error);
  ASSERT_TRUE(signer) << error;
  PurgeReport report;
  ASSERT_TRUE(purge_audit(dir.path(), "2000-01-01", *signer, report, error)) << error;
  EXPECT_EQ(report.segments, 0u);
  EXPECT_FALSE(purge_audit(dir.path(), "yesterday", *signer, report, error));
}

}  // namespace
}  // namespace doelpoort
