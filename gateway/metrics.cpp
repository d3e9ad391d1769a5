#include "metrics.h"

#include <prometheus/text_serializer.h>

#include <cassert>
#include <chrono>
#include <cstring>
#include <sstream>

#ifndef DOELPOORT_VERSION
#define DOELPOORT_VERSION "unknown"
#endif

namespace doelpoort {
namespace {

const prometheus::Histogram::BucketBoundaries& buckets(MetricBuckets b) {
  static const prometheus::Histogram::BucketBoundaries kInquiry = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                   0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  // Registries on the same network answer within a millisecond or two, national ones in tens to hundreds.
  static const prometheus::Histogram::BucketBoundaries kRegistry = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                                    0.025,  0.05,  0.1,    0.25,  0.5,
                                                                    1,      2.5,   5,      10,    30};
  static const prometheus::Histogram::BucketBoundaries kDisk = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                                0.01,   0.025,   0.05,   0.1,   0.25,   1};
  switch (b) {
    case MetricBuckets::Inquiry: return kInquiry;
    case MetricBuckets::Registry: return kRegistry;
    case MetricBuckets::Disk:
    case MetricBuckets::None: break;
  }
  return kDisk;
}

constexpr std::string_view decision_label(bool permitted) { return permitted ? "permit" : "deny"; }

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string_view gateway_version() { return DOELPOORT_VERSION; }

Metrics::Metrics(std::string version) : registry_(std::make_shared<prometheus::Registry>()) {
  for (std::size_t i = 0; i < kFamilies; ++i) {
    const MetricDef& d = kMetrics[i];
    const std::string name = std::string(kMetricPrefix) + std::string(d.name);
    const std::string help(d.help);
    switch (d.type) {
      case MetricType::Counter:
        counters_[i] = &prometheus::BuildCounter().Name(name).Help(help).Register(*registry_);
        break;
      case MetricType::Gauge:
        gauges_[i] = &prometheus::BuildGauge().Name(name).Help(help).Register(*registry_);
        break;
      case MetricType::Histogram:
        histograms_[i] = &prometheus::BuildHistogram().Name(name).Help(help).Register(*registry_);
        break;
    }
  }
  gauge(MetricId::BuildInfo, {std::move(version)}).Set(1);
  inquiry_duration_[0] = &histogram(MetricId::InquiryDuration, {"deny"});
  inquiry_duration_[1] = &histogram(MetricId::InquiryDuration, {"permit"});
  state_store_duration_ = &histogram(MetricId::StateStoreDuration);
  state_store_errors_ = &counter(MetricId::StateStoreErrors);
  audit_.append = &histogram(MetricId::AuditAppend);
  audit_.fsync = &histogram(MetricId::AuditFsync);
  audit_.records = &counter(MetricId::AuditRecords);
  audit_.write_failures = &counter(MetricId::AuditWriteFailures);
  for (std::size_t i = 0; i < std::size(kHandshakeFailureNames); ++i)
    listener_.handshake_failures[i] = &counter(MetricId::HandshakeFailures, {std::string(kHandshakeFailureNames[i])});
  listener_.accepted = &counter(MetricId::ConnectionsAccepted);
  listener_.refused_total_cap = &counter(MetricId::ConnectionsRefused, {"total"});
  listener_.refused_peer_cap = &counter(MetricId::ConnectionsRefused, {"per_peer"});
}

prometheus::Labels Metrics::labels_of(MetricId id, const std::vector<std::string>& values) const {
  const MetricDef& d = def(id);
  assert(values.size() == d.label_count() && "label values must match the table's label names");
  prometheus::Labels labels;
  for (std::size_t i = 0; i < d.label_count() && i < values.size(); ++i) labels.emplace(d.labels[i], values[i]);
  return labels;
}

prometheus::Gauge& Metrics::gauge(MetricId id, const std::vector<std::string>& labels) {
  auto* family = gauges_[static_cast<std::size_t>(id)];
  assert(family != nullptr && "not a gauge");
  return family->Add(labels_of(id, labels));
}

prometheus::Counter& Metrics::counter(MetricId id, const std::vector<std::string>& labels) {
  auto* family = counters_[static_cast<std::size_t>(id)];
  assert(family != nullptr && "not a counter");
  return family->Add(labels_of(id, labels));
}

