#include "soap_service.h"

#include <cstring>

#include "log.h"

namespace doelpoort {

extern const std::string_view kDoelpoortWsdl;

namespace {
constexpr std::string_view kWsaAnonymous = "http://www.w3.org/2005/08/addressing/anonymous";

bool is_anonymous(const wsa5__EndpointReferenceType* ref) {
  return ref == nullptr || ref->Address == nullptr || kWsaAnonymous == ref->Address;
}
}  // namespace

InquiryService::InquiryService(Pipeline& pipeline, const struct soap& master, std::string public_url)
    : DoelpoortService(soap_copy(&master)), pipeline_(pipeline), public_url_(std::move(public_url)) {
  soap->user = this;
  soap->fget = serve_get;
}

InquiryService::~InquiryService() { soap_free(soap); }  // the copy made in the constructor is ours

DoelpoortService* InquiryService::copy() { return new InquiryService(pipeline_, *soap, public_url_); }

// WS-Addressing is decoded here rather than by gSOAP's wsa plugin: the plugin relays replies to any
// wsa:ReplyTo address, which would let a caller make the gateway connect wherever it likes.
Status InquiryService::decode_addressing(Inquiry& q) {
  const SOAP_ENV__Header* h = soap->header;
  if (soap->action != nullptr && soap->action[0] != '\0' && std::strcmp(soap->action, kInquireAction) != 0)
    return {Code::INVALID_REQUEST, "SOAPAction does not match the Inquire operation"};
  if (h == nullptr || h->wsa5__Action == nullptr || std::strcmp(h->wsa5__Action, kInquireAction) != 0)
    return {Code::INVALID_REQUEST, std::string("wsa:Action must be ") + kInquireAction};
  if (h->wsa5__MessageID == nullptr || h->wsa5__MessageID[0] == '\0')
    return {Code::INVALID_REQUEST, "wsa:MessageID is required"};
  if (!is_anonymous(h->wsa5__ReplyTo) || !is_anonymous(h->wsa5__FaultTo))
    return {Code::INVALID_REQUEST, "wsa:ReplyTo and wsa:FaultTo must be absent or anonymous"};
  q.message_id = h->wsa5__MessageID;
  return Status::ok();
}

int InquiryService::Inquire(const std::string& activity, std::string* caseReference, const std::string& userId,
                            std::string* subjectBsn, dp__Search* search, const std::string& source, std::vector<std::string> field,
                            std::string* reason, bool* breakGlass, dp__InquireResponse& response) {
  Inquiry q;
  q.id = new_uuid();
  q.trace_id = random_hex(16);
  q.span_id = random_hex(8);
  q.time = rfc3339_now();
  q.peer = peer_;
  q.request = {activity,
               caseReference != nullptr ? *caseReference : "",
               userId,
               subjectBsn != nullptr ? *subjectBsn : "",
               source,
               std::move(field),
               reason != nullptr ? *reason : "",
               breakGlass != nullptr && *breakGlass,
               {}};
  if (search != nullptr) {
    auto value = [](const std::string* v) { return v != nullptr ? *v : std::string(); };
    q.request.search = {value(search->geslachtsnaam), value(search->geboortedatum), value(search->postcode),
                        value(search->huisnummer), value(search->kenteken)};
  }
  if (!pipeline_.handle(q, decode_addressing(q))) return fault(q);

  const Activity& a = *q.decision.activity;
  response.inquiryId = q.id;
  response.activity = a.id;
  response.activityVersion = a.version;
  response.legalBasis = a.legal_basis.to_string();
  response.status = q.result.kind == Minimised::Kind::Found ? "FOUND" : "NOT_FOUND";
  response.field.reserve(q.result.fields.size());
  for (auto& [name, value] : q.result.fields) {
    dp__Field f;
    f.name = std::move(name);
    f.value = std::move(value);
    response.field.push_back(std::move(f));
  }
  set_reply_header(q, kInquireResponseAction);
  return SOAP_OK;
}

void InquiryService::set_reply_header(const Inquiry& q, const char* action) {
  auto* h = soap_new_SOAP_ENV__Header(soap);
  h->wsa5__MessageID = soap_strdup(soap, ("urn:uuid:" + new_uuid()).c_str());
  h->wsa5__Action = soap_strdup(soap, action);
  if (!q.message_id.empty()) {
    h->wsa5__RelatesTo = soap_new_wsa5__RelatesToType(soap);
    h->wsa5__RelatesTo->__item = soap_strdup(soap, q.message_id.c_str());
  }
  soap->header = h;
}

int InquiryService::fault(const Inquiry& q) {
  const CodeInfo& ci = info(q.status.code());
  const std::string text = std::string(ci.description) + ": " + q.status.message();
  if (ci.side == Side::Client) {
    soap_sender_fault(soap, text.c_str(), nullptr);
  } else {
    soap_receiver_fault(soap, text.c_str(), nullptr);
  }
  auto* detail = soap_new__dp__InquiryFault(soap);
  detail->code = std::string(ci.name);
  detail->inquiryId = q.id;
  detail->message = q.status.message();
  (void)soap_faultdetail(soap);  // allocates the detail element of the SOAP version in use
  SOAP_ENV__Detail* d = soap->fault->detail != nullptr ? soap->fault->detail : soap->fault->SOAP_ENV__Detail;
  d->dp__InquiryFault = detail;
  set_reply_header(q, kFaultAction);
  log::info("inquiry_refused", {{"inquiry_id", q.id}, {"code", ci.name}, {"activity", q.request.activity},
                                {"source", q.request.source}, {"client", q.peer.address}});
  return SOAP_FAULT;
}

// GET /?wsdl (or /wsdl) returns the published WSDL with this gateway's address; anything else is 404.
int InquiryService::serve_get(struct soap* soap) {
  auto* self = static_cast<InquiryService*>(soap->user);
  const char* query = std::strchr(soap->path, '?');
  const bool wants_wsdl = (query != nullptr && std::strcmp(query, "?wsdl") == 0) || std::strcmp(soap->path, "/wsdl") == 0;
  if (!wants_wsdl) return 404;
  std::string wsdl(kDoelpoortWsdl);
  const std::string placeholder = "https://localhost:8443/";
  if (auto at = wsdl.find(placeholder); at != std::string::npos) wsdl.replace(at, placeholder.size(), self->public_url_);
  soap->http_content = "text/xml; charset=utf-8";
  if (soap_response(soap, SOAP_FILE) != SOAP_OK || soap_send_raw(soap, wsdl.data(), wsdl.size()) != SOAP_OK)
    return soap_closesock(soap);
  return soap_end_send(soap);
}

}  // namespace doelpoort
