// Signed tree heads (STH) of the audit log, as in Certificate Transparency: at intervals the writer
// signs (tree size, Merkle root, time) with a key of its own, kept apart from the TLS keys, and appends
// the head to DIR/tree-heads.jsonl. Whoever holds the public key can check that the log they are shown
// is the one that was signed: a changed, removed or reordered record changes the root, and a truncated
// log is shorter than a head already signed.
//
// The signed bytes, exactly (ASCII, '\n' line ends):
//     "doelpoort tree head v1\n" <tree_size decimal> "\n" <root, 64 lowercase hex> "\n" <unix ms decimal> "\n"
// signed with Ed25519 (RFC 8032). The line in tree-heads.jsonl is
//     {"key_id":<first 16 hex of SHA-256 of the public key (DER)>,"root":..,"signature":<hex>,"timestamp":..,"tree_size":..}
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "merkle.h"

namespace doelpoort {

struct TreeHead {
  std::uint64_t tree_size = 0;
  merkle::Hash root{};
  std::int64_t timestamp_ms = 0;
  std::string key_id;
  std::string signature;  ///< hex

  std::string signed_bytes() const;
  std::string to_json_line() const;  ///< one line, with '\n'
  static std::optional<TreeHead> from_json_line(const std::string& line);
};

struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

class TreeHeadSigner {
 public:
  /// Loads the PEM private key at `path`; when it does not exist and `create` is set, makes a new Ed25519
  /// key there (mode 0600) and its public key at `path` + ".pub".
  static std::unique_ptr<TreeHeadSigner> open(const std::string& path, bool create, std::string& error);
  TreeHead sign(std::uint64_t tree_size, const merkle::Hash& root, std::int64_t timestamp_ms) const;
  /// Ed25519 signature of `message`, hex; empty on failure.
  std::string sign_bytes(const std::string& message) const;
  const std::string& key_id() const { return key_id_; }

 private:
  PkeyPtr key_;
  std::string key_id_;
};

/// A public key to check tree heads with.
class TreeHeadVerifier {
 public:
  static std::unique_ptr<TreeHeadVerifier> open(const std::string& public_key_path, std::string& error);
  bool verify(const TreeHead& head) const;
  bool verify_bytes(const std::string& message, const std::string& signature_hex) const;
  const std::string& key_id() const { return key_id_; }

 private:
  PkeyPtr key_;
  std::string key_id_;
};

}  // namespace doelpoort
