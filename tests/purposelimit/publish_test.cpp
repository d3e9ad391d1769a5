// The public register: one model, rendered as markdown and as one self-contained HTML page; everything
// the register says is named, special categories are marked, and no register text can become markup.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "mapping.h"
#include "publish.h"
#include "register.h"

namespace doelpoort {
namespace {

constexpr const char* kHostile = "<script>alert(\"x\")</script><img src=x onerror='alert(1)'>&amp;";

// A small register built in code: one ordinary activity consulting a registry, one with a special category.
struct Fixture {
  Register reg;
  MappingSet mappings;

  Fixture() {
    reg.version = "7";
    reg.organisation = "Werkplein Test";
    reg.controller = "College";
    reg.contact = "privacy@example.nl";
    reg.categories["identificatie"] = {"identificatie", "Identificatiegegevens", "naam, BSN", ""};
    reg.categories["woonsituatie"] = {"woonsituatie", "Woonsituatie", "adres", ""};
    reg.categories["gezondheid"] = {"gezondheid", "Gezondheid", "belastbaarheid", "art. 9"};
    reg.categories["strafrechtelijk"] = {"strafrechtelijk", "Strafrechtelijke gegevens", "detentie", "art. 10"};
    reg.categories["ongebruikt"] = {"ongebruikt", "Ongebruikte categorie", "nergens gebruikt", ""};
    reg.organisations["brp"] = {"brp", "Basisregistratie Personen", "NL", {"BRP"}};
    reg.organisations["betrokkene"] = {"betrokkene", "De betrokkene zelf", "NL", {}};
    reg.organisations["kadaster"] = {"kadaster", "Kadaster", "NL", {}};

    Activity a;
    a.id = "pw-a";
    a.version = "3";
    a.name = "Recht op bijstand";
    a.purpose = "Beoordelen van het recht.";
    a.legal_basis = {"AVG art. 6 lid 1 sub c", "Participatiewet art. 11"};
    a.controller = reg.controller;
    a.data_subjects = {"aanvragers"};
    a.categories = {"identificatie"};  // woonsituatie only through the field adres_postcode
    a.received_from = {"brp", "betrokkene"};
    a.recipients = {"Inlichtingenbureau"};
    a.retention = "10 jaar";
    a.roles = {"consulent"};
    a.sources["BRP"] = {"voornamen", "adres_postcode"};
    reg.activities.push_back(a);

    Activity m;
    m.id = "pw-medisch";
    m.version = "1";
    m.name = "Afstand tot de arbeidsmarkt";
    m.purpose = "Vaststellen wat iemand kan.";
    m.legal_basis = {"AVG art. 6 lid 1 sub e", "Participatiewet art. 7"};
    m.controller = reg.controller;
    m.categories = {"identificatie", "gezondheid", "strafrechtelijk"};
    m.special_categories = {{"gezondheid", "UAVG art. 30", {"medisch-adviseur"}},
                            {"strafrechtelijk", "UAVG art. 33", {"sociaal-rechercheur"}}};
    m.received_from = {"betrokkene", "kadaster"};
    m.retention = "5 jaar";
    m.roles = {"medisch-adviseur", "sociaal-rechercheur"};
    m.confidentiality = Confidentiality{"Lopend onderzoek.", 90};
    reg.activities.push_back(m);
    reg.index();

    Mapping brp;
    brp.source = "BRP";
    brp.fields["voornamen"] = {"//x", "identificatie", ""};
    brp.fields["adres_postcode"] = {"//y", "woonsituatie", ""};
    mappings["BRP"] = brp;
  }

