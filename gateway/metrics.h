// Prometheus metrics of the gateway (prometheus-cpp core; the admin listener serves the text itself).
//
// Every metric family is one row of DOELPOORT_METRICS below: its name (the prefix "doelpoort_" is added),
// type, histogram buckets, help text and label names. Code never spells a metric or label name: it asks
// for a family by id and gives label values in the table's order, so adding a metric is one line.
//
// Rules for labels, so that the metrics reveal nothing about people and stay bounded:
//  - never a BSN, user id, case reference, search value, inquiry/trace id or IP address;
//  - `activity` and `source` are names from the register and configuration only: a caller-supplied
//    name that is not in them is counted as "unknown" (else any caller could create series at will);
//  - other label values come from fixed lists (codes.h, RegistryError, HandshakeFailure, …).
//
// The request path is cheap: the series an inquiry counts in is found once per (activity, source,
// decision, code) and then cached (a hash lookup under a shared lock, no allocation); registry, audit
// and listener series are resolved when those are created. Gauges that mirror state (connections open,
// circuit breakers, audit and state-store health, CRL expiry) are refreshed when /metrics is scraped,
// so they cost the request path nothing.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "codes.h"

namespace doelpoort {

enum class MetricType : std::uint8_t { Counter, Gauge, Histogram };
/// Histogram bucket sets (seconds); None for counters and gauges.
enum class MetricBuckets : std::uint8_t { None, Inquiry, Registry, Disk };

// X(id, name, type, buckets, help, label names...)
#define DOELPOORT_METRICS(X)                                                                                    \
  X(Inquiries, "inquiries_total", Counter, None,                                                                \
    "Inquiries by processing activity, source, decision (permit: every rule of the register held) and outcome " \
    "code (codes.h; OK when answered).",                                                                        \
    "activity", "source", "decision", "code")                                                                   \
  X(InquiryDuration, "inquiry_duration_seconds", Histogram, Inquiry,                                            \
    "Time from a decoded request to its answer or fault being ready, by decision.", "decision")                 \
  X(BreakGlass, "break_glass_total", Counter, None,                                                             \
    "Inquiries made with break-glass, by activity and decision.", "activity", "decision")                       \
  X(OutsideOfficeTime, "outside_office_time_total", Counter, None,                                            \
    "Inquiries permitted outside their activity's office hours (possible only with break-glass; refusals "      \
    "for office hours count as inquiries_total{code=\"OUTSIDE_OFFICE_HOURS\"}).",                               \
    "activity")                                                                                                 \
  X(RegistryCallDuration, "registry_call_duration_seconds", Histogram, Registry,                                \
    "Duration of calls to a registry (connect, retry, send and answer), failed calls included.", "source")      \
  X(RegistryErrors, "registry_errors_total", Counter, None,                                                     \
    "Calls to a registry that gave no usable answer, by kind (connect, timeout, transport, server_error, "      \
    "refused, soap_fault, bad_status, unreadable, overloaded, circuit_open).",                                  \
    "source", "kind")                                                                                           \
  X(RegistryCircuit, "registry_circuit_state", Gauge, None,                                                     \
    "1 for the state each registry's circuit breaker is in (closed, open, half_open), 0 for the others.",       \
    "source", "state")                                                                                          \
  X(RegistryInFlight, "registry_calls_in_flight", Gauge, None, "Calls to a registry under way now.", "source")  \
  X(AuditAppend, "audit_append_seconds", Histogram, Disk,                                                       \
    "Time an inquiry waited for one audit record to be durable (group commit included).")                      \
  X(AuditFsync, "audit_fsync_seconds", Histogram, Disk, "Duration of one fdatasync of an audit batch.")         \
  X(AuditRecords, "audit_records_total", Counter, None, "Audit records made durable.")                          \
  X(AuditWriteFailures, "audit_write_failures_total", Counter, None,                                            \
    "Audit batch writes or syncs that failed (their inquiries were refused: AUDIT_UNAVAILABLE).")               \
  X(AuditHealthy, "audit_writable", Gauge, None,                                                                \
    "1 when the last audit write (or recovery probe) succeeded, 0 while the audit log fails closed.")           \
  X(StateStoreDuration, "state_store_duration_seconds", Histogram, Disk,                                        \
    "Duration of an inquiry's one call to the state store (replay, caseload and volume steps), failed calls "   \
    "included.")                                                                                                \
  X(StateStoreErrors, "state_store_errors_total", Counter, None,                                                \
    "State store operations on the request path that failed (the inquiry was denied: STATE_UNAVAILABLE).")     \
  X(StateStoreUp, "state_store_up", Gauge, None, "1 when the state store answered at the last scrape.")         \
  X(HandshakeFailures, "tls_handshake_failures_total", Counter, None,                                           \
    "Client TLS handshakes that failed or timed out, by reason.", "reason")                                     \
  X(ConnectionsOpen, "connections_open", Gauge, None, "Client connections open now (handshaking, idle or served).") \
  X(ConnectionsAccepted, "connections_accepted_total", Counter, None, "Client connections accepted.")           \
  X(ConnectionsRefused, "connections_refused_total", Counter, None,                                             \
    "Client connections refused at accept, by the cap they hit (total, per_peer).", "cap")                      \
  X(CertificateExpiry, "certificate_expiry_timestamp_seconds", Gauge, None,                                     \
    "notAfter (Unix time) of the earliest-expiring certificate in: the server certificate (server), the "       \
    "client CA file (client_ca), a registry's server certificate as last seen (registry:<source>), the "        \
    "gateway's client certificate towards it (client:<source>), the admin certificate (admin).",                \
    "which")                                                                                                    \
  X(CrlNextUpdate, "crl_next_update_timestamp_seconds", Gauge, None,                                            \
    "nextUpdate (Unix time) of the client CA's CRL in use.")                                                    \
  X(CrlExpired, "crl_expired", Gauge, None,                                                                     \
    "1 when the CRL in use is past its nextUpdate: every client is refused (fail closed).")                     \
  X(TlsReloads, "tls_reload_total", Counter, None,                                                              \
    "Reloads of the server certificate, client CA and CRL (timer and SIGHUP), by result (ok, rejected).",       \
    "result")                                                                                                   \
  X(RegisterInfo, "register_info", Gauge, None, "1, labelled with the version of the register in force.",       \
    "version")                                                                                                  \
  X(RegisterLoaded, "register_loaded_timestamp_seconds", Gauge, None,                                           \
    "When (Unix time) the register in force was loaded.")                                                       \
  X(RegisterReloads, "register_reload_total", Counter, None,                                                    \
    "Policy reloads (SIGHUP) by result (ok; rejected: the running policy was kept).", "result")                 \
  X(BuildInfo, "build_info", Gauge, None, "1, labelled with the gateway's version.", "version")

enum class MetricId : std::uint8_t {
#define DOELPOORT_METRIC_ID(id, name, type, buckets, help, ...) id,
  DOELPOORT_METRICS(DOELPOORT_METRIC_ID)
#undef DOELPOORT_METRIC_ID
};

struct MetricDef {
  std::string_view name;  ///< without the "doelpoort_" prefix
  MetricType type;
  MetricBuckets buckets;
  std::string_view help;
  std::array<std::string_view, 4> labels;  ///< label names; unused slots are empty
  std::size_t label_count() const {
    std::size_t n = 0;
    while (n < labels.size() && !labels[n].empty()) ++n;
    return n;
  }
};

inline constexpr std::string_view kMetricPrefix = "doelpoort_";

inline constexpr MetricDef kMetrics[] = {
#define DOELPOORT_METRIC_DEF(id, name, type, buckets, help, ...) \
  {name, MetricType::type, MetricBuckets::buckets, help, {__VA_ARGS__}},
    DOELPOORT_METRICS(DOELPOORT_METRIC_DEF)
#undef DOELPOORT_METRIC_DEF
};

constexpr const MetricDef& def(MetricId id) { return kMetrics[static_cast<std::size_t>(id)]; }

/// Why a registry call gave no usable answer (the `kind` of registry_errors_total).
enum class RegistryError : std::uint8_t {
  Connect,      ///< no TCP connection or TLS handshake (after the one retry)
  Timeout,      ///< the call's deadline passed
  Transport,    ///< sending or receiving failed: reset, closed, cut off
  ServerError,  ///< HTTP 5xx without a SOAP envelope
  Refused,      ///< an answer we will not read: too large or compressed
  SoapFault,    ///< a SOAP Fault where an answer was expected
  BadStatus,    ///< an HTTP status other than 200 or 500 (judged by the pipeline)
  Unreadable,   ///< an answer that is not well-formed XML
  Overloaded,   ///< max_concurrent calls were under way (UPSTREAM_OVERLOADED)
  CircuitOpen,  ///< the circuit breaker refused the call (UPSTREAM_CIRCUIT_OPEN)
};
inline constexpr std::string_view kRegistryErrorNames[] = {"connect",    "timeout",    "transport",  "server_error",
                                                           "refused",    "soap_fault", "bad_status", "unreadable",
                                                           "overloaded", "circuit_open"};

/// Why a client's TLS handshake failed (the `reason` of tls_handshake_failures_total).
enum class HandshakeFailure : std::uint8_t {
  Timeout,             ///< not finished within handshake_timeout_ms (silent or slow client)
  Closed,              ///< the peer closed, or sent no TLS at all
  Protocol,            ///< not TLS 1.2/1.3, no shared cipher, plain HTTP to the TLS port
  NoCertificate,       ///< the client presented no certificate
  UnknownCa,           ///< the certificate does not chain to the client CA
  CertificateExpired,  ///< the certificate (or one in its chain) has expired
  CertificateNotYetValid,
  CertificateRevoked,  ///< listed in the CRL
  CrlExpired,          ///< the CRL is past its nextUpdate: every client is refused
  CrlUnavailable,      ///< no CRL for an issuer in the chain
  CertificateInvalid,  ///< any other verification failure
  Other,
};
inline constexpr std::string_view kHandshakeFailureNames[] = {
    "timeout",        "closed",          "protocol",    "no_certificate",  "unknown_ca",          "certificate_expired",
    "certificate_not_yet_valid", "certificate_revoked", "crl_expired", "crl_unavailable", "certificate_invalid", "other"};

/// The series of one registry (source), made once when its upstream is created.
struct RegistryMetrics {
  prometheus::Histogram* call_duration = nullptr;
  std::array<prometheus::Counter*, std::size(kRegistryErrorNames)> errors{};
  std::array<prometheus::Gauge*, 3> circuit{};  ///< closed, open, half_open (BreakerState order)
  prometheus::Gauge* in_flight = nullptr;
  prometheus::Family<prometheus::Gauge>* expiry = nullptr;  ///< certificate_expiry_timestamp_seconds
  std::string source;
  void error(RegistryError kind) const { errors[static_cast<std::size_t>(kind)]->Increment(); }
  /// The registry's server certificate as seen on a new connection (rare: connections are pooled), so
  /// the series appears only once it is known.
  void server_certificate_expires(double unix_time) const {
    expiry->Add({{"which", "registry:" + source}}).Set(unix_time);
  }
};

/// The audit log's series.
struct AuditMetrics {
  prometheus::Histogram* append = nullptr;
  prometheus::Histogram* fsync = nullptr;
  prometheus::Counter* records = nullptr;
  prometheus::Counter* write_failures = nullptr;
};

/// The client listener's series.
struct ListenerMetrics {
  std::array<prometheus::Counter*, std::size(kHandshakeFailureNames)> handshake_failures{};
  prometheus::Counter* accepted = nullptr;
  prometheus::Counter* refused_total_cap = nullptr;
  prometheus::Counter* refused_peer_cap = nullptr;
  void handshake_failed(HandshakeFailure why) const {
    handshake_failures[static_cast<std::size_t>(why)]->Increment();
  }
};

/// What one inquiry counts, as the pipeline knows it at the end.
struct InquiryOutcome {
  std::string_view activity;  ///< a register activity id, or "unknown"
  std::string_view source;    ///< a mapped source, or "unknown"
  bool permitted = false;     ///< every rule held (decision "permit")
  Code code = Code::OK;       ///< the outcome code the caller saw
  bool break_glass = false;
  bool outside_office_hours = false;  ///< permitted outside the activity's office hours
  double seconds = 0;
};

class Metrics {
 public:
  /// Registers every family of the table, build_info{version}, and the listener and audit series.
  explicit Metrics(std::string version);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// Counts one inquiry. Thread-safe; no allocation once the inquiry's series exists.
  void record_inquiry(const InquiryOutcome& o);
  /// One call to the state store on the request path: how long it took, and whether it failed.
  void state_store_call(double seconds, bool failed) {
    state_store_duration_->Observe(seconds);
    if (failed) state_store_errors_->Increment();
  }

