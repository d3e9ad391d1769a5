#include "pipeline.h"

#include <openssl/rand.h>

#include <ctime>

#include "xml_safe.h"

namespace doelpoort {

std::string new_uuid() {
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex = to_hex(b, sizeof b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
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

Pipeline::Pipeline(std::shared_ptr<const Snapshot> snapshot, std::shared_ptr<AuditSink> audit,
                   Pseudonymiser pseudonymiser, UpstreamMap upstreams, long max_upstream_bytes)
    : snapshot_(std::move(snapshot)),
      audit_(std::move(audit)),
      pseudonymiser_(pseudonymiser),
      upstreams_(std::move(upstreams)),
      max_upstream_bytes_(max_upstream_bytes) {}

Status Pipeline::handle(Inquiry& q, Status decoded) {
  q.snapshot = snapshot();
  Status s = identify(q);
  if (s) s = std::move(decoded);
  if (s) s = decide(q);
  if (s) s = forward(q);
  if (s) s = minimise(q);
  q.status = s;
  if (Status a = audit(q); !a) q.status = a;  // no durable record, no answer
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
  q.decision = doelpoort::decide(q.snapshot->policy, *q.application, q.request);
  return q.decision.status;
}

Status Pipeline::forward(Inquiry& q) {
  auto up = upstreams_.find(q.request.source);
  const CompiledMapping* mapping = q.snapshot->compiled_for(q.request.source);
  if (up == upstreams_.end() || mapping == nullptr)
    return {Code::INTERNAL_ERROR, "source \"" + q.request.source + "\" has no connection"};
  const Mapping& m = mapping->mapping();
  q.upstream_message_id = "urn:uuid:" + new_uuid();
  const std::string request =
      m.request.render({q.request.subject_bsn, q.upstream_message_id, m.action, up->second->url()});
  if (Status s = up->second->call(request, m.action, q.upstream); !s) return s;
  if (q.upstream.http_status != 200 && q.upstream.http_status != 500)
    return {Code::UPSTREAM_ERROR, "registry answered HTTP " + std::to_string(q.upstream.http_status)};
  return Status::ok();
}

Status Pipeline::minimise(Inquiry& q) {
  std::string error;
  xml::DocPtr doc = xml::parse_untrusted(q.upstream.body, static_cast<std::size_t>(max_upstream_bytes_), error);
  if (!doc) return {Code::UPSTREAM_ERROR, "unreadable answer from the registry: " + error};
  const CompiledMapping* mapping = q.snapshot->compiled_for(q.request.source);
  Status s = mapping->extract(doc.get(), q.request.fields, q.result);
  if (s && q.upstream.http_status == 500 && q.result.kind == Minimised::Kind::Found && q.result.fields.empty())
    return {Code::UPSTREAM_ERROR, "registry answered with a SOAP Fault"};
  return s;
}

Status Pipeline::audit(Inquiry& q) {
  const Activity* activity = q.decision.activity;
  const auto& reg = *q.snapshot->policy.reg;
  nlohmann::json r = {
      {"time", q.time},
      {"inquiry_id", q.id},
      {"message_id", q.message_id},
      {"application", q.application != nullptr ? q.application->id : ""},
      {"client_cn", q.peer.cn},
      {"user", q.request.user},
      {"activity", q.request.activity},
      {"activity_version", activity != nullptr ? activity->version : ""},
      {"register_version", reg.version},
      {"purpose", activity != nullptr ? activity->purpose : ""},
      {"legal_basis", activity != nullptr ? activity->legal_basis.to_string() : ""},
      {"case_reference", q.request.case_reference},
      {"source", q.request.source},
      {"subject", pseudonymiser_.pseudonym(q.request.subject_bsn)},
      {"fields_requested", q.request.fields},
      {"fields_returned", q.result.returned},
      {"fields_withheld", q.result.withheld},
      {"decision", q.decision.status.is_ok() && q.application != nullptr ? "permit" : "deny"},
      {"code", name(q.status.code())},
      {"message", q.status.message()},
      {"break_glass", q.request.break_glass},
      {"reason", q.request.reason},
      {"upstream_status", q.upstream.http_status},
      {"found", q.status.is_ok() ? (q.result.kind == Minimised::Kind::Found ? "yes" : "no") : ""},
      {"duration_us", std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - q.started).count()},
  };
  return audit_->append(std::move(r));
}

}  // namespace doelpoort
