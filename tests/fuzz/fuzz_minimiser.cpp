// Fuzz target: a registry's answer through the minimiser, the way Pipeline::minimise reads it.
//
// Input: the body of a registry's HTTP answer. It is parsed by xml::parse_untrusted with the default
// max_upstream_bytes (4 MiB) and, when that accepts it, every shipped mapping (mappings/) extracts from
// it twice: asking for every field, and asking for the first half of the fields (the rest must then be
// reported as withheld when present, never returned).
//
// Checked beyond "no crash, no sanitizer report": a DOCTYPE is never accepted; only asked-for fields are
// returned; withheld and returned never overlap; every returned value belongs to a returned field.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "minimiser.h"
#include "xml_safe.h"

namespace doelpoort {
namespace {

constexpr std::size_t kMaxUpstreamBytes = 4 << 20;  // the configuration's default (config.h)

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_minimiser: invariant broken: %s\n", what.c_str());
  std::abort();
}

struct Compiled {
  std::unique_ptr<CompiledMapping> mapping;
  std::vector<std::string> all_fields;
};

const std::vector<Compiled>& compiled() {
  static std::vector<Compiled>* c = [] {
    xml::init();
    auto* out = new std::vector<Compiled>;
    Diagnostics diags;
    static std::shared_ptr<const MappingSet> mappings = load_mappings(std::string(DOELPOORT_SOURCE_DIR) + "/mappings", diags);
    if (!mappings || mappings->empty()) fail("cannot load the shipped mappings");
    for (const auto& [source, mapping] : *mappings) {
      std::string error;
      Compiled one{CompiledMapping::compile(mapping, error), {}};
      if (!one.mapping) fail(error);
      for (const auto& [name, field] : mapping.fields) one.all_fields.push_back(name);
      out->push_back(std::move(one));
    }
    return out;
  }();
  return *c;
}

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

void check(const std::vector<std::string>& wanted, const Minimised& m) {
  for (const auto& name : m.returned)
    if (!contains(wanted, name)) fail("returned a field not asked for: " + name);
  for (const auto& name : m.withheld) {
    if (contains(wanted, name)) fail("withheld a field that was asked for: " + name);
    if (contains(m.returned, name)) fail("field both returned and withheld: " + name);
  }
  for (const auto& [name, value] : m.fields)
    if (!contains(m.returned, name)) fail("a value of a field not listed as returned: " + name);
}

}  // namespace
}  // namespace doelpoort

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace doelpoort;
  const auto& mappings = compiled();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  xml::DocPtr doc = xml::parse_untrusted(text, kMaxUpstreamBytes, error);
  if (!doc) return 0;
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) fail("a document with a DOCTYPE was accepted");
  for (const auto& c : mappings) {
    Minimised all;
    if (c.mapping->extract(doc.get(), c.all_fields, all)) {
      check(c.all_fields, all);
      if (!all.withheld.empty()) fail("withheld a field when every field was asked for");
    }
    const std::vector<std::string> half(c.all_fields.begin(), c.all_fields.begin() + c.all_fields.size() / 2);
    Minimised some;
    if (c.mapping->extract(doc.get(), half, some)) check(half, some);
  }
  return 0;
}
