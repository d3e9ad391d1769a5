// doelpoort-sim: simulated Suwinet registries (BRPDossierPersoonGSD, UWVDossierInkomstenGSD) with a
// synthetic population, for doelpoort's tests and demos. See sim/README.md.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "population.h"
#include "request_handler.h"
#include "sim_server.h"
#include "stats.h"
#include "stdsoap2.h"
#include "xml_safe.h"

namespace {

using doelpoort::sim::Population;

constexpr std::string_view kUsage =
    "usage:\n"
    "  doelpoort-sim population [--seed S] [--count N] [--limit K]\n"
    "      CSV of the first K persons (all by default), with a header line:\n"
    "      bsn,voornamen,geslachtsnaam,geboortedatum,postcode,huisnummer,has_income\n"
    "      (geboortedatum as yyyymmdd; has_income 1 when UWV knows income, else 0)\n"
    "  doelpoort-sim population --absent [--seed S] [--count N] [--limit K]\n"
    "      K (default 1) BSNs that pass the 11-proef but are in no registry (NietsGevonden)\n"
    "  doelpoort-sim serve --listen HOST:PORT --cert FILE --key FILE --client-ca FILE [--crl FILE]\n"
    "                      [--port-file FILE] [--seed S] [--count N] [--fault MODE[:SERVICE]] [--xxe-uri URI]\n"
    "      mutual-TLS SOAP services at /suwibroker/soap/{BRPDossierPersoonGSD,UWVDossierInkomstenGSD}-v0200,\n"
    "      their WSDL at ?wsdl, POST counts at /_sim/stats. PORT 0 picks a free port: see --port-file.\n"
    "      Stops on SIGTERM or SIGINT.\n"
    "      --fault makes the POSTs of SERVICE (default: every service) misbehave; GETs never do:\n"
    "        none      answer correctly (the default)\n"
    "        hang      read the request, never answer\n"
    "        slow      send the answer one byte every 200 ms\n"
    "        reset     send half the answer, then reset the connection\n"
    "        garbage   HTTP 200 with a body that is not XML\n"
    "        http500   HTTP 500 with an HTML error page\n"
    "        fault200  HTTP 200 carrying a SOAP Fault (fwi:Fout)\n"
    "        close     close the connection without answering\n"
    "      hostile answers (HTTP 200, the correct answer with a payload in its first value):\n"
    "        laughs    a DOCTYPE with billion-laughs entities\n"
    "        xxe       a DOCTYPE with an external entity at --xxe-uri (default file:///etc/passwd)\n"
    "        doctype   a DOCTYPE naming an external DTD at --xxe-uri\n"
    "        deep      the value nested 10,000 elements deep\n"
    "        bigattr   a 10 MiB attribute\n"
    "        siblings  100,000 sibling elements\n"
    "        badutf8   bytes that are not UTF-8\n"
    "        oversize  a 20 MiB answer (Content-Length); oversizechunked: the same, chunked\n"
    "defaults: --seed 1 --count 1000\n";

/// `--name value` options of one subcommand; a flag (no value) maps to "".
class Options {
 public:
  /// Parses argv[first..]; `valued` and `flags` are the names allowed. False + `error` otherwise.
  bool parse(int argc, char** argv, int first, const std::vector<std::string_view>& valued,
             const std::vector<std::string_view>& flags, std::string& error) {
    for (int i = first; i < argc; ++i) {
      std::string_view arg = argv[i];
      const auto known = [&](const auto& list) { return std::find(list.begin(), list.end(), arg) != list.end(); };
      if (known(flags)) {
        values_[std::string(arg)] = "";
      } else if (known(valued)) {
        if (i + 1 >= argc) {
          error = std::string(arg) + " needs a value";
          return false;
        }
        values_[std::string(arg)] = argv[++i];
      } else {
        error = "unknown argument: " + std::string(arg);
        return false;
      }
    }
    return true;
  }
  bool has(std::string_view name) const { return values_.count(std::string(name)) != 0; }
  std::string get(std::string_view name, std::string fallback = "") const {
    auto it = values_.find(std::string(name));
    return it == values_.end() ? fallback : it->second;
  }

