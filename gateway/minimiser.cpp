#include "minimiser.h"

#include <libxml/xpathInternals.h>

#include <algorithm>

#include "xml_safe.h"

namespace doelpoort {
namespace {

struct ContextDeleter {
  void operator()(xmlXPathContext* c) const { xmlXPathFreeContext(c); }
};
struct ObjectDeleter {
  void operator()(xmlXPathObject* o) const { xmlXPathFreeObject(o); }
};
using ContextPtr = std::unique_ptr<xmlXPathContext, ContextDeleter>;
using ObjectPtr = std::unique_ptr<xmlXPathObject, ObjectDeleter>;

const xmlChar* x(const std::string& s) { return reinterpret_cast<const xmlChar*>(s.c_str()); }

ContextPtr new_context(xmlDoc* doc, const Mapping& m) {
  ContextPtr ctx(xmlXPathNewContext(doc));
  if (!ctx) return nullptr;
  for (const auto& [prefix, uri] : m.namespaces) xmlXPathRegisterNs(ctx.get(), x(prefix), x(uri));
  return ctx;
}

/// Appends every value `expr` yields: the text of each node, or a string/number/boolean result.
bool values_of(xmlXPathCompExpr* expr, xmlXPathContext* ctx, std::vector<std::string>& out) {
  ObjectPtr r(xmlXPathCompiledEval(expr, ctx));
  if (!r) return false;
  switch (r->type) {
    case XPATH_NODESET:
      if (r->nodesetval != nullptr)
        for (int i = 0; i < r->nodesetval->nodeNr; ++i) out.push_back(xml::text_of(r->nodesetval->nodeTab[i]));
      return true;
    case XPATH_STRING:
      if (r->stringval != nullptr && r->stringval[0] != 0) out.emplace_back(reinterpret_cast<const char*>(r->stringval));
      return true;
    default: {
      xmlChar* s = xmlXPathCastToString(r.get());
      out.emplace_back(reinterpret_cast<const char*>(s));
      xmlFree(s);
      return true;
    }
  }
}

bool matches(xmlXPathCompExpr* expr, xmlXPathContext* ctx) {
  if (expr == nullptr) return false;
  ObjectPtr r(xmlXPathCompiledEval(expr, ctx));
  return r && xmlXPathCastToBoolean(r.get()) != 0;
}

}  // namespace

std::unique_ptr<CompiledMapping> CompiledMapping::compile(const Mapping& m, std::string& error) {
  std::unique_ptr<CompiledMapping> c(new CompiledMapping(m));
  // A trial evaluation on an empty document finds undeclared prefixes now rather than per inquiry.
  xml::DocPtr probe(xmlNewDoc(x("1.0")));
  ContextPtr ctx = new_context(probe.get(), m);
  auto build = [&](const std::string& what, const std::string& text) -> XPathPtr {
    XPathPtr e(xmlXPathCompile(x(text)));
    if (!e) {
      error = m.file + ": " + what + ": invalid XPath \"" + text + "\"";
      return nullptr;
    }
    ObjectPtr r(xmlXPathCompiledEval(e.get(), ctx.get()));
    if (!r) {
      error = m.file + ": " + what + ": XPath \"" + text + "\" uses an undeclared namespace prefix or function";
      return nullptr;
    }
    return e;
  };
  for (const auto& [name, field] : m.fields) {
    XPathPtr e = build("field \"" + name + "\"", field.xpath);
    if (!e) return nullptr;
    c->fields_.push_back({name, std::move(e)});  // std::map order: sorted by name
  }
  if (!m.not_found.empty() && !(c->not_found_ = build("not_found", m.not_found))) return nullptr;
  if (!m.fault.empty() && !(c->fault_ = build("fault", m.fault))) return nullptr;
  if (!m.subject_bsn.empty() && !(c->subject_bsn_ = build("subject_bsn", m.subject_bsn))) return nullptr;
  return c;
}

const CompiledMapping::Field* CompiledMapping::find(const std::string& name) const {
  auto it = std::lower_bound(fields_.begin(), fields_.end(), name,
                             [](const Field& f, const std::string& n) { return f.name < n; });
  return it != fields_.end() && it->name == name ? &*it : nullptr;
}

Status CompiledMapping::extract(xmlDoc* doc, const std::vector<std::string>& wanted, Minimised& out) const {
  ContextPtr ctx = new_context(doc, *mapping_);
  if (!ctx) return {Code::INTERNAL_ERROR, "cannot create XPath context"};
  if (matches(fault_.get(), ctx.get())) {
    std::vector<std::string> text;
    values_of(fault_.get(), ctx.get(), text);
    return {Code::UPSTREAM_ERROR, "registry error: " + (text.empty() ? std::string("(no text)") : text.front())};
  }
  if (matches(not_found_.get(), ctx.get())) {
    out.kind = Minimised::Kind::NotFound;
    return Status::ok();
  }
  out.kind = Minimised::Kind::Found;
  std::vector<std::string> values;
  if (subject_bsn_ && values_of(subject_bsn_.get(), ctx.get(), values) && values.size() == 1) out.subject_bsn = values[0];
  for (const auto& name : wanted) {
    const Field* f = find(name);
    if (f == nullptr) return {Code::INTERNAL_ERROR, "field \"" + name + "\" is not mapped"};
    values.clear();
    if (!values_of(f->expr.get(), ctx.get(), values)) return {Code::UPSTREAM_ERROR, "cannot evaluate " + name};
    if (!values.empty()) out.returned.push_back(name);
    for (auto& v : values) out.fields.emplace_back(name, std::move(v));
  }
  // Everything else the registry sent is withheld: record which fields, never what they held.
  for (const auto& f : fields_) {
    if (std::find(wanted.begin(), wanted.end(), f.name) != wanted.end()) continue;
    if (matches(f.expr.get(), ctx.get())) out.withheld.push_back(f.name);
  }
  return Status::ok();
}

}  // namespace doelpoort