  // Every piece of text the register publishes replaced by hostile markup.
  void poison() {
    reg.organisation = reg.controller = reg.version = kHostile;
    reg.contact = std::string("x@y\"><script>alert(1)</script>");
    for (auto& [id, c] : reg.categories) c.name = c.description = kHostile;
    for (auto& [id, o] : reg.organisations) o.name = kHostile;
    for (auto& a : reg.activities) {
      a.id = a.id + "\"><script>";
      a.version = a.name = a.purpose = a.retention = kHostile;
      a.legal_basis = {kHostile, kHostile};
      a.data_subjects = a.recipients = {kHostile};
      for (auto& g : a.special_categories) g.basis = kHostile;
      if (a.confidentiality) a.confidentiality->reason = kHostile;
    }
    reg.index();
  }
};

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// The part of the page about one activity.
std::string section_of(const std::string& html, const std::string& id) {
  auto from = html.find("<section class=\"activity\" id=\"verwerking-" + id + "\"");
  EXPECT_NE(from, std::string::npos) << id;
  if (from == std::string::npos) return {};
  return html.substr(from, html.find("</section>", from) - from);
}

TEST(EscapeHtml, ReplacesEveryCharacterThatCanStartMarkupOrEndAnAttribute) {
  EXPECT_EQ(escape_html("<script>alert(\"x\")</script>"), "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  EXPECT_EQ(escape_html("a='b' & c"), "a=&#39;b&#39; &amp; c");
  EXPECT_EQ(escape_html("&amp;"), "&amp;amp;");  // text, never pre-escaped markup
  EXPECT_EQ(escape_html("Beëindigen — art. 4:17"), "Beëindigen — art. 4:17");  // UTF-8 passes unchanged
  EXPECT_EQ(escape_html(""), "");
  const std::string escaped = escape_html(kHostile);
  EXPECT_EQ(escaped.find_first_of("<>\"'"), std::string::npos) << escaped;
}

TEST(PublishHtml, IsOneSelfContainedAccessiblePage) {
  Fixture f;
  const std::string html = render_html(published_register(f.reg, f.mappings));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"nl\">", 0), 0u);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("name=\"viewport\""), std::string::npos);
  EXPECT_NE(html.find("<a class=\"skip\" href=\"#inhoud\">"), std::string::npos);
  EXPECT_NE(html.find("<main id=\"inhoud\""), std::string::npos);
  EXPECT_EQ(count(html, "<h1"), 1u);
  EXPECT_EQ(count(html, "<style>"), 1u);
  EXPECT_NE(html.find("@media print"), std::string::npos);
  // Nothing is fetched: no scripts, stylesheets, images or other resources.
  for (const char* s : {"<script", "<link", "<img", "src=", "http://", "https://", "@import", "url("})
    EXPECT_EQ(html.find(s), std::string::npos) << s;
  // Headings never skip a level.
  const std::regex heading("<h([1-6])[ >]");
  int previous = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), heading); it != std::sregex_iterator(); ++it) {
    const int level = (*it)[1].str()[0] - '0';
    EXPECT_LE(level, previous + 1) << "h" << level << " after h" << previous;
    previous = level;
  }
  // Every activity has its section, linked from the table of contents, the overview table and the indexes.
  for (const auto& a : f.reg.activities) {
    EXPECT_EQ(count(html, "id=\"verwerking-" + a.id + "\""), 1u) << a.id;
    EXPECT_GE(count(html, "href=\"#verwerking-" + a.id + "\""), 3u) << a.id;
  }
  EXPECT_NE(html.find("<th scope=\"col\">"), std::string::npos);
}

TEST(PublishHtml, EscapesEveryTextOfAHostileRegister) {
  Fixture f;
  f.poison();
  const std::string html = render_html(published_register(f.reg, f.mappings));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("onerror='"), std::string::npos);
  EXPECT_EQ(html.find("x@y\""), std::string::npos);  // the contact cannot leave its attribute
  EXPECT_NE(html.find(escape_html(kHostile)), std::string::npos);
  // Fragment ids are made of [a-z0-9-] only, whatever the activity id holds.
  EXPECT_NE(html.find("id=\"verwerking-pw-a---script-\""), std::string::npos);
}

TEST(PublishMarkdown, EscapesMarkdownAndHtmlMarkup) {
  Fixture f;
  f.poison();
  f.reg.activities[0].name = "a*b_c [d](e) `f`";
  const std::string text = render_markdown(published_register(f.reg, f.mappings));
  // No register text can open an HTML tag (markdown passes inline HTML through) ...
  for (auto at = text.find_first_of("<>"); at != std::string::npos; at = text.find_first_of("<>", at + 1))
    EXPECT_EQ(text[at - 1], '\\') << text.substr(at - 10, 20);
  EXPECT_NE(text.find("\\<script\\>"), std::string::npos);
  // ... or become emphasis, a link or code.
  EXPECT_NE(text.find("## a\\*b\\_c \\[d\\](e) \\`f\\`\n"), std::string::npos);
}

