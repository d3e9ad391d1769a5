#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "audit_reader.h"
#include "stdsoap2.h"
#include "xml_safe.h"

namespace doelpoort::testing {
namespace fs = std::filesystem;

std::string pki(const std::string& name) { return std::string(DOELPOORT_TEST_PKI) + "/" + name; }
std::string bin(const std::string& name) { return std::string(DOELPOORT_BIN_DIR) + "/" + name; }
std::string source(const std::string& rel) { return std::string(DOELPOORT_SOURCE_DIR) + "/" + rel; }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool file_will_contain(const std::string& path, const std::string& text, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (read_file(path).find(text) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::unique_ptr<Process> Process::start(const std::vector<std::string>& argv, const std::string& log_file,
                                        const std::function<void()>& in_child) {
  auto p = std::make_unique<Process>();
  p->log_ = log_file;
  p->pid_ = ::fork();
  if (p->pid_ == 0) {
    if (in_child) in_child();
    int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    _exit(127);
  }
  return p;
}

bool Process::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    pid_ = -1;
    return false;
  }
  return true;
}

int Process::stop(int sig, int timeout_ms) {
  if (!running()) return status_;
  ::kill(pid_, sig);
  for (int waited = 0; waited < timeout_ms; waited += 10) {
    if (!running()) return status_;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return -1;
}

Process::~Process() { stop(); }

Tripwire::Tripwire() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    ADD_FAILURE() << "tripwire cannot listen";
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c >= 0) {
          ++hits_;
          ::close(c);
        }
      }
    }
  });
}

Tripwire::~Tripwire() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

long peak_rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

int run_command(const std::vector<std::string>& argv, std::string& output) {
  const std::string log = fs::temp_directory_path() / ("dp-cmd-" + std::to_string(::getpid()) + ".log");
  fs::remove(log);
  auto p = Process::start(argv, log);
  int status = -1;
  for (int waited = 0; waited < 60000 && p->running(); waited += 10)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  status = p->stop(SIGKILL, 1000);
  output = read_file(log);
  fs::remove(log);
  return status;
}

