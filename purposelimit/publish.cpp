#include "publish.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace doelpoort {
namespace {

// Ordinary categories first, then the special ones (AVG art. 9, 10), each by name.
bool category_before(const PublishedCategory& a, const PublishedCategory& b) {
  if (a.special.empty() != b.special.empty()) return a.special.empty();
  return a.name != b.name ? a.name < b.name : a.id < b.id;
}

PublishedCategory category_of(const Register& reg, const std::string& id) {
  const Category* c = reg.category(id);
  if (c == nullptr) return {id, id, "", "", "", {}};
  return {id, c->name, c->description, c->special, "", {}};
}

std::vector<PublishedOrigin> origins_of(const Register& reg, const Activity& a) {
  std::map<std::string, PublishedOrigin> by_id;
  for (const auto& [source, fields] : a.sources) {
    const Organisation* org = reg.organisation_of(source);
    const std::string id = org != nullptr ? org->id : source;
    auto [it, fresh] = by_id.try_emplace(id, PublishedOrigin{id, org != nullptr ? org->name : source, {}});
    it->second.services.push_back(source);
  }
  for (const auto& id : a.received_from) {
    auto org = reg.organisations.find(id);
    by_id.try_emplace(id, PublishedOrigin{id, org != reg.organisations.end() ? org->second.name : id, {}});
  }
  std::vector<PublishedOrigin> out;
  for (auto& [id, o] : by_id) out.push_back(std::move(o));
  // The registries consulted through doelpoort first (by service), then the others by name.
  std::sort(out.begin(), out.end(), [](const PublishedOrigin& x, const PublishedOrigin& y) {
    if (x.services.empty() != y.services.empty()) return !x.services.empty();
    if (!x.services.empty() && x.services.front() != y.services.front()) return x.services.front() < y.services.front();
    return x.organisation < y.organisation;
  });
  return out;
}

}  // namespace

PublishedRegister published_register(const Register& reg, const MappingSet& mappings) {
  PublishedRegister out{reg.organisation, reg.controller, reg.contact, reg.version, {}, {}, {}};
  std::map<std::string, std::vector<ActivityRef>> category_users, organisation_users;
  for (const Activity& a : reg.activities) {
    PublishedActivity p{a.id, a.version, a.name, a.purpose, a.legal_basis, a.controller, a.data_subjects,
                        {}, origins_of(reg, a), a.recipients, a.retention, a.confidentiality};
    std::set<std::string> categories = a.categories;
    for (const auto& [source, fields] : a.sources) {
      auto m = mappings.find(source);
      if (m == mappings.end()) continue;
      for (const auto& f : fields)
        if (auto it = m->second.fields.find(f); it != m->second.fields.end()) categories.insert(it->second.category);
    }
    for (const auto& id : categories) {
      PublishedCategory c = category_of(reg, id);
      if (const SpecialCategoryGrant* g = a.grant_for(id)) {
        c.basis = g->basis;
        c.roles.assign(g->roles.begin(), g->roles.end());
      }
      p.categories.push_back(std::move(c));
      category_users[id].push_back({a.id, a.name});
    }
    std::sort(p.categories.begin(), p.categories.end(), category_before);
    for (const auto& o : p.received_from) organisation_users[o.organisation_id].push_back({a.id, a.name});
    out.activities.push_back(std::move(p));
  }
  for (const auto& [id, c] : reg.categories) out.categories.push_back({category_of(reg, id), category_users[id]});
  std::sort(out.categories.begin(), out.categories.end(),
            [](const PublishedCategoryUse& x, const PublishedCategoryUse& y) { return category_before(x.category, y.category); });
  for (const auto& [id, o] : reg.organisations) out.organisations.push_back({id, o.name, organisation_users[id]});
  std::sort(out.organisations.begin(), out.organisations.end(),
            [](const PublishedOrganisation& x, const PublishedOrganisation& y) { return x.name < y.name; });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Wording shared by every format, so the formats differ in markup only.
namespace {

constexpr const char* kTitle = "Register van verwerkingen";
constexpr const char* kNoRecipients = "Geen vaste ontvangers.";

std::string special_label(const PublishedCategory& c) { return "bijzonder persoonsgegeven (AVG " + c.special + ")"; }

std::string confidentiality_text(const Confidentiality& c) {
  return "Raadplegingen voor deze verwerking ziet u in een inzageverzoek pas " + std::to_string(c.period_days) +
         " dagen na de raadpleging. " + c.reason;
}

template <typename Range, typename Fn>
std::string join(const Range& items, const std::string& sep, Fn fn) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + fn(i);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Markdown

// Backslash-escapes what markdown would read as markup; newlines become spaces (every item is one line).
std::string md(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    if (ch == '\n' || ch == '\r') {
      out += ' ';
      continue;
    }
    if (std::string_view("\\`*_[]<>|").find(ch) != std::string_view::npos) out += '\\';
    out += ch;
  }
  return out;
}

std::string md_category(const PublishedCategory& c) {
  std::string s = md(c.name);
  if (!c.description.empty()) s += ": " + md(c.description);
  if (!c.special.empty()) {
    s += " — *" + md(special_label(c));
    if (!c.basis.empty()) s += "; grondslag: " + md(c.basis);
    if (!c.roles.empty()) s += "; alleen voor: " + join(c.roles, ", ", md);
    s += "*";
  }
  return s;
}

std::string md_name(const ActivityRef& a) { return md(a.name); }

std::string md_origin(const PublishedOrigin& o) {
  if (o.services.empty()) return md(o.organisation);
  return join(o.services, ", ", md) + " — " + md(o.organisation);
}

}  // namespace

