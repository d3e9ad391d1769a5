#include "tree_head.h"

#include <fcntl.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "audit_log.h"
#include "hex.h"

namespace doelpoort {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

std::string key_id_of(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return {};
  std::string id = sha256_hex(std::string_view(reinterpret_cast<char*>(der), static_cast<std::size_t>(len))).substr(0, 16);
  OPENSSL_free(der);
  return id;
}

bool from_hex_string(const std::string& hex, std::string& out) {
  if (hex.size() % 2 != 0) return false;
  out.clear();
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int v = 0;
    for (std::size_t j = 0; j < 2; ++j) {
      const char c = hex[i + j];
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return false;
      v = v * 16 + d;
    }
    out.push_back(static_cast<char>(v));
  }
  return true;
}

bool write_file(const std::string& path, const std::string& text, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

std::string pem_of(EVP_PKEY* key, bool private_key) {
  BIO* bio = BIO_new(BIO_s_mem());
  const int ok = private_key ? PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr)
                             : PEM_write_bio_PUBKEY(bio, key);
  std::string out;
  if (ok == 1) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    out.assign(data, static_cast<std::size_t>(len));
  }
  BIO_free(bio);
  return out;
}

PkeyPtr read_pem(const std::string& path, bool private_key) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return nullptr;
  PkeyPtr key(private_key ? PEM_read_PrivateKey(f, nullptr, nullptr, nullptr) : PEM_read_PUBKEY(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  return key;
}

}  // namespace

std::string TreeHead::signed_bytes() const {
  return "doelpoort tree head v1\n" + std::to_string(tree_size) + "\n" + merkle::hex(root) + "\n" +
         std::to_string(timestamp_ms) + "\n";
}

std::string TreeHead::to_json_line() const {
  nlohmann::json j = {{"tree_size", tree_size}, {"root", merkle::hex(root)}, {"timestamp", timestamp_ms},
                      {"key_id", key_id}, {"signature", signature}};
  return j.dump() + "\n";
}

std::optional<TreeHead> TreeHead::from_json_line(const std::string& line) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (!j.is_object() || !j["tree_size"].is_number_unsigned() || !j["root"].is_string() ||
      !j["timestamp"].is_number_integer() || !j["signature"].is_string())
    return std::nullopt;
  TreeHead h;
  h.tree_size = j["tree_size"].get<std::uint64_t>();
  if (!merkle::from_hex(j["root"].get<std::string>(), h.root)) return std::nullopt;
  h.timestamp_ms = j["timestamp"].get<std::int64_t>();
  h.key_id = j.value("key_id", "");
  h.signature = j["signature"].get<std::string>();
  return h;
}

std::unique_ptr<TreeHeadSigner> TreeHeadSigner::open(const std::string& path, bool create, std::string& error) {
  if (create && ::access(path.c_str(), F_OK) != 0) {
    PkeyPtr fresh(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    if (!fresh || !write_file(path, pem_of(fresh.get(), true), 0600) ||
        (::access((path + ".pub").c_str(), F_OK) != 0 && !write_file(path + ".pub", pem_of(fresh.get(), false), 0644))) {
      error = path + ": cannot make the tree-head signing key";
      return nullptr;
    }
  }
  PkeyPtr key = read_pem(path, true);
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    error = path + ": not an Ed25519 private key (PEM)";
    return nullptr;
  }
  auto signer = std::unique_ptr<TreeHeadSigner>(new TreeHeadSigner());
  signer->key_id_ = key_id_of(key.get());
  signer->key_ = std::move(key);
  return signer;
}

std::string TreeHeadSigner::sign_bytes(const std::string& msg) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  unsigned char sig[64];
  std::size_t len = sizeof sig;
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) == 1 &&
      EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) == 1)
    return to_hex(sig, len);
  return {};
}

TreeHead TreeHeadSigner::sign(std::uint64_t tree_size, const merkle::Hash& root, std::int64_t timestamp_ms) const {
  TreeHead h{tree_size, root, timestamp_ms, key_id_, {}};
  h.signature = sign_bytes(h.signed_bytes());
  return h;
}

std::unique_ptr<TreeHeadVerifier> TreeHeadVerifier::open(const std::string& public_key_path, std::string& error) {
  PkeyPtr key = read_pem(public_key_path, false);
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    error = public_key_path + ": not an Ed25519 public key (PEM)";
    return nullptr;
  }
  auto v = std::unique_ptr<TreeHeadVerifier>(new TreeHeadVerifier());
  v->key_id_ = key_id_of(key.get());
  v->key_ = std::move(key);
  return v;
}

bool TreeHeadVerifier::verify(const TreeHead& head) const { return verify_bytes(head.signed_bytes(), head.signature); }

bool TreeHeadVerifier::verify_bytes(const std::string& msg, const std::string& signature_hex) const {
  std::string sig;
  if (!from_hex_string(signature_hex, sig)) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) == 1;
}

}  // namespace doelpoort