namespace {

int wait_for_port(Process& p, const std::string& port_file) {
  for (int waited = 0; waited < 20000; waited += 20) {
    if (fs::exists(port_file)) return std::stoi(read_file(port_file));
    if (!p.running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "process did not start; its log:\n" << read_file(p.log_file());
  return 0;
}

std::string first_line_field(const std::string& csv_line, int index) {
  std::stringstream s(csv_line);
  std::string field;
  for (int i = 0; i <= index && std::getline(s, field, ','); ++i) {}
  return field;
}

}  // namespace

void IntegrationTest::SetUp() {
  signal(SIGPIPE, SIG_IGN);
  soap_ssl_init();
  xml::init();
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = fs::temp_directory_path() / ("dp-it-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
  fs::remove_all(dir_);
  fs::create_directories(dir_);

  std::string out;
  ASSERT_EQ(run_command({bin("doelpoort-sim"), "population", "--limit", "20"}, out), 0) << out;
  std::stringstream lines(out);
  std::string line;
  std::getline(lines, line);  // header
  while (known_bsn_.empty() && std::getline(lines, line))
    if (first_line_field(line, 6) == "1") known_bsn_ = first_line_field(line, 0);  // someone with an income
  ASSERT_FALSE(known_bsn_.empty()) << out;
  ASSERT_EQ(run_command({bin("doelpoort-sim"), "population", "--absent"}, out), 0) << out;
  absent_bsn_ = out.substr(0, out.find_first_of("\r\n"));

  sim_ = Process::start({bin("doelpoort-sim"), "serve", "--listen", "127.0.0.1:0", "--cert", pki("registry.crt"),
                         "--key", pki("registry.key"), "--client-ca", pki("ca.crt"), "--port-file",
                         dir_ + "/sim.port"},
                        dir_ + "/sim.log");
  sim_port_ = wait_for_port(*sim_, dir_ + "/sim.port");
  ASSERT_GT(sim_port_, 0);
  gateway_ = start_gateway({}, port_);
  ASSERT_GT(port_, 0);
}

void IntegrationTest::TearDown() {
  if (gateway_) EXPECT_EQ(gateway_->stop(), 0) << read_file(gateway_->log_file());
  if (sim_) sim_->stop();
  if (!HasFailure()) fs::remove_all(dir_);
}

std::string gateway_config_yaml(const GatewayOptions& o) {
  std::string activities;
  for (const auto& a : o.zaaksysteem_activities) activities += (activities.empty() ? "" : ", ") + a;
  auto source_entry = [&](const std::string& name, const std::string& url) {
    return "  " + name + ":\n    url: " + url + "\n    ca: " + pki("ca.crt") + "\n    certificate: " +
           pki("gateway-client.crt") + "\n    key: " + pki("gateway-client.key") + "\n    timeout_ms: " +
           std::to_string(o.upstream_timeout_ms) + "\n";
  };
  std::ostringstream y;
  y << "listen: 127.0.0.1:0\nworkers: " << o.workers << "\nstate: " << o.state << "\n"
    << (o.limits.empty() ? "" : "limits:\n" + o.limits)
    << (o.caseload.empty() ? "" : "caseload: " + o.caseload + "\n")
    << (o.shadow_register.empty() ? "" : "shadow_register: " + o.shadow_register + "\n")
    << (o.admin.empty() ? "" : "admin:\n" + o.admin)
    << "tls:\n  certificate: " << pki("gateway.crt") << "\n  key: " << pki("gateway.key") << "\n  client_ca: "
    << pki("ca.crt") << "\n  crl: " << o.crl << "\n"
    << "register: " << o.register_file << "\nstaff: " << source("config/staff.yaml") << "\nmappings: "
    << source("mappings") << "\n"
    << "audit:\n  dir: " << o.audit_dir << "\n  subject_key: " << o.subject_key << "\n  signing_key: "
    << fs::path(o.subject_key).parent_path().string() << "/tree-head.key\n  tree_head_interval_ms: 100\n"
    << "applications:\n  - id: zaaksysteem\n    oin: \"00000001001234567001\"\n    activities: [" << activities << "]\n"
    << "sources:\n"
    << source_entry("BRPDossierPersoon", o.brp_url) << source_entry("UWVDossierInkomsten", o.uwv_url);
  return y.str();
}

std::string IntegrationTest::register_without_volume_limits() {
  std::string reg = read_file(source("config/register.yaml"));
  for (const std::string key : {"max_inquiries_per_user_per_hour:", "max_subjects_per_user_per_day:"})
    for (auto at = reg.find(key); at != std::string::npos; at = reg.find(key)) {
      const auto line_start = reg.rfind('\n', at) + 1;
      reg.erase(line_start, reg.find('\n', at) - line_start + 1);
    }
  const std::string path = dir_ + "/register-unlimited.yaml";
  std::ofstream(path) << reg;
  return path;
}

std::unique_ptr<Process> IntegrationTest::start_gateway(const GatewayOptions& options, int& port, const std::string& name,
                                                        const std::function<void()>& in_child) {
  GatewayOptions o = options;
  const std::string sim = "https://127.0.0.1:" + std::to_string(sim_port_) + "/suwibroker/soap/";
  if (o.brp_url.empty()) o.brp_url = sim + "BRPDossierPersoonGSD-v0200";
  if (o.uwv_url.empty()) o.uwv_url = sim + "UWVDossierInkomstenGSD-v0200";
  o.audit_dir = dir_ + "/" + name + "-audit";
  o.subject_key = dir_ + "/subject.key";
  const std::string config = dir_ + "/" + name + ".yaml";
  std::ofstream(config) << gateway_config_yaml(o);
  std::filesystem::remove(dir_ + "/" + name + ".port");
  std::filesystem::remove(dir_ + "/" + name + ".admin.port");
  std::vector<std::string> argv{bin("doelpoort"), "serve", "--config", config, "--port-file", dir_ + "/" + name + ".port"};
  if (!o.admin.empty()) argv.insert(argv.end(), {"--admin-port-file", dir_ + "/" + name + ".admin.port"});
  auto p = Process::start(argv, dir_ + "/" + name + ".log", in_child);
  port = wait_for_port(*p, dir_ + "/" + name + ".port");
  return p;
}

std::unique_ptr<InquiryClient> IntegrationTest::client(const std::string& cert_name, int port) {
  std::string error;
  ClientOptions o;
  o.url = "https://127.0.0.1:" + std::to_string(port ? port : port_) + "/";
  o.tls = {pki(cert_name + ".crt"), pki(cert_name + ".key"), pki("ca.crt"), "", ""};
  o.timeout_ms = 10000;
  auto c = InquiryClient::create(o, error);
  EXPECT_TRUE(c) << error;
  return c;
}

InquiryRequest IntegrationTest::permitted_request() const {
  return {"pw-recht-op-uitkering", "Z-2026-0001", "u1001", known_bsn_, "BRPDossierPersoon",
          {"voornamen", "geslachtsnaam"}, "", false};
}

nlohmann::json IntegrationTest::sim_stats(int port, const std::string& host) {
  std::string error;
  auto ctx = tls::make_client_context({pki("gateway-client.crt"), pki("gateway-client.key"), pki("ca.crt"), "", host}, error);
  EXPECT_TRUE(ctx) << error;
  struct soap* s = soap_new();
  tls::attach(s, ctx.get(), false);
  s->recv_timeout = s->send_timeout = s->connect_timeout = 5;
  const std::string url = "https://127.0.0.1:" + std::to_string(port ? port : sim_port_) + "/_sim/stats";
  nlohmann::json stats;
  std::size_t len = 0;
  const char* body = nullptr;
  if (soap_GET(s, url.c_str(), nullptr) == SOAP_OK && soap_begin_recv(s) == SOAP_OK &&
      (body = soap_http_get_body(s, &len)) != nullptr && soap_end_recv(s) == SOAP_OK)
    stats = nlohmann::json::parse(std::string(body, len), nullptr, false);
  else
    ADD_FAILURE() << "cannot read simulator stats";
  soap_destroy(s);
  soap_end(s);
  soap_free(s);
  return stats;
}

UpstreamReply IntegrationTest::raw_post(const std::string& body, const std::string& soap_action) {
  SourceConfig sc;
  sc.name = "gateway";
  sc.url = "https://127.0.0.1:" + std::to_string(port_) + "/";
  sc.host = "127.0.0.1";
  sc.tls = {pki("app-zaaksysteem.crt"), pki("app-zaaksysteem.key"), pki("ca.crt"), "", "127.0.0.1"};
  std::string error;
  auto up = HttpsUpstream::create(sc, 1 << 20, error);
  EXPECT_TRUE(up) << error;
  UpstreamReply reply;
  if (up) EXPECT_TRUE(up->call(body, soap_action, reply).is_ok());
  return reply;
}

std::vector<nlohmann::json> IntegrationTest::audit_records() const {
  std::vector<nlohmann::json> out;
  std::string error;
  EXPECT_TRUE(for_each_audit_record(dir_ + "/gw-audit", [&](const nlohmann::json& r) { out.push_back(r); }, error))
      << error;
  return out;
}

}  // namespace doelpoort::testing