std::string render_markdown(const PublishedRegister& reg) {
  std::ostringstream o;
  o << "# " << kTitle << " — " << md(reg.organisation) << "\n\n";
  o << "Verwerkingsverantwoordelijke: " << md(reg.controller) << ".  \n";
  if (!reg.contact.empty()) o << "Contact: " << md(reg.contact) << ".  \n";
  o << "Versie van het register: " << md(reg.version) << ".\n\n";

  o << "## Overzicht\n\n| Verwerking | Grondslag | Persoonsgegevens | Bewaartermijn |\n|---|---|---|---|\n";
  for (const auto& a : reg.activities)
    o << "| " << md(a.name) << " | " << md(a.legal_basis.law) << " | "
      << join(a.categories, ", ",
              [](const PublishedCategory& c) { return md(c.name) + (c.special.empty() ? "" : " (AVG " + md(c.special) + ")"); })
      << " | " << md(a.retention) << " |\n";
  o << "\n";

  for (const auto& a : reg.activities) {
    o << "## " << md(a.name) << "\n\n";
    o << "- **Doel:** " << md(a.purpose) << "\n";
    if (!a.data_subjects.empty()) o << "- **Betrokkenen:** " << join(a.data_subjects, ", ", md) << "\n";
    o << "- **Persoonsgegevens:**\n";
    for (const auto& c : a.categories) o << "  - " << md_category(c) << "\n";
    o << "- **Grondslag:** " << md(a.legal_basis.to_string()) << "\n";
    if (!a.received_from.empty()) o << "- **Ontvangen van:** " << join(a.received_from, "; ", md_origin) << "\n";
    o << "- **Gedeeld met:** " << (a.recipients.empty() ? kNoRecipients : join(a.recipients, ", ", md)) << "\n";
    o << "- **Bewaartermijn:** " << md(a.retention) << "\n";
    if (a.controller != reg.controller) o << "- **Verwerkingsverantwoordelijke:** " << md(a.controller) << "\n";
    if (a.confidentiality) o << "- **Inzage:** " << md(confidentiality_text(*a.confidentiality)) << "\n";
    o << "- *Activiteit " << md(a.id) << ", versie " << md(a.version) << "*\n\n";
  }

  o << "## Categorieën persoonsgegevens\n\n";
  for (const auto& u : reg.categories) {
    o << "- **" << md(u.category.name) << "**";
    if (!u.category.description.empty()) o << ": " << md(u.category.description);
    if (!u.category.special.empty()) o << " — *" << md(special_label(u.category)) << "*";
    if (!u.activities.empty()) o << " — bij: " << join(u.activities, ", ", md_name);
    o << "\n";
  }
  o << "\n## Organisaties waarvan wij gegevens ontvangen\n\n";
  for (const auto& org : reg.organisations) {
    o << "- **" << md(org.name) << "**";
    if (!org.activities.empty()) o << " — bij: " << join(org.activities, ", ", md_name);
    o << "\n";
  }
  return o.str();
}

