// Fuzz target: loading a register of processing activities (config/register.yaml) as `doelpoort check`,
// `serve` (start and SIGHUP reload) and `register publish` do.
//
// Input: the YAML text of a register. parse_register() reads it with every strict check; a register it
// accepts is then published (markdown and HTML, as `register publish` does right after loading), cross-
// checked against the shipped staff list and mappings (as a reload does), and, when that finds no error,
// decides one inquiry per activity for each staff member: the policy the gateway would enforce.
//
// Checked beyond "no crash, no sanitizer report, no escaped exception": a refused register says why
// (at least one error), an accepted one has at least one activity.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "decision.h"
#include "policy.h"
#include "publish.h"
#include "register.h"

namespace doelpoort {
namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_register: invariant broken: %s\n", what.c_str());
  std::abort();
}

struct Shipped {
  std::shared_ptr<const Staff> staff;
  std::shared_ptr<const MappingSet> mappings;
};

const Shipped& shipped() {
  static Shipped* s = [] {
    auto* out = new Shipped;
    Diagnostics diags;
    out->staff = load_staff(std::string(DOELPOORT_SOURCE_DIR) + "/config/staff.yaml", diags);
    out->mappings = load_mappings(std::string(DOELPOORT_SOURCE_DIR) + "/mappings", diags);
    if (!out->staff || !out->mappings) fail("cannot load the shipped staff list and mappings");
    return out;
  }();
  return *s;
}

void decide_each(const Policy& policy, const Application& app) {
  const DecisionTime monday_morning{0, 10 * 60};
  int budget = 2000;  // bounds the work per input
  for (const Activity& a : policy.reg->activities) {
    for (const auto& [source, fields] : a.sources) {
      for (const auto& [user, member] : policy.staff->members) {
        if (--budget < 0) return;
        InquiryRequest r;
        r.activity = a.id;
        r.case_reference = "Z-1";
        r.user = user;
        r.subject_bsn = "111222333";
        r.source = source;
        r.fields.assign(fields.begin(), fields.end());
        (void)decide(policy, app, r, monday_morning);
        r.break_glass = true;
        r.reason = "spoed";
        (void)decide(policy, app, r, monday_morning);
      }
    }
  }
}

}  // namespace
}  // namespace doelpoort

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace doelpoort;
  const Shipped& s = shipped();
  const std::string text(reinterpret_cast<const char*>(data), size);
  Diagnostics diags;
  std::shared_ptr<const Register> reg = parse_register("register.yaml", text, diags);
  if (!reg) {
    if (diags.error_count() == 0) fail("a register was refused without an error");
    return 0;
  }
  if (reg->activities.empty()) fail("a register without activities was accepted");
  for (const auto& format : publish_formats()) (void)format.render(published_register(*reg, *s.mappings));

  Policy policy{reg, s.staff, s.mappings, {}};
  Application app;
  app.id = "fuzz";
  app.cn = "fuzz";
  for (const Activity& a : reg->activities) app.activities.insert(a.id);
  policy.applications = {app};
  Diagnostics cross;
  cross_check(policy, {"BRPDossierPersoon", "UWVDossierInkomsten"}, cross);
  if (cross.error_count() == 0) decide_each(policy, policy.applications.front());
  return 0;
}
