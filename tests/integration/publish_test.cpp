// `doelpoort register publish --format html` on the shipped register: every purpose, category and
// organisation of the register is on the page, and a real browser (headless Chromium) renders it to a
// screenshot that is clearly not a blank page. The page and screenshots stay in
// <build>/test-artifacts/register-publish/ for people to look at.
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "harness.h"
#include "publish.h"
#include "register.h"

namespace doelpoort::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kChromium = "/usr/bin/chromium";  // Debian package `chromium` (tools/install-deps.sh)

fs::path artifacts() {
  const fs::path dir = fs::path(DOELPOORT_BIN_DIR).parent_path() / "test-artifacts" / "register-publish";
  fs::create_directories(dir);
  return dir;
}

std::shared_ptr<const Register> shipped_register() {
  Diagnostics d;
  auto reg = load_register(source("config/register.yaml"), d);
  EXPECT_TRUE(reg) << d.first_error();
  return reg;
}

// Publishes the shipped register in `format` into `out`; returns the text.
std::string publish(const std::string& format, const fs::path& out) {
  std::string output;
  EXPECT_EQ(run_command({bin("doelpoort"), "register", "publish", "--format", format, "--config",
                         source("config/doelpoort.yaml"), "--out", out.string()},
                        output),
            0)
      << output;
  return read_file(out.string());
}

// Renders `html` in headless Chromium (a fresh profile each time) to `png`, 1280×2000 CSS pixels.
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

// Just enough PNG to look at the pixels: 8-bit RGB or RGBA, not interlaced (what Chromium writes).
struct Pixels {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint32_t> rgb;  // 0xRRGGBB per pixel, row by row
};

std::uint32_t be32(const unsigned char* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | std::uint32_t{p[3]};
}

bool has_png_signature(const std::string& data) { return data.compare(0, 8, "\x89PNG\r\n\x1a\n", 8) == 0; }

// Decodes `data`; an empty result with `error` set when it cannot.
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

TEST(RegisterPublish, HtmlNamesEveryPurposeCategoryAndOrganisationOfTheRegister) {
  auto reg = shipped_register();
  ASSERT_TRUE(reg);
  const std::string html = publish("html", artifacts() / "register.html");
  ASSERT_FALSE(html.empty());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"nl\">", 0), 0u);
  for (const Activity& a : reg->activities) {
    SCOPED_TRACE(a.id);
    EXPECT_NE(html.find(escape_html(a.name)), std::string::npos);
    EXPECT_NE(html.find(escape_html(a.purpose)), std::string::npos);
    EXPECT_NE(html.find(escape_html(a.legal_basis.law)), std::string::npos);
    EXPECT_NE(html.find(escape_html(a.retention)), std::string::npos);
    EXPECT_NE(html.find("id=\"verwerking-" + a.id + "\""), std::string::npos);
    for (const auto& g : a.special_categories) EXPECT_NE(html.find(escape_html(g.basis)), std::string::npos) << g.category;
  }
  for (const auto& [id, c] : reg->categories) {
    EXPECT_NE(html.find(escape_html(c.name)), std::string::npos) << id;
    EXPECT_NE(html.find(escape_html(c.description)), std::string::npos) << id;
    if (!c.special.empty())
      EXPECT_NE(html.find("bijzonder persoonsgegeven (AVG " + c.special + ")"), std::string::npos) << id;
  }
  for (const auto& [id, o] : reg->organisations) EXPECT_NE(html.find(escape_html(o.name)), std::string::npos) << id;
  // The markdown is rendered from the same model.
  const std::string md = publish("markdown", artifacts() / "register.md");
  for (const Activity& a : reg->activities) EXPECT_NE(md.find("## " + a.name + "\n"), std::string::npos) << a.id;
}

TEST(RegisterPublish, HeadlessChromiumRendersTheHtmlToANonBlankScreenshot) {
  ASSERT_TRUE(fs::exists(kChromium)) << kChromium << " is missing: install the Debian package chromium (tools/install-deps.sh)";
  const fs::path dir = artifacts();
  publish("html", dir / "register.html");
  screenshot(dir / "register.html", dir / "register.png");
  // A blank page, shot the same way, is the baseline.
  std::ofstream(dir / "blank.html") << "<!DOCTYPE html><html lang=\"nl\"><title>leeg</title><body></body></html>\n";
  screenshot(dir / "blank.html", dir / "blank.png");

  ASSERT_TRUE(fs::exists(dir / "register.png"));
  const std::string png = read_file((dir / "register.png").string()), blank = read_file((dir / "blank.png").string());
  EXPECT_TRUE(has_png_signature(png));
  EXPECT_GT(png.size(), 20u * 1024) << "a page full of text compresses less than this";
  EXPECT_GT(png.size(), 5 * blank.size()) << "register " << png.size() << " bytes, blank page " << blank.size();

  std::string error;
  const Pixels shot = decode_png(png, error), empty = decode_png(blank, error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_EQ(distinct_colours(empty), 1u);  // the decoder sees a blank page as one colour
  EXPECT_EQ(shot.width, 1280u);
  EXPECT_EQ(shot.height, 2000u);
  EXPECT_GT(distinct_colours(shot), 64u) << "text, links and the header in several colours";
  std::size_t white = 0;
  for (std::uint32_t p : shot.rgb) white += p == 0xffffffU;
  EXPECT_LT(white, shot.rgb.size() * 9 / 10) << "more than 90% of the page is white";
  EXPECT_GT(white, shot.rgb.size() / 4) << "a readable page has a light background";
  // The inline CSS applied: the header band has the page's dark blue behind white text.
  EXPECT_EQ(shot.rgb[10 * shot.width + 10], 0x073a6bU);
  std::cout << "screenshot: " << (dir / "register.png").string() << "\n";
}

}  // namespace
}  // namespace doelpoort::testing
