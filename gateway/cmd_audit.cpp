// doelpoort audit verify DIR...: recompute the hash chain of each audit log.
// doelpoort audit review DIR...: the break-glass inquiries, for the privacy officer's review.
#include <iomanip>
#include <iostream>

#include "audit_prove.h"
#include "audit_read_commands.h"
#include "audit_purge.h"
#include "config.h"
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
                << (r.segments == 1 ? " segment" : " segments") << (r.purged ? ", " + std::to_string(r.purged) + " purged" : "")
                << ", " << r.tree_heads << " tree heads"
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

struct ProveArgs {
  std::string dir;
  std::string inquiry;
  std::uint64_t seq = 0;
  std::uint64_t tree_size = 0;
  std::vector<std::uint64_t> consistency;
};

int prove(const ProveArgs& a) {
  nlohmann::json out;
  std::string error;
  bool ok = a.consistency.size() == 2 ? prove_consistency(a.dir, a.consistency[0], a.consistency[1], out, error)
                                      : prove_inclusion(a.dir, a.inquiry, a.seq, a.tree_size, out, error);
  if (!ok) throw std::runtime_error(error);
  std::cout << out.dump(2) << "\n";
  return 0;
}

struct PurgeArgs {
  std::string dir;
  std::string before;
  std::string config = kDefaultConfig;
  std::string signing_key;
};

int purge(const PurgeArgs& a) {
  std::string key = a.signing_key, error;
  if (key.empty()) {
    Diagnostics diags;
    auto config = load_config(a.config, diags);
    if (!config) throw std::runtime_error("--signing-key not given and " + diags.first_error());
    key = config->audit_signing_key;
  }
  auto signer = TreeHeadSigner::open(key, /*create=*/false, error);
  if (!signer) throw std::runtime_error(error);
  PurgeReport report;
  if (!purge_audit(a.dir, a.before, *signer, report, error)) throw std::runtime_error(error);
  std::cout << a.dir << ": purged " << report.records << " records in " << report.segments
            << " segment(s) from before " << a.before << "; the signed statement is in purges.jsonl\n";
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

  add_audit_read_commands(app, exit_code);  // query, report, export

  auto p = std::make_shared<ProveArgs>();
  CLI::App* pr = app.add_subcommand("prove", "RFC 9162 proofs: that an inquiry's records are in the log (inclusion), "
                                             "or that the log grew without being rewritten (consistency)");
  pr->add_option("DIR", p->dir, "Audit log folder")->required()->check(CLI::ExistingDirectory);
  auto* by_inquiry = pr->add_option("--inquiry", p->inquiry, "Inclusion proofs of this inquiry's records");
  auto* by_seq = pr->add_option("--seq", p->seq, "Inclusion proof of record number SEQ");
  pr->add_option("--tree-size", p->tree_size, "In the tree of this many records (default: the latest signed tree head)");
  auto* cons = pr->add_option("--consistency", p->consistency, "OLD NEW: consistency proof between two tree sizes")->expected(2);
  by_inquiry->excludes(by_seq)->excludes(cons);
  by_seq->excludes(cons);
  auto g = std::make_shared<PurgeArgs>();
  CLI::App* pg = app.add_subcommand("purge", "Remove whole segments older than the retention date, leaving their leaf "
                                             "hashes and a signed statement of what was purged");
  pg->add_option("DIR", g->dir, "Audit log folder")->required()->check(CLI::ExistingDirectory);
  pg->add_option("--before", g->before, "Purge records from before this date (YYYY-MM-DD, UTC)")->required();
  pg->add_option("--config", g->config, "Configuration (for the tree-head signing key)")->capture_default_str();
  pg->add_option("--signing-key", g->signing_key, "The tree-head signing key (PEM), instead of the configuration's");
  pg->callback([g, &exit_code] { exit_code = purge(*g); });

  pr->callback([p, &exit_code] {
    if (p->inquiry.empty() && p->seq == 0 && p->consistency.empty())
      throw std::runtime_error("audit prove: give --inquiry ID, --seq N or --consistency OLD NEW");
    exit_code = prove(*p);
  });
}

}  // namespace doelpoort