// ---------------------------------------------------------------------------------------------------------
// HTML

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

namespace {

std::string e(std::string_view text) { return escape_html(text); }

// A fragment id made only of [a-z0-9-], whatever the activity id holds.
std::string anchor(std::string_view prefix, std::string_view id) {
  std::string out(prefix);
  for (char ch : id) {
    const bool keep = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
    out += keep ? ch : (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : '-';
  }
  return out;
}

// Inline, so the page is one file; no colour carries meaning alone (special categories say so in words).
constexpr const char* kCss = R"css(
:root{--ink:#1b1b1b;--muted:#454b52;--accent:#0a5196;--accent-dark:#073a6b;--line:#cfd6de;--soft:#f1f5f9;--special-bg:#fff3e6;--special-ink:#7a3300;--special-line:#d9894a}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"DejaVu Sans",sans-serif;font-size:1.0625rem;line-height:1.6;color:var(--ink);background:#fff}
.wrap{max-width:62rem;margin:0 auto;padding:0 1.25rem}
a{color:var(--accent);text-underline-offset:.15em}
a:hover{color:var(--accent-dark);text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--ink);outline-offset:3px;box-shadow:0 0 0 6px #ffd54a}
.skip{position:absolute;left:1rem;top:-20rem;z-index:10;background:#fff;color:var(--accent-dark);padding:.75rem 1.25rem;border:3px solid var(--accent-dark);border-radius:.25rem;font-weight:700}
.skip:focus{top:1rem}
.site{background:var(--accent-dark);color:#fff;padding:2.25rem 0 2rem}
.site .org{margin:0;font-size:.9rem;font-weight:700;letter-spacing:.06em;text-transform:uppercase}
.site h1{margin:.35rem 0 .75rem;font-size:clamp(1.9rem,5vw,2.75rem);line-height:1.15}
.site .lead{margin:0 0 1.5rem;max-width:46rem;font-size:1.15rem}
.site dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1.25rem;margin:0;font-size:.95rem}
.site dt{font-weight:700}
.site dd{margin:0}
.site a{color:#fff}
main{padding:1.5rem 0 3rem}
main:focus{outline:none}
h2{font-size:1.6rem;line-height:1.25;margin:2.75rem 0 1rem;padding-bottom:.4rem;border-bottom:3px solid var(--accent)}
h3{font-size:1.3rem;line-height:1.3;margin:0 0 1rem;color:var(--accent-dark)}
.toc{background:var(--soft);border-left:6px solid var(--accent);border-radius:0 .5rem .5rem 0;padding:1.1rem 1.5rem 1.25rem;margin:1rem 0 0}
.toc h2{margin:0 0 .5rem;padding:0;border:0;font-size:1.3rem}
.toc ol{margin:0;padding-left:1.4rem}
.toc ol ol{columns:2 18rem;column-gap:2.5rem;margin:.25rem 0 .35rem}
.toc li{margin:.15rem 0;break-inside:avoid}
.scroll{overflow-x:auto;border:1px solid var(--line);border-radius:.5rem}
table{border-collapse:collapse;width:100%;min-width:46rem;font-size:.95rem}
.vh{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
th,td{text-align:left;vertical-align:top;padding:.6rem .9rem;border-top:1px solid var(--line)}
thead th{background:var(--soft);white-space:nowrap}
tbody tr:nth-child(even){background:#fafcfd}
tbody th{font-weight:600;min-width:12rem}
.activity{border:1px solid var(--line);border-top:5px solid var(--accent);border-radius:.5rem;padding:1.25rem 1.5rem 1rem;margin:0 0 1.75rem;break-inside:avoid-page}
.facts{display:grid;grid-template-columns:13rem 1fr;gap:.75rem 1.5rem;margin:0}
.facts dt{font-weight:700}
.facts dd{margin:0}
.facts ul{margin:0;padding-left:1.15rem}
.facts li{margin:0 0 .3rem}
.desc{color:var(--muted)}
.badge{display:inline-block;margin-left:.35rem;padding:0 .55rem;border:1px solid var(--special-line);border-radius:1rem;background:var(--special-bg);color:var(--special-ink);font-size:.82rem;font-weight:700;line-height:1.6;white-space:nowrap}
.basis{display:block;margin-top:.15rem;padding-left:.75rem;border-left:3px solid var(--special-line);font-size:.92rem}
.via{color:var(--muted);font-size:.9rem}
.meta{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.5rem;margin:1.25rem 0 0;padding-top:.6rem;border-top:1px solid var(--line);font-size:.8rem;color:var(--muted)}
code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.95em}
.index{margin:0;padding:0;list-style:none}
.index li{padding:.6rem 0;border-bottom:1px solid var(--line)}
.index .uses{display:block;font-size:.9rem;color:var(--muted)}
footer{border-top:1px solid var(--line);padding:1.25rem 0 2rem;font-size:.9rem;color:var(--muted)}
@media (max-width:42rem){
 body{font-size:1rem}
 .facts{grid-template-columns:1fr;gap:.1rem}
 .facts dd{margin-bottom:.75rem}
 .activity{padding:1rem}
 .site dl{grid-template-columns:1fr}
 .site dd{margin-bottom:.4rem}
}
@media print{
 body{font-size:10.5pt;line-height:1.45}
 .skip,.toplink{display:none}
 .site{background:none;color:#000;padding:0 0 1rem;border-bottom:2px solid #000}
 .site a,a{color:#000}
 .toc{background:none;border-left:2px solid #000}
 .scroll{overflow:visible;border:0}
 table{min-width:0}
 thead th,tbody tr:nth-child(even){background:none}
 .activity{border:1px solid #777;border-top:3px solid #000}
 h2,h3{break-after:avoid;color:#000}
 .badge{background:none;color:#000;border-color:#000}
 .basis{border-left-color:#000}
 .desc,.via,.meta,.index .uses{color:#333}
}
)css";

constexpr const char* kLead =
    "Welke persoonsgegevens wij verwerken, waarvoor, op welke grondslag, van wie wij ze ontvangen, met wie "
    "wij ze delen en hoe lang wij ze bewaren (AVG artikel 30).";

std::string html_category(const PublishedCategory& c) {
  std::string s = "<li><strong>" + e(c.name) + "</strong>";
  if (!c.special.empty()) s += " <span class=\"badge\">" + e(special_label(c)) + "</span>";
  if (!c.description.empty()) s += "<br><span class=\"desc\">" + e(c.description) + "</span>";
  if (!c.basis.empty() || !c.roles.empty()) {
    s += "<span class=\"basis\">";
    if (!c.basis.empty()) s += "Grondslag: " + e(c.basis) + ".";
    if (!c.roles.empty()) s += (c.basis.empty() ? "" : " ") + std::string("Alleen voor: ") + join(c.roles, ", ", e) + ".";
    s += "</span>";
  }
  return s + "</li>";
}

std::string html_origin(const PublishedOrigin& o) {
  std::string s = "<li>" + e(o.organisation);
  if (!o.services.empty()) s += " <span class=\"via\">(geraadpleegd via " + join(o.services, ", ", e) + ")</span>";
  return s + "</li>";
}

std::string html_ref(const ActivityRef& a) {
  return "<a href=\"#" + anchor("verwerking-", a.id) + "\">" + e(a.name) + "</a>";
}

// The contact as a mailto link when it is an e-mail address, else as text.
std::string html_contact(const std::string& contact) {
  const bool mail = contact.find('@') != std::string::npos && contact.find_first_of(" :/?\"'<>") == std::string::npos;
  return mail ? "<a href=\"mailto:" + e(contact) + "\">" + e(contact) + "</a>" : e(contact);
}

std::string html_list(const std::vector<std::string>& items) {
  return "<ul>" + join(items, "", [](const std::string& i) { return "<li>" + e(i) + "</li>"; }) + "</ul>";
}

void html_activity(std::ostringstream& o, const PublishedRegister& reg, const PublishedActivity& a) {
  const std::string id = anchor("verwerking-", a.id);
  o << "<section class=\"activity\" id=\"" << id << "\" aria-labelledby=\"" << id << "-titel\">\n"
    << "<h3 id=\"" << id << "-titel\">" << e(a.name) << "</h3>\n<dl class=\"facts\">\n"
    << "<dt>Doel</dt><dd>" << e(a.purpose) << "</dd>\n";
  if (!a.data_subjects.empty()) o << "<dt>Over wie</dt><dd>" << join(a.data_subjects, ", ", e) << "</dd>\n";
  o << "<dt>Welke persoonsgegevens</dt><dd><ul>" << join(a.categories, "", html_category) << "</ul></dd>\n"
    << "<dt>Grondslag</dt><dd>" << e(a.legal_basis.ground) << "<br>" << e(a.legal_basis.law) << "</dd>\n";
  if (!a.received_from.empty())
    o << "<dt>Van wie ontvangen</dt><dd><ul>" << join(a.received_from, "", html_origin) << "</ul></dd>\n";
  o << "<dt>Met wie gedeeld</dt><dd>" << (a.recipients.empty() ? std::string(kNoRecipients) : html_list(a.recipients))
    << "</dd>\n<dt>Bewaartermijn</dt><dd>" << e(a.retention) << "</dd>\n";
  if (a.controller != reg.controller) o << "<dt>Verwerkingsverantwoordelijke</dt><dd>" << e(a.controller) << "</dd>\n";
  if (a.confidentiality) o << "<dt>Inzage</dt><dd>" << e(confidentiality_text(*a.confidentiality)) << "</dd>\n";
  o << "</dl>\n<p class=\"meta\"><span>Activiteit <code>" << e(a.id) << "</code>, versie " << e(a.version)
    << "</span><a class=\"toplink\" href=\"#inhoudsopgave\">Terug naar de inhoud</a></p>\n</section>\n";
}

}  // namespace

std::string render_html(const PublishedRegister& reg) {
  std::ostringstream o;
  const std::string title = std::string(kTitle) + " — " + reg.organisation;
  o << "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<meta name=\"generator\" content=\"doelpoort register publish\">\n"
    << "<title>" << e(title) << "</title>\n<style>" << kCss << "</style>\n</head>\n<body>\n"
    << "<a class=\"skip\" href=\"#inhoud\">Direct naar de inhoud</a>\n";

  o << "<header class=\"site\"><div class=\"wrap\">\n<p class=\"org\">" << e(reg.organisation) << "</p>\n<h1>" << kTitle
    << "</h1>\n<p class=\"lead\">" << kLead << "</p>\n<dl>\n<dt>Verwerkingsverantwoordelijke</dt><dd>"
    << e(reg.controller) << "</dd>\n";
  if (!reg.contact.empty()) o << "<dt>Contact</dt><dd>" << html_contact(reg.contact) << "</dd>\n";
  o << "<dt>Versie</dt><dd>" << e(reg.version) << "</dd>\n</dl>\n</div></header>\n";

  o << "<main id=\"inhoud\" tabindex=\"-1\"><div class=\"wrap\">\n"
    << "<nav class=\"toc\" aria-labelledby=\"inhoudsopgave\">\n<h2 id=\"inhoudsopgave\">Inhoud</h2>\n<ol>\n"
    << "<li><a href=\"#overzicht\">Overzicht van de verwerkingen</a></li>\n"
    << "<li><a href=\"#verwerkingen\">De verwerkingen</a>\n<ol>\n";
  for (const auto& a : reg.activities)
    o << "<li><a href=\"#" << anchor("verwerking-", a.id) << "\">" << e(a.name) << "</a></li>\n";
  o << "</ol></li>\n<li><a href=\"#categorieen\">Categorieën persoonsgegevens</a></li>\n"
    << "<li><a href=\"#organisaties\">Van wie wij gegevens ontvangen</a></li>\n"
    << "<li><a href=\"#rechten\">Uw rechten</a></li>\n</ol>\n</nav>\n";

  o << "<section aria-labelledby=\"overzicht\">\n<h2 id=\"overzicht\">Overzicht van de verwerkingen</h2>\n"
    << "<p id=\"overzicht-uitleg\">Alle " << reg.activities.size()
    << " verwerkingen met hun wettelijke grondslag, de categorieën persoonsgegevens en de bewaartermijn. "
       "Kies een verwerking voor alle details.</p>\n"
    << "<div class=\"scroll\" role=\"region\" aria-labelledby=\"overzicht\" aria-describedby=\"overzicht-uitleg\" "
       "tabindex=\"0\">\n<table>\n<caption class=\"vh\">Overzicht van de verwerkingen</caption>\n"
    << "<thead><tr><th scope=\"col\">Verwerking</th><th scope=\"col\">Wettelijke grondslag</th>"
    << "<th scope=\"col\">Persoonsgegevens</th><th scope=\"col\">Bewaartermijn</th></tr></thead>\n<tbody>\n";
  for (const auto& a : reg.activities) {
    o << "<tr><th scope=\"row\"><a href=\"#" << anchor("verwerking-", a.id) << "\">" << e(a.name) << "</a></th><td>"
      << e(a.legal_basis.law) << "</td><td>"
      << join(a.categories, ", ",
              [](const PublishedCategory& c) {
                return e(c.name) + (c.special.empty() ? "" : " <span class=\"badge\">AVG " + e(c.special) + "</span>");
              })
      << "</td><td>" << e(a.retention) << "</td></tr>\n";
  }
  o << "</tbody>\n</table>\n</div>\n</section>\n";

  o << "<section aria-labelledby=\"verwerkingen\">\n<h2 id=\"verwerkingen\">De verwerkingen</h2>\n";
  for (const auto& a : reg.activities) html_activity(o, reg, a);
  o << "</section>\n";

  o << "<section aria-labelledby=\"categorieen\">\n<h2 id=\"categorieen\">Categorieën persoonsgegevens</h2>\n"
    << "<ul class=\"index\">\n";
  for (const auto& u : reg.categories) {
    o << "<li><strong>" << e(u.category.name) << "</strong>";
    if (!u.category.special.empty()) o << " <span class=\"badge\">" << e(special_label(u.category)) << "</span>";
    if (!u.category.description.empty()) o << "<br><span class=\"desc\">" << e(u.category.description) << "</span>";
    if (!u.activities.empty()) o << "<span class=\"uses\">Bij: " << join(u.activities, ", ", html_ref) << "</span>";
    o << "</li>\n";
  }
  o << "</ul>\n</section>\n";

  o << "<section aria-labelledby=\"organisaties\">\n<h2 id=\"organisaties\">Van wie wij gegevens ontvangen</h2>\n"
    << "<ul class=\"index\">\n";
  for (const auto& org : reg.organisations) {
    o << "<li><strong>" << e(org.name) << "</strong>";
    if (!org.activities.empty()) o << "<span class=\"uses\">Bij: " << join(org.activities, ", ", html_ref) << "</span>";
    o << "</li>\n";
  }
  o << "</ul>\n</section>\n";

  o << "<section aria-labelledby=\"rechten\">\n<h2 id=\"rechten\">Uw rechten</h2>\n"
    << "<p>U mag vragen welke persoonsgegevens wij van u verwerken en wie ze heeft ingezien (inzage), en u mag "
       "vragen onjuiste gegevens te verbeteren of aan te vullen. ";
  if (!reg.contact.empty()) o << "Neem daarvoor contact op met " << html_contact(reg.contact) << ". ";
  o << "Bent u het niet eens met hoe wij met uw gegevens omgaan, dan kunt u een klacht indienen bij de "
       "Autoriteit Persoonsgegevens.</p>\n</section>\n</div></main>\n";

  o << "<footer><div class=\"wrap\">" << e(title) << ", versie " << e(reg.version)
    << ". Dit register is ook het beleid dat elke raadpleging toetst.</div></footer>\n</body>\n</html>\n";
  return o.str();
}

// ---------------------------------------------------------------------------------------------------------

namespace {
constexpr PublishFormat kFormats[] = {
    {"markdown", render_markdown},
    {"html", render_html},
};
}  // namespace

std::span<const PublishFormat> publish_formats() { return kFormats; }

const PublishFormat* find_publish_format(std::string_view name) {
  for (const auto& f : kFormats)
    if (name == f.name) return &f;
  return nullptr;
}

std::string publish_markdown(const Register& reg, const MappingSet& mappings) {
  return render_markdown(published_register(reg, mappings));
}

}  // namespace doelpoort
