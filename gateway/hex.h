// Lowercase hexadecimal of bytes: hashes and Merkle nodes, HMAC pseudonyms, certificate fingerprints,
// random identifiers. (OpenSSL's OPENSSL_buf2hexstr writes uppercase with colons.)
#pragma once

#include <cstddef>
#include <string>

namespace doelpoort {

/// Appends two lowercase hex digits for each byte of `data` to `out`, without a temporary.
inline void append_hex(std::string& out, const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::size_t at = out.size();
  out.resize(at + 2 * size);
  for (std::size_t i = 0; i < size; ++i) {
    out[at + 2 * i] = kDigits[data[i] >> 4];
    out[at + 2 * i + 1] = kDigits[data[i] & 0xf];
  }
}

/// Lowercase hex of `data`.
inline std::string to_hex(const unsigned char* data, std::size_t size) {
  std::string out;
  append_hex(out, data, size);
  return out;
}

}  // namespace doelpoort
