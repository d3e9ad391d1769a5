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

bool is_name_char(char c, bool first) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
         (!first && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
}

template <typename Step>
bool element_is(const xmlNode* n, const Step& step) {
  if (n->type != XML_ELEMENT_NODE || !xmlStrEqual(n->name, x(step.local))) return false;
  const bool none = n->ns == nullptr || n->ns->href == nullptr || n->ns->href[0] == 0;
  return step.ns.empty() ? none : !none && xmlStrEqual(n->ns->href, x(step.ns));
}

// The elements a child path selects, below `first` and its siblings, in document order (depth first
// along the path is document order); at most one when `one`.
template <typename Step>
bool follow(const xmlNode* first, const std::vector<Step>& path, std::size_t i, bool one,
            std::vector<const xmlNode*>& out) {
  for (const xmlNode* n = first; n != nullptr; n = n->next) {
    if (!element_is(n, path[i])) continue;
    if (i + 1 == path.size()) {
      out.push_back(n);
      if (one) return true;
    } else if (follow(n->children, path, i + 1, one, out) && one) {
      return true;
    }
  }
  return !out.empty();
}

}  // namespace

// "/" QName ("/" QName)*, every prefix declared; anything else (predicates, "//", "*", functions,
// whitespace, non-ASCII names) is left to libxml2: no steps. An unprefixed name is in no namespace
// (XPath 1.0).
std::vector<CompiledMapping::Step> CompiledMapping::child_path(const std::string& xpath, const Mapping& m) {
  std::vector<Step> path;
  for (std::size_t i = 0; i < xpath.size();) {
    if (xpath[i] != '/') return {};
    std::size_t end = ++i;
    while (end < xpath.size() && xpath[end] != '/') ++end;
    const std::string qname = xpath.substr(i, end - i);
    const std::size_t colon = qname.find(':');
    Step step;
    step.local = colon == std::string::npos ? qname : qname.substr(colon + 1);
    if (colon != std::string::npos) {
      auto ns = m.namespaces.find(qname.substr(0, colon));
      if (colon == 0 || ns == m.namespaces.end() || ns->second.empty()) return {};
      step.ns = ns->second;
    }
    if (step.local.empty()) return {};
    for (std::size_t k = 0; k < qname.size(); ++k)
      if (k != colon && !is_name_char(qname[k], k == 0 || k == colon + 1)) return {};
    path.push_back(std::move(step));
    i = end;
  }
  return path;
}

bool CompiledMapping::values(const Field& f, xmlDoc* doc, xmlXPathContext* ctx, std::vector<std::string>& out) {
  if (f.path.empty()) return values_of(f.expr.get(), ctx, out);
  std::vector<const xmlNode*> nodes;
  follow(doc->children, f.path, 0, false, nodes);
  for (const xmlNode* n : nodes) out.push_back(xml::text_of(n));
  return true;
}

bool CompiledMapping::present(const Field& f, xmlDoc* doc, xmlXPathContext* ctx) {
  if (f.path.empty()) return matches(f.expr.get(), ctx);
  std::vector<const xmlNode*> nodes;
  return follow(doc->children, f.path, 0, true, nodes);
}

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
    c->fields_.push_back({name, std::move(e), child_path(field.xpath, m)});  // std::map order: sorted by name
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
    if (!CompiledMapping::values(*f, doc, ctx.get(), values)) return {Code::UPSTREAM_ERROR, "cannot evaluate " + name};
    if (!values.empty()) out.returned.push_back(name);
    for (auto& v : values) out.fields.emplace_back(name, std::move(v));
  }
  // Everything else the registry sent is withheld: record which fields, never what they held.
  for (const auto& f : fields_) {
    if (std::find(wanted.begin(), wanted.end(), f.name) != wanted.end()) continue;
    if (present(f, doc, ctx.get())) out.withheld.push_back(f.name);
  }
  return Status::ok();
}

}  // namespace doelpoort
