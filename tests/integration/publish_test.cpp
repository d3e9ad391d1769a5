// `doelpoort register publish --format html` on the shipped register: every purpose, category and
// organisation of the register is on the page, and a real browser (headless Chromium) renders it to a
// screenshot that is clearly not a blank page. The page and screenshots stay in
// <build>/test-artifacts/register-publish/ for people to look at.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "harness.h"
#include "publish.h"
#include "register.h"
#include "screenshot.h"

namespace doelpoort::testing {
namespace {

namespace fs = std::filesystem;

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
