// doelpoort audit query --bsn N [DIR...]: a data subject's access answer (AVG art. 15), as JSON or a letter.
// doelpoort audit report DIR... --out FILE: the privacy officer's usage report, one HTML page.
// doelpoort audit export DIR... --format ldv: the log as Logboek Dataverwerkingen lines.
#include <fstream>
#include <iostream>

#include "audit_export.h"
#include "audit_query.h"
#include "audit_read_commands.h"
#include "audit_report.h"
#include "bsn.h"
#include "commands.h"
#include "config.h"
#include "pseudonym.h"
#include "register.h"

namespace doelpoort {
namespace {

// The error names the rule, never the value: a BSN does not belong in shell transcripts or logs twice.
const CLI::Validator kBsn(
    [](std::string& value) {
      return is_valid_bsn(value) ? std::string() : std::string("not a valid BSN (nine digits passing the 11-proef)");
    },
    "BSN", "BSN");

const CLI::Validator kDate(
    [](std::string& value) { return is_iso_date(value) ? std::string() : "\"" + value + "\" is not a date YYYY-MM-DD"; },
    "YYYY-MM-DD", "DATE");

void check_period(const AuditPeriod& p) {
  if (!p.from.empty() && !p.to.empty() && p.from > p.to)
    throw CLI::ValidationError("--from/--to", "--from " + p.from + " is after --to " + p.to);
}

struct Loaded {
  GatewayConfig config;
  std::shared_ptr<const Register> reg;
};

Loaded load(const std::string& config_file) {
  Diagnostics diags;
  auto config = load_config(config_file, diags);
  auto reg = config ? load_register(config->register_file, diags) : nullptr;
  if (!reg) {
    print_diagnostics(diags);
    throw std::runtime_error("cannot read " + config_file + ": " + diags.first_error());
  }
  return {std::move(*config), std::move(reg)};
}

void write_output(const std::string& out, const std::string& text) {
  if (out.empty()) {
    std::cout << text;
    return;
  }
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  if (!(file << text) || !file.flush()) throw std::runtime_error("cannot write " + out);
}

struct QueryArgs {
  std::string config = kDefaultConfig;
  std::string bsn;
  AuditPeriod period;
  std::string as_of;
  std::string format = "json";
  std::string out;
  std::vector<std::string> dirs;
};

int query(const QueryArgs& a) {
  check_period(a.period);
  const Loaded l = load(a.config);
  std::string error;
  auto pseudonymiser = Pseudonymiser::open(l.config.subject_key_file, false, error);
  if (!pseudonymiser) throw std::runtime_error("subject key: " + error);
  AccessRequest request;
  request.subject = pseudonymiser->pseudonym(a.bsn);
  request.period = a.period;
  request.as_of = a.as_of;
  request.timezone = l.config.timezone;
  const std::vector<std::string> dirs = a.dirs.empty() ? std::vector<std::string>{l.config.audit_dir} : a.dirs;
  AccessAnswer answer;
  if (!answer_access_request(dirs, *l.reg, request, answer, error)) throw std::runtime_error(error);
  write_output(a.out, a.format == "html" ? render_access_letter_html(answer)
                                         : access_answer_json(answer).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  return 0;
}

struct ReportArgs {
  std::string config = kDefaultConfig;
  std::vector<std::string> dirs;
  AuditPeriod period;
  std::string out;
  std::size_t top = 10;
};

int report(const ReportArgs& a) {
  check_period(a.period);
  const Loaded l = load(a.config);
  ReportOptions options;
  options.period = a.period;
  options.timezone = l.config.timezone;
  options.top = a.top;
  AuditReport r;
  std::string error;
  if (!build_audit_report(a.dirs, l.reg.get(), options, r, error)) throw std::runtime_error(error);
  write_output(a.out, render_report_html(r));
  std::cout << a.out << ": " << r.inquiries << " inquiries (" << r.denied << " refused, " << r.break_glass
            << " break-glass, " << r.incomplete << " incomplete)"
            << (r.first_date.empty() ? "" : ", " + r.first_date + " to " + r.last_date) << "\n";
  return 0;
}

struct ExportArgs {
  std::vector<std::string> dirs;
  std::string format = "ldv";
  std::string out;
  LdvOptions ldv;
};

int export_log(const ExportArgs& a) {
  const ExportFormat* format = find_export_format(a.format);
  if (format == nullptr) throw std::runtime_error("unknown format \"" + a.format + "\"");  // CLI11 checked it
  ExportSummary summary;
  std::string error;
  if (a.out.empty()) {
    if (!format->write(a.dirs, a.ldv, std::cout, summary, error)) throw std::runtime_error(error);
  } else {
    std::ofstream file(a.out, std::ios::binary | std::ios::trunc);
    if (!file) throw std::runtime_error("cannot write " + a.out);
    if (!format->write(a.dirs, a.ldv, file, summary, error)) throw std::runtime_error(error);
    if (!file.flush()) throw std::runtime_error("cannot write " + a.out);
    std::cerr << a.out << ": " << summary.lines << " line" << (summary.lines == 1 ? "" : "s") << "\n";
  }
  if (summary.derived_ids > 0)
    std::cerr << "warning: " << summary.derived_ids << " inquiries had no trace/span id; derived from their inquiry id\n";
  return 0;
}

}  // namespace

void add_audit_read_commands(CLI::App& audit, int& exit_code) {
  auto q = std::make_shared<QueryArgs>();
  CLI::App* qc = audit.add_subcommand(
      "query", "A data subject's access answer (AVG art. 15, inzage): which data about them was received, when, from "
               "whom, why and on what basis");
  qc->add_option("--bsn", q->bsn, "The person's BSN (checked with the 11-proef; only its pseudonym is looked up)")
      ->required()
      ->check(kBsn);
  qc->add_option("--from", q->period.from, "First day (local date) to include")->check(kDate);
  qc->add_option("--to", q->period.to, "Last day (local date) to include")->check(kDate);
  qc->add_option("--as-of", q->as_of, "Date the answer is given on; confidential inquiries stay out until their date (default: today)")
      ->check(kDate);
  qc->add_option("--format", q->format, "json (the documented shape) or html (a letter in Dutch)")
      ->check(CLI::IsMember({"json", "html"}))
      ->capture_default_str();
  qc->add_option("--out", q->out, "Write to this file instead of standard output");
  qc->add_option("--config", q->config, "Configuration file (register, audit folder, subject key, time zone)")
      ->capture_default_str();
  qc->add_option("DIR", q->dirs, "Audit log folder(s) (default: the configured audit folder)")->check(CLI::ExistingDirectory);
  qc->callback([q, &exit_code] { exit_code = query(*q); });

  auto r = std::make_shared<ReportArgs>();
  CLI::App* rc = audit.add_subcommand(
      "report", "The privacy officer's usage report: one HTML page with charts (per activity, source, day; refusals; "
                "break-glass; office hours; searches without BSN; top users and persons)");
  rc->add_option("DIR", r->dirs, "Audit log folder(s)")->required()->check(CLI::ExistingDirectory);
  rc->add_option("--out", r->out, "The HTML file to write")->required();
  rc->add_option("--from", r->period.from, "First day (local date) to include")->check(kDate);
  rc->add_option("--to", r->period.to, "Last day (local date) to include")->check(kDate);
  rc->add_option("--top", r->top, "Rows in the top-users and top-persons tables")->check(CLI::Range(1, 1000))->capture_default_str();
  rc->add_option("--config", r->config, "Configuration file (register names, time zone)")->capture_default_str();
  rc->callback([r, &exit_code] { exit_code = report(*r); });

  auto x = std::make_shared<ExportArgs>();
  std::vector<std::string> formats;
  for (const auto& f : export_formats()) formats.emplace_back(f.name);
  CLI::App* xc = audit.add_subcommand("export", "Export the audit log in another shape: ldv = Logboek Dataverwerkingen "
                                                "(one JSON span per inquiry per line)");
  xc->add_option("DIR", x->dirs, "Audit log folder(s)")->required()->check(CLI::ExistingDirectory);
  xc->add_option("--format", x->format, "Export format")->check(CLI::IsMember(formats))->capture_default_str();
  xc->add_option("--out", x->out, "Write to this file instead of standard output");
  xc->add_option("--register-url", x->ldv.register_url,
                 "Address of the published register: dpl.core.processing_activity_id becomes URL#verwerking-<activity>");
  xc->callback([x, &exit_code] { exit_code = export_log(*x); });
}

}  // namespace doelpoort
