// The report in two halves: counting (build_audit_report), then presenting (a small SVG chart helper and the
// page). The chart helper lives here, not in a file of its own, because the report is its only user.
#include "audit_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "publish.h"

namespace doelpoort {

// --- counting ------------------------------------------------------------------------------------------------

namespace {

std::vector<ReportCount> sorted_counts(std::map<std::string, ReportCount>& counts) {
  std::vector<ReportCount> out;
  for (auto& [key, c] : counts) out.push_back(std::move(c));
  std::stable_sort(out.begin(), out.end(),
                   [](const ReportCount& a, const ReportCount& b) { return a.inquiries > b.inquiries; });
  return out;
}

const char* kWeekdays[] = {"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"};

int weekday_of(const std::string& date) {  // 0 = Monday
  std::tm tm{};
  if (strptime(date.c_str(), "%Y-%m-%d", &tm) == nullptr) return 0;
  tm.tm_hour = 12;
  const std::time_t t = timegm(&tm);
  std::tm out{};
  gmtime_r(&t, &out);
  return (out.tm_wday + 6) % 7;
}

std::string shorten_pseudonym(const std::string& p) { return p.size() > 12 ? p.substr(0, 12) + "\u2026" : p; }

}  // namespace

bool build_audit_report(const std::vector<std::string>& dirs, const Register* reg, const ReportOptions& options,
                        AuditReport& report, std::string& error) {
  ZoneScope zone(options.timezone);
  report = AuditReport{};
  report.timezone = options.timezone;
  report.logs = dirs;
  report.period = options.period;
  if (reg != nullptr) {
    report.organisation = reg->organisation;
    report.register_version = reg->version;
  }
  struct UserCount {
    ReportUser stats;
    std::set<std::string> subjects;
  };
  struct SubjectCount {
    std::size_t inquiries = 0;
    std::set<std::string> users;
  };
  std::map<std::string, ReportCount> activities, sources, days, denials, failures, keys;
  std::map<std::string, UserCount> users;
  std::map<std::string, SubjectCount> subjects;
  std::string bad;

  const bool ok = for_each_inquiry(dirs, [&](const AuditedInquiry& q) {
    if (!bad.empty()) return;
    const nlohmann::json& d = q.decision;
    std::time_t t = 0;
    if (!parse_record_time(record_text(d, "time"), t)) {
      bad = "inquiry " + record_text(d, "inquiry_id") + ": unreadable time \"" + record_text(d, "time") + "\"";
      return;
    }
    const LocalTime time = local_time_at(t);
    if (!options.period.contains(time.date)) return;

    const bool denied = record_text(d, "decision") != "permit";
    const std::string code = q.final_code();
    const std::string activity = record_text(d, "activity"), source = record_text(d, "source");
    const std::string user = record_text(d, "user"), key = record_text(d, "search_key");
    const bool break_glass = d.value("break_glass", false) == true;
    const bool outside = !kReportOfficeHours.allows(time.weekday, time.minute_of_day);
    const Activity* a = reg != nullptr ? reg->find(activity) : nullptr;
    const std::string activity_name = a != nullptr ? a->name : activity;

    ++report.inquiries;
    denied ? ++report.denied : ++report.permitted;
    if (report.first_date.empty() || time.date < report.first_date) report.first_date = time.date;
    if (time.date > report.last_date) report.last_date = time.date;
    auto count = [denied](std::map<std::string, ReportCount>& m, const std::string& k, const std::string& label) {
      ReportCount& c = m[k];
      c.key = k;
      if (c.label.empty()) c.label = label;
      ++c.inquiries;
      if (denied) ++c.denied;
    };
    count(activities, activity, activity_name);
    const Organisation* org = reg != nullptr ? reg->organisation_of(source) : nullptr;
    count(sources, source, org != nullptr ? org->name : "");
    count(days, time.date, kWeekdays[time.weekday]);
    if (denied) count(denials, code, "");
    if (!denied && code != "OK") {
      ++report.failed;
      count(failures, code, "");
    }

    ReportInquiry item{time,
                       record_text(d, "inquiry_id"),
                       user,
                       activity,
                       activity_name,
                       record_text(d, "case_reference"),
                       source,
                       key,
                       code,
                       record_text(d, "reason")};
    if (break_glass) {
      ++report.break_glass;
      report.break_glass_inquiries.push_back(item);
    }
    if (outside) ++report.outside_office_hours;
    if (!key.empty() && key != "bsn") {
      ++report.non_bsn;
      count(keys, key, "");
      report.non_bsn_inquiries.push_back(item);
    }
    if (code == "INCOMPLETE") {
      ++report.incomplete;
      report.incomplete_inquiries.push_back(item);
    }

    UserCount& u = users[user];
    u.stats.user = user;
    ++u.stats.inquiries;
    if (denied) ++u.stats.denied;
    if (outside) ++u.stats.outside_office_hours;
    if (break_glass) ++u.stats.break_glass;
    if (const std::string person = person_of(q); !person.empty()) {
      u.subjects.insert(person);
      SubjectCount& s = subjects[person];
      ++s.inquiries;
      s.users.insert(user);
    }
  }, error);
  if (!ok) return false;
  if (!bad.empty()) {
    error = bad;
    return false;
  }

  report.per_activity = sorted_counts(activities);
  report.per_source = sorted_counts(sources);
  report.denials_by_code = sorted_counts(denials);
  report.failures_by_code = sorted_counts(failures);
  report.search_keys = sorted_counts(keys);
  // Every day of the period, quiet days too, so the chart's time axis is even.
  const std::string first = !options.period.from.empty() ? options.period.from : report.first_date;
  const std::string last = !options.period.to.empty() ? options.period.to : report.last_date;
  if (!first.empty() && !last.empty() && first <= last && add_days(first, 1100) >= last) {
    for (std::string day = first; day <= last; day = add_days(day, 1)) {
      auto it = days.find(day);
      report.per_day.push_back(it != days.end() ? it->second : ReportCount{day, kWeekdays[weekday_of(day)], 0, 0});
    }
  } else {
    for (auto& [day, c] : days) report.per_day.push_back(c);
  }

  auto by_time = [](const ReportInquiry& x, const ReportInquiry& y) { return x.time.epoch < y.time.epoch; };
  std::stable_sort(report.break_glass_inquiries.begin(), report.break_glass_inquiries.end(), by_time);
  std::stable_sort(report.non_bsn_inquiries.begin(), report.non_bsn_inquiries.end(), by_time);
  std::stable_sort(report.incomplete_inquiries.begin(), report.incomplete_inquiries.end(), by_time);

  std::vector<ReportUser> all_users;
  for (auto& [id, u] : users) {
    u.stats.subjects = u.subjects.size();
    all_users.push_back(u.stats);
  }
  report.users = all_users.size();
  report.subjects = subjects.size();
  const std::size_t top = options.top;
  report.top_users_by_inquiries = all_users;
  std::stable_sort(report.top_users_by_inquiries.begin(), report.top_users_by_inquiries.end(),
                   [](const ReportUser& x, const ReportUser& y) { return x.inquiries > y.inquiries; });
  if (report.top_users_by_inquiries.size() > top) report.top_users_by_inquiries.resize(top);
  report.top_users_by_subjects = all_users;
  std::stable_sort(report.top_users_by_subjects.begin(), report.top_users_by_subjects.end(),
                   [](const ReportUser& x, const ReportUser& y) { return x.subjects > y.subjects; });
  if (report.top_users_by_subjects.size() > top) report.top_users_by_subjects.resize(top);
  for (const auto& [pseudonym, s] : subjects)
    report.top_subjects.push_back({shorten_pseudonym(pseudonym), s.inquiries, s.users.size()});
  std::stable_sort(report.top_subjects.begin(), report.top_subjects.end(),
                   [](const ReportSubject& x, const ReportSubject& y) { return x.inquiries > y.inquiries; });
  if (report.top_subjects.size() > top) report.top_subjects.resize(top);
  return true;
}

// --- charts ----------------------------------------------------------------------------------------------------
//
// A small hand-written SVG helper rather than a library: Debian 12 has no chart library for C++ worth the
// dependency for a few bar charts. Its candidates are drawing libraries (GNU plotutils' libplot, PLplot,
// cairo's SVG surface) that would draw the same rectangles and text with far more code around them and no
// say over the <title>/<desc> and ARIA a screen reader needs, or programs to drive (gnuplot), or JavaScript
// libraries this page must not load. Bars, axes and labels are a few dozen lines of SVG. Every text is
// escaped; each chart has a <title> and <desc> for screen readers, and its numbers are in a table beside it.

namespace {

std::string e(std::string_view text) { return escape_html(text); }

constexpr const char* kPermitColour = "#0a5196";
constexpr const char* kDenyColour = "#c2410c";
constexpr const char* kWeekendColour = "#eef1f5";

// Roughly how wide `c` is at 13px in a sans-serif font (DejaVu Sans, the widest of the usual ones): enough to
// size a label column without a font file at hand.
double glyph_width(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c == 'I' ? 4.0 : c == 'M' || c == 'W' ? 11.5 : 9.2;
  if (c >= '0' && c <= '9') return 8.3;
  if (c == ' ' || c == 'i' || c == 'l' || c == 'j' || c == '.' || c == ',' || c == '\'' || c == '(' || c == ')') return 4.2;
  if (c == 'm' || c == 'w') return 11.0;
  if (c == '_') return 6.5;
  return 7.6;  // other lower case, and every non-ASCII character
}

// `s` cut (at a character boundary) with an ellipsis so that it is at most `max_px` wide; `width` gets its width.
std::string fit_label(const std::string& s, double max_px, double* width = nullptr) {
  double w = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte of a UTF-8 character
    if (w + glyph_width(c) > max_px - 8) {
      if (width != nullptr) *width = w + 8;
      return s.substr(0, i) + "\u2026";
    }
    w += glyph_width(c);
  }
  if (width != nullptr) *width = w;
  return s;
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

// Dutch notation: 12,5%.
std::string percent(std::size_t part, std::size_t whole) {
  if (whole == 0) return "0%";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  std::string s = buf;
  if (auto dot = s.find('.'); dot != std::string::npos) s[dot] = ',';
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ",0") == 0) s.resize(s.size() - 2);
  return s + "%";
}

