// The inquiry pipeline: named stages in one fixed order, each returning a Status.
//
//   identify (client certificate -> application)
//   -> decode (done by the SOAP layer: its verdict is passed in)
//   -> decide (purposelimit: activity, application, user/role, case, source, fields)
//   -> forward (registry, over mTLS, request built from mappings/)
//   -> minimise (only requested-and-allowed fields leave)
//   -> audit (durable before the reply; a denial is audited too)
//
// The first stage that fails ends the inquiry with its code; a denied inquiry never reaches a registry.
// Audit runs for every inquiry; if the record cannot be made durable the caller gets AUDIT_UNAVAILABLE
// instead of any answer (fail closed).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "audit_log.h"
#include "config.h"
#include "inquiry.h"
#include "pseudonym.h"
#include "snapshot.h"
#include "upstream.h"

namespace doelpoort {

using UpstreamMap = std::map<std::string, std::shared_ptr<Upstream>>;  ///< source name -> registry

class Pipeline {
 public:
  Pipeline(std::shared_ptr<const Snapshot> snapshot, std::shared_ptr<AuditSink> audit, Pseudonymiser pseudonymiser,
           UpstreamMap upstreams, long max_upstream_bytes);

  /// Runs every stage for `q` and audits it; returns the status the caller must see (also in q.status).
  /// `decoded` is the SOAP layer's verdict on the request's form (addressing, action); a malformed
  /// request is still identified and audited, then refused.
  Status handle(Inquiry& q, Status decoded = Status::ok());

  std::shared_ptr<const Snapshot> snapshot() const { return std::atomic_load(&snapshot_); }
  /// Publishes a new, fully validated snapshot; inquiries already running keep theirs.
  void publish(std::shared_ptr<const Snapshot> next) { std::atomic_store(&snapshot_, std::move(next)); }

 private:
  Status identify(Inquiry& q);
  Status decide(Inquiry& q);
  Status forward(Inquiry& q);
  Status minimise(Inquiry& q);
  Status audit(Inquiry& q);

  std::shared_ptr<const Snapshot> snapshot_;
  std::shared_ptr<AuditSink> audit_;
  Pseudonymiser pseudonymiser_;
  UpstreamMap upstreams_;
  long max_upstream_bytes_;
};

}  // namespace doelpoort
