#include "audit_query.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "publish.h"

namespace doelpoort {

// --- times and periods -----------------------------------------------------------------------------------

bool is_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (text[i] < '0' || text[i] > '9') return false;
  const int month = (text[5] - '0') * 10 + (text[6] - '0'), day = (text[8] - '0') * 10 + (text[9] - '0');
  if (month < 1 || month > 12 || day < 1) return false;
  // The day must exist in that month: let timegm normalise it and see whether it moved.
  std::tm tm{};
  tm.tm_year = std::atoi(std::string(text.substr(0, 4)).c_str()) - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = 12;
  const std::time_t t = timegm(&tm);
  std::tm back{};
  gmtime_r(&t, &back);
  return back.tm_mday == day && back.tm_mon == month - 1;
}

bool parse_record_time(std::string_view text, std::time_t& seconds) {
  const std::string s(text);
  std::tm tm{};
  const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return false;
  if (*rest == '.' || *rest == ',') {
    ++rest;
    if (*rest < '0' || *rest > '9') return false;
    while (*rest >= '0' && *rest <= '9') ++rest;  // sub-second digits: a report needs no finer than seconds
  }
  long offset = 0;
  if (*rest == 'Z' || *rest == 'z') {
    ++rest;
  } else if (*rest == '+' || *rest == '-') {
    int hours = 0, minutes = 0;
    if (std::sscanf(rest + 1, "%2d:%2d", &hours, &minutes) != 2) return false;
    offset = (*rest == '-' ? -1L : 1L) * (hours * 3600L + minutes * 60L);
    rest += 6;
  } else {
    return false;
  }
  if (*rest != '\0') return false;
  seconds = timegm(&tm) - offset;
  return true;
}

ZoneScope::ZoneScope(const std::string& zone) {
  if (const char* tz = std::getenv("TZ")) {
    had_tz_ = true;
    previous_ = tz;
  }
  setenv("TZ", zone.c_str(), 1);
  tzset();
}

