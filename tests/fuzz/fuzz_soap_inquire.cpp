// Fuzz target: decoding an Inquire request the way a gateway worker does.
//
// Input: what a client sends on one connection. When it starts with an HTTP method ("POST ", "GET ")
// it is sent as is (HTTP framing, keep-alive, several requests); otherwise it is a SOAP body, sent after
// a fixed HTTP header (POST, Content-Length, the Inquire SOAPAction).
//
// The real InquiryService::serve_one() reads it through soap->frecv from memory, in chunks of varying
// size (so the DOCTYPE guard also sees "<!D" split across reads), on a context made by
// new_request_context(), the listener's limits (64 KiB, nesting 32, 1000 occurrences). The real Pipeline
// then decides it against the shipped register, staff list and mappings, with a fresh in-memory state
// store per input, an audit sink that only checks each record, and a registry that answers a fixed
// dossier, so the whole inbound path runs: decode, decide, forward, minimise, audit, reply.
//
// Checked beyond "no crash, no sanitizer report": every audit record is valid JSON (valid UTF-8), no
// bigger than the request escaped, never holds a value from the registry's answer and never records an
// INTERNAL_ERROR; whatever is sent back starts with a status line.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "memory_state_store.h"
#include "pipeline.h"
#include "soap_service.h"
#include "xml_safe.h"

