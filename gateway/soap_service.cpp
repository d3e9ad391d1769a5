#include "soap_service.h"

#include <openssl/err.h>

#include <cstring>

#include "listener.h"
#include "log.h"
#include "soap_message.h"
#include "tls_context.h"
#include "xml_safe.h"

namespace doelpoort {

extern const std::string_view kDoelpoortWsdl;

namespace {
constexpr std::string_view kWsaAnonymous = "http://www.w3.org/2005/08/addressing/anonymous";

bool is_anonymous(const wsa5__EndpointReferenceType* ref) {
  return ref == nullptr || ref->Address == nullptr || kWsaAnonymous == ref->Address;
}
}  // namespace

// SOAP_XML_TREE: document/literal has no SOAP-encoded multi-reference graphs, so id/href attributes are
// plain attributes. It also spares gSOAP a walk over its 1999-bucket id table each time a list grows.
struct soap* new_request_context(long max_request_bytes) {
  struct soap* s = soap_new1(SOAP_IO_KEEPALIVE | SOAP_XML_STRICT | SOAP_C_UTFSTRING | SOAP_XML_TREE);
  if (s == nullptr) return nullptr;
  s->recv_maxlength = static_cast<ULONG64>(max_request_bytes);
  s->maxlevel = 32;     // XML nesting depth of a request
  s->maxoccurs = 1000;  // elements in a repeated field list
  return s;
}

InquiryService::InquiryService(Pipeline& pipeline, const struct soap& master, std::string public_url)
    : DoelpoortService(soap_copy(&master)), pipeline_(pipeline), public_url_(std::move(public_url)) {
  soap->user = this;
  soap->fget = serve_get;
  soap->fprepareinitrecv = guard_begin;
  soap->fpreparerecv = guard_chunk;
  soap->frecv = recv_tls;
  soap->fsend = send_tls;
  soap->fclose = close_tls;
  soap->fclosesocket = [](struct soap*, SOAP_SOCKET fd) { return lingering_close(fd); };
}

// The connection's TLS reads and writes (tls::read, tls::write): OpenSSL first, a wait only when it
// asks for one. gSOAP's own would poll before every write, and could not see bytes OpenSSL read ahead.
// The listener serves TLS only: without a TLS session there is nothing to read or write.
std::size_t InquiryService::recv_tls(struct soap* soap, char* buffer, std::size_t n) {
  auto* self = static_cast<InquiryService*>(soap->user);
  if (soap->ssl == nullptr || !self->send_held()) return 0;  // what was written goes out before a read waits
  return tls::read(soap->ssl, soap->socket, buffer, n, self->read_deadline_, &soap->errnum);
}

// gSOAP writes an answer's HTTP header and its body separately: held and sent together, they leave in
// one TLS record and one write(2) (a small answer), not two of each, and the client wakes once.
int InquiryService::send_tls(struct soap* soap, const char* data, std::size_t n) {
  auto* self = static_cast<InquiryService*>(soap->user);
  if (soap->ssl == nullptr) return SOAP_EOF;
  if (self->held_.size() + n > kHoldAtMost) {
    if (!self->send_held()) return SOAP_EOF;
    if (n > kHoldAtMost)
      return tls::write(soap->ssl, soap->socket, data, n, tls::Clock::now() + self->io_timeout_, &soap->errnum)
                 ? SOAP_OK
                 : SOAP_EOF;
  }
  self->held_.append(data, n);
  return SOAP_OK;
}

bool InquiryService::send_held() {
  if (held_.empty()) return true;
  const bool sent = soap->ssl != nullptr && tls::write(soap->ssl, soap->socket, held_.data(), held_.size(),
                                                       tls::Clock::now() + io_timeout_, &soap->errnum);
  held_.clear();
  return sent;
}

// Every close gSOAP makes (after a Fault, a request that timed out, the last request on a connection).
// gSOAP's own (tcp_disconnect) sends close_notify and then waits up to 5 s for the client's: a client
// that sends none would hold the worker that long. This one does not wait for it, and lingers instead
// (lingering_close: at most 200 ms, so that the client still reads the answer).
int InquiryService::close_tls(struct soap* soap) {
  (void)static_cast<InquiryService*>(soap->user)->send_held();  // the answer before the close
  if (soap->ssl != nullptr) {
    ERR_clear_error();
    (void)SSL_shutdown(soap->ssl);  // the socket is non-blocking: sends close_notify, does not wait
    SSL_free(soap->ssl);
    soap->ssl = nullptr;
    ERR_clear_error();
  }
  if (soap_valid_socket(soap->socket)) {
    (void)lingering_close(soap->socket);
    soap->socket = SOAP_INVALID_SOCKET;
  }
  return SOAP_OK;
}

InquiryService::~InquiryService() {  // the copy made in the constructor is ours
  destroy();
  soap_free(soap);
}

DoelpoortService* InquiryService::copy() { return new InquiryService(pipeline_, *soap, public_url_); }

// WS-Addressing is decoded here rather than by gSOAP's wsa plugin: the plugin relays replies to any
// wsa:ReplyTo address, which would let a caller make the gateway connect wherever it likes.
Status InquiryService::decode_addressing(Inquiry& q) {
  const SOAP_ENV__Header* h = soap->header;
  if (soap->action != nullptr && soap->action[0] != '\0' && std::strcmp(soap->action, kInquireAction) != 0)
    return {Code::INVALID_REQUEST, "SOAPAction does not match the Inquire operation"};
  if (h == nullptr || h->wsa5__Action == nullptr || std::strcmp(h->wsa5__Action, kInquireAction) != 0) {
    std::string message = "wsa:Action must be ";  // not string + char*: GCC 12 warns falsely (-Warray-bounds)
    return {Code::INVALID_REQUEST, message.append(kInquireAction)};
  }
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
  handled_ = true;
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
  if (soap->version == 0) soap->version = 1;
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
  log::info("inquiry_refused", {{"inquiry_id", q.id}, {"trace_id", q.trace_id}, {"code", ci.name},
                                {"activity", q.request.activity}, {"source", q.request.source}, {"client", q.peer.address}});
  return SOAP_FAULT;
}

// gSOAP skips a DOCTYPE without reading its declarations; we refuse it outright (no DTD, no entity
// declarations, ever), a "<!D" split across reads too. Comments (<!--) and CDATA (<![CDATA[) stay allowed.
int InquiryService::guard_begin(struct soap* soap) {
  static_cast<InquiryService*>(soap->user)->guard_.reset();
  return SOAP_OK;
}

int InquiryService::guard_chunk(struct soap* soap, const char* data, std::size_t length) {
  auto* self = static_cast<InquiryService*>(soap->user);
  if (!self->guard_.declares({data, length})) return SOAP_OK;
  self->doctype_refused_ = true;  // gSOAP may report what follows as a mere end of input
  return soap_set_sender_error(soap, "DOCTYPE and DTD declarations are not allowed", nullptr, SOAP_SYNTAX_ERROR);
}

bool InquiryService::serve_one() {
  const bool keep = serve_message();
  return send_held() && keep;  // a client that does not take its answer loses the connection
}

bool InquiryService::serve_message() {
  handled_ = false;
  doctype_refused_ = false;
  read_deadline_ = tls::Clock::now() + io_timeout_;
  gsoap::begin_message(soap);
  // The answer is stored whole, then sent with its Content-Length: without it gSOAP would serialise the
  // answer twice, once only to count its bytes. (gSOAP clears this after each answer.)
  soap->omode = (soap->omode & ~SOAP_IO) | SOAP_IO_STORE;
  if (soap_begin_recv(soap) || soap_envelope_begin_in(soap) || soap_recv_header(soap) || soap_body_begin_in(soap)) {
    if (soap->error == SOAP_STOP) return true;  // a GET, answered (the WSDL)
    if (soap->status == SOAP_GET) {  // any other GET: not found, and no inquiry to audit
      soap->keep_alive = 0;
      soap_send_empty_response(soap, 404);
      return false;
    }
    // Anything else is a request gSOAP could not decode (it may even leave SOAP_POST in error).
  } else if (dispatch() == SOAP_OK || soap->error >= SOAP_STOP) {
    return true;  // answered
  } else if (handled_) {
    soap_send_fault(soap);  // the inquiry's coded Fault; the connection stays open when it can
    return soap_valid_socket(soap->socket);
  }
  // Decoding failed. Transport trouble (the client went away, a timeout, TLS) gets no answer.
  const int error = soap->error;
  const bool over_limit = soap->recv_maxlength != 0 && soap->count > soap->recv_maxlength;
  if (doctype_refused_) return refuse_malformed("DOCTYPE and DTD declarations are not allowed");
  if (!over_limit && (error == SOAP_EOF || error == SOAP_TCP_ERROR || error == SOAP_SSL_ERROR)) return false;
  std::string reason = over_limit ? "request exceeds " + std::to_string(soap->recv_maxlength) + " bytes" : "";
  if (reason.empty()) {
    const char** s = soap_faultstring(soap);
    reason = s != nullptr && *s != nullptr ? *s : "malformed request";
  }
  return refuse_malformed(reason);
}

// A request that could not be decoded is still an inquiry attempt: identified, audited (without its
// payload) and answered with a coded Fault; the connection is then closed, since its framing is suspect.
bool InquiryService::refuse_malformed(const std::string& reason) {
  Inquiry q;
  q.id = new_uuid();
  q.trace_id = random_hex(16);
  q.span_id = random_hex(8);
  q.time = rfc3339_now();
  q.peer = peer_;
  // q.status holds the outcome: INVALID_REQUEST, or AUDIT_UNAVAILABLE when even that cannot be recorded.
  static_cast<void>(pipeline_.handle(q, Status(Code::INVALID_REQUEST, reason.substr(0, 200))));
  // gSOAP's soap_send_fault declines to answer once its input side has failed, so this Fault is written
  // by hand (SOAP 1.1; the same shape as fault() makes).
  const CodeInfo& ci = info(q.status.code());
  const std::string body =
      R"(<?xml version="1.0" encoding="UTF-8"?>)"
      R"(<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsa5="http://www.w3.org/2005/08/addressing" xmlns:dp="urn:nl:doelpoort:inquiry:v1">)"
      R"(<SOAP-ENV:Header><wsa5:MessageID>urn:uuid:)" + new_uuid() + R"(</wsa5:MessageID><wsa5:Action>)" + kFaultAction +
      R"(</wsa5:Action></SOAP-ENV:Header><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>)" +
      xml::escape(std::string(ci.description) + ": " + q.status.message()) + R"(</faultstring><detail><dp:InquiryFault><dp:code>)" +
      std::string(ci.name) + "</dp:code><dp:inquiryId>" + q.id + "</dp:inquiryId><dp:message>" + xml::escape(q.status.message()) +
      "</dp:message></dp:InquiryFault></detail></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>";
  soap->error = SOAP_OK;
  soap->keep_alive = 0;  // the request's framing is suspect: close after the answer
  soap->http_content = "text/xml; charset=utf-8";
  if (soap_response(soap, 500) == SOAP_OK && soap_send_raw(soap, body.data(), body.size()) == SOAP_OK) soap_end_send(soap);
  log::info("inquiry_refused", {{"inquiry_id", q.id}, {"trace_id", q.trace_id}, {"code", ci.name},
                                {"reason", q.status.message()}, {"client", q.peer.address}});
  return false;
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