// A round step for an axis of four steps reaching at least `v`: 1, 2 or 5 times a power of ten, so that every
// tick is a whole number.
double nice_step(double v) {
  const double raw = std::max(1.0, v / 4);
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= raw) return m * p;
  return 10 * p;
}

struct Bar {
  std::string label;
  std::size_t value = 0;
  std::size_t denied = 0;  ///< the part of `value` drawn in the refusal colour
};

std::string legend(double x, double y, bool stacked, bool weekend = false) {
  std::ostringstream o;
  auto item = [&](double at, const char* colour, const char* text) {
    o << "<rect x=\"" << fmt(at) << "\" y=\"" << fmt(y - 10) << "\" width=\"12\" height=\"12\" fill=\"" << colour
      << "\"" << (std::string(colour) == kWeekendColour ? " stroke=\"#9aa5b1\"" : "") << "/><text x=\"" << fmt(at + 17)
      << "\" y=\"" << fmt(y) << "\">" << text << "</text>";
  };
  item(x, kPermitColour, stacked ? "toegestaan" : "aantal");
  if (stacked) item(x + 105, kDenyColour, "geweigerd");
  if (weekend) item(x + 205, kWeekendColour, "weekend");
  return o.str();
}

// Horizontal bars, one per row, longest first as given; `stacked` draws each bar's refused part in orange.
std::string horizontal_bars(const std::string& id, const std::string& title, const std::string& summary,
                            const std::vector<Bar>& bars, bool stacked) {
  // The label column is as wide as the longest label needs, within limits; longer labels are cut (the full text
  // is in each bar's tooltip and in the table).
  double label_w = 80;
  for (const Bar& b : bars) {
    double w = 0;
    fit_label(b.label, 290, &w);
    label_w = std::max(label_w, w + 14);
  }
  const double width = 600, value_w = 44, plot_w = width - label_w - value_w - 8;
  const double top = stacked ? 34 : 12, row = 28, bar_h = 18;
  const double height = top + row * static_cast<double>(bars.size()) + 8;
  std::size_t max = 1;
  for (const Bar& b : bars) max = std::max(max, b.value);
  std::ostringstream o;
  o << "<svg class=\"chart\" role=\"img\" aria-labelledby=\"" << id << "-t " << id << "-d\" viewBox=\"0 0 " << fmt(width)
    << " " << fmt(height) << "\" width=\"" << fmt(width) << "\" height=\"" << fmt(height)
    << "\" font-size=\"13\" xmlns=\"http://www.w3.org/2000/svg\">"
    << "<title id=\"" << id << "-t\">" << e(title) << "</title><desc id=\"" << id << "-d\">" << e(summary) << "</desc>";
  if (stacked) o << "<g fill=\"#1b1b1b\">" << legend(label_w, 16, true) << "</g>";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const double y = top + row * static_cast<double>(i);
    const double w = plot_w * static_cast<double>(b.value) / static_cast<double>(max);
    const double wd = stacked ? plot_w * static_cast<double>(b.denied) / static_cast<double>(max) : 0;
    o << "<g><title>" << e(b.label) << ": " << b.value << (stacked ? " verzoeken, " + std::to_string(b.denied) + " geweigerd" : "")
      << "</title><text x=\"" << fmt(label_w - 8) << "\" y=\"" << fmt(y + bar_h - 4)
      << "\" text-anchor=\"end\" fill=\"#1b1b1b\">" << e(fit_label(b.label, label_w - 6)) << "</text>"
      << "<rect x=\"" << fmt(label_w) << "\" y=\"" << fmt(y) << "\" width=\"" << std::max(0.0, w - wd) << "\" height=\""
      << fmt(bar_h) << "\" fill=\"" << (stacked ? kPermitColour : kDenyColour) << "\"/>";
    if (wd > 0)
      o << "<rect x=\"" << label_w + w - wd << "\" y=\"" << fmt(y) << "\" width=\"" << wd << "\" height=\"" << fmt(bar_h)
        << "\" fill=\"" << kDenyColour << "\"/>";
    o << "<text x=\"" << label_w + w + 6 << "\" y=\"" << fmt(y + bar_h - 4) << "\" fill=\"#1b1b1b\" font-weight=\"700\">"
      << b.value << "</text></g>";
  }
  o << "<line x1=\"" << fmt(label_w) << "\" x2=\"" << fmt(label_w) << "\" y1=\"" << fmt(top - 4) << "\" y2=\""
    << fmt(height - 6) << "\" stroke=\"#454b52\"/></svg>";
  return o.str();
}

