#include "screenshot.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <set>

#include "harness.h"

namespace doelpoort::testing {

namespace fs = std::filesystem;

void screenshot(const fs::path& html, const fs::path& png) {
  const fs::path profile = fs::temp_directory_path() / ("dp-chromium-" + std::to_string(::getpid()) + "-" + png.stem().string());
  fs::remove_all(profile);
  fs::create_directories(profile);
  fs::remove(png);
  std::string output;
  const int status = run_command({kChromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                                  "--user-data-dir=" + profile.string(), "--screenshot=" + png.string(),
                                  "--window-size=1280,2000", "file://" + fs::absolute(html).string()},
                                 output);
  fs::remove_all(profile);
  EXPECT_EQ(status, 0) << output;
}

namespace {

std::uint32_t be32(const unsigned char* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | std::uint32_t{p[3]};
}

}  // namespace

bool has_png_signature(const std::string& data) { return data.compare(0, 8, "\x89PNG\r\n\x1a\n", 8) == 0; }

Pixels decode_png(const std::string& data, std::string& error) {
  Pixels img;
  auto fail = [&error](std::string why) {
    error = std::move(why);
    return Pixels{};
  };
  if (!has_png_signature(data)) return fail("no PNG signature");
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  std::string idat;
  unsigned depth = 0, colour = 0, interlace = 0;
  for (std::size_t at = 8; at + 12 <= data.size();) {
    const std::uint32_t length = be32(bytes + at);
    if (at + 12 + length > data.size()) return fail("truncated chunk");
    const std::string type = data.substr(at + 4, 4);
    const unsigned char* body = bytes + at + 8;
    if (type == "IHDR") {
      img.width = be32(body);
      img.height = be32(body + 4);
      depth = body[8], colour = body[9], interlace = body[12];
    } else if (type == "IDAT") {
      idat.append(reinterpret_cast<const char*>(body), length);
    } else if (type == "IEND") {
      break;
    }
    at += 12 + length;
  }
  if (depth != 8 || (colour != 2 && colour != 6) || interlace != 0)
    return fail("unsupported PNG (depth " + std::to_string(depth) + ", colour type " + std::to_string(colour) + ")");
  const std::size_t bpp = colour == 6 ? 4 : 3, stride = img.width * bpp;
  std::vector<unsigned char> raw((stride + 1) * img.height);
  uLongf size = raw.size();
  if (uncompress(raw.data(), &size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) != Z_OK || size != raw.size())
    return fail("IDAT does not inflate to the image size");
  std::vector<unsigned char> previous(stride, 0), row(stride);
  img.rgb.reserve(std::size_t{img.width} * img.height);
  for (std::uint32_t y = 0; y < img.height; ++y) {
    const unsigned char filter = raw[y * (stride + 1)];
    const unsigned char* in = &raw[y * (stride + 1) + 1];
    for (std::size_t x = 0; x < stride; ++x) {
      const int a = x >= bpp ? row[x - bpp] : 0, b = previous[x], c = x >= bpp ? previous[x - bpp] : 0;
      int predictor = 0;
      switch (filter) {
        case 0: break;
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = (a + b) / 2; break;
        case 4: {
          const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: return fail("bad filter type " + std::to_string(filter));
      }
      row[x] = static_cast<unsigned char>(in[x] + predictor);
    }
    for (std::size_t x = 0; x < stride; x += bpp)
      img.rgb.push_back(std::uint32_t{row[x]} << 16 | std::uint32_t{row[x + 1]} << 8 | row[x + 2]);
    previous.swap(row);
  }
  return img;
}

std::size_t distinct_colours(const Pixels& img) {
  return std::set<std::uint32_t>(img.rgb.begin(), img.rgb.end()).size();
}

}  // namespace doelpoort::testing