 private:
  std::map<std::string, std::string> values_;
};

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

int usage_error(const std::string& message) {
  std::cerr << "doelpoort-sim: " << message << " (see doelpoort-sim --help)\n";
  return 2;
}

/// --seed, --count and --limit, checked.
struct PopulationArgs {
  std::uint64_t seed = Population::kDefaultSeed;
  std::size_t count = Population::kDefaultCount;
  std::optional<std::size_t> limit;
};

bool read_population_args(const Options& o, PopulationArgs& out, std::string& error) {
  for (const char* name : {"--seed", "--count", "--limit"}) {
    if (!o.has(name)) continue;
    const auto n = parse_number(o.get(name));
    if (!n) {
      error = std::string(name) + " must be a non-negative integer";
      return false;
    }
    if (std::string_view(name) == "--seed") out.seed = *n;
    if (std::string_view(name) == "--count") out.count = static_cast<std::size_t>(*n);
    if (std::string_view(name) == "--limit") out.limit = static_cast<std::size_t>(*n);
  }
  if (out.count == 0 || out.count > 1'000'000) {
    error = "--count must be 1..1000000";
    return false;
  }
  return true;
}

int cmd_population(int argc, char** argv) {
  Options o;
  std::string error;
  PopulationArgs args;
  if (!o.parse(argc, argv, 2, {"--seed", "--count", "--limit"}, {"--absent"}, error) ||
      !read_population_args(o, args, error))
    return usage_error(error);
  const Population population = Population::generate(args.seed, args.count);
  if (o.has("--absent")) {
    for (const std::string& bsn : population.absent_bsns(args.limit.value_or(1))) std::cout << bsn << "\n";
    return 0;
  }
  std::cout << "bsn,voornamen,geslachtsnaam,geboortedatum,postcode,huisnummer,has_income\n";
  std::size_t shown = 0;
  for (const auto& p : population.persons()) {
    if (args.limit && shown++ >= *args.limit) break;
    const auto& a = population.address_of(p);
    // Names hold no commas or quotes (name_tables.cpp), so no CSV quoting is needed.
    std::cout << p.bsn << ',' << p.voornamen << ',' << p.geslachtsnaam << ',' << p.geboortedatum.suwi() << ','
              << a.postcode << ',' << a.huisnummer << ',' << (p.has_income() ? 1 : 0) << "\n";
  }
  return 0;
}

bool read_listen(const std::string& listen, doelpoort::sim::ServerOptions& options, std::string& error) {
  const auto colon = listen.rfind(':');
  const auto port = colon == std::string::npos ? std::nullopt : parse_number(std::string_view(listen).substr(colon + 1));
  if (colon == 0 || !port || *port > 65535) {
    error = "--listen must be HOST:PORT, e.g. 127.0.0.1:0";
    return false;
  }
  options.host = listen.substr(0, colon);
  if (options.host.size() > 2 && options.host.front() == '[' && options.host.back() == ']')
    options.host = options.host.substr(1, options.host.size() - 2);
  options.port = static_cast<int>(*port);
  return true;
}

int cmd_serve(int argc, char** argv) {
  Options o;
  std::string error;
  PopulationArgs args;
  if (!o.parse(argc, argv, 2,
               {"--listen", "--cert", "--key", "--client-ca", "--crl", "--port-file", "--seed", "--count", "--fault",
                "--xxe-uri"},
               {}, error) ||
      !read_population_args(o, args, error))
    return usage_error(error);
  for (const char* required : {"--listen", "--cert", "--key", "--client-ca"})
    if (!o.has(required)) return usage_error(std::string(required) + " is required");
  doelpoort::sim::ServerOptions options;
  if (!read_listen(o.get("--listen"), options, error)) return usage_error(error);
  const auto fault = doelpoort::sim::parse_fault_spec(o.get("--fault", "none"));
  if (!fault)
    return usage_error("--fault must be MODE[:SERVICE] with MODE one of " + doelpoort::sim::fault_mode_names() +
                       " and SERVICE a simulated service: " + o.get("--fault"));
  options.fault = *fault;
  options.fault.xxe_uri = o.get("--xxe-uri", std::string(doelpoort::sim::kDefaultXxeUri));
  options.tls = {o.get("--cert"), o.get("--key"), o.get("--client-ca"), o.get("--crl")};
  options.port_file = o.get("--port-file");

  soap_ssl_init();
  doelpoort::xml::init();
  const Population population = Population::generate(args.seed, args.count);
  doelpoort::sim::Stats stats;
  const doelpoort::sim::RequestHandler handler(population, stats);
  return doelpoort::sim::run_server(options, handler, std::cout, std::cerr);
}

struct Command {
  std::string_view name;
  std::function<int(int, char**)> run;
};

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands{{"population", cmd_population}, {"serve", cmd_serve}};
  return kCommands;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) return usage_error("missing command");
    const std::string_view command = argv[1];
    if (command == "--help" || command == "-h" || command == "help") {
      std::cout << kUsage;
      return 0;
    }
    for (int i = 2; i < argc; ++i) {
      if (std::string_view(argv[i]) == "--help") {
        std::cout << kUsage;
        return 0;
      }
    }
    for (const Command& c : commands())
      if (c.name == command) return c.run(argc, argv);
    return usage_error("unknown command: " + std::string(command));
  } catch (const std::exception& e) {
    std::cerr << "doelpoort-sim: " << e.what() << "\n";
    return 1;
  }
}
