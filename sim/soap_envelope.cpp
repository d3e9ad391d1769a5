#include "soap_envelope.h"

#include <openssl/rand.h>

#include <atomic>
#include <cstdint>
#include <cstdio>

#include "xml_writer.h"

namespace doelpoort::sim {

std::string soap_envelope(const ReplyAddressing& a, std::string_view body_content) {
  XmlWriter header(1);
  header.open("soap:Header");
  header.optional_leaf("wsa:Action", a.action);
  header.leaf("wsa:MessageID", new_message_id());
  header.optional_leaf("wsa:RelatesTo", a.relates_to);
  if (!a.from.empty()) header.open("wsa:From").leaf("wsa:Address", a.from).close();
  header.optional_leaf("wsa:To", a.to);
  header.close();

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out.append("<soap:Envelope xmlns:soap=\"").append(kSoap11Namespace);
  out.append("\" xmlns:wsa=\"").append(kWsaNamespace).append("\">\n");
  out += header.take();
  out += "  <soap:Body>\n";
  out += body_content;
  out += "  </soap:Body>\n</soap:Envelope>\n";
  return out;
}

std::string fout_fault(const FoutInfo& info, std::string_view detail, std::string_view bron_dn) {
  XmlWriter w(2);
  w.open("soap:Fault");
  w.leaf("faultcode", "soap:Client");  // every refusal here is about the request
  w.leaf("faultstring", info.tekst);
  w.open("detail");
  w.open("fwi:Fout", "xmlns:fwi=\"" + std::string(kFwiNamespace) + "\"");
  w.leaf("Code", info.code);
  w.leaf("Tekst", info.tekst);
  w.optional_leaf("Detail", detail);
  w.open("Bron").leaf("DN", bron_dn).close();
  w.close().close().close();
  return w.take();
}

std::string new_message_id() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    // Only uniqueness matters here; if the DRBG fails, fall back to a process-wide counter.
    static std::atomic<std::uint64_t> counter{0};
    const std::uint64_t n = ++counter;
    for (std::size_t i = 0; i < sizeof b; ++i) b[i] = static_cast<unsigned char>(n >> (8 * (i % 8)));
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char text[48];
  std::snprintf(text, sizeof text,
                "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return text;
}

}  // namespace doelpoort::sim
