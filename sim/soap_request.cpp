#include "soap_request.h"

#include <libxml/tree.h>

#include "bsn.h"
#include "soap_envelope.h"
#include "xml_safe.h"

namespace doelpoort::sim {
namespace {

std::string_view name_of(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }

std::string_view ns_of(const xmlNode* n) {
  return n->ns != nullptr && n->ns->href != nullptr ? reinterpret_cast<const char*>(n->ns->href) : "";
}

bool is(const xmlNode* n, std::string_view ns, std::string_view name) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && ns_of(n) == ns && name_of(n) == name;
}

const xmlNode* next_element(const xmlNode* n) {
  while (n != nullptr && n->type != XML_ELEMENT_NODE) n = n->next;
  return n;
}
const xmlNode* first_element(const xmlNode* parent) { return next_element(parent->children); }

std::string trimmed_text(const xmlNode* n) {
  std::string s = xml::text_of(n);
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

/// `{ns}name` of an element, shortened for messages.
std::string qname(const xmlNode* n) {
  std::string q = "{" + std::string(ns_of(n)) + "}" + std::string(name_of(n));
  return q.size() > 200 ? q.substr(0, 200) + "…" : q;
}

std::string quoted(std::string_view s) {
  return "'" + std::string(s.substr(0, 200)) + (s.size() > 200 ? "…'" : "'");
}

Refusal refuse(FoutCode code, std::string detail) { return {code, std::move(detail)}; }

void read_addressing(const xmlNode* header, SoapRequest& out) {
  for (const xmlNode* h = first_element(header); h != nullptr; h = next_element(h->next)) {
    if (ns_of(h) != kWsaNamespace) continue;
    const std::string_view name = name_of(h);
    if (name == "Action" && out.action.empty()) out.action = trimmed_text(h);
    if (name == "MessageID" && out.message_id.empty()) out.message_id = trimmed_text(h);
    if (name == "To" && out.to.empty()) out.to = trimmed_text(h);
    if (name == "From" && out.from.empty()) {
      for (const xmlNode* a = first_element(h); a != nullptr; a = next_element(a->next))
        if (is(a, kWsaNamespace, "Address")) out.from = trimmed_text(a);
    }
  }
}

std::optional<Refusal> read_period(const xmlNode* period, Inquiry& out) {
  for (const xmlNode* c = first_element(period); c != nullptr; c = next_element(c->next)) {
    const std::string_view name = name_of(c);
    std::optional<Date>* slot = name == "DatBPeriode" ? &out.period_begin
                                : name == "DatEPeriode" ? &out.period_end
                                                        : nullptr;
    if (slot == nullptr || c->ns != nullptr || slot->has_value())
      return refuse(FoutCode::kInvalidRequest, "onverwacht element " + qname(c) + " in PeriodeGegevensvraagIko");
    const std::string text = xml::text_of(c);
    *slot = parse_suwi_date(text);
    if (!*slot) return refuse(FoutCode::kInvalidRequest, std::string(name) + " " + quoted(text) + " is geen datum (jjjjmmdd)");
  }
  if (out.period_begin && out.period_end && *out.period_end < *out.period_begin)
    return refuse(FoutCode::kInvalidRequest, "DatEPeriode ligt voor DatBPeriode");
  return std::nullopt;
}

std::optional<Refusal> read_inquiry(const xmlNode* op, const Service& service, Inquiry& out) {
  bool seen_bsn = false;
  bool seen_period = false;
  for (const xmlNode* c = first_element(op); c != nullptr; c = next_element(c->next)) {
    const std::string_view name = name_of(c);
    if (c->ns == nullptr && name == "Burgerservicenr" && !seen_bsn && !seen_period) {
      out.bsn = xml::text_of(c);
      seen_bsn = true;
    } else if (c->ns == nullptr && name == "PeriodeGegevensvraagIko" && service.accepts_period && seen_bsn &&
               !seen_period) {
      seen_period = true;
      if (auto r = read_period(c, out)) return r;
    } else {
      return refuse(FoutCode::kInvalidRequest, "onverwacht element " + qname(c) + " in " + std::string(service.operation));
    }
  }
  if (!seen_bsn) return refuse(FoutCode::kInvalidRequest, "Burgerservicenr ontbreekt");
  if (!is_valid_bsn(out.bsn))
    return refuse(FoutCode::kInvalidBsn, "Burgerservicenr " + quoted(out.bsn) + " is geen 9 cijfers of voldoet niet aan de elfproef");
  return std::nullopt;
}

/// The single element in soap:Body, or a refusal.
std::optional<Refusal> body_element(const xmlNode* body, const xmlNode*& op) {
  op = first_element(body);
  if (op == nullptr) return refuse(FoutCode::kMalformedMessage, "soap:Body is leeg");
  if (next_element(op->next) != nullptr) return refuse(FoutCode::kMalformedMessage, "soap:Body bevat meer dan één element");
  return std::nullopt;
}

std::optional<Refusal> check_actions(const SoapRequest& r, std::optional<std::string_view> soap_action,
                                     const Service& service) {
  if (r.action.empty() || r.message_id.empty())
    return refuse(FoutCode::kMissingAddressing, r.action.empty() ? "wsa:Action ontbreekt" : "wsa:MessageID ontbreekt");
  if (r.action != service.request_action)
    return refuse(FoutCode::kWrongAction, "wsa:Action " + quoted(r.action) + ", verwacht " + quoted(service.request_action));
  if (soap_action && !soap_action->empty() && *soap_action != service.request_action)
    return refuse(FoutCode::kWrongAction, "SOAPAction " + quoted(*soap_action) + ", verwacht leeg of " + quoted(service.request_action));
  return std::nullopt;
}

}  // namespace

std::optional<Refusal> read_soap_request(std::string_view text, std::optional<std::string_view> soap_action,
                                         const Service& service, SoapRequest& out) {
  std::string error;
  const xml::DocPtr doc = xml::parse_untrusted(text, kMaxRequestBytes, error);
  if (!doc) return refuse(FoutCode::kMalformedMessage, error);
  const xmlNode* envelope = xmlDocGetRootElement(doc.get());
  if (!is(envelope, kSoap11Namespace, "Envelope"))
    return refuse(FoutCode::kMalformedMessage, "het documentelement is geen SOAP 1.1 Envelope");
  const xmlNode* header = nullptr;
  const xmlNode* body = nullptr;
  for (const xmlNode* c = first_element(envelope); c != nullptr; c = next_element(c->next)) {
    if (is(c, kSoap11Namespace, "Header") && header == nullptr && body == nullptr) {
      header = c;
    } else if (is(c, kSoap11Namespace, "Body") && body == nullptr) {
      body = c;
    } else {
      return refuse(FoutCode::kMalformedMessage, "onverwacht element " + qname(c) + " in soap:Envelope");
    }
  }
  if (body == nullptr) return refuse(FoutCode::kMalformedMessage, "soap:Body ontbreekt");
  if (header != nullptr) read_addressing(header, out);

  const xmlNode* op = nullptr;
  if (auto r = body_element(body, op)) return r;
  if (auto r = check_actions(out, soap_action, service)) return r;
  if (!is(op, service.ns, service.operation))
    return refuse(FoutCode::kUnknownOperation, "element " + qname(op) + " in soap:Body");
  return read_inquiry(op, service, out.inquiry);
}

}  // namespace doelpoort::sim
