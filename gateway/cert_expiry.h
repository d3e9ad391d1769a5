// When certificates and CRLs run out, for the expiry gauges (metrics.h) the integration team alerts on.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <optional>
#include <string>

namespace doelpoort::certs {

/// notAfter (Unix time) of the earliest-expiring certificate in the PEM file `path` (a chain, or a CA
/// bundle); nullopt when the file holds no readable certificate.
std::optional<std::int64_t> earliest_not_after(const std::string& path);

/// notAfter (Unix time) of `cert`; nullopt when it cannot be read.
std::optional<std::int64_t> not_after(const X509* cert);

/// nextUpdate (Unix time) of the first CRL in the PEM file `path`; nullopt when none is readable or it
/// has no nextUpdate.
std::optional<std::int64_t> crl_next_update(const std::string& path);

}  // namespace doelpoort::certs
