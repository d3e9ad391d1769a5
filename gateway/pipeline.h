// The inquiry pipeline: named stages in one fixed order, each returning a Status.
//
//   identify  client certificate -> registered application
//   decode    the SOAP layer's verdict on the request's form (passed in)
//   decide    purposelimit: activity, application, role, break-glass, office hours, case, search key,
//             source, fields, special categories (pure; a shadow register is decided too, not enforced)
//   state     one step of the state store: the wsa:MessageID was not used before (a replay is refused as
//             such, whatever the decision) and, when the decision permitted, caseload binding and volume
//   record    the decision, durable before any registry is called (a denial: its only record)
//   forward   the registry, over mTLS, with the request built from mappings/
//   minimise  only requested-and-allowed fields leave
//   record    the outcome (fields returned and withheld, by name), durable before the reply
//
// The first stage that fails ends the inquiry with its code (a denying decision still passes through the
// state stage, which can only turn it into REPLAY_DETECTED); a denied inquiry never reaches a registry.
// No durable record, no registry call and no answer: the caller gets AUDIT_UNAVAILABLE (fail closed).
// A state store that cannot answer denies (STATE_UNAVAILABLE).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "audit_log.h"
#include "config.h"
#include "inquiry.h"
#include "stateful_rules.h"
#include "pseudonym.h"
#include "snapshot.h"
#include "state_store.h"
#include "upstream.h"

namespace doelpoort {

class Metrics;
enum class RegistryError : std::uint8_t;

using UpstreamMap = std::map<std::string, std::shared_ptr<Upstream>>;  ///< source name -> registry

struct PipelineParts {
  std::shared_ptr<const Snapshot> snapshot;
  std::shared_ptr<AuditSink> audit;
  std::shared_ptr<StateStore> state;
  Pseudonymiser pseudonymiser;
  UpstreamMap upstreams;
  long max_upstream_bytes = 4 << 20;
  std::chrono::seconds replay_window{900};
  Metrics* metrics = nullptr;  ///< counts every inquiry (metrics.h); none when null
};

class Pipeline {
 public:
  explicit Pipeline(PipelineParts parts);

  /// Runs every stage for `q` and audits it; returns the status the caller must see (also in q.status).
  /// `decoded` is the SOAP layer's verdict on the request's form (addressing, action); a malformed
  /// request is still identified and audited, then refused.
  Status handle(Inquiry& q, Status decoded = Status::ok());

  std::shared_ptr<const Snapshot> snapshot() const { return std::atomic_load(&parts_.snapshot); }
  /// Publishes a new, fully validated snapshot; inquiries already running keep theirs.
  void publish(std::shared_ptr<const Snapshot> next) { std::atomic_store(&parts_.snapshot, std::move(next)); }

  /// Pseudonym of the subject as the audit log and state store hold it: HMAC of the BSN, or of the
  /// search key and its values when the subject was named otherwise.
  std::string subject_pseudonym(const InquiryRequest& r) const;

  /// The registries inquiries are forwarded to (fixed at start-up), for health and metrics.
  const UpstreamMap& upstreams() const { return parts_.upstreams; }

 private:
  Status run(Inquiry& q, Status decoded);
  void count(const Inquiry& q) const;
  void registry_error(const Inquiry& q, RegistryError kind) const;
  Status identify(Inquiry& q);
  Status decide(Inquiry& q);
  Status state(Inquiry& q, Status decided);
  Status forward(Inquiry& q);
  Status minimise(Inquiry& q);
  Status record_decision(Inquiry& q, const Status& decided);
  Status record_outcome(Inquiry& q);

  PipelineParts parts_;
};

/// Local wall-clock time (the process's TZ) of `t`, for office hours and volume periods.
void local_time(std::chrono::system_clock::time_point t, DecisionTime& time, LimitPeriods& periods);

}  // namespace doelpoort
