// One inquiry as it passes through the pipeline: each stage reads what the stages before it set.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "codes.h"
#include "decision.h"
#include "stateful_rules.h"
#include "minimiser.h"
#include "snapshot.h"
#include "upstream.h"

namespace doelpoort {

/// Who is on the other end of the TLS connection, from its verified client certificate.
struct PeerIdentity {
  std::string cn;           ///< subject commonName
  std::string oin;          ///< subject serialNumber (OIN)
  std::string fingerprint;  ///< SHA-256 of the DER certificate, lowercase hex
  std::string address;      ///< client IP address, anonymised (last two octets zeroed)
};

struct Inquiry {
  // arrival
  std::string id;  ///< inquiry id, returned to the caller and in the audit record
  std::string trace_id;  ///< W3C / Logboek Dataverwerkingen trace id (32 hex)
  std::string span_id;   ///< this inquiry's span (16 hex)
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::chrono::system_clock::time_point arrived = std::chrono::system_clock::now();
  std::string time;        ///< RFC 3339 UTC arrival time, microseconds
  std::string message_id;  ///< the caller's wsa:MessageID
  PeerIdentity peer;
  InquiryRequest request;  ///< decoded body
  // identify
  const Application* application = nullptr;
  std::string subject;  ///< pseudonym of the subject (never the BSN)
  DecisionTime local_time;  ///< arrival in the gateway's time zone, for office hours
  LimitPeriods periods;     ///< the day and hour volume limits count in
  // decide
  std::shared_ptr<const Snapshot> snapshot;  ///< held from decision to audit
  bool decided = false;  ///< the decide stage ran (its code is then in decision.status)
  Decision decision;
  std::optional<Decision> shadow;  ///< the candidate register's decision, in shadow mode
  bool permitted = false;  ///< every rule held, replay and limits included (the decision record's "permit")
  // forward
  std::string upstream_message_id;
  UpstreamReply upstream;
  // minimise
  Minimised result;
  // outcome
  Status status;
};

/// A new random inquiry id (UUID version 4 text form).
std::string new_uuid();
/// `bytes` random bytes in lowercase hex.
std::string random_hex(std::size_t bytes);
/// Now, as RFC 3339 UTC with microseconds: 2026-11-29T18:31:00.123456Z.
std::string rfc3339_now();

}  // namespace doelpoort
