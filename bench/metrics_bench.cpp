// The cost of metrics on the inquiry path (issue 6): one inquiry through the real pipeline on the shipped
// register (identify, replay, decide, limits, forward to an in-process registry, minimise, audit) with
// and without a Metrics registry, so the ratio of the two is the overhead. Arg 0 = no metrics, 1 = metrics.
//   BM_Inquiry           audit records go to a sink that keeps nothing: the pipeline's CPU cost alone,
//                        the worst case for the ratio
//   BM_InquiryAuditLog   the real audit log (group commit, no fdatasync, so the disk does not drown the
//                        difference) with its append/fsync histograms when metrics are on
//   BM_MetricsWork       everything the metrics hooks do for one permitted inquiry, alone: record_inquiry
//                        (cached series: counter + histogram), the registry call histogram, the audit
//                        append histogram twice and records counter, and the clock reads they need
//   BM_RecordInquiry     Metrics::record_inquiry alone
// On a shared machine the end-to-end pair differs by less than its noise; the ratio worth quoting is
// (pipeline + BM_MetricsWork) / pipeline, with the minimum over repetitions of each (the "min" rows):
//   build/bench/metrics_bench --benchmark_repetitions=10 --benchmark_enable_random_interleaving=true \
//     --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "audit_log.h"
#include "memory_state_store.h"
#include "metrics.h"
#include "pipeline.h"
#include "xml_safe.h"

namespace doelpoort {
namespace {

// A BRPDossierPersoon answer as the simulator gives one (trimmed to the fields asked for and a few more).
constexpr const char* kAnswer =
    R"(<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">)"
    R"(<soap:Body><smls:AanvraagPersoonResponse xmlns:smls="http://bkwi.nl/SuwiML/Diensten/BRPDossierPersoonGSD/v0200">)"
    R"(<ClientSuwi><Burgerservicenr>111222333</Burgerservicenr><Voornamen>Jan Pieter</Voornamen>)"
    R"(<SignificantDeelVanDeAchternaam>Jansen</SignificantDeelVanDeAchternaam><Geboortedat>19800101</Geboortedat>)"
    R"(<Geslacht>1</Geslacht><DomicilieAdres><NaamOpenbareRuimte>Dorpsstraat</NaamOpenbareRuimte><Huisnr>1</Huisnr>)"
    R"(<Postcd>1234AB</Postcd><Woonplaatsnaam>Ergens</Woonplaatsnaam></DomicilieAdres></ClientSuwi>)"
    R"(</smls:AanvraagPersoonResponse></soap:Body></soap:Envelope>)";

class CannedRegistry final : public Upstream {
 public:
  Status call(std::string_view, const std::string&, UpstreamReply& reply) override {
    reply.http_status = 200;
    reply.body = kAnswer;
    return Status::ok();
  }
  const std::string& url() const override { return url_; }

