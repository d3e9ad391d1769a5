// Helpers shared by the simulator's tests: one population, in-memory requests, XPath evaluation.
#pragma once

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "population.h"
#include "request_handler.h"
#include "services.h"
#include "xml_safe.h"

namespace doelpoort::sim::testing {

/// The default population (seed 1, 1000 persons), built once; libxml2 initialised once.
inline const Population& population() {
  static const Population kPopulation = [] {
    xml::init();
    return Population::generate(Population::kDefaultSeed, Population::kDefaultCount);
  }();
  return kPopulation;
}

inline const Service& brp() { return services()[0]; }
inline const Service& uwv() { return services()[1]; }

/// A SOAP request as a client following the published WSDL sends it. `inner` replaces the default
/// operation content (the Burgerservicenr element).
inline std::string soap_request(const Service& service, std::string_view bsn,
                                std::string_view message_id = "urn:uuid:test-1",
                                std::optional<std::string_view> action = std::nullopt,
                                std::optional<std::string> inner = std::nullopt) {
  std::string s = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                  "xmlns:wsa=\"http://www.w3.org/2005/08/addressing\" xmlns:smls=\"" + std::string(service.ns) + "\">";
  s += "<soap:Header><wsa:Action>" + std::string(action.value_or(service.request_action)) + "</wsa:Action>";
  if (!message_id.empty()) s += "<wsa:MessageID>" + std::string(message_id) + "</wsa:MessageID>";
  s += "<wsa:To>https://localhost/suwibroker/soap/" + std::string(service.name) + "</wsa:To>";
  s += "<wsa:From><wsa:Address>https://gateway.example/?oin=00000001234567890000</wsa:Address></wsa:From>";
  s += "</soap:Header><soap:Body><smls:" + std::string(service.operation) + ">";
  s += inner.value_or("<Burgerservicenr>" + std::string(bsn) + "</Burgerservicenr>");
  s += "</smls:" + std::string(service.operation) + "></soap:Body></soap:Envelope>";
  return s;
}

inline HttpReply post(const RequestHandler& handler, const Service& service, const std::string& body,
                      std::optional<std::string_view> soap_action = std::nullopt) {
  const std::string path = std::string(kServicePathPrefix) + std::string(service.name);
  return handler.handle({"POST", path, soap_action, body, ""});
}

inline xml::DocPtr parse(const std::string& text) {
  population();  // libxml2 initialised
  std::string error;
  return xml::parse_untrusted(text, 1 << 24, error);
}

/// The text of every node `xpath` selects, in document order.
inline std::vector<std::string> xpath_values(xmlDoc* doc, const std::map<std::string, std::string>& namespaces,
                                             const std::string& xpath) {
  std::vector<std::string> values;
  xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
  for (const auto& [prefix, uri] : namespaces)
    xmlXPathRegisterNs(ctx, reinterpret_cast<const xmlChar*>(prefix.c_str()),
                       reinterpret_cast<const xmlChar*>(uri.c_str()));
  xmlXPathObjectPtr result = xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), ctx);
  if (result != nullptr && result->type == XPATH_NODESET && result->nodesetval != nullptr) {
    for (int i = 0; i < result->nodesetval->nodeNr; ++i) values.push_back(xml::text_of(result->nodesetval->nodeTab[i]));
  } else if (result == nullptr) {
    values.push_back("<xpath error>");
  }
  xmlXPathFreeObject(result);
  xmlXPathFreeContext(ctx);
  return values;
}

inline const std::map<std::string, std::string>& soap_namespaces() {
  static const std::map<std::string, std::string> kNs{
      {"soap", "http://schemas.xmlsoap.org/soap/envelope/"},
      {"wsa", "http://www.w3.org/2005/08/addressing"},
      {"fwi", "http://bkwi.nl/SuwiML/FWI/v0205"},
      {"brp", "http://bkwi.nl/SuwiML/Diensten/BRPDossierPersoonGSD/v0200"},
      {"uwv", "http://bkwi.nl/SuwiML/Diensten/UWVDossierInkomstenGSD/v0200"}};
  return kNs;
}

/// The single value `xpath` selects in `text`, or "<n values>" when not exactly one.
inline std::string value_at(const std::string& text, const std::string& xpath) {
  const auto doc = parse(text);
  if (!doc) return "<not XML>";
  const auto values = xpath_values(doc.get(), soap_namespaces(), xpath);
  return values.size() == 1 ? values[0] : "<" + std::to_string(values.size()) + " values>";
}

/// How many nodes `xpath` selects in `text`.
inline std::size_t node_count(const std::string& text, const std::string& xpath) {
  const auto doc = parse(text);
  return doc ? xpath_values(doc.get(), soap_namespaces(), xpath).size() : 0;
}

}  // namespace doelpoort::sim::testing
