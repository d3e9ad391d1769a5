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

// Every element below `first` and its siblings that the trie's steps after `at` select, appended to the
// slots of the fields whose paths end there. Siblings in document order, each followed down before the
// next: each slot's nodes come out in document order (a node two branches of one field select, twice).
template <typename Node>
void follow(const xmlNode* first, const std::vector<Node>& trie, const Node& at,
            std::vector<std::vector<const xmlNode*>>& hits) {
  for (const xmlNode* n = first; n != nullptr; n = n->next)
    for (const std::uint32_t i : at.next) {
      const Node& t = trie[i];
      if (!step_matches(n, t.step)) continue;
      for (const std::uint32_t slot : t.ends) hits[slot].push_back(n);
      if (!t.next.empty()) follow(n->children, trie, t, hits);
    }
}

// Every node of the document in document order (pre-order, without recursion, so document depth costs
// no stack), for the "//name" branches.
template <typename Visit>
void each_node(const xmlNode* first, Visit visit) {
  const xmlNode* top = first != nullptr ? first->parent : nullptr;  // the document
  for (const xmlNode* n = first; n != nullptr;) {
    visit(n);
    if (n->type == XML_ELEMENT_NODE && n->children != nullptr) {
      n = n->children;
      continue;
    }
    while (n != nullptr && n->next == nullptr) n = n->parent == top ? nullptr : n->parent;
    if (n != nullptr) n = n->next;
  }
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

// A field's walked paths in the trie (or among the "//" branches), under a slot of its own.
void CompiledMapping::index(Field& f) {
  f.slot = slots_++;
  if (f.paths.size() > 1) unions_.push_back(f.slot);
  for (const auto& path : f.paths) {
    if (path.front().anywhere) {
      anywhere_.emplace_back(path.front(), f.slot);
      continue;
    }
    std::uint32_t at = 0;
    for (const Step& step : path) {
      const auto& next = trie_[at].next;
      const auto same = std::find_if(next.begin(), next.end(), [&](std::uint32_t i) { return trie_[i].step == step; });
      if (same != next.end()) {
        at = *same;
        continue;
      }
      trie_.push_back({step, {}, {}});
      const auto added = static_cast<std::uint32_t>(trie_.size() - 1);
      trie_[at].next.push_back(added);
      at = added;
    }
    trie_[at].ends.push_back(f.slot);
  }
}

class CompiledMapping::Evaluation {
 public:
  Evaluation(xmlDoc* d, const CompiledMapping& c) : doc(d), compiled_(c) {}
  /// Null when it cannot be made (out of memory): the evaluation then fails (`failed`).
  xmlXPathContext* context() {
    if (!ctx_ && !failed) failed = !(ctx_ = new_context(doc, compiled_.mapping()));
    return ctx_.get();
  }
  /// The nodes walked field `f` selects, in document order without repeats, as XPath gives them. The
  /// first call walks the answer once for every walked field.
  const std::vector<const xmlNode*>& nodes(const Field& f) {
    if (!walked_) walk();
    return hits_[f.slot];
  }
  xmlDoc* const doc;
  bool failed = false;

 private:
  void walk() {
    const CompiledMapping& c = compiled_;
    walked_ = true;
    hits_.resize(c.slots_);
    follow(doc->children, c.trie_, c.trie_.front(), hits_);
    if (!c.anywhere_.empty())
      each_node(doc->children, [&](const xmlNode* n) {
        for (const auto& [step, slot] : c.anywhere_)
          if (step_matches(n, step)) hits_[slot].push_back(n);
      });
    // A union's branches may meet the same node, or come from both walks: as XPath, each node once, in
    // document order.
    auto before = [](const xmlNode* a, const xmlNode* b) {
      return xmlXPathCmpNodes(const_cast<xmlNode*>(a), const_cast<xmlNode*>(b)) == 1;
    };
    for (const std::uint32_t slot : c.unions_) {
      auto& nodes = hits_[slot];
      std::sort(nodes.begin(), nodes.end(), before);
      nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    }
  }

  const CompiledMapping& compiled_;
  ContextPtr ctx_;
  std::vector<std::vector<const xmlNode*>> hits_;  // by field slot
  bool walked_ = false;
};

bool CompiledMapping::values(const Field& f, Evaluation& e, std::vector<std::string>& out) {
  if (f.paths.empty()) return values_of(f.expr.get(), e.context(), out);
  for (const xmlNode* n : e.nodes(f)) out.push_back(xml::text_of(n));
  return true;
}

bool CompiledMapping::present(const Field& f, Evaluation& e) {
  if (f.paths.empty()) return f.expr && matches(f.expr.get(), e.context());
  return !e.nodes(f).empty();
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
  c->trie_.emplace_back();  // the root
  for (Field& f : c->fields_) c->index(f);
  for (Field* f : {&c->not_found_, &c->fault_, &c->subject_bsn_}) c->index(*f);
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
  Evaluation e(doc, *this);
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
