// Builds indented XML text element by element. Text is escaped; names and namespace declarations are
// the caller's constants and are written as given.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace doelpoort::sim {

class XmlWriter {
 public:
  explicit XmlWriter(int indent = 0) : depth_(indent) {}

  /// <name attributes> ... (until the matching close()). `attributes` is raw, e.g. `xmlns:x="..."`.
  XmlWriter& open(std::string_view name, std::string_view attributes = {});
  XmlWriter& close();
  /// <name>text</name>
  XmlWriter& leaf(std::string_view name, std::string_view text);
  /// leaf() unless `text` is empty: SuwiML omits an element rather than send it empty.
  XmlWriter& optional_leaf(std::string_view name, std::string_view text);
  /// <name/>
  XmlWriter& empty(std::string_view name, std::string_view attributes = {});

  /// The text so far; every open() must have been closed.
  std::string take();

 private:
  void indent();

  std::string out_;
  std::vector<std::string> open_;
  int depth_;
};

}  // namespace doelpoort::sim