TEST(Publish, NamesEveryActivityCategoryAndOrganisationInEveryFormat) {
  Fixture f;
  const PublishedRegister model = published_register(f.reg, f.mappings);
  for (const auto& format : publish_formats()) {
    SCOPED_TRACE(format.name);
    const std::string text = format.render(model);
    for (const auto& a : f.reg.activities) {
      for (const auto& s : {a.name, a.purpose, a.legal_basis.ground, a.legal_basis.law, a.retention, a.id, a.version})
        EXPECT_NE(text.find(s), std::string::npos) << s;
      for (const auto& r : a.recipients) EXPECT_NE(text.find(r), std::string::npos) << r;
    }
    for (const auto& [id, c] : f.reg.categories) {
      EXPECT_NE(text.find(c.name), std::string::npos) << id;
      EXPECT_NE(text.find(c.description), std::string::npos) << id;
    }
    for (const auto& [id, o] : f.reg.organisations) EXPECT_NE(text.find(o.name), std::string::npos) << id;
    EXPECT_NE(text.find("Geen vaste ontvangers."), std::string::npos);  // pw-medisch shares with no one
  }
}

TEST(Publish, MarksSpecialCategoriesWithTheirArticleBasisAndRoles) {
  Fixture f;
  const PublishedRegister model = published_register(f.reg, f.mappings);
  const std::string html = render_html(model);
  const std::string medisch = section_of(html, "pw-medisch");
  EXPECT_NE(medisch.find("<strong>Gezondheid</strong> <span class=\"badge\">bijzonder persoonsgegeven (AVG art. 9)</span>"),
            std::string::npos) << medisch;
  EXPECT_NE(medisch.find("Grondslag: UAVG art. 30. Alleen voor: medisch-adviseur."), std::string::npos) << medisch;
  EXPECT_NE(medisch.find("bijzonder persoonsgegeven (AVG art. 10)"), std::string::npos);
  EXPECT_NE(medisch.find("Grondslag: UAVG art. 33. Alleen voor: sociaal-rechercheur."), std::string::npos);
  EXPECT_NE(medisch.find("pas 90 dagen na de raadpleging"), std::string::npos);
  EXPECT_EQ(section_of(html, "pw-a").find("badge"), std::string::npos);  // no special category there

  const std::string md = render_markdown(model);
  EXPECT_NE(md.find("Gezondheid: belastbaarheid — *bijzonder persoonsgegeven (AVG art. 9); grondslag: UAVG art. 30; "
                    "alleen voor: medisch-adviseur*"),
            std::string::npos) << md;
  // Ordinary categories first, special ones after them.
  ASSERT_EQ(model.activities[1].categories.size(), 3u);
  EXPECT_EQ(model.activities[1].categories[0].id, "identificatie");
  EXPECT_EQ(model.activities[1].categories[1].special, "art. 9");
}

TEST(Publish, PublishesTheCategoryOfEveryReceivableFieldAndConsultedRegistriesFirst) {
  Fixture f;
  const PublishedRegister model = published_register(f.reg, f.mappings);
  const PublishedActivity& a = model.activities[0];
  std::vector<std::string> ids;
  for (const auto& c : a.categories) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"identificatie", "woonsituatie"}));
  ASSERT_EQ(a.received_from.size(), 2u);
  EXPECT_EQ(a.received_from[0].organisation, "Basisregistratie Personen");
  EXPECT_EQ(a.received_from[0].services, std::vector<std::string>{"BRP"});
  EXPECT_EQ(a.received_from[1].organisation, "De betrokkene zelf");
  EXPECT_NE(render_markdown(model).find("- **Ontvangen van:** BRP — Basisregistratie Personen; De betrokkene zelf\n"),
            std::string::npos);
  EXPECT_NE(render_html(model).find("<li>Basisregistratie Personen <span class=\"via\">(geraadpleegd via BRP)</span></li>"),
            std::string::npos);
  // The index of organisations and categories says which activities use each; an unused one still appears.
  for (const auto& o : model.organisations)
    if (o.id == "kadaster") EXPECT_EQ(o.activities, (std::vector<ActivityRef>{{"pw-medisch", "Afstand tot de arbeidsmarkt"}}));
  bool unused_listed = false;
  for (const auto& c : model.categories) unused_listed |= c.category.id == "ongebruikt" && c.activities.empty();
  EXPECT_TRUE(unused_listed);
}

TEST(Publish, FormatsAreFoundByName) {
  ASSERT_NE(find_publish_format("html"), nullptr);
  ASSERT_NE(find_publish_format("markdown"), nullptr);
  EXPECT_EQ(find_publish_format("pdf"), nullptr);
  EXPECT_EQ(publish_formats().size(), 2u);
}

}  // namespace
}  // namespace doelpoort
