// doelpoort audit verify DIR...: recompute the hash chain of each audit log.
// doelpoort audit review DIR...: the break-glass inquiries, for the privacy officer's review.
#include <iomanip>
#include <iostream>

#include "audit_reader.h"
#include "audit_verify.h"
#include "commands.h"

namespace doelpoort {
namespace {

int verify(const std::vector<std::string>& dirs, const std::string& public_key) {
  int bad = 0;
  for (const auto& dir : dirs) {
    AuditVerifyReport r = verify_audit(dir, public_key);
    for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
    if (r.ok) {
      std::cout << dir << ": OK (" << r.records << " records in " << r.segments
                << (r.segments == 1 ? " segment" : " segments") << ", " << r.tree_heads << " tree heads"
                << (r.heads_authenticated ? ", signatures verified" : ", signatures NOT checked") << ")\n";
    } else {
      std::cerr << dir << ": FAILED: " << r.first_problem << "\n";
      ++bad;
    }
  }
  return bad == 0 ? 0 : 1;
}

int review(const std::vector<std::string>& dirs, bool json) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& dir : dirs) {
    std::string error;
    bool ok = for_each_audit_record(dir, [&](const nlohmann::json& r) {
      if (!r.value("break_glass", false)) return;
      list.push_back({{"time", r.value("time", "")}, {"inquiry_id", r.value("inquiry_id", "")},
                      {"user", r.value("user", "")}, {"activity", r.value("activity", "")},
                      {"case_reference", r.value("case_reference", "")}, {"source", r.value("source", "")},
                      {"subject", r.value("subject", "")}, {"reason", r.value("reason", "")},
                      {"code", r.value("code", "")}, {"fields_returned", r.value("fields_returned", nlohmann::json::array())}});
    }, error);
    if (!ok) throw std::runtime_error(error);
  }
  if (json) {
    std::cout << list.dump(2) << "\n";
    return 0;
  }
  std::cout << list.size() << " break-glass inquir" << (list.size() == 1 ? "y" : "ies") << " to review\n";
  for (const auto& r : list) {
    std::cout << r["time"].get<std::string>() << "  " << std::left << std::setw(8) << r["user"].get<std::string>()
              << " " << r["activity"].get<std::string>() << " (case " << r["case_reference"].get<std::string>()
              << ") " << r["source"].get<std::string>() << " -> " << r["code"].get<std::string>() << "\n"
              << "    reason: " << r["reason"].get<std::string>() << "\n    inquiry " << r["inquiry_id"].get<std::string>()
              << ", returned " << r["fields_returned"].dump() << "\n";
  }
  return 0;
}

}  // namespace

void add_audit_command(CLI::App& app, int& exit_code) {
  app.require_subcommand(1);
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto public_key = std::make_shared<std::string>();
  CLI::App* v = app.add_subcommand("verify", "Recompute every record's hash, the chain and the Merkle tree, check the "
                                             "signed tree heads; exit 1 on the first bad record or head");
  v->add_option("DIR", *dirs, "Audit log folder(s)")->required()->check(CLI::ExistingDirectory);
  v->add_option("--public-key", *public_key, "The log's tree-head public key (PEM), to check the signatures")
      ->check(CLI::ExistingFile);
  v->callback([dirs, public_key, &exit_code] { exit_code = verify(*dirs, *public_key); });

  auto review_dirs = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  CLI::App* r = app.add_subcommand("review", "List the break-glass inquiries with their reasons, for review");
  r->add_option("DIR", *review_dirs, "Audit log folder(s)")->required()->check(CLI::ExistingDirectory);
  r->add_flag("--json", *json, "Print JSON");
  r->callback([review_dirs, json, &exit_code] { exit_code = review(*review_dirs, *json); });
}

}  // namespace doelpoort
