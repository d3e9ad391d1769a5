#include "pipeline.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <set>

#include "hex.h"
#include "metrics.h"
#include "xml_safe.h"

namespace doelpoort {

namespace {

// Identifiers (inquiry, trace, span, message) come from OpenSSL's DRBG in blocks of 4 KiB per thread:
// one RAND_bytes call per ~100 inquiries instead of five per inquiry (3 % of an inquiry's CPU).
void random_bytes(unsigned char* out, std::size_t n) {
  thread_local unsigned char pool[4096];
  thread_local std::size_t left = 0;
  while (n > 0) {
    if (left == 0) {
      if (RAND_bytes(pool, sizeof pool) != 1) std::abort();  // no entropy: identifiers would repeat
      left = sizeof pool;
    }
    const std::size_t take = std::min(n, left);
    std::memcpy(out, pool + sizeof pool - left, take);
    OPENSSL_cleanse(pool + sizeof pool - left, take);  // each byte is handed out once
    left -= take;
    out += take;
    n -= take;
  }
}

}  // namespace

std::string new_uuid() {
  unsigned char b[16];
  random_bytes(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex = to_hex(b, sizeof b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

std::string random_hex(std::size_t bytes) {
  unsigned char b[64];
  const std::size_t n = std::min<std::size_t>(bytes, sizeof b);
  random_bytes(b, n);
  return to_hex(b, n);
}

std::string rfc3339_now() {
  const auto now = std::chrono::system_clock::now();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(us % 1000000));
  return buf;
}

void local_time(std::chrono::system_clock::time_point t, DecisionTime& time, LimitPeriods& periods) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&secs, &tm);
  time.weekday = (tm.tm_wday + 6) % 7;  // tm: 0 = Sunday; ours: 0 = Monday
  time.minute_of_day = tm.tm_hour * 60 + tm.tm_min;
  char day[32], hour[40];
  std::snprintf(day, sizeof day, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  std::snprintf(hour, sizeof hour, "%sT%02d", day, tm.tm_hour);
  periods.day = day;
  periods.hour = hour;
}

Pipeline::Pipeline(PipelineParts parts) : parts_(std::move(parts)) {}

std::string Pipeline::subject_pseudonym(const InquiryRequest& r) const {
  if (!r.subject_bsn.empty()) return parts_.pseudonymiser.pseudonym(r.subject_bsn);
  const SearchValues& s = r.search;
  if (s.empty()) return {};
  // A unit separator cannot occur in the values, so different searches never collide.
  return parts_.pseudonymiser.pseudonym("search\x1f" + s.geslachtsnaam + "\x1f" + s.geboortedatum + "\x1f" + s.postcode +
                                        "\x1f" + s.huisnummer + "\x1f" + s.kenteken);
}

Status Pipeline::handle(Inquiry& q, Status decoded) {
  Status s = run(q, std::move(decoded));
  if (parts_.metrics != nullptr) count(q);
  return s;
}

Status Pipeline::run(Inquiry& q, Status decoded) {
  q.snapshot = snapshot();
  q.subject = subject_pseudonym(q.request);
  local_time(q.arrived, q.local_time, q.periods);
  Status s = identify(q);
  if (s) s = std::move(decoded);
  if (s) s = state(q, decide(q));
  q.status = s;
  q.permitted = s.is_ok();
  if (Status r = record_decision(q, s); !r) return q.status = r;  // no record: no registry call, no answer
  if (!s) return s;
  s = forward(q);
  if (s) s = minimise(q);
  q.status = s;
  if (Status r = record_outcome(q); !r) q.status = r;  // no record: no answer
  return q.status;
}

Status Pipeline::identify(Inquiry& q) {
  for (const auto& app : q.snapshot->policy.applications) {
    const bool name_matches = app.oin.empty() ? app.cn == q.peer.cn : app.oin == q.peer.oin;
    if (name_matches && (app.fingerprint.empty() || app.fingerprint == q.peer.fingerprint)) {
      q.application = &app;
      return Status::ok();
    }
  }
  return {Code::APPLICATION_UNKNOWN, "no registered application has this client certificate (CN \"" + q.peer.cn + "\")"};
}

Status Pipeline::decide(Inquiry& q) {
  q.decided = true;
  q.decision = doelpoort::decide(q.snapshot->policy, *q.application, q.request, q.local_time);
  if (q.snapshot->shadow) q.shadow = doelpoort::decide(*q.snapshot->shadow, *q.application, q.request, q.local_time);
  return q.decision.status;
}

// One round trip to a Redis store however many rules apply (stateful_rules.h).
Status Pipeline::state(Inquiry& q, Status decided) {
  const MessageRef message{q.application->id, q.message_id, parts_.replay_window};
  const auto start = std::chrono::steady_clock::now();
  Status s = decided ? check_replay_and_limits(*parts_.state, message, *q.decision.activity, q.request, q.subject,
                                               q.periods)
                     : check_replay(*parts_.state, message);
  if (parts_.metrics != nullptr)
    parts_.metrics->state_store_call(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                                     s.code() == Code::STATE_UNAVAILABLE);
  return s ? decided : s;
}

Status Pipeline::forward(Inquiry& q) {
  auto up = parts_.upstreams.find(q.request.source);
  const CompiledMapping* mapping = q.snapshot->compiled_for(q.request.source);
  if (up == parts_.upstreams.end() || mapping == nullptr)
    return {Code::INTERNAL_ERROR, "source \"" + q.request.source + "\" has no connection"};
  const SourceRequest* req = mapping->mapping().request_for(q.decision.search_key);
  q.upstream_message_id = "urn:uuid:" + new_uuid();
  const SearchValues& s = q.request.search;
  const RequestTemplate::Values values{q.upstream_message_id, req->action,   up->second->url(),
                                       q.request.subject_bsn, s.geslachtsnaam, s.geboortedatum,
                                       s.postcode,            s.huisnummer,    s.kenteken};
  const std::string request = req->body.render(values);
  if (Status st = up->second->call(request, req->action, q.upstream); !st) return st;
  if (q.upstream.http_status != 200 && q.upstream.http_status != 500) {
    registry_error(q, RegistryError::BadStatus);
    return {Code::UPSTREAM_ERROR, "registry answered HTTP " + std::to_string(q.upstream.http_status)};
  }
  return Status::ok();
}

Status Pipeline::minimise(Inquiry& q) {
  std::string error;
  xml::DocPtr doc = xml::parse_untrusted(q.upstream.body, static_cast<std::size_t>(parts_.max_upstream_bytes), error);
  if (!doc) {
    registry_error(q, RegistryError::Unreadable);
    return {Code::UPSTREAM_ERROR, "unreadable answer from the registry: " + error};
  }
  const CompiledMapping* mapping = q.snapshot->compiled_for(q.request.source);
  Status s = mapping->extract(doc.get(), q.request.fields, q.result);
  if (s && q.upstream.http_status == 500 && q.result.kind == Minimised::Kind::Found && q.result.fields.empty()) {
    registry_error(q, RegistryError::SoapFault);
    return {Code::UPSTREAM_ERROR, "registry answered with a SOAP Fault"};
  }
  // A search by other keys is audited under the BSN the registry found, so the person can learn of it.
  if (s && q.request.subject_bsn.empty() && !q.result.subject_bsn.empty())
    q.subject = parts_.pseudonymiser.pseudonym(q.result.subject_bsn);
  return s;
}

void Pipeline::registry_error(const Inquiry& q, RegistryError kind) const {
  if (parts_.metrics == nullptr) return;
  if (const RegistryMetrics* r = parts_.metrics->find_registry(q.request.source)) r->error(kind);
}

// Labels are names from the register and mappings only: a name a caller made up counts as "unknown".
void Pipeline::count(const Inquiry& q) const {
  const Policy& policy = q.snapshot->policy;
  const Activity* a = q.decision.activity != nullptr ? q.decision.activity : policy.reg->find(q.request.activity);
  InquiryOutcome o;
  o.activity = a != nullptr ? std::string_view(a->id) : std::string_view("unknown");
  o.source = policy.mapping_of(q.request.source) != nullptr ? std::string_view(q.request.source) : "unknown";
  o.permitted = q.permitted;
  o.code = q.status.code();
  o.break_glass = q.request.break_glass;
  if (q.permitted && a != nullptr) {
    const OfficeHours& hours = a->proportionality.office_hours;
    o.outside_office_hours = !hours.allows(q.local_time.weekday, q.local_time.minute_of_day);
  }
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - q.started).count();
  parts_.metrics->record_inquiry(o);
}

namespace {

std::vector<std::string> categories_of(const Mapping* m, const std::vector<std::string>& fields) {
  std::set<std::string> out;
  if (m != nullptr)
    for (const auto& f : fields)
      if (auto it = m->fields.find(f); it != m->fields.end()) out.insert(it->second.category);
  return {out.begin(), out.end()};
}

std::string date_plus_days(std::chrono::system_clock::time_point t, int days) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t + std::chrono::hours(24 * days));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

Status Pipeline::record_decision(Inquiry& q, const Status& decided) {
  const Activity* activity = q.decision.activity;
  SearchKey key = SearchKey::Bsn;
  const bool named = search_key_of(q.request, key).is_ok();
  const bool permitted = decided.is_ok();
  AuditRecord r;
  r.add("kind", "decision")
      .add("time", q.time)
      .add("inquiry_id", q.id)
      .add("trace_id", q.trace_id)
      .add("span_id", q.span_id)
      .add("message_id", q.message_id)
      .add("application", q.application != nullptr ? q.application->id : "")
      .add("client_cn", q.peer.cn)
      .add("user", q.request.user)
      .add("activity", q.request.activity)
      .add("activity_version", activity != nullptr ? activity->version : "")
      .add("register_version", q.snapshot->policy.reg->version)
      .add("purpose", activity != nullptr ? activity->purpose : "")
      .add("legal_basis", activity != nullptr ? activity->legal_basis.to_string() : "")
      .add("case_reference", q.request.case_reference)
      .add("source", q.request.source)
      .add("search_key", named ? name(key) : "")
      .add("subject", q.subject)
      .add("fields_requested", q.request.fields)
      .add("categories_requested", categories_of(q.snapshot->policy.mapping_of(q.request.source), q.request.fields))
      .add("decision", permitted ? "permit" : "deny")
      .add("decision_code", q.decided ? name(q.decision.status.code()) : "")
      .add("message", decided.message())
      .add("break_glass", q.request.break_glass)
      .add("reason", q.request.reason);
  if (!permitted) r.add("code", name(decided.code()));
  if (activity != nullptr && activity->confidentiality)
    r.add("confidential_until", date_plus_days(q.arrived, activity->confidentiality->period_days));
  if (q.shadow) {
    const nlohmann::json shadow = {{"register_version", q.snapshot->shadow->reg->version},
                                   {"activity_version", q.shadow->activity != nullptr ? q.shadow->activity->version : ""},
                                   {"code", name(q.shadow->status.code())},
                                   {"message", q.shadow->status.message()}};
    r.add_json("shadow", shadow.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return parts_.audit->append(std::move(r));
}

Status Pipeline::record_outcome(Inquiry& q) {
  AuditRecord r;
  r.add("kind", "outcome")
      .add("time", rfc3339_now())
      .add("inquiry_id", q.id)
      .add("code", name(q.status.code()))
      .add("message", q.status.message())
      .add("fields_returned", q.result.returned)
      .add("fields_withheld", q.result.withheld)
      .add("categories_returned", categories_of(q.snapshot->policy.mapping_of(q.request.source), q.result.returned))
      .add("upstream_status", static_cast<std::int64_t>(q.upstream.http_status))
      .add("found", q.status.is_ok() ? (q.result.kind == Minimised::Kind::Found ? "yes" : "no") : "")
      .add("duration_us", static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - q.started).count()))
      .add("subject", q.subject);
  return parts_.audit->append(std::move(r));
}

}  // namespace doelpoort
