// doelpoort inquire: one inquiry from the command line, printed readably (or as JSON).
#include <nlohmann/json.hpp>

#include <csignal>
#include <iostream>

#include "client.h"
#include "commands.h"
#include "config.h"
#include "stdsoap2.h"

namespace doelpoort {
namespace {

struct InquireArgs {
  std::string config = kDefaultConfig;
  std::string url, ca, cert, key;
  InquiryRequest request;
  std::string fields;
  bool json = false;
};

constexpr int kExitFault = 3;  // the gateway answered with a SOAP Fault (e.g. a denial)

int inquire(InquireArgs& a) {
  signal(SIGPIPE, SIG_IGN);
  soap_ssl_init();
  if (a.url.empty() || a.ca.empty()) {  // defaults from the gateway's own configuration
    Diagnostics diags;
    auto config = load_config(a.config, diags);
    if (!config) throw std::runtime_error("--url/--ca not given and " + diags.first_error());
    if (a.url.empty()) a.url = config->public_url;
    if (a.ca.empty()) a.ca = config->tls.client_ca;
  }
  for (std::size_t start = 0; start <= a.fields.size();) {
    std::size_t comma = a.fields.find(',', start);
    if (comma == std::string::npos) comma = a.fields.size();
    if (comma > start) a.request.fields.push_back(a.fields.substr(start, comma - start));
    start = comma + 1;
  }
  std::string error;
  auto client = InquiryClient::create({a.url, {a.cert, a.key, a.ca, "", ""}, 10000}, error);
  if (!client) throw std::runtime_error(error);
  InquiryAnswer ans = client->inquire(a.request);
  if (!ans.transport_ok) throw std::runtime_error("no answer from " + a.url + ": " + ans.transport_error);
  if (a.json) {
    nlohmann::json j = {{"inquiry_id", ans.inquiry_id}};
    if (ans.fault) {
      j["fault"] = {{"code", ans.fault_code}, {"message", ans.fault_string}};
    } else {
      j["activity"] = ans.activity;
      j["activity_version"] = ans.activity_version;
      j["legal_basis"] = ans.legal_basis;
      j["status"] = ans.status;
      j["fields"] = nlohmann::json::array();
      for (const auto& [n, v] : ans.fields) j["fields"].push_back({{"name", n}, {"value", v}});
    }
    std::cout << j.dump(2) << "\n";
  } else if (ans.fault) {
    std::cerr << "refused: " << ans.fault_code << ": " << ans.fault_string << " (inquiry " << ans.inquiry_id << ")\n";
  } else {
    std::cout << "inquiry " << ans.inquiry_id << ": " << ans.status << " (activity " << ans.activity << " v"
              << ans.activity_version << "; " << ans.legal_basis << ")\n";
    for (const auto& [n, v] : ans.fields) std::cout << "  " << n << " = " << v << "\n";
  }
  return ans.fault ? kExitFault : 0;
}

}  // namespace

void add_inquire_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<InquireArgs>();
  app.add_option("--config", a->config, "Gateway configuration (for the default --url and --ca)")->capture_default_str();
  app.add_option("--url", a->url, "Gateway address, https://host:port/");
  app.add_option("--ca", a->ca, "CA file the gateway's certificate must chain to");
  app.add_option("--cert", a->cert, "Client certificate (PEM)")->required();
  app.add_option("--key", a->key, "Client private key (PEM)")->required();
  app.add_option("--activity", a->request.activity, "Processing activity id")->required();
  app.add_option("--user", a->request.user, "Case worker's user id")->required();
  app.add_option("--bsn", a->request.subject_bsn, "Subject's BSN");
  app.add_option("--source", a->request.source, "Source service, e.g. BRPDossierPersoon")->required();
  app.add_option("--fields", a->fields, "Comma-separated field names")->required();
  app.add_option("--case", a->request.case_reference, "Case reference");
  app.add_option("--reason", a->request.reason, "Reason (required for --break-glass)");
  app.add_flag("--break-glass", a->request.break_glass, "Emergency access, where the activity allows it");
  app.add_flag("--json", a->json, "Print the answer as JSON");
  app.footer("Exit status: 0 answered, 3 refused with a SOAP Fault, 1 no answer, 2 usage error.");
  app.callback([a, &exit_code] { exit_code = inquire(*a); });
}

}  // namespace doelpoort
