// The metric table and the Metrics registry: names follow Prometheus conventions, inquiries count in
// the series of their labels, the register in force is the only one shown.
#include "metrics.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

#include "../support/metrics_text.h"

namespace doelpoort {
namespace {

using testing::sample;

TEST(MetricTableTest, NamesAreSnakeCaseUniqueAndCountersEndInTotal) {
  const std::regex snake("[a-z][a-z0-9_]*[a-z0-9]");
  std::set<std::string_view> names;
  for (const MetricDef& d : kMetrics) {
    EXPECT_TRUE(std::regex_match(std::string(d.name), snake)) << d.name;
    EXPECT_TRUE(names.insert(d.name).second) << "declared twice: " << d.name;
    const bool total = d.name.size() > 6 && d.name.substr(d.name.size() - 6) == "_total";
    EXPECT_EQ(total, d.type == MetricType::Counter) << d.name << ": counters, and only counters, end in _total";
    EXPECT_EQ(d.type == MetricType::Histogram, d.buckets != MetricBuckets::None) << d.name;
    EXPECT_FALSE(d.help.empty()) << d.name;
    for (std::size_t i = 0; i < d.label_count(); ++i)
      EXPECT_TRUE(std::regex_match(std::string(d.labels[i]), snake)) << d.name << " label " << d.labels[i];
  }
}

TEST(MetricTableTest, NoLabelCouldHoldPersonalData) {
  // Label names that would invite a BSN, a user, a case or an address; the values of the allowed ones
  // are names from the register, the configuration or fixed lists (see metrics.h).
  const std::set<std::string_view> forbidden = {"bsn", "subject", "user", "user_id", "case", "case_reference",
                                                "ip", "client", "address", "inquiry_id", "trace_id"};
  for (const MetricDef& d : kMetrics)
    for (std::size_t i = 0; i < d.label_count(); ++i) EXPECT_EQ(forbidden.count(d.labels[i]), 0u) << d.name;
}

TEST(MetricsTest, CountsEachInquiryInTheSeriesOfItsLabels) {
  Metrics m("1.2.3");
  InquiryOutcome ok{"pw-uitkering", "BRP", true, Code::OK, false, false, 0.002};
  InquiryOutcome denied{"pw-uitkering", "BRP", false, Code::FIELD_NOT_PERMITTED, false, false, 0.0001};
  m.record_inquiry(ok);
  m.record_inquiry(ok);
  m.record_inquiry(denied);
  const std::string text = m.serialize();
  EXPECT_EQ(sample(text, "doelpoort_inquiries_total",
                   {{"activity", "pw-uitkering"}, {"source", "BRP"}, {"decision", "permit"}, {"code", "OK"}}),
            2);
  EXPECT_EQ(sample(text, "doelpoort_inquiries_total",
                   {{"activity", "pw-uitkering"}, {"source", "BRP"}, {"decision", "deny"}, {"code", "FIELD_NOT_PERMITTED"}}),
            1);
  EXPECT_EQ(sample(text, "doelpoort_inquiry_duration_seconds_count", {{"decision", "permit"}}), 2);
  EXPECT_EQ(sample(text, "doelpoort_inquiry_duration_seconds_count", {{"decision", "deny"}}), 1);
  EXPECT_EQ(sample(text, "doelpoort_build_info", {{"version", "1.2.3"}}), 1);
  EXPECT_EQ(sample(text, "doelpoort_break_glass_total", {{"activity", "pw-uitkering"}, {"decision", "permit"}}), 0);
}

TEST(MetricsTest, CountsBreakGlassAndPermittedOutsideOfficeHours) {
  Metrics m("1");
  m.record_inquiry({"pw-fraude", "BRP", true, Code::OK, true, true, 0.01});
  m.record_inquiry({"pw-fraude", "BRP", false, Code::REASON_REQUIRED, true, false, 0.01});
  const std::string text = m.serialize();
  EXPECT_EQ(sample(text, "doelpoort_break_glass_total", {{"activity", "pw-fraude"}, {"decision", "permit"}}), 1);
  EXPECT_EQ(sample(text, "doelpoort_break_glass_total", {{"activity", "pw-fraude"}, {"decision", "deny"}}), 1);
  EXPECT_EQ(sample(text, "doelpoort_outside_office_time_total", {{"activity", "pw-fraude"}}), 1);
}

TEST(MetricsTest, ShowsOnlyTheRegisterVersionInForce) {
  Metrics m("1");
  m.register_loaded("2026.1");
  m.register_loaded("2026.2");
  const std::string text = m.serialize();
  EXPECT_EQ(sample(text, "doelpoort_register_info", {{"version", "2026.2"}}), 1);
  EXPECT_FALSE(sample(text, "doelpoort_register_info", {{"version", "2026.1"}}));
  EXPECT_GT(*sample(text, "doelpoort_register_loaded_timestamp_seconds"), 1.7e9);
}

TEST(MetricsTest, RegistrySeriesExistFromTheStartWithTheBreakerClosed) {
  Metrics m("1");
  const RegistryMetrics& r = m.registry("BRP");
  r.error(RegistryError::Timeout);
  r.call_duration->Observe(0.2);
  r.server_certificate_expires(1.9e9);
  const std::string text = m.serialize();
  EXPECT_EQ(sample(text, "doelpoort_registry_errors_total", {{"source", "BRP"}, {"kind", "timeout"}}), 1);
  EXPECT_EQ(sample(text, "doelpoort_registry_errors_total", {{"source", "BRP"}, {"kind", "connect"}}), 0);
  EXPECT_EQ(sample(text, "doelpoort_registry_circuit_state", {{"source", "BRP"}, {"state", "closed"}}), 1);
  EXPECT_EQ(sample(text, "doelpoort_registry_circuit_state", {{"source", "BRP"}, {"state", "open"}}), 0);
  EXPECT_EQ(sample(text, "doelpoort_registry_call_duration_seconds_count", {{"source", "BRP"}}), 1);
  EXPECT_EQ(sample(text, "doelpoort_certificate_expiry_timestamp_seconds", {{"which", "registry:BRP"}}), 1.9e9);
  EXPECT_EQ(m.find_registry("BRP"), &r);
  EXPECT_EQ(m.find_registry("UWV"), nullptr);
}

TEST(MetricsTest, RefreshersRunAtEveryScrape) {
  Metrics m("1");
  int scrapes = 0;
  m.on_scrape([&] { m.gauge(MetricId::ConnectionsOpen).Set(++scrapes); });
  EXPECT_EQ(sample(m.serialize(), "doelpoort_connections_open"), 1);
  EXPECT_EQ(sample(m.serialize(), "doelpoort_connections_open"), 2);
}

TEST(MetricsTest, ConcurrentInquiriesAreAllCounted) {
  Metrics m("1");
  const char* activities[] = {"a1", "a2", "a3", "a4"};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i)
        m.record_inquiry({activities[(t + i) % 4], "BRP", i % 2 == 0, i % 2 == 0 ? Code::OK : Code::CASE_REQUIRED,
                          false, false, 0.001});
    });
  for (auto& t : threads) t.join();
  const std::string text = m.serialize();
  double total = 0;
  for (const char* a : activities) {
    total += testing::value_or_zero(text, "doelpoort_inquiries_total",
                                    {{"activity", a}, {"source", "BRP"}, {"decision", "permit"}, {"code", "OK"}});
    total += testing::value_or_zero(text, "doelpoort_inquiries_total",
                                    {{"activity", a}, {"source", "BRP"}, {"decision", "deny"}, {"code", "CASE_REQUIRED"}});
  }
  EXPECT_EQ(total, 20000);
}

TEST(MetricsTest, TextIsTheExpositionFormatWithHelpAndTypeForEveryFamilyInUse) {
  Metrics m("1");
  m.record_inquiry({"a", "BRP", true, Code::OK, false, false, 0.001});
  const std::string text = m.serialize();
  EXPECT_NE(text.find("# HELP doelpoort_inquiries_total "), std::string::npos);
  EXPECT_NE(text.find("# TYPE doelpoort_inquiries_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE doelpoort_inquiry_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("doelpoort_inquiry_duration_seconds_bucket{decision=\"permit\",le=\"+Inf\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace doelpoort
