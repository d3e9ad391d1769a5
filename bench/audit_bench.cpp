// Audit records appended per second by many threads at once: with group commit and fdatasync, with the
// gateway's group-commit delay under load and without it, against the same without any sync (the
// ceiling). Goal (issue 4): >= 50,000/s with sync.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "audit_log.h"

namespace doelpoort {
namespace {

// A decision record as the pipeline writes one (about 900 bytes sealed).
AuditRecord decision_record(int n) {
  AuditRecord r;
  r.add("kind", "decision").add("time", "2026-11-29T10:00:00.000000Z").add("inquiry_id", "0b1e5c1e-5f0a-4c7e-9d1b-" + std::to_string(100000000000 + n))
      .add("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736").add("span_id", "00f067aa0ba902b7")
      .add("message_id", "urn:uuid:6d1f8a2e-3c4b-4d5e-8f90-a1b2c3d4e5f6").add("application", "zaaksysteem")
      .add("client_cn", "zaaksysteem").add("user", "u1001").add("activity", "pw-recht-op-uitkering").add("activity_version", "4")
      .add("register_version", "2026.12.0").add("purpose", "Beoordelen of iemand recht heeft op een uitkering levensonderhoud.")
      .add("legal_basis", "AVG art. 6 lid 1 sub c (wettelijke verplichting); Participatiewet art. 11, 17 en 64")
      .add("case_reference", "Z-2026-0042").add("source", "BRPDossierPersoon").add("search_key", "bsn")
      .add("subject", "6b8c6f555124ad2f6b8c6f555124ad2f6b8c6f555124ad2f6b8c6f555124ad2f")
      .add("fields_requested", std::vector<std::string>{"voornamen", "geslachtsnaam", "adres_postcode"})
      .add("categories_requested", std::vector<std::string>{"identificatie", "woonsituatie"})
      .add("decision", "permit").add("decision_code", "OK").add("message", "").add("break_glass", false).add("reason", "");
  return r;
}

// One log per benchmark run, shared by its threads: thread 0 opens it, the last one out closes it.
std::unique_ptr<AuditLog> g_log;
std::string g_dir;

void BM_AuditAppend(benchmark::State& state) {
  const bool sync = state.range(0) != 0;
  if (state.thread_index() == 0) {
    g_dir = std::filesystem::temp_directory_path() / ("dp-audit-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(g_dir);
    AuditOptions o;
    o.dir = g_dir;
    o.signing_key = g_dir + ".key";
    o.sync = sync;
    o.group_commit_delay = std::chrono::microseconds(state.range(1));
    std::string error;
    g_log = AuditLog::open(o, error);
    if (!g_log) state.SkipWithError(error.c_str());
  }
  int n = 0;
  for (auto _ : state) {
    if (!g_log->append(decision_record(++n)).is_ok()) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    g_log.reset();
    std::filesystem::remove_all(g_dir);
    std::filesystem::remove(g_dir + ".key");
    std::filesystem::remove(g_dir + ".key.pub");
  }
}
// What the caller pays to build and serialise one record, without the log (part of every append above).
void BM_BuildRecord(benchmark::State& state) {
  int n = 0;
  for (auto _ : state) benchmark::DoNotOptimize(decision_record(++n).take_open_body());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BuildRecord);

// sync 1: fdatasync per batch (group commit), with the gateway's group-commit delay under load (600 µs)
// or without (0); sync 0: no sync (the ceiling). Threads: concurrent inquiries.
BENCHMARK(BM_AuditAppend)
    ->ArgNames({"sync", "delay_us"})
    ->Args({1, 600})
    ->Args({1, 0})
    ->Args({0, 0})
    ->Threads(1)->Threads(16)->Threads(64)->Threads(256)->UseRealTime();

}  // namespace
}  // namespace doelpoort

BENCHMARK_MAIN();