prometheus::Histogram& Metrics::histogram(MetricId id, const std::vector<std::string>& labels) {
  auto* family = histograms_[static_cast<std::size_t>(id)];
  assert(family != nullptr && "not a histogram");
  return family->Add(labels_of(id, labels), buckets(def(id).buckets));
}

void Metrics::record_inquiry(const InquiryOutcome& o) {
  // The cache key: activity, source, decision and code, separated by a byte no name contains.
  char buffer[256];
  const std::string_view code = name(o.code);
  const std::size_t size = o.activity.size() + o.source.size() + code.size() + 5;
  std::string spill;
  std::string_view key;
  auto build = [&](char* out) {
    char* p = out;
    auto put = [&p](std::string_view s) {
      if (!s.empty()) std::memcpy(p, s.data(), s.size());
      p += s.size();
      *p++ = '\x1f';
    };
    put(o.activity);
    put(o.source);
    put(o.permitted ? "1" : "0");
    put(code);
    return std::string_view(out, static_cast<std::size_t>(p - out));
  };
  if (size <= sizeof buffer) {
    key = build(buffer);
  } else {
    spill.resize(size);
    key = build(spill.data());
  }
  InquirySeries* series = nullptr;
  {
    std::shared_lock lock(series_mu_);
    if (auto it = series_.find(key); it != series_.end()) series = &it->second;
  }
  if (series == nullptr) series = &make_series(key, o);  // once per series: node addresses are stable
  series->inquiries->Increment();
  if (o.break_glass) series->break_glass->Increment();
  if (o.outside_office_hours) series->outside_office_hours->Increment();
  inquiry_duration_[o.permitted ? 1 : 0]->Observe(o.seconds);
}

Metrics::InquirySeries& Metrics::make_series(std::string_view key, const InquiryOutcome& o) {
  std::unique_lock lock(series_mu_);
  if (auto it = series_.find(key); it != series_.end()) return it->second;
  const std::string activity(o.activity), source(o.source), decision(decision_label(o.permitted));
  InquirySeries s;
  s.inquiries = &counter(MetricId::Inquiries, {activity, source, decision, std::string(name(o.code))});
  s.break_glass = &counter(MetricId::BreakGlass, {activity, decision});
  s.outside_office_hours = &counter(MetricId::OutsideOfficeTime, {activity});
  return series_.emplace(std::string(key), s).first->second;
}

RegistryMetrics& Metrics::registry(const std::string& source) {
  if (auto it = registries_.find(source); it != registries_.end()) return it->second;
  RegistryMetrics r;
  r.call_duration = &histogram(MetricId::RegistryCallDuration, {source});
  for (std::size_t i = 0; i < std::size(kRegistryErrorNames); ++i)
    r.errors[i] = &counter(MetricId::RegistryErrors, {source, std::string(kRegistryErrorNames[i])});
  const char* states[] = {"closed", "open", "half_open"};
  for (std::size_t i = 0; i < r.circuit.size(); ++i) r.circuit[i] = &gauge(MetricId::RegistryCircuit, {source, states[i]});
  r.circuit[0]->Set(1);
  r.in_flight = &gauge(MetricId::RegistryInFlight, {source});
  r.expiry = gauges_[static_cast<std::size_t>(MetricId::CertificateExpiry)];
  r.source = source;
  return registries_.emplace(source, r).first->second;
}

const RegistryMetrics* Metrics::find_registry(std::string_view source) const {
  auto it = registries_.find(source);
  return it == registries_.end() ? nullptr : &it->second;
}

void Metrics::register_loaded(const std::string& version) {
  std::lock_guard lock(register_mu_);
  auto* info = gauges_[static_cast<std::size_t>(MetricId::RegisterInfo)];
  if (!register_version_.empty() && register_version_ != version)
    info->Remove(&gauge(MetricId::RegisterInfo, {register_version_}));
  gauge(MetricId::RegisterInfo, {version}).Set(1);
  register_version_ = version;
  gauge(MetricId::RegisterLoaded).Set(unix_now());
}

void Metrics::on_scrape(std::function<void()> refresh) {
  std::lock_guard lock(scrape_mu_);
  refreshers_.push_back(std::move(refresh));
}

std::string Metrics::serialize() {
  std::lock_guard lock(scrape_mu_);
  for (const auto& refresh : refreshers_) refresh();
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace doelpoort
