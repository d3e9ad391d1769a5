// Screenshots of the HTML pages the gateway writes (register, privacy officer's report, access letter),
// rendered by headless Chromium, and just enough of a PNG decoder to look at their pixels.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace doelpoort::testing {

inline constexpr const char* kChromium = "/usr/bin/chromium";  // Debian package `chromium` (tools/install-deps.sh)

/// Renders `html` in headless Chromium (a fresh profile each time) to `png`, 1280×2000 CSS pixels.
void screenshot(const std::filesystem::path& html, const std::filesystem::path& png);

/// 8-bit RGB or RGBA, not interlaced (what Chromium writes).
struct Pixels {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint32_t> rgb;  // 0xRRGGBB per pixel, row by row
};

bool has_png_signature(const std::string& data);

/// Decodes `data`; an empty result with `error` set when it cannot.
Pixels decode_png(const std::string& data, std::string& error);

std::size_t distinct_colours(const Pixels& img);

}  // namespace doelpoort::testing