  /// The series of registry `source`, made on first use (at start-up); the map is then read-only.
  RegistryMetrics& registry(const std::string& source);
  /// The series of `source`, or null when no registry of that name was set up. Thread-safe after start-up.
  const RegistryMetrics* find_registry(std::string_view source) const;
  AuditMetrics& audit() { return audit_; }
  ListenerMetrics& listener() { return listener_; }

  /// A gauge or counter with the given label values (in the table's order); made when new.
  prometheus::Gauge& gauge(MetricId id, const std::vector<std::string>& labels = {});
  prometheus::Counter& counter(MetricId id, const std::vector<std::string>& labels = {});
  prometheus::Histogram& histogram(MetricId id, const std::vector<std::string>& labels = {});

  /// register_info{version} 1 (the previous version's series removed) and the load time.
  void register_loaded(const std::string& version);

  /// Runs before every serialisation: refreshes gauges that mirror state. Register at start-up.
  void on_scrape(std::function<void()> refresh);
  /// Every family in the Prometheus text format 0.0.4 (refreshers run first). Thread-safe.
  std::string serialize();

 private:
  struct InquirySeries {
    prometheus::Counter* inquiries = nullptr;
    prometheus::Counter* break_glass = nullptr;
    prometheus::Counter* outside_office_hours = nullptr;
  };
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  InquirySeries& make_series(std::string_view key, const InquiryOutcome& o);
  prometheus::Labels labels_of(MetricId id, const std::vector<std::string>& values) const;

  static constexpr std::size_t kFamilies = std::size(kMetrics);
  std::shared_ptr<prometheus::Registry> registry_;
  // By MetricId; null where the family is of another type.
  std::array<prometheus::Family<prometheus::Counter>*, kFamilies> counters_{};
  std::array<prometheus::Family<prometheus::Gauge>*, kFamilies> gauges_{};
  std::array<prometheus::Family<prometheus::Histogram>*, kFamilies> histograms_{};
  std::array<prometheus::Histogram*, 2> inquiry_duration_{};  // deny, permit
  prometheus::Histogram* state_store_duration_ = nullptr;
  prometheus::Counter* state_store_errors_ = nullptr;
  AuditMetrics audit_;
  ListenerMetrics listener_;
  std::map<std::string, RegistryMetrics, std::less<>> registries_;

  std::shared_mutex series_mu_;
  std::unordered_map<std::string, InquirySeries, KeyHash, std::equal_to<>> series_;

  std::mutex register_mu_;
  std::string register_version_;

  std::mutex scrape_mu_;
  std::vector<std::function<void()>> refreshers_;
};

/// The gateway's version (CMake project version), for build_info and /healthz.
std::string_view gateway_version();

}  // namespace doelpoort
