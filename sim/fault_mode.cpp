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

constexpr std::array<FaultRow, 17> kFaultModes{{
    {"none", FaultMode::kNone},
    {"hang", FaultMode::kHang},
    {"slow", FaultMode::kSlow},
    {"reset", FaultMode::kReset},
    {"garbage", FaultMode::kGarbage},
    {"http500", FaultMode::kHttp500},
    {"fault200", FaultMode::kFault200},
    {"close", FaultMode::kClose},
    {"laughs", FaultMode::kLaughs},
    {"xxe", FaultMode::kXxe},
    {"doctype", FaultMode::kDoctype},
    {"deep", FaultMode::kDeep},
    {"bigattr", FaultMode::kBigAttribute},
    {"siblings", FaultMode::kSiblings},
    {"badutf8", FaultMode::kBadUtf8},
    {"oversize", FaultMode::kOversize},
    {"oversizechunked", FaultMode::kOversizeChunked},
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

// --- hostile answers: the correct answer with a payload put in ---------------------------------------

/// Where the first value of the person is: the text of ClientSuwi's first child element.
struct ValueAt {
  std::size_t begin = std::string::npos;  ///< first byte of the value
  std::size_t end = std::string::npos;    ///< one past its last byte; the closing tag starts here
  std::string element;                    ///< the element's name
};

ValueAt first_value(const std::string& body) {
  ValueAt v;
  constexpr std::string_view kPerson = "<ClientSuwi>";
  const std::size_t person = body.find(kPerson);
  if (person == std::string::npos) return v;
  const std::size_t open = body.find('<', person + kPerson.size());
  const std::size_t close = open == std::string::npos ? open : body.find('>', open);
  if (close == std::string::npos || body[open + 1] == '/' || body[close - 1] == '/') return v;
  v.element = body.substr(open + 1, close - open - 1);
  const std::size_t end = body.find("</" + v.element + ">", close);
  if (end == std::string::npos) return v;
  v.begin = close + 1;
  v.end = end;
  return v;
}

/// `body` with its first value replaced by `value` (XML, put in as is); without a person, `value` goes
/// first into the SOAP Body.
std::string with_value(std::string body, std::string_view value) {
  const ValueAt v = first_value(body);
  if (v.begin != std::string::npos) return body.replace(v.begin, v.end - v.begin, value);
  const std::size_t soap_body = body.find("<soap:Body");
  const std::size_t tag_end = soap_body == std::string::npos ? soap_body : body.find('>', soap_body);
  if (tag_end == std::string::npos) return body + std::string(value);
  if (body[tag_end - 1] == '/') return body.replace(tag_end - 1, 2, ">" + std::string(value) + "</soap:Body>");
  return body.insert(tag_end + 1, value);
}

/// `body` with `doctype` right after its XML declaration.
std::string with_doctype(std::string body, std::string_view doctype) {
  const std::size_t declaration_end = body.rfind("<?xml", 0) == 0 ? body.find("?>") : std::string::npos;
  if (declaration_end == std::string::npos) return std::string(doctype) + "\n" + body;
  return body.insert(declaration_end + 2, "\n" + std::string(doctype));
}

std::string billion_laughs_doctype() {
  std::string d = "<!DOCTYPE soap:Envelope [\n  <!ENTITY lol \"lol\">\n";
  for (int level = 1; level <= 9; ++level) {
    d += "  <!ENTITY lol" + std::to_string(level) + " \"";
    for (int i = 0; i < 10; ++i) d += "&lol" + (level == 1 ? std::string() : std::to_string(level - 1)) + ";";
    d += "\">\n";
  }
  return d + "]>";
}

std::string repeated(std::string_view s, std::size_t times) {
  std::string out;
  out.reserve(s.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += s;
  return out;
}

std::string hostile_body(FaultMode mode, const std::string& body, std::string_view xxe_uri) {
  switch (mode) {
    case FaultMode::kLaughs: return with_doctype(with_value(body, "&lol9;"), billion_laughs_doctype());
    case FaultMode::kXxe:
      return with_doctype(with_value(body, "&xxe;"),
                          "<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM \"" + std::string(xxe_uri) + "\">]>");
    case FaultMode::kDoctype:
      return with_doctype(body, "<!DOCTYPE soap:Envelope SYSTEM \"" + std::string(xxe_uri) + "\">");
    case FaultMode::kDeep:
      return with_value(body, repeated("<x>", kDeepNesting) + "diep" + repeated("</x>", kDeepNesting));
    case FaultMode::kBigAttribute: {
      std::string b = body;
      const std::string attribute = " a=\"" + std::string(kBigAttributeBytes, 'A') + "\"";
      const std::size_t person = b.find("<ClientSuwi");
      const std::size_t soap_body = b.find("<soap:Body");
      const std::size_t at = person != std::string::npos ? person + 11 : soap_body != std::string::npos ? soap_body + 10 : 0;
      return b.insert(at, attribute);
    }
    case FaultMode::kSiblings: {
      const ValueAt v = first_value(body);
      const std::string name = v.element.empty() ? "Sibling" : v.element;
      std::string b = body;
      const std::size_t after = v.end == std::string::npos ? std::string::npos : v.end + name.size() + 3;
      const std::string siblings = repeated("<" + name + ">Broerzus</" + name + ">", kSiblingCount);
      if (after != std::string::npos) return b.insert(after, siblings);
      return with_value(b, siblings);
    }
    case FaultMode::kBadUtf8: return with_value(body, "Pe\xff\xfetra\xc3\x28");
    case FaultMode::kOversize:
    case FaultMode::kOversizeChunked: return with_value(body, std::string(kOversizeBytes, 'O'));
    default: return body;
  }
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

HttpReply damaged_reply(FaultMode mode, const HttpReply& reply, std::string_view path, std::string_view xxe_uri) {
  HttpReply r = reply;
  switch (mode) {
    case FaultMode::kLaughs:
    case FaultMode::kXxe:
    case FaultMode::kDoctype:
    case FaultMode::kDeep:
    case FaultMode::kBigAttribute:
    case FaultMode::kSiblings:
    case FaultMode::kBadUtf8:
    case FaultMode::kOversize:
    case FaultMode::kOversizeChunked:
      r.status = 200;
      r.content_type = "text/xml; charset=utf-8";
      r.body = hostile_body(mode, reply.body, xxe_uri);
      return r;
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
