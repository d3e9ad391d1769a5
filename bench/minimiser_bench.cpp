// Minimising one registry answer, as Pipeline::minimise does per inquiry: parse the whole BRP dossier
// the simulated registry sends for a person and take the three fields asked, naming the ~20 withheld.
// Arg 1: the shipped mapping, whose paths the minimiser walks itself (child paths, "[not(child)]" tests,
// "//fwi:Fout"); arg 0 (the peer): the same mapping with every path in parentheses, which selects the
// same nodes but is left to libxml2's XPath engine. Goal: the walk costs less than XPath did.
#include <benchmark/benchmark.h>

#include <stdexcept>

#include "minimiser.h"
#include "population.h"
#include "request_handler.h"
#include "xml_safe.h"

namespace doelpoort {
namespace {

struct Fixture {
  Mapping shipped, xpath_only;
  std::string answer;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    xml::init();
    Diagnostics d;
    auto set = load_mappings(std::string(DOELPOORT_SOURCE_DIR) + "/mappings", d);
    if (!set) throw std::runtime_error("mappings/ do not load: " + d.first_error());
    Fixture out;
    out.shipped = set->at("BRPDossierPersoon");
    out.xpath_only = out.shipped;
    for (auto& [name, field] : out.xpath_only.fields) field.xpath = "(" + field.xpath + ")";
    for (std::string* path : {&out.xpath_only.not_found, &out.xpath_only.fault, &out.xpath_only.subject_bsn})
      *path = "(" + *path + ")";
    static const sim::Population population = sim::Population::generate(1, 1000);
    static sim::Stats stats;
    const sim::RequestHandler handler(population, stats);
    const SourceRequest* request = out.shipped.request_for(SearchKey::Bsn);
    const std::string path = "/suwibroker/soap/" + out.shipped.service;
    const std::string to = "https://localhost" + path;
    // The person with the largest dossier among the first hundred (a partner, children, parents).
    for (std::size_t i = 0; i < 100; ++i) {
      RequestTemplate::Values v{};
      v[static_cast<std::size_t>(RequestTemplate::Slot::MessageId)] = "urn:uuid:bench";
      v[static_cast<std::size_t>(RequestTemplate::Slot::Action)] = request->action;
      v[static_cast<std::size_t>(RequestTemplate::Slot::To)] = to;
      v[static_cast<std::size_t>(RequestTemplate::Slot::Bsn)] = population.persons()[i].bsn;
      const std::string body = request->body.render(v);
      sim::HttpReply reply = handler.handle({"POST", path, request->action, body, to});
      if (reply.status == 200 && reply.body.size() > out.answer.size()) out.answer = std::move(reply.body);
    }
    if (out.answer.empty()) throw std::runtime_error("the simulated registry answered no dossier");
    return out;
  }();
  return f;
}

void BM_Minimise(benchmark::State& state) {
  const Fixture& f = fixture();
  std::string error;
  auto compiled = CompiledMapping::compile(state.range(0) != 0 ? f.shipped : f.xpath_only, error);
  if (!compiled) state.SkipWithError(error.c_str());
  const std::vector<std::string> wanted = {"voornamen", "geslachtsnaam", "adres_postcode"};
  for (auto _ : state) {
    xml::DocPtr doc = xml::parse_untrusted(f.answer, 1 << 20, error);
    Minimised out;
    if (!doc || !compiled->extract(doc.get(), wanted, out).is_ok() || out.returned.size() != 3 || out.withheld.empty())
      state.SkipWithError("the dossier did not minimise");
  }
  state.counters["answer_bytes"] = static_cast<double>(f.answer.size());
}
BENCHMARK(BM_Minimise)->ArgName("walked")->Arg(0)->Arg(1);

}  // namespace
}  // namespace doelpoort

BENCHMARK_MAIN();
