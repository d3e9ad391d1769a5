// A client of doelpoort's Inquire operation over mutual TLS: the `doelpoort inquire` command, the
// integration tests and the load generator use it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "decision.h"
#include "tls_context.h"

class DoelpoortProxy;

namespace doelpoort {

struct ClientOptions {
  std::string url;          ///< https://host:port/
  tls::ClientConfig tls;    ///< client certificate, key and the CA the gateway's certificate chains to
  int timeout_ms = 10000;
};

struct InquiryAnswer {
  bool transport_ok = false;   ///< false: no SOAP answer (TLS refused, connection failed, timeout)
  std::string transport_error;
  bool fault = false;          ///< a SOAP Fault arrived
  std::string fault_code;      ///< its detail code, e.g. FIELD_NOT_PERMITTED
  std::string fault_string;
  std::string inquiry_id;
  std::string activity, activity_version, legal_basis, status;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string relates_to;      ///< wsa:RelatesTo of the reply
};

class InquiryClient {
 public:
  static std::unique_ptr<InquiryClient> create(const ClientOptions& options, std::string& error);
  ~InquiryClient();

  /// Sends one inquiry; reuses the connection between calls (HTTP keep-alive). `message_id` empty: a new one.
  InquiryAnswer inquire(const InquiryRequest& request, const std::string& message_id = "");

 private:
  InquiryClient(const ClientOptions& options, tls::CtxPtr ctx);
  ClientOptions options_;
  tls::CtxPtr ctx_;
  std::unique_ptr<DoelpoortProxy> proxy_;
};

}  // namespace doelpoort
