// One purpose-limitation decision on the shipped register (pure rules), and the stateful rules on the
// in-memory state store. Goal (issue 3): < 1 µs per decision.
#include <benchmark/benchmark.h>

#include <stdexcept>

#include "decision.h"
#include "memory_state_store.h"
#include "stateful_rules.h"

namespace doelpoort {
namespace {

const Policy& shipped_policy() {
  static const Policy policy = [] {
    const std::string src = DOELPOORT_SOURCE_DIR;
    Diagnostics d;
    Policy p;
    p.reg = load_register(src + "/config/register.yaml", d);
    p.staff = load_staff(src + "/config/staff.yaml", d);
    p.mappings = load_mappings(src + "/mappings", d);
    if (!p.reg || !p.staff || !p.mappings) throw std::runtime_error("shipped configuration does not load: " + d.first_error());
    Application app;
    app.id = "zaaksysteem";
    for (const auto& a : p.reg->activities) app.activities.insert(a.id);
    p.applications = {app};
    return p;
  }();
  return policy;
}

InquiryRequest permitted() {
  return {"pw-recht-op-uitkering", "Z-2026-0042", "u1001", "111222333", "BRPDossierPersoon",
          {"voornamen", "geslachtsnaam", "adres_postcode"}, "", false, {}};
}

void BM_DecidePermitted(benchmark::State& state) {
  const Policy& p = shipped_policy();
  const InquiryRequest r = permitted();
  const DecisionTime t{2, 10 * 60};
  for (auto _ : state) {
    Decision d = decide(p, p.applications[0], r, t);
    if (!d.status.is_ok()) state.SkipWithError(d.status.message().c_str());
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_DecidePermitted);

void BM_DecideDeniedField(benchmark::State& state) {
  const Policy& p = shipped_policy();
  InquiryRequest r = permitted();
  r.fields.push_back("geslacht");
  const DecisionTime t{2, 10 * 60};
  for (auto _ : state) {
    Decision d = decide(p, p.applications[0], r, t);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_DecideDeniedField);

void BM_DecidePlusMemoryStateRules(benchmark::State& state) {
  const Policy& p = shipped_policy();
  MemoryStateStore store;
  InquiryRequest r = permitted();
  const DecisionTime t{2, 10 * 60};
  const LimitPeriods periods{"2026-11-29", "2026-11-29T10"};
  // Both volume limits on, high enough never to trip; 200 users and 5,000 subjects in rotation.
  Activity limited = *decide(p, p.applications[0], r, t).activity;
  limited.proportionality.max_inquiries_per_user_per_hour = 1'000'000'000;
  limited.proportionality.max_subjects_per_user_per_day = 1'000'000'000;
  std::vector<std::string> users, subjects;
  for (int i = 0; i < 200; ++i) users.push_back("u" + std::to_string(i));
  for (int i = 0; i < 5000; ++i) subjects.push_back("subject-" + std::to_string(i));
  std::uint64_t n = 0;
  for (auto _ : state) {
    ++n;
    Decision d = decide(p, p.applications[0], r, t);
    InquiryRequest counted = r;  // the same inquiry, by one of many users, for the volume counters
    counted.user = users[n % users.size()];
    // A 1 s replay window keeps the store at its steady-state size (rate x window) during the run.
    const std::string message_id = std::to_string(n);
    const Status s = check_replay_and_limits(store, {"zaaksysteem", message_id, std::chrono::seconds(1)}, limited,
                                             counted, subjects[n % subjects.size()], periods);
    if (!s) state.SkipWithError(s.message().c_str());
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_DecidePlusMemoryStateRules);

}  // namespace
}  // namespace doelpoort

BENCHMARK_MAIN();