 private:
  std::string url_ = "https://registry.bench/brp";
};

class DiscardingAudit final : public AuditSink {
 public:
  using AuditSink::append;
  Status append(AuditRecord record, std::uint64_t*) override {
    benchmark::DoNotOptimize(record.open_body().data());
    return Status::ok();
  }
};

std::shared_ptr<const Snapshot> shipped_snapshot() {
  static const std::shared_ptr<const Snapshot> snap = [] {
    xml::init();
    const std::string src = DOELPOORT_SOURCE_DIR;
    // The shipped register without volume limits: every iteration must take the permitted path.
    std::ifstream in(src + "/config/register.yaml");
    std::stringstream text;
    text << in.rdbuf();
    std::string reg = text.str();
    for (const std::string key : {"max_inquiries_per_user_per_hour:", "max_subjects_per_user_per_day:"})
      for (auto at = reg.find(key); at != std::string::npos; at = reg.find(key)) {
        const auto start = reg.rfind('\n', at) + 1;
        reg.erase(start, reg.find('\n', at) - start + 1);
      }
    const std::string path = std::filesystem::temp_directory_path() / ("dp-metrics-bench-" + std::to_string(::getpid()) + ".yaml");
    std::ofstream(path) << reg;
    GatewayConfig config;
    config.file = path;
    config.register_file = path;
    config.staff_file = src + "/config/staff.yaml";
    config.mappings_dir = src + "/mappings";
    Application app;
    app.id = "zaaksysteem";
    app.cn = "zaaksysteem";
    app.activities = {"pw-recht-op-uitkering"};
    config.applications = {app};
    config.sources = {{"BRPDossierPersoon", {}}, {"UWVDossierInkomsten", {}}};
    Diagnostics diags;
    auto s = load_snapshot(config, diags);
    std::filesystem::remove(path);
    if (!s) throw std::runtime_error("shipped configuration does not load: " + diags.first_error());
    return s;
  }();
  return snap;
}

std::unique_ptr<Pipeline> make_pipeline(std::shared_ptr<AuditSink> audit, Metrics* metrics) {
  std::array<unsigned char, 32> key{};
  PipelineParts parts{shipped_snapshot(), std::move(audit), std::make_shared<MemoryStateStore>(), Pseudonymiser(key),
                      UpstreamMap{{"BRPDossierPersoon", std::make_shared<CannedRegistry>()}}, 4 << 20,
                      std::chrono::seconds(60)};
  if (metrics != nullptr) metrics->registry("BRPDossierPersoon");
  parts.metrics = metrics;
  return std::make_unique<Pipeline>(std::move(parts));
}

std::atomic<std::uint64_t> g_serial{0};

// `pipeline` is read only inside the loop: other threads reach it once thread 0 has set it up (the
// loop's start waits for every thread).
void run_inquiries(benchmark::State& state, const std::unique_ptr<Pipeline>& pipeline) {
  const std::string prefix = "urn:uuid:bench-" + std::to_string(state.thread_index()) + "-";
  for (auto _ : state) {
    Inquiry q;
    q.id = "inq";
    q.message_id = prefix + std::to_string(g_serial.fetch_add(1, std::memory_order_relaxed));
    q.peer.cn = "zaaksysteem";
    q.request = {"pw-recht-op-uitkering", "Z-2026-0042", "u1001", "111222333", "BRPDossierPersoon",
                 {"voornamen", "geslachtsnaam", "adres_postcode"}, "", false, {}};
    if (!pipeline->handle(q).is_ok()) state.SkipWithError(q.status.message().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}

std::unique_ptr<Metrics> g_metrics;
std::unique_ptr<Pipeline> g_pipeline;
std::shared_ptr<AuditLog> g_log;
std::string g_dir;

void BM_Inquiry(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_metrics = state.range(0) != 0 ? std::make_unique<Metrics>("bench") : nullptr;
    g_pipeline = make_pipeline(std::make_shared<DiscardingAudit>(), g_metrics.get());
  }
  run_inquiries(state, g_pipeline);
  if (state.thread_index() == 0) {
    g_pipeline.reset();
    g_metrics.reset();
  }
}
double minimum(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

BENCHMARK(BM_Inquiry)->ArgName("metrics")->Arg(0)->Arg(1)->Threads(1)->Threads(2)->UseRealTime()->ComputeStatistics("min", minimum);

void BM_InquiryAuditLog(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_metrics = state.range(0) != 0 ? std::make_unique<Metrics>("bench") : nullptr;
    g_dir = std::filesystem::temp_directory_path() / ("dp-metrics-bench-audit-" + std::to_string(::getpid()));
    std::filesystem::remove_all(g_dir);
    AuditOptions o;
    o.dir = g_dir;
    o.signing_key = g_dir + ".key";
    o.sync = false;
    o.metrics = g_metrics ? &g_metrics->audit() : nullptr;
    std::string error;
    g_log = AuditLog::open(o, error);
    if (!g_log) state.SkipWithError(error.c_str());
    g_pipeline = make_pipeline(g_log, g_metrics.get());
  }
  run_inquiries(state, g_pipeline);
  if (state.thread_index() == 0) {
    g_pipeline.reset();
    g_log.reset();
    g_metrics.reset();
    std::filesystem::remove_all(g_dir);
    std::filesystem::remove(g_dir + ".key");
    std::filesystem::remove(g_dir + ".key.pub");
  }
}
BENCHMARK(BM_InquiryAuditLog)->ArgName("metrics")->Arg(0)->Arg(1)->Threads(1)->Threads(2)->UseRealTime()->ComputeStatistics("min", minimum);

void BM_MetricsWork(benchmark::State& state) {
  static Metrics metrics("bench");
  static const RegistryMetrics& registry = metrics.registry("BRPDossierPersoon");
  const AuditMetrics& audit = metrics.audit();
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  for (auto _ : state) {
    const auto call_end = Clock::now();  // upstream: the call's duration
    registry.call_duration->Observe(std::chrono::duration<double>(call_end - started).count() * 1e-6);
    for (int record = 0; record < 2; ++record) {  // audit: decision and outcome records
      const auto append_start = Clock::now();
      audit.append->Observe(std::chrono::duration<double>(Clock::now() - append_start).count());
      audit.records->Increment();
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count() * 1e-6;
    metrics.record_inquiry({"pw-recht-op-uitkering", "BRPDossierPersoon", true, Code::OK, false, false, seconds});
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MetricsWork)->Threads(1)->Threads(2)->UseRealTime()->ComputeStatistics("min", minimum);

void BM_RecordInquiry(benchmark::State& state) {
  static Metrics metrics("bench");
  const InquiryOutcome o{"pw-recht-op-uitkering", "BRPDossierPersoon", true, Code::OK, false, false, 0.0012};
  for (auto _ : state) metrics.record_inquiry(o);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordInquiry)->Threads(1)->Threads(2)->UseRealTime()->ComputeStatistics("min", minimum);

}  // namespace
}  // namespace doelpoort

BENCHMARK_MAIN();
