// The SOAP face of the pipeline: decodes an Inquire call (body and WS-Addressing headers) into an
// Inquiry, runs the pipeline, and encodes the answer or the Fault. The one place where a Code becomes
// a SOAP Fault is fault() here.
#pragma once

#include <chrono>
#include <string>

#include "inquiry.h"
#include "pipeline.h"
#include "soapDoelpoortService.h"
#include "xml_safe.h"

namespace doelpoort {

inline constexpr const char* kInquireAction = "urn:nl:doelpoort:inquiry:v1/Inquire";
inline constexpr const char* kInquireResponseAction = "urn:nl:doelpoort:inquiry:v1/InquireResponse";
inline constexpr const char* kFaultAction = "urn:nl:doelpoort:inquiry:v1/Fault";

/// A new gSOAP context set up to decode requests as the listener does (its master context, copied per
/// worker): keep-alive, strict XML, UTF-8 strings, at most `max_request_bytes` per request, nesting at
/// most 32 deep and at most 1000 occurrences of a repeated element. The fuzz target decodes with it too.
struct soap* new_request_context(long max_request_bytes);

class InquiryService final : public DoelpoortService {
 public:
  /// `master` is the listening context (TLS context, limits); the service works on a copy of it.
  InquiryService(Pipeline& pipeline, const struct soap& master, std::string public_url);
  ~InquiryService() override;
  InquiryService(const InquiryService&) = delete;
  InquiryService& operator=(const InquiryService&) = delete;

  /// The TLS peer of the connection now being served (set after the handshake).
  void set_peer(PeerIdentity peer) { peer_ = std::move(peer); }
  /// A request must arrive whole within `timeout` of serve_one's start, and each write of the answer
  /// may wait that long for the client to take it (default 10 s).
  void set_io_timeout(std::chrono::milliseconds timeout) { io_timeout_ = timeout; }

  int Inquire(const std::string& activity, std::string* caseReference, const std::string& userId,
              std::string* subjectBsn, dp__Search* search, const std::string& source, std::vector<std::string> field,
              std::string* reason, bool* breakGlass, dp__InquireResponse& response) override;
  DoelpoortService* copy() override;

  /// Serves one request on the connection already attached to `soap` (socket, TLS): decodes it, runs
  /// the pipeline, answers. A request gSOAP cannot decode (malformed XML, a DOCTYPE, over a limit) is
  /// audited as INVALID_REQUEST, without its payload, and answered with a coded Fault. Returns false when
  /// the connection must be closed.
  bool serve_one();

 private:
  bool serve_message();
  bool refuse_malformed(const std::string& reason);
  static int guard_begin(struct soap* soap);
  static int guard_chunk(struct soap* soap, const char* data, std::size_t length);
  static std::size_t recv_tls(struct soap* soap, char* buffer, std::size_t n);
  static int send_tls(struct soap* soap, const char* data, std::size_t n);
  static int close_tls(struct soap* soap);
  bool send_held();  // sends what send_tls holds; false when it could not
  Status decode_addressing(Inquiry& q);
  void set_reply_header(const Inquiry& q, const char* action);
  int fault(const Inquiry& q);
  static int serve_get(struct soap* soap);

  Pipeline& pipeline_;
  std::string public_url_;
  PeerIdentity peer_;
  std::chrono::milliseconds io_timeout_{10000};
  std::chrono::steady_clock::time_point read_deadline_{};  // of the request being served
  xml::DeclarationGuard guard_;   // over the request as it is read
  bool handled_ = false;          // the request reached Inquire(): a Fault now is the inquiry's own
  bool doctype_refused_ = false;  // the DOCTYPE guard stopped this request
  // What send_tls holds of the answer: sent at the end of the message, before any read and at a close.
  static constexpr std::size_t kHoldAtMost = 16384;  // a TLS record's most
  std::string held_;
};

}  // namespace doelpoort
