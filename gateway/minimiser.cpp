#include "minimiser.h"

#include <libxml/xpathInternals.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <tuple>

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

// strcmp rather than xmlStrEqual: the same test on NUL-terminated strings, but glibc's compares many bytes
// at once, where libxml2's loops over them one by one; a walk compares thousands of names and namespace
// URIs (often 40 bytes and more) per answer.
bool same(const xmlChar* a, const std::string& b) { return std::strcmp(reinterpret_cast<const char*>(a), b.c_str()) == 0; }

template <typename Name>
bool element_is(const xmlNode* n, const Name& name) {
  if (n->type != XML_ELEMENT_NODE || !same(n->name, name.local)) return false;
  const bool none = n->ns == nullptr || n->ns->href == nullptr || n->ns->href[0] == 0;
  return name.ns.empty() ? none : !none && same(n->ns->href, name.ns);
}

template <typename Step>
bool step_matches(const xmlNode* n, const Step& step) {
  if (!element_is(n, step.name)) return false;
  if (step.without)
    for (const xmlNode* c = n->children; c != nullptr; c = c->next)
      if (element_is(c, step.child)) return false;
  return true;
}

// The elements a child path selects, below `first` and its siblings, in document order (depth first
// along the path is document order); at most one when `one`.
template <typename Step>
bool follow(const xmlNode* first, const std::vector<Step>& path, std::size_t i, bool one,
            std::vector<const xmlNode*>& out) {
  for (const xmlNode* n = first; n != nullptr; n = n->next) {
    if (!step_matches(n, path[i])) continue;
    if (i + 1 == path.size()) {
      out.push_back(n);
      if (one) return true;
    } else if (follow(n->children, path, i + 1, one, out) && one) {
      return true;
    }
  }
  return !out.empty();
}

// "//name": every element so named in the document, in document order (a walk in pre-order, without
// recursion, so document depth costs no stack); at most one when `one`.
template <typename Step>
bool anywhere(const xmlNode* first, const Step& step, bool one, std::vector<const xmlNode*>& out) {
  const xmlNode* top = first != nullptr ? first->parent : nullptr;  // the document
  for (const xmlNode* n = first; n != nullptr;) {
    if (step_matches(n, step)) {
      out.push_back(n);
      if (one) return true;
    }
    if (n->type == XML_ELEMENT_NODE && n->children != nullptr) {
      n = n->children;
      continue;
    }
    while (n != nullptr && n->next == nullptr) n = n->parent == top ? nullptr : n->parent;
    if (n != nullptr) n = n->next;
  }
  return !out.empty();
}

template <typename Step>
bool walk(const xmlDoc* doc, const std::vector<Step>& path, bool one, std::vector<const xmlNode*>& out) {
  return path.front().anywhere ? anywhere(doc->children, path.front(), one, out)
                               : follow(doc->children, path, 0, one, out);
}

}  // namespace

// What the minimiser walks itself: "/" Step ("/" Step)*, where a Step is a QName, optionally followed by
// "[not(" QName ")]"; or "//" QName alone. Every prefix must be declared; an unprefixed name is in no
// namespace (XPath 1.0). Anything else (other predicates, "//" with more steps, "*", functions,
// whitespace, non-ASCII names) is left to libxml2: no steps. "//" is allowed alone only because a
// descendant step followed by more steps would need its results sorted and deduplicated.
std::vector<CompiledMapping::Step> CompiledMapping::walk_path(std::string_view xpath, const Mapping& m) {
  auto name_of = [&](std::string_view qname, Name& out) {
    const std::size_t colon = qname.find(':');
    out.local = std::string(colon == std::string_view::npos ? qname : qname.substr(colon + 1));
    if (colon != std::string_view::npos) {
      auto ns = m.namespaces.find(std::string(qname.substr(0, colon)));
      if (colon == 0 || ns == m.namespaces.end() || ns->second.empty()) return false;
      out.ns = ns->second;
    }
    if (out.local.empty()) return false;
    for (std::size_t k = 0; k < qname.size(); ++k)
      if (k != colon && !is_name_char(qname[k], k == 0 || k == colon + 1)) return false;
    return true;
  };
  if (xpath.substr(0, 2) == "//") {
    Step step;
    step.anywhere = true;
    if (!name_of(xpath.substr(2), step.name)) return {};
    return {step};
  }
  std::vector<Step> path;
  for (std::size_t i = 0; i < xpath.size();) {
    if (xpath[i] != '/') return {};
    std::size_t end = ++i;
    while (end < xpath.size() && xpath[end] != '/') ++end;
    std::string_view part = xpath.substr(i, end - i);
    Step step;
    if (const std::size_t bracket = part.find('['); bracket != std::string_view::npos) {
      constexpr std::string_view kOpen = "[not(", kClose = ")]";
      const std::string_view predicate = part.substr(bracket);
      if (predicate.size() <= kOpen.size() + kClose.size() || predicate.substr(0, kOpen.size()) != kOpen ||
          predicate.substr(predicate.size() - kClose.size()) != kClose)
        return {};
      if (!name_of(predicate.substr(kOpen.size(), predicate.size() - kOpen.size() - kClose.size()), step.child))
        return {};
      step.without = true;
      part = part.substr(0, bracket);
    }
    if (!name_of(part, step.name)) return {};
    path.push_back(std::move(step));
    i = end;
  }
  return path;
}