// Columns per day (refused part stacked on top), weekends shaded, a labelled value axis.
std::string day_columns(const std::string& id, const std::string& title, const std::string& summary,
                        const std::vector<ReportCount>& days) {
  const double width = 1100, height = 280, left = 48, right = 12, top = 34, bottom = 40;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  std::size_t max = 0;
  for (const auto& d : days) max = std::max(max, d.inquiries);
  const double step = nice_step(static_cast<double>(max)), axis_max = 4 * step;
  const double slot = plot_w / static_cast<double>(std::max<std::size_t>(days.size(), 1));
  const double bar_w = std::max(1.0, std::min(slot * 0.72, 40.0));
  const std::size_t label_every = std::max<std::size_t>(1, (days.size() + 13) / 14);
  auto y_of = [&](double v) { return top + plot_h - plot_h * v / axis_max; };
  std::ostringstream o;
  o << "<svg class=\"chart\" role=\"img\" aria-labelledby=\"" << id << "-t " << id << "-d\" viewBox=\"0 0 " << fmt(width)
    << " " << fmt(height) << "\" width=\"" << fmt(width) << "\" height=\"" << fmt(height)
    << "\" font-size=\"13\" xmlns=\"http://www.w3.org/2000/svg\">"
    << "<title id=\"" << id << "-t\">" << e(title) << "</title><desc id=\"" << id << "-d\">" << e(summary) << "</desc>"
    << "<g fill=\"#1b1b1b\">" << legend(left, 16, true, true) << "</g>";
  for (std::size_t i = 0; i < days.size(); ++i)  // weekends first, behind everything
    if (weekday_of(days[i].key) >= 5)
      o << "<rect x=\"" << left + slot * static_cast<double>(i) << "\" y=\"" << fmt(top) << "\" width=\"" << slot
        << "\" height=\"" << fmt(plot_h) << "\" fill=\"" << kWeekendColour << "\"/>";
  for (int tick = 0; tick <= 4; ++tick) {
    const double v = step * tick, y = y_of(v);
    o << "<line x1=\"" << fmt(left) << "\" x2=\"" << fmt(width - right) << "\" y1=\"" << y << "\" y2=\"" << y
      << "\" stroke=\"" << (tick == 0 ? "#454b52" : "#cfd6de") << "\"/><text x=\"" << fmt(left - 6) << "\" y=\"" << y + 4
      << "\" text-anchor=\"end\" fill=\"#454b52\">" << fmt(v) << "</text>";
  }
  for (std::size_t i = 0; i < days.size(); ++i) {
    const ReportCount& d = days[i];
    const double x = left + slot * static_cast<double>(i) + (slot - bar_w) / 2;
    const double y_all = y_of(static_cast<double>(d.inquiries)), y_permit = y_of(static_cast<double>(d.inquiries - d.denied));
    o << "<g><title>" << e(d.key) << " (" << e(d.label) << "): " << d.inquiries << " verzoeken, " << d.denied
      << " geweigerd</title>";
    if (d.inquiries > d.denied)
      o << "<rect x=\"" << x << "\" y=\"" << y_permit << "\" width=\"" << bar_w << "\" height=\"" << top + plot_h - y_permit
        << "\" fill=\"" << kPermitColour << "\"/>";
    if (d.denied > 0)
      o << "<rect x=\"" << x << "\" y=\"" << y_all << "\" width=\"" << bar_w << "\" height=\"" << y_permit - y_all
        << "\" fill=\"" << kDenyColour << "\"/>";
    o << "</g>";
    if (i % label_every == 0)
      o << "<text x=\"" << x + bar_w / 2 << "\" y=\"" << fmt(height - bottom + 18) << "\" text-anchor=\"middle\" fill=\"#454b52\">"
        << e(d.key.size() == 10 ? d.key.substr(8, 2) + "-" + d.key.substr(5, 2) : d.key) << "</text>";
  }
  o << "</svg>";
  return o.str();
}

