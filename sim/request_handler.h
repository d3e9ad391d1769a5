// Turns one HTTP request into one HTTP reply for the simulated registries. No sockets, no gSOAP: the
// transport (sim_server) reads the request and writes the reply; tests call handle() directly.
//
// Routes:
//   POST /suwibroker/soap/<Service>        SOAP 1.1 request -> dossier, fwi:NietsGevonden, or Fault(fwi:Fout)
//   GET  /suwibroker/soap/<Service>?wsdl   the service's WSDL (wsdl/sim), its address set to this server
//   GET  /_sim/stats                       POST counts as JSON (stats.h)
// Anything else gets 404/405 (a SOAP Fault for POST). Every POST is counted, valid or not.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fout.h"
#include "population.h"
#include "stats.h"

namespace doelpoort::sim {

struct HttpRequest {
  std::string_view method;                    ///< "GET" or "POST" (others are refused)
  std::string_view path;                      ///< request target, with query
  std::optional<std::string_view> soap_action;  ///< SOAPAction header without quotes; nullopt when absent
  std::string_view body;
  std::string_view endpoint;  ///< "https://host:port/path…" as the client addressed us; may be empty
};

struct HttpReply {
  int status = 200;
  std::string content_type = "text/xml; charset=utf-8";
  std::string body;
  bool close = false;  ///< close the connection after this reply
};

class RequestHandler {
 public:
  RequestHandler(const Population& population, Stats& stats) : population_(population), stats_(stats) {}

  HttpReply handle(const HttpRequest& request) const;

  /// The reply for a request the transport could not hand over (unreadable HTTP, a method other than
  /// GET or POST): a SOAP Fault with fwi:Fout, and the connection closed.
  HttpReply refuse(FoutCode code, std::string_view detail) const;
  /// As refuse(), for a POST to `path` whose body could not be handed over (too large, attachments,
  /// empty): counted like any POST, and the fault names the service when the path does.
  HttpReply refuse_post(std::string_view path, FoutCode code, std::string_view detail) const;

 private:
  HttpReply get(const HttpRequest& request) const;
  HttpReply post(const HttpRequest& request) const;

  const Population& population_;
  Stats& stats_;
};

}  // namespace doelpoort::sim