// "a | b | …": each branch a walked path (spaces around "|" allowed), or none at all.
std::vector<std::vector<CompiledMapping::Step>> CompiledMapping::walk_paths(std::string_view xpath, const Mapping& m) {
  std::vector<std::vector<Step>> paths;
  for (std::size_t start = 0; start <= xpath.size();) {
    std::size_t end = xpath.find('|', start);
    if (end == std::string_view::npos) end = xpath.size();
    std::string_view branch = xpath.substr(start, end - start);
    while (!branch.empty() && branch.front() == ' ') branch.remove_prefix(1);
    while (!branch.empty() && branch.back() == ' ') branch.remove_suffix(1);
    paths.push_back(walk_path(branch, m));
    if (paths.back().empty()) return {};
    start = end + 1;
  }
  return paths;
}

// The nodes a walked field selects, in document order without repeats as XPath's union gives them; at
// most one when `one`.
bool CompiledMapping::select(const Field& f, xmlDoc* doc, bool one, std::vector<const xmlNode*>& nodes) {
  for (const auto& path : f.paths)
    if (walk(doc, path, one, nodes) && one) return true;
  if (f.paths.size() > 1) {
    auto before = [](const xmlNode* a, const xmlNode* b) {
      return xmlXPathCmpNodes(const_cast<xmlNode*>(a), const_cast<xmlNode*>(b)) == 1;
    };
    std::sort(nodes.begin(), nodes.end(), before);
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  }
  return !nodes.empty();
}

class CompiledMapping::Evaluation {
 public:
  Evaluation(xmlDoc* d, const Mapping& m) : doc(d), mapping_(m) {}
  /// Null when it cannot be made (out of memory): the evaluation then fails (`failed`).
  xmlXPathContext* context() {
    if (!ctx_ && !failed) failed = !(ctx_ = new_context(doc, mapping_));
    return ctx_.get();
  }
  xmlDoc* const doc;
  bool failed = false;

 private:
  const Mapping& mapping_;
  ContextPtr ctx_;
};

bool CompiledMapping::values(const Field& f, Evaluation& e, std::vector<std::string>& out) {
  if (f.paths.empty()) return values_of(f.expr.get(), e.context(), out);
  std::vector<const xmlNode*> nodes;
  select(f, e.doc, false, nodes);
  for (const xmlNode* n : nodes) out.push_back(xml::text_of(n));
  return true;
}

bool CompiledMapping::present(const Field& f, Evaluation& e) {
  if (f.paths.empty()) return f.expr && matches(f.expr.get(), e.context());
  std::vector<const xmlNode*> nodes;
  return select(f, e.doc, true, nodes);
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
    c->fields_.push_back({name, std::move(e), walk_paths(field.xpath, m)});  // std::map order: sorted by name
  }
  for (auto [field, name, text] : {std::tuple{&c->not_found_, "not_found", &m.not_found},
                                   std::tuple{&c->fault_, "fault", &m.fault},
                                   std::tuple{&c->subject_bsn_, "subject_bsn", &m.subject_bsn}}) {
    if (text->empty()) continue;  // an empty Field is never present
    if (!(field->expr = build(name, *text))) return nullptr;
    field->name = name;
    field->paths = walk_paths(*text, m);
  }
  return c;
}

const CompiledMapping::Field* CompiledMapping::find(const std::string& name) const {
  auto it = std::lower_bound(fields_.begin(), fields_.end(), name,
                             [](const Field& f, const std::string& n) { return f.name < n; });
  return it != fields_.end() && it->name == name ? &*it : nullptr;
}

bool CompiledMapping::walked(const std::string& name) const {
  const Field* f = find(name);
  return f != nullptr && !f->paths.empty();
}

Status CompiledMapping::extract(xmlDoc* doc, const std::vector<std::string>& wanted, Minimised& out) const {
  Evaluation e(doc, *mapping_);
  const Status status = extract(e, wanted, out);
  if (e.failed) return {Code::INTERNAL_ERROR, "cannot create XPath context"};
  return status;
}

Status CompiledMapping::extract(Evaluation& e, const std::vector<std::string>& wanted, Minimised& out) const {
  if (present(fault_, e)) {
    std::vector<std::string> text;
    values(fault_, e, text);
    return {Code::UPSTREAM_ERROR, "registry error: " + (text.empty() ? std::string("(no text)") : text.front())};
  }
  if (present(not_found_, e)) {
    out.kind = Minimised::Kind::NotFound;
    return Status::ok();
  }
  out.kind = Minimised::Kind::Found;
  std::vector<std::string> values;
  if (subject_bsn_.expr && CompiledMapping::values(subject_bsn_, e, values) && values.size() == 1)
    out.subject_bsn = values[0];
  for (const auto& name : wanted) {
    const Field* f = find(name);
    if (f == nullptr) return {Code::INTERNAL_ERROR, "field \"" + name + "\" is not mapped"};
    values.clear();
    if (!CompiledMapping::values(*f, e, values)) return {Code::UPSTREAM_ERROR, "cannot evaluate " + name};
    if (!values.empty()) out.returned.push_back(name);
    for (auto& v : values) out.fields.emplace_back(name, std::move(v));
  }
  // Everything else the registry sent is withheld: record which fields, never what they held.
  for (const auto& f : fields_) {
    if (std::find(wanted.begin(), wanted.end(), f.name) != wanted.end()) continue;
    if (present(f, e)) out.withheld.push_back(f.name);
  }
  return Status::ok();
}

}  // namespace doelpoort