namespace doelpoort {
namespace {

constexpr long kMaxRequestBytes = 64 * 1024;  // the configuration's default (config.h)

std::string read_source_file(const std::string& rel) {
  std::ifstream in(std::string(DOELPOORT_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_soap_inquire: invariant broken: %s\n", what.c_str());
  std::abort();
}

// A distinctive value in the registry's answer: it may appear in a FOUND reply, never in an audit record.
constexpr std::string_view kRegistryValue = "Fuzzvoornaam";

class CheckingAudit final : public AuditSink {
 public:
  using AuditSink::append;
  Status append(AuditRecord record, std::uint64_t* seq) override {
    const std::string text = record.open_body() + "}";
    if (!nlohmann::json::accept(text)) fail("audit record is not valid JSON: " + text.substr(0, 300));
    // A record holds what was asked (escaped: at most 6 bytes per byte), never more than that.
    if (text.size() > 6 * input_size + 8192) fail("audit record of " + std::to_string(text.size()) + " bytes");
    if (text.find(kRegistryValue) != std::string::npos) fail("a registry value in the audit record: " + text);
    // The policy is consistent and the registries answer: nothing a client sends is the gateway's own fault.
    if (text.find(R"("code":"INTERNAL_ERROR")") != std::string::npos) fail("a request made an internal error: " + text);
    if (seq != nullptr) *seq = ++count_;
    return Status::ok();
  }
  std::size_t input_size = 0;  ///< of the input being run

 private:
  std::uint64_t count_ = 0;
};

class CannedRegistry final : public Upstream {
 public:
  explicit CannedRegistry(std::string body) : body_(std::move(body)) {}
  Status call(std::string_view, const std::string&, UpstreamReply& reply) override {
    reply.http_status = 200;
    reply.body = body_;
    return Status::ok();
  }
  const std::string& url() const override { return url_; }

 private:
  std::string body_;
  std::string url_ = "https://registry.invalid/";
};

struct World {
  std::shared_ptr<const Snapshot> snapshot;
  std::shared_ptr<CheckingAudit> audit = std::make_shared<CheckingAudit>();
  UpstreamMap upstreams;
  struct soap* master = nullptr;
  PeerIdentity peer{"app-zaaksysteem", "00000001001234567001", "", "127.0.0.0"};
};

World& world() {
  static World* instance = [] {
    xml::init();
    auto* w = new World;
    GatewayConfig config;
    config.file = "fuzz";
    config.register_file = std::string(DOELPOORT_SOURCE_DIR) + "/config/register.yaml";
    config.staff_file = std::string(DOELPOORT_SOURCE_DIR) + "/config/staff.yaml";
    config.mappings_dir = std::string(DOELPOORT_SOURCE_DIR) + "/mappings";
    Application app;
    app.id = "zaaksysteem";
    app.oin = w->peer.oin;
    app.activities = {"pw-recht-op-uitkering", "pw-re-integratie", "pw-bijzondere-bijstand", "pw-terugvordering",
                      "pw-fraudeonderzoek"};
    config.applications = {app};
    config.sources["BRPDossierPersoon"].name = "BRPDossierPersoon";
    config.sources["UWVDossierInkomsten"].name = "UWVDossierInkomsten";
    Diagnostics diags;
    w->snapshot = load_snapshot(config, diags);
    if (!w->snapshot) fail("cannot load the shipped policy");
    // The dossiers, with a recognisable first name, as the registries answer them.
    std::string brp = read_source_file("tests/fuzz/corpus/minimiser/brp-found-family.xml");
    std::string uwv = read_source_file("tests/fuzz/corpus/minimiser/uwv-found.xml");
    if (brp.empty() || uwv.empty()) fail("the registry answers in tests/fuzz/corpus/minimiser/ are missing");
    if (auto at = brp.find("<Voornamen>"); at != std::string::npos) brp.insert(at + 11, kRegistryValue);
    w->upstreams["BRPDossierPersoon"] = std::make_shared<CannedRegistry>(brp);
    w->upstreams["UWVDossierInkomsten"] = std::make_shared<CannedRegistry>(uwv);
    w->master = new_request_context(kMaxRequestBytes);
    return w;
  }();
  return *instance;
}

/// The connection: the input, handed out in chunks of 1..61 bytes or 4096, the reply collected.
struct Connection {
  std::string_view input;
  std::size_t at = 0;
  std::uint32_t rng = 0;
  std::string sent;
};

Connection* g_connection = nullptr;  // the one being served (soap->user is the service's own)

std::size_t recv_from_memory(struct soap*, char* buf, std::size_t len) {
  Connection* c = g_connection;
  c->rng = c->rng * 1103515245u + 12345u;
  const std::size_t chunk = (c->rng >> 16) % 4 == 0 ? 4096 : 1 + (c->rng >> 8) % 61;
  const std::size_t n = std::min({len, chunk, c->input.size() - c->at});
  std::memcpy(buf, c->input.data() + c->at, n);
  c->at += n;
  return n;  // 0: end of input, as a closed connection
}

int send_to_memory(struct soap*, const char* data, std::size_t len) {
  g_connection->sent.append(data, len);
  return SOAP_OK;
}

std::string with_http_header(std::string_view body) {
  return "POST / HTTP/1.1\r\nHost: gateway\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nSOAPAction: \"" + kInquireAction + "\"\r\n\r\n" + std::string(body);
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace
}  // namespace doelpoort

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace doelpoort;
  World& w = world();
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const bool http = starts_with(raw, "POST ") || starts_with(raw, "GET ");
  const std::string input = http ? std::string(raw) : with_http_header(raw);
  w.audit->input_size = input.size();

  Pipeline pipeline({w.snapshot, w.audit, std::make_shared<MemoryStateStore>(),
                     Pseudonymiser(std::array<unsigned char, 32>{}), w.upstreams, 4 << 20, std::chrono::seconds(900)});
  Connection c{input, 0, static_cast<std::uint32_t>(size), {}};
  InquiryService service(pipeline, *w.master, "https://localhost:8443/");
  service.set_peer(w.peer);
  g_connection = &c;
  service.soap->frecv = recv_from_memory;
  service.soap->fsend = send_to_memory;
  // A worker serves requests while the connection stays usable; at most a few per input here.
  for (int i = 0; i < 8 && c.at < input.size(); ++i) {
    if (!service.serve_one()) break;
    soap_destroy(service.soap);
    soap_end(service.soap);
  }
  soap_destroy(service.soap);
  soap_end(service.soap);
  static const bool print_reply = std::getenv("FUZZ_PRINT_REPLY") != nullptr;  // for reproducing one input
  if (print_reply) std::fprintf(stderr, "--- reply:\n%s\n---\n", c.sent.c_str());
  // Without a socket gSOAP answers as a CGI program would ("Status: 500 ..."); either way, a status line.
  if (!c.sent.empty() && !starts_with(c.sent, "HTTP/1.1 ") && !starts_with(c.sent, "Status: "))
    fail("reply is not HTTP: " + c.sent.substr(0, 200));
  return 0;
}