ZoneScope::~ZoneScope() {
  if (had_tz_) {
    setenv("TZ", previous_.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

LocalTime local_time_at(std::time_t t) {
  std::tm tm{};
  localtime_r(&t, &tm);
  LocalTime lt;
  lt.epoch = t;
  char date[48], hhmm[32], iso[128];
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", tm.tm_hour, tm.tm_min);
  const long off = tm.tm_gmtoff;
  const long abs_off = off < 0 ? -off : off;
  std::snprintf(iso, sizeof iso, "%sT%s:%02d%c%02ld:%02ld", date, hhmm, tm.tm_sec, off < 0 ? '-' : '+', abs_off / 3600,
                abs_off % 3600 / 60);
  lt.date = date;
  lt.hhmm = hhmm;
  lt.iso = iso;
  lt.weekday = (tm.tm_wday + 6) % 7;  // tm: 0 = Sunday; ours: 0 = Monday
  lt.minute_of_day = tm.tm_hour * 60 + tm.tm_min;
  return lt;
}

std::string local_today() { return local_time_at(std::time(nullptr)).date; }

std::string add_days(const std::string& date, int days) {
  std::tm tm{};
  if (strptime(date.c_str(), "%Y-%m-%d", &tm) == nullptr) return date;
  tm.tm_hour = 12;  // noon: no leap second or zone can move it to another day
  const std::time_t t = timegm(&tm) + static_cast<std::time_t>(days) * 86400;
  std::tm out{};
  gmtime_r(&t, &out);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", out.tm_year + 1900, out.tm_mon + 1, out.tm_mday);
  return buf;
}

std::string record_text(const nlohmann::json& record, const char* key) {
  if (!record.is_object()) return {};
  auto it = record.find(key);
  return it != record.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string person_of(const AuditedInquiry& q) {
  const std::string named = record_text(q.decision, "subject"), found = record_text(q.outcome, "subject");
  auto key = q.decision.find("search_key");
  if (key == q.decision.end() || (key->is_string() && key->get<std::string>() == "bsn")) return named;
  // Searched by name, address or licence plate: the decision's subject is a pseudonym of the search terms. The
  // outcome names the person only when the registry told whom it found (then the pseudonyms differ).
  return found != named ? found : std::string();
}

// --- the access answer -------------------------------------------------------------------------------------

namespace {

std::vector<std::string> strings_of(const nlohmann::json& record, const char* key) {
  std::vector<std::string> out;
  if (!record.is_object()) return out;
  auto it = record.find(key);
  if (it == record.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

// Whether the inquiry must stay out of the answer on `as_of`: its activity is confidential until a later date.
bool still_confidential(const AuditedInquiry& q, const Register& reg, const std::string& inquiry_date,
                        const std::string& as_of) {
  std::string until = record_text(q.decision, "confidential_until");
  if (!until.empty() && !is_iso_date(until)) return true;  // unreadable: keep it out rather than disclose it
  if (const Activity* a = reg.find(record_text(q.decision, "activity"));
      a != nullptr && a->confidentiality && a->confidentiality->period_days > 0) {
    const std::string by_register = add_days(inquiry_date, a->confidentiality->period_days);
    if (by_register > until) until = by_register;
  }
  return !until.empty() && until > as_of;
}

bool returned_data(const AuditedInquiry& q) {
  if (!q.outcome.is_object()) return false;
  return record_text(q.outcome, "code") == "OK" && record_text(q.outcome, "found") == "yes" &&
         (!strings_of(q.outcome, "fields_returned").empty() || !strings_of(q.outcome, "categories_returned").empty());
}

AccessEntry entry_for(const AuditedInquiry& q, const Register& reg, const LocalTime& time) {
  const nlohmann::json& d = q.decision;
  AccessEntry e;
  e.time = time;
  e.source = record_text(d, "source");
  const Organisation* org = reg.organisation_of(e.source);
  e.organisation = org != nullptr ? org->name : e.source;
  std::vector<std::string> ids = strings_of(q.outcome, "categories_returned");
  if (ids.empty()) ids = strings_of(d, "categories_requested");
  for (const auto& id : ids) {
    if (std::any_of(e.categories.begin(), e.categories.end(), [&](const AccessCategory& c) { return c.id == id; })) continue;
    const Category* c = reg.category(id);
    e.categories.push_back({id, c != nullptr ? c->name : id, c != nullptr ? c->special : ""});
  }
  e.activity_id = record_text(d, "activity");
  const Activity* a = reg.find(e.activity_id);
  e.activity_name = a != nullptr ? a->name : e.activity_id;
  e.purpose = a != nullptr ? a->purpose : record_text(d, "purpose");
  e.legal_basis = record_text(d, "legal_basis");
  if (e.legal_basis.empty() && a != nullptr) e.legal_basis = a->legal_basis.to_string();
  return e;
}

}  // namespace

bool answer_access_request(const std::vector<std::string>& dirs, const Register& reg, const AccessRequest& request,
                           AccessAnswer& answer, std::string& error) {
  ZoneScope zone(request.timezone);
  answer = AccessAnswer{};
  answer.organisation = reg.organisation;
  answer.controller = reg.controller;
  answer.contact = reg.contact;
  answer.register_version = reg.version;
  answer.as_of = request.as_of.empty() ? local_today() : request.as_of;
  answer.timezone = request.timezone;
  answer.period = request.period;
  if (request.subject.empty()) {
    error = "no subject to look for";
    return false;
  }
  std::string bad;
  const bool ok = for_each_inquiry(dirs, [&](const AuditedInquiry& q) {
    if (!bad.empty()) return;
    if (record_text(q.decision, "subject") != request.subject && record_text(q.outcome, "subject") != request.subject)
      return;
    std::time_t t = 0;
    if (!parse_record_time(record_text(q.decision, "time"), t)) {
      bad = "inquiry " + record_text(q.decision, "inquiry_id") + ": unreadable time \"" + record_text(q.decision, "time") + "\"";
      return;
    }
    const LocalTime time = local_time_at(t);
    if (!request.period.contains(time.date) || still_confidential(q, reg, time.date, answer.as_of)) return;
    if (record_text(q.decision, "decision") != "permit") {
      ++answer.refused;
    } else if (returned_data(q)) {
      answer.provided.push_back(entry_for(q, reg, time));
    } else {
      ++answer.without_data;
    }
  }, error);
  if (!ok) return false;
  if (!bad.empty()) {
    error = bad;
    return false;
  }
  // Several logs (one per gateway) are read one after the other: order the answer by time.
  std::stable_sort(answer.provided.begin(), answer.provided.end(),
                   [](const AccessEntry& a, const AccessEntry& b) { return a.time.epoch < b.time.epoch; });
  return true;
}

nlohmann::json access_answer_json(const AccessAnswer& a) {
  auto date_or_null = [](const std::string& d) { return d.empty() ? nlohmann::json(nullptr) : nlohmann::json(d); };
  nlohmann::json inquiries = nlohmann::json::array();
  for (const AccessEntry& e : a.provided) {
    nlohmann::json categories = nlohmann::json::array();
    for (const auto& c : e.categories)
      categories.push_back({{"id", c.id}, {"name", c.name},
                            {"special", c.special.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.special)}});
    inquiries.push_back({{"time", e.time.iso},
                         {"source", {{"service", e.source}, {"organisation", e.organisation}}},
                         {"categories", std::move(categories)},
                         {"activity", {{"id", e.activity_id}, {"name", e.activity_name}, {"purpose", e.purpose}}},
                         {"legal_basis", e.legal_basis}});
  }
  return {{"format", "doelpoort-inzage/1"},
          {"as_of", a.as_of},
          {"timezone", a.timezone},
          {"period", {{"from", date_or_null(a.period.from)}, {"to", date_or_null(a.period.to)}}},
          {"controller", {{"organisation", a.organisation}, {"controller", a.controller}, {"contact", a.contact}}},
          {"register_version", a.register_version},
          {"inquiries", std::move(inquiries)},
          {"counts", {{"provided", a.provided.size()}, {"without_data", a.without_data}, {"refused", a.refused}}}};
}

// --- the letter --------------------------------------------------------------------------------------------

namespace {

std::string e(std::string_view text) { return escape_html(text); }

// "2 maart 2026": a letter to a citizen spells the month out.
std::string dutch_date(const std::string& iso_date) {
  static constexpr const char* kMonths[] = {"januari", "februari", "maart",     "april",   "mei",      "juni",
                                            "juli",    "augustus", "september", "oktober", "november", "december"};
  if (!is_iso_date(iso_date)) return iso_date;
  const int month = std::atoi(iso_date.substr(5, 2).c_str()), day = std::atoi(iso_date.substr(8, 2).c_str());
  return std::to_string(day) + " " + kMonths[month - 1] + " " + iso_date.substr(0, 4);
}

std::string period_phrase(const AuditPeriod& p) {
  if (!p.from.empty() && !p.to.empty()) return "van " + dutch_date(p.from) + " tot en met " + dutch_date(p.to);
  if (!p.from.empty()) return "vanaf " + dutch_date(p.from);
  if (!p.to.empty()) return "tot en met " + dutch_date(p.to);
  return {};
}

bool looks_like_email(const std::string& s) {
  const auto at = s.find('@');
  return at != std::string::npos && at > 0 && at + 1 < s.size() && s.find_first_of(" \t<>\"'") == std::string::npos;
}

// Inline, so the letter is one file; the colours pass WCAG AA contrast, and nothing is said by colour alone.
constexpr const char* kLetterCss = R"css(
:root{--ink:#1b1b1b;--muted:#454b52;--accent:#0a5196;--accent-dark:#073a6b;--line:#cfd6de;--soft:#f1f5f9;--special-bg:#fff3e6;--special-ink:#7a3300;--special-line:#d9894a}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"DejaVu Sans",sans-serif;font-size:1.0625rem;line-height:1.6;color:var(--ink);background:#fff}
.wrap{max-width:56rem;margin:0 auto;padding:0 1.25rem}
a{color:var(--accent);text-underline-offset:.15em}
:focus-visible{outline:3px solid var(--ink);outline-offset:3px;box-shadow:0 0 0 6px #ffd54a}
.letterhead{background:var(--accent-dark);color:#fff;padding:1.75rem 0 1.5rem}
.letterhead .org{margin:0;font-size:1.35rem;font-weight:700}
.letterhead p{margin:.15rem 0 0;font-size:.95rem}
.letterhead a{color:#fff}
main.wrap{padding-top:1.75rem;padding-bottom:2.5rem}
.date{margin:0 0 1.5rem;color:var(--muted)}
h1{font-size:clamp(1.6rem,4vw,2.1rem);line-height:1.2;margin:0 0 1.25rem;color:var(--accent-dark)}
h2{font-size:1.3rem;line-height:1.3;margin:2.25rem 0 .75rem;padding-bottom:.3rem;border-bottom:3px solid var(--accent)}
.scroll{overflow-x:auto;border:1px solid var(--line);border-radius:.5rem}
table{border-collapse:collapse;width:100%;font-size:.95rem}
caption{text-align:left;padding:.6rem .9rem;font-weight:700;background:var(--soft);border-bottom:1px solid var(--line)}
th,td{text-align:left;vertical-align:top;padding:.6rem .9rem;border-top:1px solid var(--line)}
thead th{background:var(--soft);vertical-align:bottom}
tbody tr:nth-child(even){background:#fafcfd}
td ul{margin:0;padding-left:1.1rem}
.when{white-space:nowrap}
.basis{display:block;margin-top:.35rem;font-size:.9rem;color:var(--muted)}
.muted{color:var(--muted);font-size:.9rem}
.badge{display:inline-block;margin-left:.3rem;padding:0 .5rem;border:1px solid var(--special-line);border-radius:1rem;background:var(--special-bg);color:var(--special-ink);font-size:.8rem;font-weight:700;white-space:nowrap}
.none{background:var(--soft);border-left:6px solid var(--accent);padding:1rem 1.25rem;border-radius:0 .5rem .5rem 0}
.rights li{margin:0 0 .6rem}
.closing{margin-top:2rem}
footer{border-top:1px solid var(--line);padding:1rem 0 2rem;font-size:.85rem;color:var(--muted)}
@media print{
 body{font-size:10.5pt;line-height:1.45}
 .letterhead{background:none;color:#000;border-bottom:2px solid #000}
 .letterhead a,a{color:#000}
 .scroll{overflow:visible;border:0}
 thead th,tbody tr:nth-child(even),caption{background:none}
}
)css";

}  // namespace

std::string render_access_letter_html(const AccessAnswer& a) {
  std::ostringstream o;
  const std::string title = "Inzage in de verwerking van uw persoonsgegevens";
  const std::string period = period_phrase(a.period);
  o << "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<title>" << e(title) << " — " << e(a.organisation) << "</title>\n<style>" << kLetterCss << "</style>\n</head>\n<body>\n";
  o << "<header class=\"letterhead\"><div class=\"wrap\">\n<p class=\"org\">" << e(a.organisation) << "</p>\n";
  if (!a.controller.empty()) o << "<p>Verwerkingsverantwoordelijke: " << e(a.controller) << "</p>\n";
  if (!a.contact.empty()) {
    o << "<p>Contact over privacy: ";
    if (looks_like_email(a.contact)) {
      o << "<a href=\"mailto:" << e(a.contact) << "\">" << e(a.contact) << "</a>";
    } else {
      o << e(a.contact);
    }
    o << "</p>\n";
  }
  o << "</div></header>\n<main class=\"wrap\">\n";
  o << "<p class=\"date\">Datum: " << e(dutch_date(a.as_of)) << "</p>\n<h1>" << e(title) << "</h1>\n";
  o << "<p>Geachte heer, mevrouw,</p>\n"
    << "<p>U heeft ons gevraagd welke persoonsgegevens wij over u verwerken. Dat is uw recht op inzage (artikel 15 "
       "van de Algemene verordening gegevensbescherming, AVG). In deze brief leest u welke gegevens over u wij"
    << (period.empty() ? "" : " " + e(period))
    << " bij andere organisaties hebben opgevraagd en ontvangen: wanneer, van welke organisatie, welke soort "
       "gegevens, waarvoor en op grond van welke wet.</p>\n";
  o << "<h2 id=\"ontvangen\">Welke gegevens wij over u hebben ontvangen</h2>\n";
  if (a.provided.empty()) {
    o << "<p class=\"none\">Wij hebben" << (period.empty() ? "" : " " + e(period))
      << " via onze koppeling met andere organisaties geen gegevens over u ontvangen.</p>\n";
  } else {
    o << "<div class=\"scroll\" role=\"region\" aria-labelledby=\"ontvangen\" tabindex=\"0\">\n<table>\n"
      << "<caption>" << a.provided.size() << " keer gegevens over u ontvangen</caption>\n"
      << "<thead><tr><th scope=\"col\">Wanneer</th><th scope=\"col\">Van welke organisatie</th>"
         "<th scope=\"col\">Welke gegevens</th><th scope=\"col\">Waarvoor, en op grond van welke wet</th></tr></thead>\n"
         "<tbody>\n";
    for (const AccessEntry& x : a.provided) {
      o << "<tr><td class=\"when\">" << e(dutch_date(x.time.date)) << "<br><span class=\"muted\">om " << e(x.time.hhmm)
        << " uur</span></td><td>" << e(x.organisation) << "</td><td><ul>";
      for (const auto& c : x.categories) {
        o << "<li>" << e(c.name);
        if (!c.special.empty()) o << " <span class=\"badge\">bijzonder persoonsgegeven (AVG " << e(c.special) << ")</span>";
        o << "</li>";
      }
      o << "</ul></td><td><strong>" << e(x.activity_name) << "</strong><br>" << e(x.purpose)
        << "<span class=\"basis\">Grondslag: " << e(x.legal_basis) << "</span></td></tr>\n";
    }
    o << "</tbody>\n</table>\n</div>\n";
  }
  o << "<p>Dit overzicht gaat over de gegevens die wij via onze beveiligde koppeling bij andere organisaties over u "
       "hebben opgevraagd. Gegevens die u zelf aan ons hebt gegeven, staan in uw dossier; ook die kunt u inzien.</p>\n";
  o << "<h2 id=\"rechten\">Uw rechten</h2>\n<ul class=\"rights\">\n"
    << "<li><strong>Correctie.</strong> Kloppen gegevens over u niet, of zijn ze onvolledig? Dan kunt u ons vragen ze "
       "te verbeteren of aan te vullen (artikel 16 AVG). Gegevens uit een basisregistratie, zoals uw adres in de BRP, "
       "worden verbeterd door de organisatie die de registratie bijhoudt; wij helpen u daarbij.</li>\n"
    << "<li><strong>Bezwaar.</strong> U kunt bezwaar maken tegen het gebruik van uw gegevens (artikel 21 AVG). Wij "
       "wegen dan uw belang af tegen de taak die wij volgens de wet moeten uitvoeren.</li>\n"
    << "<li><strong>Verwijdering of beperking.</strong> In sommige gevallen kunt u vragen uw gegevens te verwijderen "
       "of tijdelijk niet te gebruiken (artikel 17 en 18 AVG).</li>\n"
    << "<li><strong>Klacht.</strong> Bent u het niet eens met hoe wij met uw gegevens omgaan? Laat het ons weten. U "
       "kunt ook een klacht indienen bij de Autoriteit Persoonsgegevens "
       "(<a href=\"https://autoriteitpersoonsgegevens.nl\">autoriteitpersoonsgegevens.nl</a>).</li>\n</ul>\n";
  o << "<h2 id=\"vragen\">Vragen</h2>\n<p>Hebt u vragen over deze brief of wilt u een van uw rechten gebruiken? Neem "
       "dan contact op met onze privacycontactpersoon";
  if (!a.contact.empty()) {
    o << ": ";
    if (looks_like_email(a.contact)) {
      o << "<a href=\"mailto:" << e(a.contact) << "\">" << e(a.contact) << "</a>";
    } else {
      o << e(a.contact);
    }
  }
  o << ".</p>\n<p class=\"closing\">Met vriendelijke groet,<br>" << e(a.controller.empty() ? a.organisation : a.controller)
    << "</p>\n</main>\n";
  o << "<footer><div class=\"wrap\">Opgesteld uit het auditlogboek van de gegevenskoppeling, volgens het register van "
       "verwerkingen versie "
    << e(a.register_version) << ". Tijden in de tijdzone " << e(a.timezone) << ".</div></footer>\n</body>\n</html>\n";
  return o.str();
}

}  // namespace doelpoort
