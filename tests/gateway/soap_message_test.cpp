// gsoap::begin_message / end_message: soap_begin and soap_end without clearing gSOAP's hash tables,
// which soap_begin_recv does anyway. A context reused this way must decode each message as a fresh
// one would, after a failed message too, and close its connection exactly when soap_end would.
#include "soap_message.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>
#include <string>

#include "soap_service.h"

namespace doelpoort {
namespace {

struct Context {
  struct soap* s = new_request_context(64 * 1024);
  ~Context() {
    soap_destroy(s);
    soap_end(s);
    soap_free(s);
  }
};

// An Inquire element on its own, its namespace bound to `prefix` (empty: the default namespace).
std::string inquire(const std::string& prefix, const std::string& user, int fields) {
  const std::string p = prefix.empty() ? "" : prefix + ":";
  std::string xml = "<" + p + "Inquire xmlns" + (prefix.empty() ? "" : ":" + prefix) +
                    "=\"urn:nl:doelpoort:inquiry:v1\"><" + p + "activity>pw-recht-op-uitkering</" + p + "activity><" +
                    p + "userId>" + user + "</" + p + "userId><" + p + "source>BRPDossierPersoon</" + p + "source>";
  for (int i = 0; i < fields; ++i) xml += "<" + p + "field>f" + std::to_string(i) + "</" + p + "field>";
  return xml + "</" + p + "Inquire>";
}

int decode(struct soap* s, const std::string& xml, dp__Inquire& out) {
  std::istringstream in(xml);
  s->is = &in;
  gsoap::begin_message(s);
  const int rc = soap_read_dp__Inquire(s, &out);
  s->is = nullptr;
  return rc;
}

TEST(SoapMessage, AReusedContextDecodesEachMessageAsAFreshOneWould) {
  Context c;
  const struct {
    std::string prefix, user;
    int fields;
  } messages[] = {{"dp", "u1", 3}, {"", "u2", 1}, {"x", "u3", 40}, {"dp", "u4", 1}};
  for (const auto& m : messages) {
    dp__Inquire q;
    ASSERT_EQ(decode(c.s, inquire(m.prefix, m.user, m.fields), q), SOAP_OK) << m.user;
    EXPECT_EQ(q.userId, m.user);
    ASSERT_EQ(q.field.size(), static_cast<std::size_t>(m.fields)) << m.user;
    EXPECT_EQ(q.field.back(), "f" + std::to_string(m.fields - 1));
    gsoap::end_message(c.s);
  }
}

TEST(SoapMessage, AMessageThatFailedHalfWayLeavesNothingForTheNext) {
  Context c;
  dp__Inquire broken;
  // Cut off inside an element: gSOAP stops with its namespace stack and blocks still in use.
  const std::string whole = inquire("a", "u1", 5);
  EXPECT_NE(decode(c.s, whole.substr(0, whole.size() / 2), broken), SOAP_OK);
  gsoap::end_message(c.s);
  dp__Inquire q;
  // The next message binds the same URI to another prefix, and the first prefix to nothing.
  ASSERT_EQ(decode(c.s, inquire("b", "u2", 2), q), SOAP_OK);
  EXPECT_EQ(q.userId, "u2");
  EXPECT_EQ(q.field.size(), 2U);
  gsoap::end_message(c.s);
  dp__Inquire wrong;
  EXPECT_NE(decode(c.s, "<a:Inquire xmlns:a=\"urn:other\"><a:userId>u3</a:userId></a:Inquire>", wrong), SOAP_OK)
      << "a prefix bound in an earlier message must not carry over";
  gsoap::end_message(c.s);
}

TEST(SoapMessage, EndFreesWhatTheMessageAllocated) {
  Context c;
  ASSERT_NE(soap_malloc(c.s, 100), nullptr);
  ASSERT_NE(c.s->alist, nullptr);
  gsoap::end_message(c.s);
  EXPECT_EQ(c.s->alist, nullptr);
}

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

TEST(SoapMessage, EndClosesTheConnectionExactlyWhenSoapEndWould) {
  const struct {
    const char* when;
    short keep_alive;
    int error;
    bool closed;
  } cases[] = {{"kept alive, answered", 5, SOAP_OK, false},
               {"last request on the connection", 0, SOAP_OK, true},
               {"the client went away", 5, SOAP_EOF, true},
               {"TLS failed", 5, SOAP_SSL_ERROR, true}};
  for (const auto& k : cases) {
    Context c;
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    c.s->socket = fds[0];
    c.s->keep_alive = k.keep_alive;
    c.s->error = k.error;
    gsoap::end_message(c.s);
    EXPECT_EQ(!soap_valid_socket(c.s->socket), k.closed) << k.when;
    EXPECT_EQ(!is_open(fds[0]), k.closed) << k.when;
    if (is_open(fds[0])) ::close(fds[0]);
    c.s->socket = SOAP_INVALID_SOCKET;
    ::close(fds[1]);
  }
}

}  // namespace
}  // namespace doelpoort
