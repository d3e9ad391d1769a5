#include "request_handler.h"

#include "services.h"
#include "soap_envelope.h"
#include "soap_request.h"
#include "xml_safe.h"

namespace doelpoort::sim {
namespace {

constexpr std::string_view kGenericBron = "CN=doelpoort-sim";

std::string_view without_query(std::string_view path) { return path.substr(0, path.find('?')); }

/// The service a path names (/suwibroker/soap/<name>, any query ignored), or null.
const Service* service_at(std::string_view path) {
  path = without_query(path);
  if (path.substr(0, kServicePathPrefix.size()) != kServicePathPrefix) return nullptr;
  return find_service(path.substr(kServicePathPrefix.size()));
}

bool asks_for_wsdl(std::string_view path) {
  const auto q = path.find('?');
  if (q == std::string_view::npos) return false;
  std::string query(path.substr(q + 1));
  for (char& c : query) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return query == "wsdl";
}

/// The WSDL with its soap:address set to where the client reached us.
std::string wsdl_for(const Service& service, std::string_view endpoint) {
  std::string text(service.wsdl);
  endpoint = without_query(endpoint);
  constexpr std::string_view kAttr = "location=\"";
  const auto at = text.find(kAttr);
  if (endpoint.empty() || at == std::string::npos) return text;
  const auto begin = at + kAttr.size();
  const auto end = text.find('"', begin);
  if (end == std::string::npos) return text;
  return text.replace(begin, end - begin, xml::escape(endpoint));
}

HttpReply text_reply(int status, std::string body) {
  HttpReply r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

HttpReply fault_reply(const Service* service, const Refusal& refusal, const SoapRequest& request) {
  const FoutInfo& info = fout_info(refusal.code);
  ReplyAddressing a;
  if (service != nullptr) a.action = service->fault_action;
  a.relates_to = request.message_id;
  a.from = request.to;
  a.to = request.from;
  HttpReply r;
  r.status = info.http_status;
  r.body = soap_envelope(a, fout_fault(info, refusal.detail, service != nullptr ? service->bron_dn : kGenericBron));
  return r;
}

}  // namespace

HttpReply RequestHandler::handle(const HttpRequest& request) const {
  if (request.method == "POST") return post(request);
  if (request.method == "GET") return get(request);
  return refuse(FoutCode::kMethodNotAllowed, request.method);
}

HttpReply RequestHandler::get(const HttpRequest& request) const {
  if (without_query(request.path) == "/_sim/stats") {
    HttpReply r;
    r.content_type = "application/json";
    r.body = stats_.json();
    return r;
  }
  const Service* service = service_at(request.path);
  if (service == nullptr || !asks_for_wsdl(request.path)) return text_reply(404, "not found\n");
  HttpReply r;
  r.body = wsdl_for(*service, request.endpoint);
  return r;
}

HttpReply RequestHandler::post(const HttpRequest& request) const {
  const Service* service = service_at(request.path);
  stats_.count_post(service);
  SoapRequest soap;
  if (service == nullptr)
    return fault_reply(nullptr, {FoutCode::kUnknownService, std::string(without_query(request.path))}, soap);
  if (auto refusal = read_soap_request(request.body, request.soap_action, *service, soap))
    return fault_reply(service, *refusal, soap);

  XmlWriter w(2);
  const std::string element = "smls:" + std::string(service->response);
  w.open(element, "xmlns:smls=\"" + std::string(service->ns) + "\"");
  if (!service->render(population_, soap.inquiry, w))
    w.empty("fwi:NietsGevonden", "xmlns:fwi=\"" + std::string(kFwiNamespace) + "\"");
  w.close();
  HttpReply r;
  r.body = soap_envelope({std::string(service->response_action), soap.message_id, soap.to, soap.from}, w.take());
  return r;
}

HttpReply RequestHandler::refuse(FoutCode code, std::string_view detail) const {
  HttpReply r = fault_reply(nullptr, {code, std::string(detail)}, SoapRequest{});
  r.close = true;
  return r;
}

HttpReply RequestHandler::refuse_post(std::string_view path, FoutCode code, std::string_view detail) const {
  const Service* service = service_at(path);
  stats_.count_post(service);
  HttpReply r = fault_reply(service, {code, std::string(detail)}, SoapRequest{});
  r.close = true;
  return r;
}

}  // namespace doelpoort::sim
