#include "fault_mode.h"

#include <algorithm>
#include <array>

#include "services.h"
#include "soap_envelope.h"

namespace doelpoort::sim {
namespace {

struct FaultRow {
  std::string_view name;
  FaultMode mode;
};

constexpr std::array<FaultRow, 8> kFaultModes{{
    {"none", FaultMode::kNone},
    {"hang", FaultMode::kHang},
    {"slow", FaultMode::kSlow},
    {"reset", FaultMode::kReset},
    {"garbage", FaultMode::kGarbage},
    {"http500", FaultMode::kHttp500},
    {"fault200", FaultMode::kFault200},
    {"close", FaultMode::kClose},
}};

// The registry-side error a `fault200` registry reports (not one of fout.cpp's refusals of a request).
constexpr FoutInfo kStoring{"SIM-503", "De bron is tijdelijk niet beschikbaar", 200};

constexpr std::string_view kGarbageBody = "%PDF-1.4\n\x01\x02\xff\xfe dit is geen XML <<<\n";
constexpr std::string_view kHtmlErrorPage =
    "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n"
    "<body><h1>Internal Server Error</h1><p>The server encountered an internal error.</p></body></html>\n";

std::string_view without_query(std::string_view path) { return path.substr(0, path.find('?')); }

const Service* service_named(std::string_view name) {
  if (const Service* s = find_service(name)) return s;
  for (const Service& s : services())
    if (s.stats_key == name) return &s;
  return nullptr;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 500: return "Internal Server Error";
    default: return "Status";
  }
}

HttpReply fault_in_200(std::string_view path) {
  const std::string_view prefix = kServicePathPrefix;
  path = without_query(path);
  const Service* service = path.substr(0, prefix.size()) == prefix ? find_service(path.substr(prefix.size())) : nullptr;
  ReplyAddressing a;
  if (service != nullptr) a.action = service->fault_action;
  HttpReply r;
  r.status = 200;
  r.body = soap_envelope(a, fout_fault(kStoring, "storing in het bronsysteem",
                                       service != nullptr ? service->bron_dn : "CN=doelpoort-sim"));
  return r;
}

}  // namespace

bool FaultSpec::applies_to_post(std::string_view path) const {
  if (mode == FaultMode::kNone) return false;
  if (service.empty()) return true;
  return without_query(path) == std::string(kServicePathPrefix) + service;
}

std::optional<FaultSpec> parse_fault_spec(std::string_view text) {
  const auto colon = text.find(':');
  const std::string_view mode = text.substr(0, colon);
  FaultSpec spec;
  const auto row = std::find_if(kFaultModes.begin(), kFaultModes.end(), [&](const FaultRow& r) { return r.name == mode; });
  if (row == kFaultModes.end()) return std::nullopt;
  spec.mode = row->mode;
  if (colon == std::string_view::npos) return spec;
  const Service* service = service_named(text.substr(colon + 1));
  if (service == nullptr) return std::nullopt;
  spec.service = std::string(service->name);
  return spec;
}

std::string fault_mode_names() {
  std::string names;
  for (const FaultRow& r : kFaultModes) names += (names.empty() ? "" : "|") + std::string(r.name);
  return names;
}

HttpReply damaged_reply(FaultMode mode, const HttpReply& reply, std::string_view path) {
  HttpReply r = reply;
  switch (mode) {
    case FaultMode::kGarbage:
      r.status = 200;
      r.content_type = "text/xml; charset=utf-8";
      r.body = kGarbageBody;
      return r;
    case FaultMode::kHttp500:
      r.status = 500;
      r.content_type = "text/html; charset=utf-8";
      r.body = kHtmlErrorPage;
      return r;
    case FaultMode::kFault200: return fault_in_200(path);
    default: return r;
  }
}

std::string raw_http_response(const HttpReply& reply, std::size_t& header_size) {
  std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + std::string(reason_phrase(reply.status)) +
                    "\r\nContent-Type: " + reply.content_type +
                    "\r\nContent-Length: " + std::to_string(reply.body.size()) + "\r\nConnection: close\r\n\r\n";
  header_size = out.size();
  return out + reply.body;
}

}  // namespace doelpoort::sim