// --- the page --------------------------------------------------------------------------------------------------

constexpr const char* kReportCss = R"css(
:root{--ink:#1b1b1b;--muted:#454b52;--accent:#0a5196;--accent-dark:#073a6b;--deny:#c2410c;--line:#cfd6de;--soft:#f1f5f9;--warn-bg:#fff3e6;--warn-line:#d9894a}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"DejaVu Sans",sans-serif;font-size:1rem;line-height:1.55;color:var(--ink);background:#fff}
.wrap{max-width:72rem;margin:0 auto;padding:0 1.25rem}
a{color:var(--accent);text-underline-offset:.15em}
:focus-visible{outline:3px solid var(--ink);outline-offset:3px;box-shadow:0 0 0 6px #ffd54a}
.site{background:var(--accent-dark);color:#fff;padding:1.75rem 0 1.5rem}
.site .org{margin:0;font-size:.85rem;font-weight:700;letter-spacing:.06em;text-transform:uppercase}
.site h1{margin:.3rem 0 .5rem;font-size:clamp(1.7rem,4vw,2.3rem);line-height:1.15}
.site .lead{margin:0 0 1rem;max-width:52rem}
.site dl{display:flex;flex-wrap:wrap;gap:.25rem 2rem;margin:0;font-size:.9rem}
.site dt{font-weight:700;display:inline}
.site dd{display:inline;margin:0 0 0 .4rem}
nav{margin:1.25rem 0 0;font-size:.95rem}
nav ol{display:flex;flex-wrap:wrap;gap:.3rem 1.25rem;margin:0;padding:0;list-style:none}
main{padding:1.25rem 0 3rem}
h2{font-size:1.45rem;line-height:1.25;margin:2.5rem 0 .9rem;padding-bottom:.35rem;border-bottom:3px solid var(--accent)}
h3{font-size:1.1rem;margin:1.25rem 0 .5rem}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(10.5rem,1fr));gap:.9rem;margin:1.25rem 0 0;padding:0;list-style:none}
.figures li{border:1px solid var(--line);border-top:5px solid var(--accent);border-radius:.5rem;padding:.75rem 1rem}
.figures li.alert{border-top-color:var(--deny);background:var(--warn-bg)}
.figures .n{display:block;font-size:1.9rem;font-weight:700;line-height:1.15}
.figures .what{display:block;font-size:.92rem;color:var(--muted)}
.pair{display:grid;grid-template-columns:minmax(0,11fr) minmax(0,9fr);gap:1.5rem;align-items:start}
.chart{display:block;max-width:100%;height:auto}
figure{margin:0}
.scroll{overflow-x:auto;border:1px solid var(--line);border-radius:.5rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}
caption{text-align:left;padding:.5rem .8rem;font-weight:700;background:var(--soft);border-bottom:1px solid var(--line)}
th,td{text-align:left;vertical-align:top;padding:.4rem .8rem;border-top:1px solid var(--line)}
thead th{background:var(--soft);white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody tr:nth-child(even){background:#fafcfd}
code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.92em}
.muted{color:var(--muted)}
th .id{font-weight:400;font-size:.85rem;color:var(--muted)}
td code{white-space:nowrap}
td.when{white-space:nowrap}
.narrow{max-width:40rem}
.scroll+.scroll{margin-top:1.25rem}
.vh{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.reason{max-width:28rem}
.note{background:var(--soft);border-left:6px solid var(--accent);padding:.75rem 1rem;border-radius:0 .5rem .5rem 0}
.note.alert{background:var(--warn-bg);border-left-color:var(--deny)}
details{margin:.75rem 0 0}
summary{cursor:pointer;font-weight:600;color:var(--accent)}
footer{border-top:1px solid var(--line);padding:1rem 0 2rem;font-size:.85rem;color:var(--muted)}
@media (max-width:60rem){.pair{grid-template-columns:1fr}}
@media print{
 .site{background:none;color:#000;border-bottom:2px solid #000}
 nav{display:none}
 .scroll{overflow:visible;border:0}
 details{display:block}
 thead th,tbody tr:nth-child(even),caption{background:none}
}
)css";

// A table of counts. `with_label`: the row's label (a name) heads it, with the key beneath as code; else the key.
std::string count_table(const std::string& caption, const std::string& header, const std::vector<ReportCount>& rows,
                        bool with_denied, bool with_label, bool key_as_code) {
  std::ostringstream o;
  o << "<div class=\"scroll\"><table><caption>" << e(caption) << "</caption><thead><tr><th scope=\"col\">" << e(header)
    << "</th><th scope=\"col\" class=\"num\">Verzoeken</th>";
  if (with_denied) o << "<th scope=\"col\" class=\"num\">Geweigerd</th>";
  o << "</tr></thead><tbody>";
  for (const auto& r : rows) {
    const std::string key = r.key.empty() ? "(geen)" : r.key;
    const std::string shown = key_as_code ? "<code>" + e(key) + "</code>" : e(key);
    o << "<tr><th scope=\"row\">";
    if (with_label && !r.label.empty() && r.label != r.key) {
      o << e(r.label) << "<br><span class=\"id\">" << shown << "</span>";
    } else {
      o << shown;
    }
    o << "</th><td class=\"num\">" << r.inquiries << "</td>";
    if (with_denied) o << "<td class=\"num\">" << r.denied << "</td>";
    o << "</tr>";
  }
  o << "</tbody></table></div>";
  return o.str();
}

std::string day_table(const std::vector<ReportCount>& days) {
  std::ostringstream o;
  o << "<div class=\"scroll\"><table><caption>Verzoeken per dag</caption><thead><tr><th scope=\"col\">Datum</th>"
    << "<th scope=\"col\">Dag</th><th scope=\"col\" class=\"num\">Verzoeken</th><th scope=\"col\" class=\"num\">"
    << "Geweigerd</th></tr></thead><tbody>";
  for (const auto& d : days)
    o << "<tr><th scope=\"row\">" << e(d.key) << "</th><td>" << e(d.label) << "</td><td class=\"num\">" << d.inquiries
      << "</td><td class=\"num\">" << d.denied << "</td></tr>";
  o << "</tbody></table></div>";
  return o.str();
}

std::vector<Bar> bars_of(const std::vector<ReportCount>& rows, bool use_label, std::size_t max_rows = 15) {
  std::vector<Bar> bars;
  for (const auto& r : rows) {
    if (bars.size() == max_rows) break;
    const std::string& text = use_label && !r.label.empty() ? r.label : r.key;
    bars.push_back({text.empty() ? "(geen)" : text, r.inquiries, r.denied});
  }
  return bars;
}

std::string inquiry_table(const std::string& caption, const std::vector<ReportInquiry>& rows, bool reason, bool key,
                          std::size_t max_rows) {
  std::ostringstream o;
  o << "<div class=\"scroll\"><table><caption>" << e(caption) << "</caption><thead><tr><th scope=\"col\">Tijd</th>"
    << "<th scope=\"col\">Gebruiker</th><th scope=\"col\">Activiteit</th><th scope=\"col\">Zaak</th>";
  if (key) o << "<th scope=\"col\">Zoeksleutel</th>";
  o << "<th scope=\"col\">Code</th>";
  if (reason) o << "<th scope=\"col\">Reden</th>";
  if (!reason && !key) o << "<th scope=\"col\">Bron</th><th scope=\"col\">Verzoek-id</th>";
  o << "</tr></thead><tbody>";
  for (std::size_t i = 0; i < rows.size() && i < max_rows; ++i) {
    const ReportInquiry& r = rows[i];
    o << "<tr><td class=\"when\">" << e(r.time.date) << " " << e(r.time.hhmm) << "</td><td><code>" << e(r.user)
      << "</code></td><td>" << e(r.activity_name) << "</td><td><code>" << e(r.case_reference) << "</code></td>";
    if (key) o << "<td><code>" << e(r.search_key) << "</code></td>";
    o << "<td><code>" << e(r.code) << "</code></td>";
    if (reason) o << "<td class=\"reason\">" << e(r.reason) << "</td>";
    if (!reason && !key) o << "<td>" << e(r.source) << "</td><td><code>" << e(r.inquiry_id) << "</code></td>";
    o << "</tr>";
  }
  o << "</tbody></table></div>";
  if (rows.size() > max_rows)
    o << "<p class=\"muted\">En nog " << rows.size() - max_rows << " meer; <code>doelpoort audit review</code> en de "
      << "logboeken zelf geven ze allemaal.</p>";
  return o.str();
}

std::string users_table(const std::string& caption, const std::vector<ReportUser>& rows) {
  std::ostringstream o;
  o << "<div class=\"scroll\"><table><caption>" << e(caption) << "</caption><thead><tr><th scope=\"col\">Gebruiker</th>"
    << "<th scope=\"col\" class=\"num\">Verzoeken</th><th scope=\"col\" class=\"num\">Personen</th>"
    << "<th scope=\"col\" class=\"num\">Geweigerd</th><th scope=\"col\" class=\"num\">Buiten kantoortijd</th>"
    << "<th scope=\"col\" class=\"num\">Break-glass</th></tr></thead><tbody>";
  for (const auto& u : rows)
    o << "<tr><th scope=\"row\"><code>" << e(u.user.empty() ? "(onbekend)" : u.user) << "</code></th><td class=\"num\">"
      << u.inquiries << "</td><td class=\"num\">" << u.subjects << "</td><td class=\"num\">" << u.denied
      << "</td><td class=\"num\">" << u.outside_office_hours << "</td><td class=\"num\">" << u.break_glass << "</td></tr>";
  o << "</tbody></table></div>";
  return o.str();
}

std::string period_text(const AuditReport& r) {
  const std::string from = !r.period.from.empty() ? r.period.from : r.first_date;
  const std::string to = !r.period.to.empty() ? r.period.to : r.last_date;
  if (from.empty() && to.empty()) return "geen verzoeken";
  return from + " t/m " + to;
}

}  // namespace

std::string render_report_html(const AuditReport& r) {
  std::ostringstream o;
  const std::string title = "Gebruik van de gegevenskoppeling";
  o << "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" << e(title) << " — "
    << e(period_text(r)) << "</title>\n<style>" << kReportCss << "</style>\n</head>\n<body>\n";
  o << "<header class=\"site\"><div class=\"wrap\">\n";
  if (!r.organisation.empty()) o << "<p class=\"org\">" << e(r.organisation) << "</p>\n";
  o << "<h1>" << e(title) << "</h1>\n<p class=\"lead\">Rapportage voor de privacy officer uit het auditlogboek van "
    << "doelpoort: wie heeft welke gegevens opgevraagd, waarvoor en bij welke bron, en wat opvalt.</p>\n<dl>"
    << "<div><dt>Periode</dt><dd>" << e(period_text(r)) << "</dd></div>"
    << "<div><dt>Tijdzone</dt><dd>" << e(r.timezone) << "</dd></div>"
    << "<div><dt>Logboeken</dt><dd>" << r.logs.size() << "</dd></div>";
  if (!r.register_version.empty()) o << "<div><dt>Register</dt><dd>versie " << e(r.register_version) << "</dd></div>";
  o << "</dl>\n</div></header>\n<main class=\"wrap\">\n";
  o << "<nav aria-label=\"Inhoud\"><ol><li><a href=\"#per-dag\">Per dag</a></li><li><a href=\"#per-activiteit\">Per "
       "activiteit</a></li><li><a href=\"#per-bron\">Per bron</a></li><li><a href=\"#weigeringen\">Weigeringen</a></li>"
       "<li><a href=\"#break-glass\">Break-glass</a></li><li><a href=\"#kantoortijd\">Buiten kantoortijd</a></li>"
       "<li><a href=\"#zoeksleutels\">Zoeken zonder BSN</a></li><li><a href=\"#gebruikers\">Gebruikers</a></li>"
       "<li><a href=\"#personen\">Personen</a></li>"
    << (r.incomplete > 0 ? "<li><a href=\"#onvolledig\">Onvolledig</a></li>" : "") << "</ol></nav>\n";

  auto figure = [&](std::size_t n, const std::string& what, bool alert = false) {
    o << "<li" << (alert ? " class=\"alert\"" : "") << "><span class=\"n\">" << n << "</span><span class=\"what\">" << what
      << "</span></li>";
  };
  o << "<h2 id=\"kerncijfers\" class=\"vh\">Kerncijfers</h2>\n<ul class=\"figures\">";
  figure(r.inquiries, "verzoeken");
  figure(r.permitted, "toegestaan (" + percent(r.permitted, r.inquiries) + ")");
  figure(r.denied, "geweigerd (" + percent(r.denied, r.inquiries) + ")", r.denied > 0);
  figure(r.outside_office_hours, "buiten kantoortijd (" + percent(r.outside_office_hours, r.inquiries) + ")");
  figure(r.break_glass, "break-glass", r.break_glass > 0);
  figure(r.non_bsn, "zoeken zonder BSN");
  figure(r.subjects, "personen");
  figure(r.users, "gebruikers");
  if (r.incomplete > 0) figure(r.incomplete, "onvolledig", true);
  o << "</ul>\n";

  if (r.inquiries == 0) {
    o << "<p class=\"note\">In deze periode staan geen verzoeken in de logboeken.</p>\n";
  }

  // Per day
  o << "<h2 id=\"per-dag\">Verzoeken per dag</h2>\n";
  if (!r.per_day.empty()) {
    o << "<figure>" << day_columns("c-dag", "Verzoeken per dag",
                                   "Staafdiagram: per dag het aantal verzoeken, waarvan het geweigerde deel bovenop; "
                                   "weekenden grijs. De getallen staan in de tabel hieronder.",
                                   r.per_day)
      << "</figure>\n<details><summary>Tabel: verzoeken per dag</summary>"
      << day_table(r.per_day) << "</details>\n";
  }

  // Per activity
  o << "<h2 id=\"per-activiteit\">Per verwerkingsactiviteit</h2>\n<div class=\"pair\"><figure>"
    << horizontal_bars("c-act", "Verzoeken per verwerkingsactiviteit",
                       "Staafdiagram: verzoeken per activiteit, geweigerd deel in oranje; de getallen staan in de tabel.",
                       bars_of(r.per_activity, true), true)
    << "</figure>" << count_table("Verzoeken per activiteit", "Activiteit", r.per_activity, true, true, true)
    << "</div>\n";

  // Per source
  o << "<h2 id=\"per-bron\">Per bron</h2>\n<div class=\"pair\"><figure>"
    << horizontal_bars("c-bron", "Verzoeken per bron",
                       "Staafdiagram: verzoeken per bron (dienst), geweigerd deel in oranje; de getallen staan in de tabel.",
                       bars_of(r.per_source, false), true)
    << "</figure>" << count_table("Verzoeken per bron", "Bron", r.per_source, true, true, true) << "</div>\n";

  // Denials
  o << "<h2 id=\"weigeringen\">Weigeringen per code</h2>\n";
  if (r.denials_by_code.empty()) {
    o << "<p class=\"note\">Geen weigeringen in deze periode.</p>\n";
  } else {
    o << "<div class=\"pair\"><figure>"
      << horizontal_bars("c-code", "Weigeringen per code",
                         "Staafdiagram: geweigerde verzoeken per code; de getallen staan in de tabel.",
                         bars_of(r.denials_by_code, false), false)
      << "</figure>" << count_table("Weigeringen per code", "Code", r.denials_by_code, false, false, true) << "</div>\n";
  }
  if (!r.failures_by_code.empty())
    o << "<h3>Toegestaan maar niet beantwoord</h3>\n"
      << "<div class=\"narrow\">"
      << count_table("Toegestane verzoeken zonder antwoord, per code", "Code", r.failures_by_code, false, false, true)
      << "</div>\n";

  // Break-glass
  o << "<h2 id=\"break-glass\">Break-glass</h2>\n";
  if (r.break_glass_inquiries.empty()) {
    o << "<p class=\"note\">Geen break-glass-verzoeken in deze periode.</p>\n";
  } else {
    o << "<p>" << r.break_glass << " verzoek" << (r.break_glass == 1 ? "" : "en")
      << " met break-glass (noodtoegang). Beoordeel of elke reden de toegang rechtvaardigt.</p>\n"
      << inquiry_table("Break-glass-verzoeken met hun reden", r.break_glass_inquiries, true, false, 500) << "\n";
  }

  // Office hours
  o << "<h2 id=\"kantoortijd\">Buiten kantoortijd</h2>\n<p" << (r.outside_office_hours > 0 ? " class=\"note\"" : "")
    << "><strong>" << r.outside_office_hours << "</strong> van de " << r.inquiries << " verzoeken ("
    << percent(r.outside_office_hours, r.inquiries) << ") vielen buiten kantoortijd: buiten maandag tot en met vrijdag "
    << "07:00–19:00 (" << e(r.timezone) << "). Per gebruiker staat het aantal in de tabel Gebruikers.</p>\n";

  // Non-BSN searches
  o << "<h2 id=\"zoeksleutels\">Zoeken zonder BSN</h2>\n";
  if (r.non_bsn_inquiries.empty()) {
    o << "<p class=\"note\">Alle verzoeken noemden de persoon bij BSN.</p>\n";
  } else {
    o << "<p>" << r.non_bsn << " verzoek" << (r.non_bsn == 1 ? "" : "en")
      << " zocht" << (r.non_bsn == 1 ? "" : "en") << " een persoon op naam, adres of kenteken in plaats van BSN.</p>\n"
      << "<div class=\"narrow\">"
      << count_table("Zoeken zonder BSN, per zoeksleutel", "Zoeksleutel", r.search_keys, true, false, true) << "</div>"
      << "<h3>De verzoeken</h3>" << inquiry_table("Verzoeken zonder BSN", r.non_bsn_inquiries, false, true, 200) << "\n";
  }

  // Users
  o << "<h2 id=\"gebruikers\">Gebruikers</h2>\n<p>De gebruikers met de meeste verzoeken, en met de meeste "
       "verschillende personen: wie veel verschillende personen opvraagt, kijkt mogelijk buiten de eigen zaken.</p>\n"
    << users_table("Meeste verzoeken", r.top_users_by_inquiries) << "\n"
    << users_table("Meeste verschillende personen", r.top_users_by_subjects) << "\n";

  // Subjects
  o << "<h2 id=\"personen\">Meest opgevraagde personen</h2>\n<p>Personen staan hier als pseudoniem (ingekort); wie de "
       "sleutel beheert, kan nagaan om wie het gaat.</p>\n<div class=\"narrow\"><div class=\"scroll\"><table><caption>Meest opgevraagde "
       "personen</caption><thead><tr><th scope=\"col\">Pseudoniem</th><th scope=\"col\" class=\"num\">Verzoeken</th>"
       "<th scope=\"col\" class=\"num\">Gebruikers</th></tr></thead><tbody>";
  for (const auto& s : r.top_subjects)
    o << "<tr><th scope=\"row\"><code>" << e(s.pseudonym) << "</code></th><td class=\"num\">" << s.inquiries
      << "</td><td class=\"num\">" << s.users << "</td></tr>";
  o << "</tbody></table></div></div>\n";

  // Incomplete
  if (!r.incomplete_inquiries.empty()) {
    o << "<h2 id=\"onvolledig\">Onvolledige verzoeken</h2>\n<p class=\"note alert\">" << r.incomplete
      << " toegestane verzoek" << (r.incomplete == 1 ? " heeft" : "en hebben")
      << " geen afloop in het logboek: de gateway stopte terwijl de bron werd bevraagd. Of er gegevens zijn "
         "teruggegeven, is niet vastgelegd.</p>\n"
      << inquiry_table("Onvolledige verzoeken", r.incomplete_inquiries, false, false, 200) << "\n";
  }

  o << "</main>\n<footer><div class=\"wrap\">Gemaakt met <code>doelpoort audit report</code> uit " << r.logs.size()
    << (r.logs.size() == 1 ? " logboek" : " logboeken")
    << ". Tijden in " << e(r.timezone) << "; kantoortijd maandag–vrijdag 07:00–19:00.</div></footer>\n</body>\n</html>\n";
  return o.str();
}

}  // namespace doelpoort
