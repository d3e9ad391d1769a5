#include "client.h"

#include "config.h"
#include "inquiry.h"
#include "soapDoelpoortProxy.h"
#include "soap_service.h"

namespace doelpoort {

std::unique_ptr<InquiryClient> InquiryClient::create(const ClientOptions& options, std::string& error) {
  ClientOptions o = options;
  std::string path;
  int port = 0;
  if (!split_https_url(o.url, o.tls.host, port, path)) {
    error = "url must be https://host[:port]/";
    return nullptr;
  }
  tls::CtxPtr ctx = tls::make_client_context(o.tls, error);
  if (!ctx) return nullptr;
  return std::unique_ptr<InquiryClient>(new InquiryClient(o, std::move(ctx)));
}

InquiryClient::InquiryClient(const ClientOptions& options, tls::CtxPtr ctx)
    : options_(options), ctx_(std::move(ctx)), proxy_(std::make_unique<DoelpoortProxy>(SOAP_IO_KEEPALIVE | SOAP_C_UTFSTRING)) {
  struct soap* s = proxy_->soap;
  tls::attach(s, ctx_.get(), /*server=*/false);
  const int us = -options.timeout_ms * 1000;
  s->connect_timeout = s->send_timeout = s->recv_timeout = us;
}

InquiryClient::~InquiryClient() = default;

InquiryAnswer InquiryClient::inquire(const InquiryRequest& r, const std::string& message_id) {
  InquiryAnswer a;
  struct soap* s = proxy_->soap;
  const std::string id = message_id.empty() ? "urn:uuid:" + new_uuid() : message_id;
  proxy_->soap_header(const_cast<char*>(id.c_str()), nullptr, nullptr, nullptr, nullptr,
                      const_cast<char*>(options_.url.c_str()), const_cast<char*>(kInquireAction), nullptr);
  std::string case_ref = r.case_reference, bsn = r.subject_bsn, reason = r.reason;
  bool break_glass = r.break_glass;
  dp__InquireResponse response;
  dp__Search search;
  SearchValues sv = r.search;
  auto opt = [](std::string& v) { return v.empty() ? nullptr : &v; };
  search.geslachtsnaam = opt(sv.geslachtsnaam);
  search.geboortedatum = opt(sv.geboortedatum);
  search.postcode = opt(sv.postcode);
  search.huisnummer = opt(sv.huisnummer);
  search.kenteken = opt(sv.kenteken);
  int rc = proxy_->Inquire(options_.url.c_str(), kInquireAction, r.activity, r.case_reference.empty() ? nullptr : &case_ref,
                           r.user, r.subject_bsn.empty() ? nullptr : &bsn, sv.empty() ? nullptr : &search, r.source, r.fields,
                           r.reason.empty() ? nullptr : &reason, break_glass ? &break_glass : nullptr, response);
  if (s->header != nullptr && s->header->wsa5__RelatesTo != nullptr && s->header->wsa5__RelatesTo->__item != nullptr)
    a.relates_to = s->header->wsa5__RelatesTo->__item;
  if (rc == SOAP_OK) {
    a.transport_ok = true;
    a.inquiry_id = response.inquiryId;
    a.activity = response.activity;
    a.activity_version = response.activityVersion;
    a.legal_basis = response.legalBasis;
    a.status = response.status;
    for (const auto& f : response.field) a.fields.emplace_back(f.name, f.value);
  } else if (s->fault != nullptr && (rc == SOAP_FAULT || rc == SOAP_CLI_FAULT || rc == SOAP_SVR_FAULT) &&
             s->status == 500) {
    a.transport_ok = true;
    a.fault = true;
    const char** fs = soap_faultstring(s);
    a.fault_string = fs != nullptr && *fs != nullptr ? *fs : "";
    const SOAP_ENV__Detail* d = s->fault->detail != nullptr ? s->fault->detail : s->fault->SOAP_ENV__Detail;
    if (d != nullptr && d->dp__InquiryFault != nullptr) {
      a.fault_code = d->dp__InquiryFault->code;
      a.inquiry_id = d->dp__InquiryFault->inquiryId;
    }
  } else {
    const char** fs = soap_faultstring(s);
    const char** fd = soap_faultdetail(s);
    a.transport_error = std::string(fs != nullptr && *fs != nullptr ? *fs : "error") +
                        (fd != nullptr && *fd != nullptr ? std::string(": ") + *fd : "");
    soap_force_closesock(s);
  }
  proxy_->destroy();
  return a;
}

}  // namespace doelpoort
